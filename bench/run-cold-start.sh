#!/usr/bin/env bash
# Cold start: a fleet reconnecting to a freshly started broker. Each broker is started fresh; as soon as its port
# accepts, CLIENTS plain MQTT 3.1.1 clients connect (the generator's idle scenario: 64 connects in flight at a time,
# each client stays connected) — the cold figure; they disconnect, and the same number connects again to the same
# process — the warm figure. Mosquitto, Rampart and Rampart with an application class-data sharing archive
# (rampart-cds: the archive is written once, before the rounds, by a training start that is stopped after a short
# load, `-XX:ArchiveClassesAtExit`, and then used with `-XX:SharedArchiveFile`) alternate in every round. Besides the
# rates, each row gives connections per CPU-second of the broker process (its user + system time over each set of
# connections, from /proc/<pid>/stat): on a machine shared with other work the CPU a broker spends per connection
# varies far less than its wall-clock rate. Optional variants: rampart-before (the jar BEFORE_JAR, e.g. a build of
# the previous commit, without an archive) and rampart-flags (with the archive and the JVM options FLAGS_OPTS).
# Builds nothing: run `mvn -B -DskipTests package` first.
#
#   bench/run-cold-start.sh      markdown on stdout, progress on stderr
#
# Environment (defaults in brackets):
#   CLIENTS [10000]  REPEAT [3]  BROKERS ["mosquitto rampart rampart-cds"]
#   RAMPART_JAVA_OPTS ["-Xms512m -Xmx512m"]  GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xmx512m"]
#   FLAGS_OPTS ["-XX:TieredStopAtLevel=1"]   BEFORE_JAR
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
FLAGS_OPTS=${FLAGS_OPTS:-"-XX:TieredStopAtLevel=1"}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found"
TMP=$(mktemp -d /tmp/rampart-cold.XXXXXX)
cp "$BENCH_JAR" "$TMP/bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"
if [[ " $BROKERS " == *" rampart-before "* ]]; then
    [[ -f ${BEFORE_JAR:-} ]] || die "rampart-before needs BEFORE_JAR, the broker jar to compare with"
    cp "$BEFORE_JAR" "$TMP/rampart-before.jar"
fi
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

# Connections of one set (connect_rate, arguments $1 $2) per CPU-second of the broker: "rate per-cpu-second".
rate_and_cpu() {
    local before after rate
    before=$(cpu_ticks "$BROKER_PID")
    rate=$(connect_rate "$1" "$2")
    after=$(cpu_ticks "$BROKER_PID")
    echo "$rate $(( CLIENTS * CLK_TCK / (after - before + 1) ))"
}

# Starts broker $1 (rampart: extra JVM options $3, jar $5) on port $2 in $4; sets BROKER_PID and STARTED_MS (milliseconds
# until the port accepts). Not to be called in a subshell: the caller stops BROKER_PID.
start_broker() {
    local which=$1 port=$2 opts=$3 dir=$4 jar=${5:-rampart.jar}
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
        java $RAMPART_JAVA_OPTS $opts -Drampart.log.dir="$dir/logs" -jar "$TMP/$jar" --config "$dir/broker.yaml" \
            >"$dir/broker.out" 2>&1 &
    fi
    BROKER_PID=$!
    wait_for_port "$port" "$BROKER_PID" "$which" >&2
    STARTED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

if [[ " $BROKERS " == *" rampart-cds "* || " $BROKERS " == *" rampart-flags "* ]]; then
    log "training start for the class-data sharing archive"
    port=$(free_port)
    start_broker rampart "$port" "-XX:ArchiveClassesAtExit=$TMP/rampart.jsa" "$TMP/training"
    connect_rate "$port" "$TMP/training/gen.err" >/dev/null
    kill -TERM "$BROKER_PID"
    wait "$BROKER_PID" || true   # the JVM writes the archive as it exits
    BROKER_PID=""
    [[ -s $TMP/rampart.jsa ]] || die "no archive written: $(tail -3 "$TMP/training/broker.out")"
    log "archive: $(du -h "$TMP/rampart.jsa" | cut -f1)"
fi

echo "Cold start, $CLIENTS clients (64 connects in flight), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
echo
echo "| run | broker | load | start until the port accepts, ms | cold conn/s | warm conn/s | cold conn per CPU-s | warm conn per CPU-s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for round in $(seq "$REPEAT"); do
    for which in $BROKERS; do
        port=$(free_port)
        dir="$TMP/$which-$round"
        load=$(cut -d' ' -f1 /proc/loadavg)
        opts="" jar=rampart.jar kind=rampart
        case $which in
            mosquitto) kind=mosquitto ;;
            rampart-cds) opts="-XX:SharedArchiveFile=$TMP/rampart.jsa" ;;
            rampart-flags) opts="-XX:SharedArchiveFile=$TMP/rampart.jsa $FLAGS_OPTS" ;;
            rampart-before) jar=rampart-before.jar ;;
        esac
        start_broker "$kind" "$port" "$opts" "$dir" "$jar"
        read -r cold cold_cpu < <(rate_and_cpu "$port" "$dir/cold.err")
        read -r warm warm_cpu < <(rate_and_cpu "$port" "$dir/warm.err")
        echo "| $round | $which | $load | $STARTED_MS | $cold | $warm | $cold_cpu | $warm_cpu |"
        stop_pid "$BROKER_PID"; BROKER_PID=""
    done
done
