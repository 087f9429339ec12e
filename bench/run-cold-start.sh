#!/usr/bin/env bash
# Cold start: a fleet reconnecting to a freshly started broker. Each broker is started fresh; as soon as its port
# accepts, CLIENTS plain MQTT 3.1.1 clients connect (the generator's idle scenario: 64 connects in flight at a time,
# each client stays connected) — the cold figure; they disconnect, and the same number connects again to the same
# process — the warm figure. Mosquitto, Rampart and Rampart with an application class-data sharing archive
# (rampart-cds: the archive is written once, before the rounds, by a training start that is stopped after a short
# load, `-XX:ArchiveClassesAtExit`, and then used with `-XX:SharedArchiveFile`) alternate in every round.
# Builds nothing: run `mvn -B -DskipTests package` first.
#
#   bench/run-cold-start.sh      markdown on stdout, progress on stderr
#
# Environment (defaults in brackets):
#   CLIENTS [10000]  REPEAT [3]  BROKERS ["mosquitto rampart rampart-cds"]
#   RAMPART_JAVA_OPTS ["-Xms512m -Xmx512m"]  GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xmx512m"]
#   BENCH_JAR  RAMPART_JAR  MOSQUITTO [/usr/sbin/mosquitto]  KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
CLIENTS=${CLIENTS:-10000}
REPEAT=${REPEAT:-3}
BROKERS=${BROKERS:-"mosquitto rampart rampart-cds"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-"-Xms512m -Xmx512m"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xmx512m"}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found"
TMP=$(mktemp -d /tmp/rampart-cold.XXXXXX)
cp "$BENCH_JAR" "$TMP/bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"
BROKER_PID=""
cleanup() {
    stop_pid "$BROKER_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# Connections per second of one set of $CLIENTS idle connections to port $1 (stderr of the generator to $2).
connect_rate() {
    # shellcheck disable=SC2086
    java $GEN_JAVA_OPTS -jar "$TMP/bench.jar" --scenario idle --port "$1" --clients "$CLIENTS" --duration 1 \
        --warmup 0 --format csv 2>"$2" | awk -F, 'NR == 2 { printf "%.0f", $8 }'
}

# Starts broker $1 (rampart: extra JVM options $3) on port $2 in $4; prints milliseconds until the port accepts.
start_broker() {
    local which=$1 port=$2 opts=$3 dir=$4
    mkdir -p "$dir"
    local t0
    t0=$(date +%s%N)
    if [[ $which == mosquitto ]]; then
        printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_connections -1\n' \
            "$port" >"$dir/mosquitto.conf"
        "$MOSQUITTO" -c "$dir/mosquitto.conf" >"$dir/broker.out" 2>&1 &
    else
        printf 'data-dir: %s/data\nlisteners:\n  - {type: tcp, name: fleet, bind: 127.0.0.1, port: %s, allow-anonymous: true}\n' \
            "$dir" "$port" >"$dir/broker.yaml"
        # shellcheck disable=SC2086
        java $RAMPART_JAVA_OPTS $opts -Drampart.log.dir="$dir/logs" -jar "$TMP/rampart.jar" --config "$dir/broker.yaml" \
            >"$dir/broker.out" 2>&1 &
    fi
    BROKER_PID=$!
    wait_for_port "$port" "$BROKER_PID" "$which" >&2
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

if [[ " $BROKERS " == *" rampart-cds "* ]]; then
    log "training start for the class-data sharing archive"
    port=$(free_port)
    start_broker rampart "$port" "-XX:ArchiveClassesAtExit=$TMP/rampart.jsa" "$TMP/training" >/dev/null
    connect_rate "$port" "$TMP/training/gen.err" >/dev/null
    kill -TERM "$BROKER_PID"
    wait "$BROKER_PID" || true   # the JVM writes the archive as it exits
    BROKER_PID=""
    [[ -s $TMP/rampart.jsa ]] || die "no archive written: $(tail -3 "$TMP/training/broker.out")"
    log "archive: $(du -h "$TMP/rampart.jsa" | cut -f1)"
fi

echo "Cold start, $CLIENTS clients (64 connects in flight), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
echo
echo "| run | broker | load | start until the port accepts, ms | cold conn/s | warm conn/s |"
echo "|---:|---|---:|---:|---:|---:|"
for round in $(seq "$REPEAT"); do
    for which in $BROKERS; do
        port=$(free_port)
        dir="$TMP/$which-$round"
        load=$(cut -d' ' -f1 /proc/loadavg)
        opts=""
        [[ $which == rampart-cds ]] && opts="-XX:SharedArchiveFile=$TMP/rampart.jsa"
        started=$(start_broker "${which%-cds}" "$port" "$opts" "$dir")
        cold=$(connect_rate "$port" "$dir/cold.err")
        warm=$(connect_rate "$port" "$dir/warm.err")
        echo "| $round | $which | $load | $started | $cold | $warm |"
        stop_pid "$BROKER_PID"; BROKER_PID=""
    done
done
