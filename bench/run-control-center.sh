#!/usr/bin/env bash
# What the Control Center's live overview costs the broker: the same message load (pairs, QoS 1) with and without
# ten overview pages open (ten metrics streams of the admin API), alternated several times because this machine's
# noise is larger than the effect; also the CPU time of the admin plane's threads (and of the timer thread that
# samples and sends) against the whole broker's, in both variants: their difference is what the streams cost.
# Prints a markdown table on stdout, progress on stderr.
#
# Usage: bench/run-control-center.sh [ROUNDS] [SECONDS]      (defaults 6 rounds of 15 s per variant)
# Needs: mvn -B -DskipTests package (broker-server/target/rampart.jar, bench/target/rampart-bench.jar), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${1:-6}
SECONDS_PER_RUN=${2:-15}
STREAMS=10
BUILD_DIR=${BUILD_DIR:-target}
JAR=broker-server/$BUILD_DIR/rampart.jar
BENCH=bench/$BUILD_DIR/rampart-bench.jar
[[ -f $JAR && -f $BENCH ]] || die "build first: mvn -B -DskipTests package"

work=$(mktemp -d)
broker_pid=""
trap 'stop_pid "$broker_pid"; rm -rf "$work"' EXIT
mqtt_port=$(free_port)
admin_port=$(free_port)
cat >"$work/broker.yaml" <<YAML
data-dir: $work/data
listeners:
  - {type: tcp, name: tcp, bind: 127.0.0.1, port: $mqtt_port, allow-anonymous: true}
  - {type: admin, name: admin, bind: 127.0.0.1, port: $admin_port}
security:
  realms:
    - {name: admins, type: file, path: $work/data/admin/users.yaml}
  pipelines:
    - name: admin
      listeners: [admin]
      authentication:
        - {type: password, realm: admins}
admin:
  roles: {admins: [super-admin]}
  initial-admin: {realm: admins, user: admin, roles: [admins]}
YAML

log "starting the broker (mqtt $mqtt_port, admin $admin_port)"
(cd "$work" && exec java -Xmx1g -jar "$OLDPWD/$JAR" --config "$work/broker.yaml") >"$work/broker.out" 2>&1 &
broker_pid=$!
wait_for_port "$admin_port" "$broker_pid" broker
wait_for_port "$mqtt_port" "$broker_pid" broker
first=$(sed -n 's/.*shown only this once: *\([^ ]*\).*/\1/p' "$work/broker.out" | head -1)
[[ -n $first ]] || die "no first-run password in the broker's output"
api=http://127.0.0.1:$admin_port/api/v1
curl -sf -u "admin:$first" -X PUT -H 'Content-Type: application/json' \
     -d '{"currentPassword":"'"$first"'","newPassword":"bench-password-1234"}' "$api/session/password" >/dev/null
token=$(curl -sf -u admin:bench-password-1234 -H 'Content-Type: application/json' -d '{"roles":["viewer"]}' \
        "$api/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# CPU ticks of the broker's threads whose names start with $1 (rampart-admin: the admin listener's event loop and
# workers; rampart-timers: the timer that samples and sends the streams).
thread_ticks() {
    local total=0 t
    for t in /proc/$broker_pid/task/*; do
        if [[ $(cat "$t/comm" 2>/dev/null) == "$1"* ]]; then
            total=$((total + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)))
        fi
    done
    echo "$total"
}

load() {
    java -jar "$BENCH" --port "$mqtt_port" --scenario pairs --clients 10 --qos 1 --duration "$SECONDS_PER_RUN" \
         --warmup 3 --format csv | tail -1 | awk -F, '{ printf "%.0f\n", $8 }'
}

log "warm-up run"
load >/dev/null
echo "| round | msg/s without | msg/s with $STREAMS streams | admin + timer threads CPU without | with | broker CPU without | with |"
echo "|---|---:|---:|---:|---:|---:|---:|"
without=(); with=(); admin_share=()
admin_cpu() { echo $(( $(thread_ticks rampart-admin) + $(thread_ticks rampart-timers) )); }
for round in $(seq "$ROUNDS"); do
    admin0=$(admin_cpu); cpu0=$(cpu_ticks "$broker_pid")
    a=$(load)
    admin1=$(admin_cpu); cpu1=$(cpu_ticks "$broker_pid")
    python3 bench/control-center-streams.py 127.0.0.1 "$admin_port" "$token" "$STREAMS" $((SECONDS_PER_RUN + 6)) \
        >"$work/streams.out" &
    streams_pid=$!
    sleep 1
    admin2=$(admin_cpu); cpu2=$(cpu_ticks "$broker_pid")
    b=$(load)
    admin3=$(admin_cpu); cpu3=$(cpu_ticks "$broker_pid")
    wait "$streams_pid"
    log "round $round: $a msg/s without, $b msg/s with; $(cat "$work/streams.out")"
    without+=("$a"); with+=("$b")
    ms() { echo $(( $1 * 1000 / CLK_TCK )); }
    echo "| $round | $a | $b | $(ms $((admin1 - admin0))) ms | $(ms $((admin3 - admin2))) ms | $(ms $((cpu1 - cpu0))) ms | $(ms $((cpu3 - cpu2))) ms |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "Medians: without $(median "${without[@]}") msg/s, with $(median "${with[@]}") msg/s."
