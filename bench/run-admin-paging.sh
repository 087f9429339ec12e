#!/usr/bin/env bash
# The admin API under load (BENCHMARKS.md, "Admin API: paging through the client table"): one Rampart broker holds
# SESSIONS sessions, CONNECTED of them connected by idle load generators (the rest are persistent sessions left by
# earlier connections); then
#   1. paging: bench/admin-paging.py follows nextCursor through all of them with limit=1000, PASSES times after one
#      warm-up pass, and reports the page latencies (p50/p90/p99/max);
#   2. throughput: the generator's `pairs` scenario runs ROUNDS times without and ROUNDS times with a paging loop
#      running beside it (one full pass after another, PACE seconds apart; 0 = back to back), alternating
#      (A B A B ...), and the median msg/s of each are compared.
# It also reports the broker's CPU time per page (from /proc, during the measured passes).
# Prints a markdown report on stdout, progress on stderr. Builds nothing: run `mvn -B -DskipTests package` first.
#
# Connections: each generator holds at most 15 000 connections from a source address of its own (127.0.0.2,
# 127.0.0.3, ...; one loopback address has about 28 000 ephemeral ports), so 100 000 connections take seven
# generators. Every process raises its open-files limit to the hard limit (`ulimit -Hn`); the broker needs one
# file per connection, so CONNECTED is capped at the broker's limit minus 2 000 (said so in the report) and the
# sessions beyond it are made persistent and offline: a page costs the same for connected and offline sessions.
#
# Environment: SESSIONS [100000] CONNECTED [100000] PASSES [5] ROUNDS [3] PAIRS [10] RUN_SECONDS [20] QOS [1]
#   PACE [0] NICE [10] BUILD_DIR [target] KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
SESSIONS=${SESSIONS:-100000}
CONNECTED=${CONNECTED:-100000}
PASSES=${PASSES:-5}
ROUNDS=${ROUNDS:-3}
PAIRS=${PAIRS:-10}
SECONDS_PER_RUN=${RUN_SECONDS:-20}
QOS=${QOS:-1}
PACE=${PACE:-0}
NICE=${NICE:-10}
KEEP_TMP=${KEEP_TMP:-0}
PER_GENERATOR=15000
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms64m -Xmx1g"}

[[ -f $BENCH_JAR && -f $RAMPART_JAR ]] || die "jars not found; run 'mvn -B -DskipTests package' in $ROOT first"
ulimit -n "$(ulimit -Hn)"
LIMIT=$(ulimit -n)
CAPACITY=$((LIMIT - 2000))
CAPPED=0
if ((CONNECTED > CAPACITY)); then
    log "the open-files limit is $LIMIT (ulimit -Hn): the broker can hold $CAPACITY connections, not $CONNECTED"
    CONNECTED=$CAPACITY
    CAPPED=1
