#!/usr/bin/env bash
# Cluster measurements on loopback, printed as markdown on stdout (progress goes to stderr).
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first.
#
# 1. Single node, clustering disabled: the broker JAR against BASE_JAR (a build of the same code without the cluster,
#    e.g. the commit before it), alternating rounds (and which goes first), so both see the same machine load.
#    Skipped without BASE_JAR.
# 2. A 2-node cluster (TLS 1.3 between the nodes, development CA): the generator's publishers connect to node B and
#    its subscribers to node A, so every message crosses the cluster transport once; then the same load with both
#    ends on node A (clustering on, nothing forwarded). Broker CPU is the sum of both node processes.
#
# Environment (defaults in brackets):
#   DURATION [8]  WARMUP [5]  CLIENTS [10]  PAYLOAD [64]  MQTT_VERSION [3]
#   SINGLE_SCENARIOS ["pairs:0 pairs:1"]    scenario:qos list for part 1
#   CLUSTER_SCENARIOS ["pairs:0 pairs:1 fan-in:1"]  scenario:qos list for part 2
#   ROUNDS [3]                              rounds of part 1 (base and this build, per round and scenario)
#   CLUSTER_ROUNDS [2]                      rounds of part 2 (the first one includes the JIT warm-up)
#   BASE_JAR [""]                           broker JAR without the cluster for part 1; "" skips part 1
#   BENCH_JAR  RAMPART_JAR  BUILD_DIR [target]
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]  RAMPART_JAVA_OPTS [""]
#   KEEP_TMP [0]                            1 keeps the temp dir (configs, broker logs, generator log)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
BASE_JAR=${BASE_JAR:-}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-10}
PAYLOAD=${PAYLOAD:-64}
MQTT_VERSION=${MQTT_VERSION:-3}
ROUNDS=${ROUNDS:-3}
CLUSTER_ROUNDS=${CLUSTER_ROUNDS:-2}
SINGLE_SCENARIOS=${SINGLE_SCENARIOS-"pairs:0 pairs:1"}
CLUSTER_SCENARIOS=${CLUSTER_SCENARIOS-"pairs:0 pairs:1 fan-in:1"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -z $BASE_JAR || -f $BASE_JAR ]] || die "BASE_JAR $BASE_JAR not found"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-cluster-bench.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do stop_pid "$p"; done
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run from copies so a rebuild in the working tree cannot pull a jar away mid-run.
cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar
if [[ -n $BASE_JAR ]]; then cp "$BASE_JAR" "$TMP/base.jar"; BASE_JAR=$TMP/base.jar; fi

# start_broker NAME JAR PORT [YAML appended to the config]; sets STARTED_PID.
start_broker() {
    local name=$1 jar=$2 port=$3 extra=${4:-}
    mkdir -p "$TMP/$name"
    cat > "$TMP/$name/broker.yaml" <<CONF
data-dir: $TMP/$name/data
listeners:
  - type: tcp
    name: bench
    bind: 127.0.0.1
    port: $port
    allow-anonymous: true
mqtt:
  max-queued-messages: 100000
security:
  access-log:
    publish-allowed: false
$extra
CONF
    # shellcheck disable=SC2086
    (cd "$TMP/$name" && exec java $RAMPART_JAVA_OPTS -Drampart.log.dir="$TMP/$name/logs" -jar "$jar" \
        --config "$TMP/$name/broker.yaml") >"$TMP/$name/console.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

# Waits (at most 120 s) until the broker's console says it is ready.
wait_ready() {
    local name=$1 pid=$2
    for _ in $(seq 1200); do
        kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up:"; tail -n 20 "$TMP/$name/console.log" >&2; return 1; }
        grep -q "Rampart is ready" "$TMP/$name/console.log" 2>/dev/null && return 0
        sleep 0.1
    done
    log "$name was not ready within 120 s"
    return 1
}

# run_load PORT SUBSCRIBER_PORT SCENARIO QOS PIDS... : the generator's CSV line plus ",<exit code>,<CPU seconds of
# the given broker processes over the whole run>", or FAILED:<exit code>.
# CSV columns: 1 scenario, 2 qos, 3 mqtt_version, 4 clients, 5 payload_bytes, 6 duration_s,
#   7 published_per_s, 8 delivered_per_s, 9 p50_us, 10 p99_us, 11 p999_us, 12 max_us, 13 errors,
#   14 undelivered, 15 samples, 16 delivered_total, 17 exit code, 18 broker CPU seconds
run_load() {
    local port=$1 sport=$2 scenario=$3 qos=$4; shift 4
    local pids=("$@") cpu0=0 cpu1=0 out rc line p
    for p in "${pids[@]}"; do cpu0=$((cpu0 + $(cpu_ticks "$p"))); done
    set +e
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --subscriber-port "$sport" \
        --scenario "$scenario" --qos "$qos" --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" \
        --payload "$PAYLOAD" --mqtt-version "$MQTT_VERSION" --format csv 2>>"$TMP/generator.log")
    rc=$?
    set -e
    for p in "${pids[@]}"; do cpu1=$((cpu1 + $(cpu_ticks "$p"))); done
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != "$scenario,"* ]]; then
        echo "FAILED:$rc"
    else
        echo "$line,$rc,$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
    fi
}

