#!/usr/bin/env bash
# Memory per idle connection, Mosquitto and Rampart alternating: each broker is started fresh, warmed up with a first
# set of idle connections that stays open (it absorbs one-time allocations: allocator arenas, classes, caches), then
# CLIENTS more idle connections join; the growth of the resident set size between the two, divided by CLIENTS, is
# the figure. Rampart runs with a fixed, pre-touched heap so that its RSS grows with native memory only (socket
# buffers, BoringSSL objects, direct buffers); its Java heap share per connection is measured apart, as the growth
# of the live heap between the two points (class histograms, each after a full collection), and the largest
# contributors are listed per connection. The warm-up set connects from 127.0.0.2, the measured set from 127.0.0.3
# (two generator processes, each under the per-process file limit). Builds nothing: run
# `mvn -B -DskipTests package` first.
#
#   bench/run-idle-memory.sh              markdown on stdout, progress on stderr
#
# Environment (defaults in brackets):
#   CLIENTS [8000]  WARM_CLIENTS [2000]  (together at most ~19 900: a process may open 20 000 files here)
#   TLS [0]                 1: TLS 1.3 listeners (ECDSA P-256 certificate made with openssl), full handshakes
#   BROKERS ["mosquitto rampart"]  REPEAT [1]
#                           rampart-before: the jar BEFORE_JAR, to compare two builds in one run
#   RAMPART_JAVA_OPTS ["-Xms512m -Xmx512m -XX:+AlwaysPreTouch"]
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xmx512m"]   HISTO_TOP [12]
#   BENCH_JAR  RAMPART_JAR  BEFORE_JAR  MOSQUITTO [/usr/sbin/mosquitto]  KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
CLIENTS=${CLIENTS:-8000}
WARM_CLIENTS=${WARM_CLIENTS:-2000}
TLS=${TLS:-0}
BROKERS=${BROKERS:-"mosquitto rampart"}
REPEAT=${REPEAT:-1}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+AlwaysPreTouch"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xmx512m"}
HISTO_TOP=${HISTO_TOP:-12}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found"
TMP=$(mktemp -d /tmp/rampart-idle.XXXXXX)
cp "$BENCH_JAR" "$TMP/bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"
if [[ " $BROKERS " == *" rampart-before "* ]]; then
    [[ -f ${BEFORE_JAR:-} ]] || die "rampart-before needs BEFORE_JAR, the broker jar to compare with"
    cp "$BEFORE_JAR" "$TMP/rampart-before.jar"
