#!/usr/bin/env bash
# What do topic insights (insights.topics) and the many-new-topics detection cost the message path? Two Rampart
# brokers run side by side from the same jar and differ only there: "on" has both (the defaults), "off" has
# `insights.topics.enabled: false` and `detections.many-new-topics.enabled: false`. Clients log in with a user name
# (a file realm), so the detection's per-connection topic table is exercised too. The generator's scenarios run
# against "off" and "on" alternately, ROUNDS times each, and each run's broker CPU time is read from /proc/<pid>/stat.
# Prints a markdown table on stdout: delivered msg/s and deliveries per broker CPU-second of each run.
# Builds nothing: run `mvn -B -DskipTests package` first.
#
# Environment: ROUNDS [5] SCENARIOS ["pairs:0 fan-out:0 pairs:1"] DURATION [8] WARMUP [2] CLIENTS [10]
#   BUILD_DIR [target] KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
ROUNDS=${ROUNDS:-5}
SCENARIOS=${SCENARIOS:-"pairs:0 fan-out:0 pairs:1"}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
CLIENTS=${CLIENTS:-10}
KEEP_TMP=${KEEP_TMP:-0}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
BROKER_JAVA_OPTS=${BROKER_JAVA_OPTS:-"-Xmx512m"}
PASSWORD=bench-password-1

[[ -f $BENCH_JAR && -f $RAMPART_JAR ]] || die "jars not found; run 'mvn -B -DskipTests package' in $ROOT first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-topic-insights.XXXXXX")
declare -A PID=() PORT=()

cleanup() {
    for v in "${!PID[@]}"; do stop_pid "${PID[$v]}"; done
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar

# A 1 000-iteration PBKDF2 hash: the default (210 000 iterations) would make the connects of each run cost more
# broker CPU than its messages.
HASH=$(python3 - "$PASSWORD" <<'PY'
import base64, hashlib, os, sys
salt = os.urandom(16)
dk = hashlib.pbkdf2_hmac("sha512", sys.argv[1].encode(), salt, 1000, 64)
b = lambda x: base64.b64encode(x).decode().rstrip("=")
print(f"$pbkdf2-sha512$i=1000${b(salt)}${b(dk)}")
PY
)
cat > "$TMP/users.yaml" <<CONF
users:
  - {username: bench, password: "$HASH", roles: [device]}
roles:
  - name: device
    permissions: [{topic: "#"}]
CONF

for v in off on; do
    PORT[$v]=$(free_port)
    mkdir -p "$TMP/$v"
    {
        echo "data-dir: $TMP/$v/data"
        echo "listeners:"
        echo "  - {type: tcp, name: mqtt, bind: 127.0.0.1, port: ${PORT[$v]}}"
        echo "mqtt:"
        echo "  max-queued-messages: 100000"
        echo "security:"
        echo "  realms: [{name: devices, type: file, path: $TMP/users.yaml, credential-cache: 600}]"
        echo "  pipelines:"
        echo "    - {name: devices, listeners: [mqtt], authentication: [{type: password, realm: devices}], authorization: [{type: realm, realm: devices}]}"
        echo "  brute-force: {enabled: false}"
        echo "  access-log: {publish-allowed: false}"
        if [[ $v == off ]]; then
            echo "insights: {topics: {enabled: false}}"
            echo "detections: {many-new-topics: {enabled: false}}"
        fi
    } > "$TMP/$v/rampart.yaml"
    # shellcheck disable=SC2086
    (cd "$TMP/$v" && exec java $BROKER_JAVA_OPTS -jar "$RAMPART_JAR" --config "$TMP/$v/rampart.yaml") \
        >"$TMP/$v/rampart.log" 2>&1 &
    PID[$v]=$!
    wait_for_port "${PORT[$v]}" "${PID[$v]}" "rampart ($v)" || die "broker $v did not start: $(tail -n 5 "$TMP/$v/rampart.log")"
done

# One run against broker $1: "msg/s,deliveries per broker CPU-second,errors".
run() {
    local v=$1 scenario=$2 qos=$3 out line t0 t1
    t0=$(cpu_ticks "${PID[$v]}")
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "${PORT[$v]}" --scenario "$scenario" \
        --qos "$qos" --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" --username bench \
        --password "$PASSWORD" --format csv 2>>"$TMP/generator.log") || true
    t1=$(cpu_ticks "${PID[$v]}")
    line=$(printf '%s\n' "$out" | tail -n 1)
    [[ $line == "$scenario",* ]] || { echo "—,—,failed"; return; }
    awk -F, -v ticks=$(( t1 - t0 )) -v hz="$CLK_TCK" -v d="$DURATION" \
        '{ cpu = ticks / hz; printf "%.0f,%.0f,%d\n", $8, (cpu > 0 ? $8 * d / cpu : 0), $13 }' <<<"$line"
}

echo "Topic insights and many-new-topics on vs off (two brokers, same jar); $CLIENTS clients logged in with a"
echo "user name, ${WARMUP} s warm-up + ${DURATION} s measured, $ROUNDS rounds per scenario alternating off / on."
echo "1-minute load average before: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| scenario | round | insights | delivered msg/s | deliveries per broker CPU-second | errors |"
echo "|---|---:|---|---:|---:|---:|"
log "warm-up runs (not reported)"
run off pairs 0 >/dev/null
run on pairs 0 >/dev/null
for s in $SCENARIOS; do
    scenario=${s%%:*}
    qos=${s##*:}
    for round in $(seq "$ROUNDS"); do
        for v in off on; do
            log "$scenario QoS $qos round $round: $v"
            IFS=, read -r r cpu e <<<"$(run "$v" "$scenario" "$qos")"
            echo "| $scenario QoS $qos | $round | $v | $r | $cpu | $e |"
        done
    done
done
echo
echo "1-minute load average after: $(cut -d' ' -f1 /proc/loadavg)."