field() { cut -d, -f"$2" <<<"$1"; }
ok() { [[ -n $1 && $1 != FAILED* ]]; }
rate() { if ok "$1"; then printf "%.0f" "$(field "$1" 8)"; else echo "—"; fi; }
p50() { if ok "$1"; then printf "%.0f" "$(field "$1" 9)"; else echo "—"; fi; }
p99() { if ok "$1"; then printf "%.0f" "$(field "$1" 10)"; else echo "—"; fi; }
# Broker CPU microseconds per delivered message over the whole run (warm-up included).
cpu_us() {
    if ok "$1"; then
        awk -v n="$(field "$1" 16)" -v c="$(field "$1" 18)" 'BEGIN { if (n > 0) printf "%.2f", c * 1e6 / n; else print "—" }'
    else echo "—"; fi
}
notes() {
    if ! ok "$1"; then echo "failed (${1#FAILED:})"; return; fi
    local e u; e=$(field "$1" 13); u=$(field "$1" 14)
    [[ $e == 0 && $u == 0 ]] && echo "" || echo "$e errors, $u undelivered"
}

echo "### Cluster, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) CPUs (shared with other builds), $(uname -sr); $(java -version 2>&1 | head -n 1)."
echo "Loopback, MQTT $MQTT_VERSION, ${PAYLOAD}-byte payload, $CLIENTS publishers, ${WARMUP} s warm-up + ${DURATION} s measured per run."
echo "msg/s = deliveries per second at the subscribers; latency publish → delivery in µs;"
echo "CPU µs/msg = CPU time of the broker process(es) over the whole run divided by the messages delivered."
echo

