#!/usr/bin/env bash
# What does a trace recording of one client cost everybody else? One Rampart broker with an anonymous listener and
# an admin listener; IDLE_CLIENTS idle MQTT connections (one of them with the client id `traced-device`) stay open
# throughout. The generator's `pairs` scenario runs alternately with no recording and with a recording that selects
# only `traced-device` (POST /api/v1/traces with an API token), ROUNDS times per scenario, in one broker process.
# Prints a markdown table on stdout: delivered msg/s and deliveries per broker CPU-second of each run.
# Builds nothing: run `mvn -B -DskipTests package` first.
#
# Environment: IDLE_CLIENTS [10000] ROUNDS [3] SCENARIOS ["0 1" = pairs QoS 0 and 1] DURATION [8] WARMUP [2]
#   CLIENTS [10] BUILD_DIR [target] KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
IDLE_CLIENTS=${IDLE_CLIENTS:-10000}
ROUNDS=${ROUNDS:-3}
SCENARIOS=${SCENARIOS:-"0 1"}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
CLIENTS=${CLIENTS:-10}
KEEP_TMP=${KEEP_TMP:-0}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}

[[ -f $BENCH_JAR && -f $RAMPART_JAR ]] || die "jars not found; run 'mvn -B -DskipTests package' in $ROOT first"
(( $(ulimit -n) > IDLE_CLIENTS + 1000 )) || die "ulimit -n ($(ulimit -n)) is too low for $IDLE_CLIENTS idle clients"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-trace-cost.XXXXXX")
RAMPART_PID=""
IDLE_PID=""

cleanup() {
    stop_pid "$IDLE_PID"
    stop_pid "$RAMPART_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar

PORT=$(free_port)
ADMIN_PORT=$(free_port)
cat > "$TMP/rampart.yaml" <<CONF
data-dir: $TMP/data
listeners:
  - {type: tcp, name: open, bind: 127.0.0.1, port: $PORT, allow-anonymous: true}
  - {type: admin, name: admin, bind: 127.0.0.1, port: $ADMIN_PORT}
mqtt:
  max-queued-messages: 100000
security:
  access-log: {publish-allowed: false}
CONF
TOKEN=$(java -jar "$RAMPART_JAR" token create --config "$TMP/rampart.yaml" --role operator --expires 1d \
    --description trace-cost 2>/dev/null)
mkdir -p "$TMP/work"
(cd "$TMP/work" && exec java -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") >"$TMP/rampart.log" 2>&1 &
RAMPART_PID=$!
wait_for_port "$PORT" "$RAMPART_PID" rampart || die "broker did not start: $(tail -n 5 "$TMP/rampart.log")"

# Idle clients: MQTT 3.1.1 CONNECT (keep alive 0), CONNACK read, then held open until this script ends.
cat > "$TMP/idle.py" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def connect(client_id):
    cid = client_id.encode()
    var = b"\x00\x04MQTT\x04\x02\x00\x00"
    body = var + len(cid).to_bytes(2, "big") + cid
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(bytes([0x10, len(body)]) + body)
    ack = b""
    while len(ack) < 4:
        chunk = s.recv(4 - len(ack))
        if not chunk:
            raise SystemExit("connection closed before CONNACK")
        ack += chunk
    if ack[3] != 0:
        raise SystemExit("CONNACK refused: %d" % ack[3])
    return s
held = [connect("traced-device")]
for i in range(1, n):
    held.append(connect("idle-%05d" % i))
print("ready", flush=True)
while True:
    time.sleep(3600)
PY
python3 "$TMP/idle.py" "$PORT" "$IDLE_CLIENTS" >"$TMP/idle.out" 2>&1 &
IDLE_PID=$!
for _ in $(seq 1200); do
    grep -q ready "$TMP/idle.out" 2>/dev/null && break
    kill -0 "$IDLE_PID" 2>/dev/null || die "idle clients failed: $(tail -n 3 "$TMP/idle.out")"
    sleep 0.1
done
grep -q ready "$TMP/idle.out" || die "idle clients not connected within 120 s"
log "$IDLE_CLIENTS idle clients connected"

api() { curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

# One pairs run: "msg/s,deliveries per broker CPU-second,errors".
pairs() {
    local qos=$1 out line t0 t1
    t0=$(cpu_ticks "$RAMPART_PID")
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$PORT" --scenario pairs --qos "$qos" \
        --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" --format csv 2>>"$TMP/generator.log") || true
    t1=$(cpu_ticks "$RAMPART_PID")
    line=$(printf '%s\n' "$out" | tail -n 1)
    [[ $line == pairs,* ]] || { echo "—,—,failed"; return; }
    awk -F, -v ticks=$(( t1 - t0 )) -v hz="$CLK_TCK" -v d="$DURATION" -v w="$WARMUP" \
        '{ cpu = ticks / hz; printf "%.0f,%.0f,%d\n", $8, (cpu > 0 ? $8 * d / cpu : 0), $13 }' <<<"$line"
}

echo "Trace recording of one client among $IDLE_CLIENTS idle connections; load: pairs, $CLIENTS publishers +"
echo "$CLIENTS subscribers (not recorded), ${WARMUP} s warm-up + ${DURATION} s measured, $ROUNDS rounds per"
echo "scenario alternating off / on. 1-minute load average before: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| scenario | round | recording | delivered msg/s | deliveries per broker CPU-second | errors |"
echo "|---|---:|---|---:|---:|---:|"
log "warm-up run (not reported)"
pairs 0 >/dev/null
for qos in $SCENARIOS; do
    for round in $(seq "$ROUNDS"); do
        log "pairs QoS $qos round $round: no recording"
        IFS=, read -r r cpu e <<<"$(pairs "$qos")"
        echo "| pairs QoS $qos | $round | none | $r | $cpu | $e |"
        id=$(api -X POST "http://127.0.0.1:$ADMIN_PORT/api/v1/traces" \
            -d '{"clientId":"traced-device","duration":"10m"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
        log "pairs QoS $qos round $round: recording $id of traced-device"
        IFS=, read -r r cpu e <<<"$(pairs "$qos")"
        echo "| pairs QoS $qos | $round | traced-device | $r | $cpu | $e |"
        api -X DELETE "http://127.0.0.1:$ADMIN_PORT/api/v1/traces/$id" >/dev/null
    done
done