fi
BROKER_PID="" WARM_PID="" IDLE_PID=""
cleanup() {
    for pid in $IDLE_PID $WARM_PID; do stop_pid "$pid"; done
    stop_pid "$BROKER_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

if [[ $TLS == 1 ]]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/key.pem" 2>/dev/null
    openssl req -new -x509 -key "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
    # Mosquitto drops to its own user before it reads them (a throwaway key of this run).
    chmod 755 "$TMP"; chmod 644 "$TMP/key.pem" "$TMP/cert.pem"
    GEN_TLS=(--tls --tls-version 1.3)
else
    GEN_TLS=()
fi

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# Live heap bytes by class after a full collection: "bytes class" lines.
histogram() { jcmd "$1" GC.class_histogram 2>/dev/null | awk '$1 ~ /^[0-9]+:$/ { print $3, $4 }'; }

# Starts $2 idle connections from source address $5 with client id prefix $3 in the background; waits until all
# are connected.
idle() {
    local port=$1 n=$2 prefix=$3 err=$4 source=$5
    # shellcheck disable=SC2086
    java $GEN_JAVA_OPTS -jar "$TMP/bench.jar" --scenario idle --port "$port" --clients "$n" --duration 3600 \
        --warmup 0 --client-id-prefix "$prefix" --source-address "$source" "${GEN_TLS[@]}" >/dev/null 2>"$err" &
    local pid=$!
    for _ in $(seq 1200); do
        grep -q "idle: all connected" "$err" && { echo "$pid"; return 0; }
        kill -0 "$pid" 2>/dev/null || { log "generator failed: $(tail -3 "$err")"; return 1; }
        sleep 0.25
    done
    log "not all $n connections up after 300 s"
    return 1
}

start_broker() {
    local which=$1 port=$2 dir=$3
    mkdir -p "$dir"
    if [[ $which == mosquitto ]]; then
        {
            echo "listener $port 127.0.0.1"
            echo "allow_anonymous true"
            echo "persistence false"
            echo "log_dest none"
            echo "max_connections -1"
            if [[ $TLS == 1 ]]; then
                echo "certfile $TMP/cert.pem"
                echo "keyfile $TMP/key.pem"
                echo "tls_version tlsv1.3"
            fi
        } >"$dir/mosquitto.conf"
        "$MOSQUITTO" -c "$dir/mosquitto.conf" >"$dir/broker.out" 2>&1 &
    else
        local type=tcp tls=""
        if [[ $TLS == 1 ]]; then
            type=tls
            tls=", tls: {certificate: $TMP/cert.pem, private-key: $TMP/key.pem, protocols: [TLSv1.3]}"
        fi
        cat >"$dir/broker.yaml" <<EOF
data-dir: $dir/data
listeners:
  - {type: $type, name: idle, bind: 127.0.0.1, port: $port, allow-anonymous: true$tls}
EOF
        # shellcheck disable=SC2086
        java $RAMPART_JAVA_OPTS -Drampart.log.dir="$dir/logs" -jar "$TMP/$which.jar" --config "$dir/broker.yaml" \
            >"$dir/broker.out" 2>&1 &
    fi
    BROKER_PID=$!
    wait_for_port "$port" "$BROKER_PID" "$which"
}

echo "| run | broker | clients | RSS before MiB | RSS after MiB | native KiB/conn | live heap KiB/conn | total KiB/conn | load |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
declare -A TOPS=()
for round in $(seq "$REPEAT"); do
    for which in $BROKERS; do
        port=$(free_port)
        dir="$TMP/$which-$round"
        load=$(cut -d' ' -f1 /proc/loadavg)
        start_broker "$which" "$port" "$dir"
        sleep 2
        WARM_PID=$(idle "$port" "$WARM_CLIENTS" "warm-$round-" "$dir/warm.err" 127.0.0.2)
        sleep 5
        [[ $which == rampart* ]] && histogram "$BROKER_PID" >"$dir/histo-before.txt"
        before=$(rss_kib "$BROKER_PID")
        IDLE_PID=$(idle "$port" "$CLIENTS" "idle-$round-" "$dir/idle.err" 127.0.0.3)
        sleep 5
        after=$(rss_kib "$BROKER_PID")
        heap="n/a"
        total=$(echo "($after - $before) / $CLIENTS" | bc -l)
        if [[ $which == rampart* ]]; then
            histogram "$BROKER_PID" >"$dir/histo-after.txt"
            heap_bytes=$(( $(awk '{ s += $1 } END { print s }' "$dir/histo-after.txt") \
                - $(awk '{ s += $1 } END { print s }' "$dir/histo-before.txt") ))
            heap=$(printf '%.2f' "$(echo "$heap_bytes / 1024 / $CLIENTS" | bc -l)")
            total=$(echo "$total + $heap" | bc -l)
            TOPS["$round $which"]=$(awk -v n="$CLIENTS" 'NR == FNR { b[$2] = $1; next }
                { d = $1 - b[$2]; if (d > 0) printf "%.0f %s\n", d / n, $2 }' \
                "$dir/histo-before.txt" "$dir/histo-after.txt" | sort -rn | head -n "$HISTO_TOP")
        fi
        printf '| %s | %s | %s | %.0f | %.0f | %.2f | %s | %.2f | %s |\n' "$round" "$which" "$CLIENTS" \
            "$(echo "$before / 1024" | bc -l)" "$(echo "$after / 1024" | bc -l)" \
            "$(echo "($after - $before) / $CLIENTS" | bc -l)" "$heap" "$total" "$load"
        stop_pid "$IDLE_PID"; IDLE_PID=""
        stop_pid "$WARM_PID"; WARM_PID=""
        stop_pid "$BROKER_PID"; BROKER_PID=""
    done
done
for key in "${!TOPS[@]}"; do
    echo
    echo "${key#* }, run ${key%% *}: live heap bytes per connection by class (largest first)"
    echo
    echo '```'
    echo "${TOPS[$key]}"
    echo '```'
done