if [[ -n $BASE_JAR && -n $SINGLE_SCENARIOS ]]; then
    echo "#### Single node, clustering disabled: without the cluster module (base) vs with it"
    echo
    echo "1-minute load average before these runs: $(cut -d' ' -f1 /proc/loadavg); $ROUNDS round(s)."
    echo
    echo "| scenario | round | base msg/s | this build msg/s | ratio | p99 µs base / this | CPU µs/msg base / this | notes |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    BASE_PORT=$(free_port); THIS_PORT=$(free_port)
    start_broker base "$BASE_JAR" "$BASE_PORT"; BASE_PID=$STARTED_PID
    start_broker this "$RAMPART_JAR" "$THIS_PORT"; THIS_PID=$STARTED_PID
    wait_ready base "$BASE_PID"; wait_ready this "$THIS_PID"
    for round in $(seq 1 "$ROUNDS"); do
        for spec in $SINGLE_SCENARIOS; do
            scenario=${spec%%:*}; qos=${spec##*:}
            # Odd rounds run the base first, even rounds this build first.
            if (( round % 2 == 1 )); then
                log "single node $scenario QoS $qos, round $round: base, then this build"
                b=$(run_load "$BASE_PORT" "$BASE_PORT" "$scenario" "$qos" "$BASE_PID"); sleep 1
                t=$(run_load "$THIS_PORT" "$THIS_PORT" "$scenario" "$qos" "$THIS_PID"); sleep 1
            else
                log "single node $scenario QoS $qos, round $round: this build, then base"
                t=$(run_load "$THIS_PORT" "$THIS_PORT" "$scenario" "$qos" "$THIS_PID"); sleep 1
                b=$(run_load "$BASE_PORT" "$BASE_PORT" "$scenario" "$qos" "$BASE_PID"); sleep 1
            fi
            ratio="—"
            if ok "$b" && ok "$t"; then
                ratio=$(awk -v a="$(field "$t" 8)" -v b="$(field "$b" 8)" 'BEGIN { printf "%.3f", a / b }')
            fi
            echo "| $scenario QoS $qos | $round | $(rate "$b") | $(rate "$t") | $ratio | $(p99 "$b") / $(p99 "$t") | $(cpu_us "$b") / $(cpu_us "$t") | $(notes "$b") $(notes "$t") |"
        done
    done
    stop_pid "$BASE_PID"; stop_pid "$THIS_PID"
    echo
fi

if [[ -n $CLUSTER_SCENARIOS ]]; then
    A_PORT=$(free_port); B_PORT=$(free_port); A_CLUSTER=$(free_port); B_CLUSTER=$(free_port)
    mkdir -p "$TMP/ca" "$TMP/node-a/data" "$TMP/node-b/data"
    ln -s "$TMP/ca" "$TMP/node-a/data/cluster-ca"
    ln -s "$TMP/ca" "$TMP/node-b/data/cluster-ca"
    cluster_yaml() {
        cat <<CONF
cluster:
  enabled: true
  node-name: $1
  bind: 127.0.0.1
  port: $2
  members: [127.0.0.1:$A_CLUSTER, 127.0.0.1:$B_CLUSTER]
  tls: {development: true}
CONF
    }
    start_broker node-a "$RAMPART_JAR" "$A_PORT" "$(cluster_yaml node-a "$A_CLUSTER")"; A_PID=$STARTED_PID
    wait_ready node-a "$A_PID"
    start_broker node-b "$RAMPART_JAR" "$B_PORT" "$(cluster_yaml node-b "$B_CLUSTER")"; B_PID=$STARTED_PID
    wait_ready node-b "$B_PID"
    for _ in $(seq 600); do
        grep -q "with 2 node(s)\|sees 2 of the 2" "$TMP/node-b/console.log" && break
        sleep 0.1
    done
    echo "#### 2-node cluster: publishers on node B, subscribers on node A (cross-node) vs both on node A (local)"
    echo
    echo "1-minute load average before these runs: $(cut -d' ' -f1 /proc/loadavg)."
    echo
    echo "| scenario | round | path | msg/s | p50 µs | p99 µs | CPU µs/msg (both nodes) | notes |"
    echo "|---|---:|---|---:|---:|---:|---:|---|"
    for round in $(seq 1 "$CLUSTER_ROUNDS"); do
        for spec in $CLUSTER_SCENARIOS; do
            scenario=${spec%%:*}; qos=${spec##*:}
            log "cluster $scenario QoS $qos, round $round: cross-node"
            x=$(run_load "$B_PORT" "$A_PORT" "$scenario" "$qos" "$A_PID" "$B_PID"); sleep 1
            log "cluster $scenario QoS $qos, round $round: local on node A"
            l=$(run_load "$A_PORT" "$A_PORT" "$scenario" "$qos" "$A_PID" "$B_PID"); sleep 1
            echo "| $scenario QoS $qos | $round | B → A | $(rate "$x") | $(p50 "$x") | $(p99 "$x") | $(cpu_us "$x") | $(notes "$x") |"
            echo "| $scenario QoS $qos | $round | A → A | $(rate "$l") | $(p50 "$l") | $(p99 "$l") | $(cpu_us "$l") | $(notes "$l") |"
        done
    done
fi
exit 0
