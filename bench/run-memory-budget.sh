#!/usr/bin/env bash
# The memory-budget scenario: a subscriber stops reading (mosquitto_sub, stopped with SIGSTOP) while mosquitto_pub
# sends it MESSAGES QoS 0 messages; after HOLD seconds the stopped subscriber is killed and the rest of the flood
# goes through. Run once per budget in BUDGETS on a freshly started broker; the broker's resident set size and
# the budget's usage (from /metrics) are sampled every 250 ms into CSV, and bench/plot-rss.py draws them.
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first.
#
#   bench/run-memory-budget.sh [OUT_DIR]     writes OUT_DIR/rss-<budget>.csv and OUT_DIR/rss.svg, a summary on stdout
#
# Environment (defaults in brackets):
#   BUDGETS ["64MB 90%"]            memory.budget per run; "90%" of a 1 GB heap stands for "no budget to speak of"
#   MESSAGES [1000000]  PAYLOAD [200]  HOLD [20]
#   RAMPART_JAVA_OPTS ["-Xms64m -Xmx1g -XX:+UseSerialGC"]
#   RAMPART_JAR   MOSQUITTO_PUB [/usr/bin/mosquitto_pub]   MOSQUITTO_SUB [/usr/bin/mosquitto_sub]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
MOSQUITTO_PUB=${MOSQUITTO_PUB:-/usr/bin/mosquitto_pub}
MOSQUITTO_SUB=${MOSQUITTO_SUB:-/usr/bin/mosquitto_sub}
BUDGETS=${BUDGETS:-"64MB 90%"}
MESSAGES=${MESSAGES:-1000000}
PAYLOAD=${PAYLOAD:-200}
HOLD=${HOLD:-20}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-"-Xms64m -Xmx1g -XX:+UseSerialGC"}
OUT=${1:-$(mktemp -d /tmp/rampart-memory-budget.XXXXXX)}
mkdir -p "$OUT"

[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
cp "$RAMPART_JAR" "$OUT/rampart.jar"

BROKER_PID="" SUB_PID="" PUB_PID="" SAMPLER_PID=""
cleanup() {
    for pid in $SAMPLER_PID $PUB_PID; do stop_pid "$pid"; done
    [[ -n $SUB_PID ]] && kill -KILL "$SUB_PID" 2>/dev/null || true
    stop_pid "$BROKER_PID"
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
metric() { awk -v m="$2" '$1 == m { printf "%.0f\n", $2 }' <<<"$1"; }

# Samples the broker every 250 ms: seconds since start, RSS KiB, budget bytes used, budget limit, held publishers.
sample() {
    local pid=$1 admin=$2 start
    start=$(date +%s.%N)
    echo "seconds,rss_kib,budget_used_bytes,budget_limit_bytes,held_connections"
    while kill -0 "$pid" 2>/dev/null; do
        local scrape
        scrape=$(curl -s --max-time 1 "http://127.0.0.1:$admin/metrics" || true)
        printf '%.2f,%s,%s,%s,%s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(rss_kib "$pid")" \
            "$(metric "$scrape" rampart_memory_budget_used_bytes)" "$(metric "$scrape" rampart_memory_budget_limit_bytes)" \
            "$(metric "$scrape" rampart_memory_held_connections)"
        sleep 0.25
    done
}

summary="| budget | baseline RSS MiB | peak RSS MiB | peak budget used MiB | budget MiB | messages | flood seconds |"$'\n'
summary+="|---|---:|---:|---:|---:|---:|---:|"$'\n'
line=$(head -c "$PAYLOAD" /dev/zero | tr '\0' x)
for budget in $BUDGETS; do
    port=$(free_port)
    admin=$(free_port)
    dir="$OUT/run-${budget//%/pct}"
    mkdir -p "$dir"
    cat >"$dir/broker.yaml" <<EOF
data-dir: $dir/data
listeners:
  - {type: tcp, name: tcp, bind: 127.0.0.1, port: $port, allow-anonymous: true}
  - {type: admin, name: admin, bind: 127.0.0.1, port: $admin}
mqtt:
  max-queued-messages: 100000000
memory:
  budget: $budget
EOF
    log "budget $budget: starting the broker ($RAMPART_JAVA_OPTS)"
    # shellcheck disable=SC2086
    java $RAMPART_JAVA_OPTS -Drampart.log.dir="$dir/logs" -jar "$OUT/rampart.jar" --config "$dir/broker.yaml" \
        >"$dir/broker.out" 2>&1 &
    BROKER_PID=$!
    wait_for_port "$port" "$BROKER_PID" rampart
    wait_for_port "$admin" "$BROKER_PID" rampart-admin
    sleep 2
    baseline=$(rss_kib "$BROKER_PID")
    sample "$BROKER_PID" "$admin" >"$OUT/rss-${budget//%/pct}.csv" &
    SAMPLER_PID=$!

    "$MOSQUITTO_SUB" -h 127.0.0.1 -p "$port" -k 600 -q 0 -t 'slow/#' >/dev/null &
    SUB_PID=$!
    sleep 1
    kill -STOP "$SUB_PID"
    started=$(date +%s.%N)
    yes "$line" | head -n "$MESSAGES" | "$MOSQUITTO_PUB" -h 127.0.0.1 -p "$port" -k 600 -q 0 -t slow/data -l &
    PUB_PID=$!
    sleep "$HOLD"
    log "budget $budget: the stopped subscriber goes away"
    kill -KILL "$SUB_PID"
    SUB_PID=""
    wait "$PUB_PID" || log "mosquitto_pub exited with status $?"
    PUB_PID=""
    flood=$(echo "$(date +%s.%N) - $started" | bc)
    sleep 3
    stop_pid "$SAMPLER_PID"
    SAMPLER_PID=""
    received=$(curl -s "http://127.0.0.1:$admin/metrics" | awk '$1 ~ /^rampart_messages_in_total/ && /type="publish"/ { n += $2 } END { printf "%.0f", n }')
    stop_pid "$BROKER_PID"
    BROKER_PID=""
    peak=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$OUT/rss-${budget//%/pct}.csv")
    peak_used=$(awk -F, 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$OUT/rss-${budget//%/pct}.csv")
    limit=$(awk -F, 'NR > 1 && $4 > 0 { l = $4 } END { print l + 0 }' "$OUT/rss-${budget//%/pct}.csv")
    summary+=$(printf '| %s | %.0f | %.0f | %.1f | %.0f | %s | %.1f |' "$budget" "$(echo "$baseline / 1024" | bc -l)" \
        "$(echo "$peak / 1024" | bc -l)" "$(echo "$peak_used / 1048576" | bc -l)" "$(echo "$limit / 1048576" | bc -l)" \
        "$received" "$flood")$'\n'
done
python3 "$ROOT/bench/plot-rss.py" "$OUT/rss.svg" "$OUT"/rss-*.csv
log "CSV and plot in $OUT (load average $(cut -d' ' -f1 /proc/loadavg))"
printf '%s' "$summary"