fi
((SESSIONS >= CONNECTED)) || SESSIONS=$CONNECTED
OFFLINE=$((SESSIONS - CONNECTED))

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-admin-paging.XXXXXX")
RAMPART_PID=""
HOLDERS=()
cleanup() {
    for pid in "${HOLDERS[@]}"; do stop_pid "$pid"; done
    stop_pid "$RAMPART_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MQTT_PORT=$(free_port)
ADMIN_PORT=$(free_port)
PASSWORD=paging-admin-$RANDOM$RANDOM$RANDOM
printf 'roles:\n  - name: admins\n' >"$TMP/admins.yaml"
printf '%s\n' "$PASSWORD" | java -jar "$RAMPART_JAR" passwd --roles admins "$TMP/admins.yaml" admin >/dev/null
cat >"$TMP/broker.yaml" <<EOF
data-dir: $TMP/data
listeners:
  - {type: tcp, name: tcp, bind: 127.0.0.1, port: $MQTT_PORT, allow-anonymous: true}
  - {type: admin, name: admin, bind: 127.0.0.1, port: $ADMIN_PORT}
security:
  realms:
    - {name: admins, type: file, path: $TMP/admins.yaml}
  pipelines:
    - name: admin
      listeners: [admin]
      authentication: [{type: password, realm: admins}]
admin:
  roles: {admins: [super-admin]}
EOF

log "broker: MQTT $MQTT_PORT, admin $ADMIN_PORT, open files $LIMIT"
nice -n "$NICE" java -jar "$RAMPART_JAR" --config "$TMP/broker.yaml" >"$TMP/broker.log" 2>&1 &
RAMPART_PID=$!
wait_for_port "$ADMIN_PORT" "$RAMPART_PID" rampart || die "broker did not start (see $TMP/broker.log)"
wait_for_port "$MQTT_PORT" "$RAMPART_PID" rampart || die "broker did not start (see $TMP/broker.log)"

generator() {
    # shellcheck disable=SC2086
    nice -n "$NICE" java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$MQTT_PORT" "$@"
}

# Offline persistent sessions: connect without clean session, then leave.
n=0
while ((n < OFFLINE)); do
    batch=$((OFFLINE - n < PER_GENERATOR ? OFFLINE - n : PER_GENERATOR))
    source_address=127.0.0.$((2 + (n / PER_GENERATOR) % 200))
    log "offline sessions: $batch from $source_address ($n of $OFFLINE made)"
    generator --scenario idle --clients "$batch" --duration 1 --warmup 0 --keep-sessions \
        --client-id-prefix "off$n-" --source-address "$source_address" >/dev/null 2>"$TMP/offline.err" \
        || die "offline sessions failed: $(tail -3 "$TMP/offline.err")"
    n=$((n + batch))
done

# Connected clients, held by generators that stay until the end.
n=0
g=0
while ((n < CONNECTED)); do
    batch=$((CONNECTED - n < PER_GENERATOR ? CONNECTED - n : PER_GENERATOR))
    source_address=127.0.0.$((100 + g))
    log "connected clients: $batch from $source_address ($n of $CONNECTED held)"
    generator --scenario idle --clients "$batch" --duration 86400 --warmup 0 --client-id-prefix "live$g-" \
        --source-address "$source_address" >/dev/null 2>"$TMP/holder-$g.err" &
    HOLDERS+=($!)
    for _ in $(seq 1800); do
        grep -q "idle: all connected" "$TMP/holder-$g.err" && break
        kill -0 "${HOLDERS[-1]}" 2>/dev/null || die "holder $g stopped: $(tail -3 "$TMP/holder-$g.err")"
        sleep 0.1
    done
    grep -q "idle: all connected" "$TMP/holder-$g.err" || die "holder $g did not connect all clients within 180 s"
    n=$((n + batch))
    g=$((g + 1))
done

for attempt in 1 2 3; do
    status=$(curl -s -o "$TMP/token.json" -w '%{http_code}' -u "admin:$PASSWORD" -H 'Content-Type: application/json' \
        -d '{"roles":["viewer"]}' "http://127.0.0.1:$ADMIN_PORT/api/v1/tokens") || status=000
    [[ $status == 201 ]] && break
    log "token not created (HTTP $status: $(head -c 300 "$TMP/token.json" 2>/dev/null)); trying again"
    sleep 2
done
[[ $status == 201 ]] || die "no API token"
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/token.json")
SUMMARY=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/api/v1/metrics/summary")
log "broker: $SUMMARY"

log "paging: one warm-up pass, then $PASSES"
paging() { nice -n "$NICE" python3 "$ROOT/bench/admin-paging.py" 127.0.0.1 "$ADMIN_PORT" "$TOKEN" "$1"; }
paging 1 >"$TMP/paging-warmup.txt"
TICKS=$(cpu_ticks "$RAMPART_PID")
paging "$PASSES" >"$TMP/paging.txt"
TICKS=$(($(cpu_ticks "$RAMPART_PID") - TICKS))
PAGES=$(sed -n 's/.*pages: \([0-9]*\) over.*/\1/p' "$TMP/paging.txt")
CPU_PER_PAGE=$(python3 -c 'import sys; print(f"{1000 * int(sys.argv[1]) / int(sys.argv[2]) / int(sys.argv[3]):.1f}")' "$TICKS" "$CLK_TCK" "$PAGES")

throughput() {
    generator --scenario pairs --clients "$PAIRS" --qos "$QOS" --duration "$SECONDS_PER_RUN" --warmup 3 \
        --format csv 2>>"$TMP/pairs.err" | python3 -c 'import csv, sys; rows = list(csv.DictReader(sys.stdin)); print(round(float(rows[-1]["delivered_per_s"])))'
}

A=()
B=()
PAGING_UNDER_LOAD=()
for round in $(seq "$ROUNDS"); do
    log "round $round: pairs alone"
    A+=("$(throughput)")
    log "round $round: pairs with a paging loop beside it"
    nice -n "$NICE" python3 "$ROOT/bench/admin-paging.py" 127.0.0.1 "$ADMIN_PORT" "$TOKEN" 100000 "$PACE" \
        >"$TMP/loop-$round.txt" &
    LOOP=$!
    B+=("$(throughput)")
    kill "$LOOP" 2>/dev/null; wait "$LOOP" 2>/dev/null || true
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
MA=$(median "${A[@]}")
MB=$(median "${B[@]}")

echo "### $(date -u +'%Y-%m-%d %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "Sessions: $SESSIONS ($CONNECTED connected, $OFFLINE offline persistent); open-files limit $LIMIT$( ((CAPPED)) && echo " (connected clients capped by it)")."
echo "Broker summary: \`$SUMMARY\`"
echo
echo "| paging (limit=1000, $PASSES passes after a warm-up pass) | result |"
echo "|---|---|"
echo "| warm-up pass | $(cat "$TMP/paging-warmup.txt") |"
echo "| measured | $(cat "$TMP/paging.txt") |"
echo "| broker CPU per page (user + system, measured passes) | $CPU_PER_PAGE ms |"
echo
echo "| \`pairs --clients $PAIRS --qos $QOS\`, ${SECONDS_PER_RUN} s | delivered msg/s per round | median |"
echo "|---|---|---:|"
echo "| alone | ${A[*]} | $MA |"
echo "| with a paging loop beside it ($( ((PACE > 0)) && echo "a full pass every $PACE s" || echo "passes back to back")) | ${B[*]} | $MB |"
echo
python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f"With paging: {100 * (b - a) / a:+.1f} % of the median without it.")' "$MA" "$MB"
