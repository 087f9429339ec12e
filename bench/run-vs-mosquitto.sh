#!/usr/bin/env bash
# Runs the Rampart load generator against Mosquitto and Rampart, back to back per scenario, on loopback,
# and prints a markdown table on stdout (progress goes to stderr).
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first.
# After the Mosquitto comparison it runs the authorization pairs (Rampart only): each scenario once through an
# anonymous listener (authorization off) and once through a listener guarded by a security pipeline with a
# file realm, hashed password and per-client permissions with placeholders (authorization on). Then the limits
# pairs: each scenario once through the anonymous listener and once through an anonymous listener whose clients
# have publish and delivery rates configured far above what they reach (the cost of limits that hold nobody back).
#
# Environment (defaults in brackets):
#   DURATION [8]  WARMUP [5]        measured and warm-up seconds per run
#   CLIENTS [10]                    publishers for pairs and fan-in
#   FANOUT_CLIENTS [50]             subscribers for fan-out
#   CONNECT_CLIENTS [8]             concurrency of the connect scenario
#   CONNECT_THREADS [2]             generator threads of the connect scenario (one thread tops out at about
#                                   14 k conn/s here, the same figure for both brokers, so it would measure
#                                   the generator)
#   PAYLOAD [64]  MQTT_VERSION [3]  payload bytes; 3 (= 3.1.1) or 5
#   SCENARIOS ["pairs:0 pairs:1 fan-in:0 fan-in:1 fan-out:0 fan-out:1 connect:0"]  scenario:qos list; "" skips them
#   BROKERS ["mosquitto rampart"]   which brokers to run
#   AUTH_SCENARIOS ["pairs:0 pairs:1"]  scenario:qos list for authorization off/on; "" skips them
#   LIMIT_SCENARIOS ["pairs:0 pairs:1"]  scenario:qos list for limits off/configured; "" skips them
#   LIMIT_ROUNDS [1]                how many times each limits pair (off, then configured) runs
#   MOSQUITTO_LOG [default]         default = Debian's packaged logging (file, connection messages on), as
#                                   Rampart logs every connection too; quiet = errors and warnings only
#   ACCESS_LOG_PUBLISH [false]      security.access-log.publish-allowed of the Rampart config. Rampart's own
#                                   default is true (one access-log line per allowed PUBLISH, on every listener);
#                                   off here because Mosquitto logs nothing per message in this comparison
#   MOSQUITTO [/usr/sbin/mosquitto]  BENCH_JAR  RAMPART_JAR   binaries
#   BUILD_DIR [target]              Maven build folder the jars are taken from (-Dbuild.dir.name=...)
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]  JVM options of the load generator
#   RAMPART_JAVA_OPTS [""]          JVM options of the Rampart broker
#   GEN_ARGS [""]                   extra generator options, e.g. "--window 32"
#   KEEP_TMP [0]                    1 keeps the temp dir (configs, broker logs, generator log, raw CSV)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-10}
FANOUT_CLIENTS=${FANOUT_CLIENTS:-50}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-8}
CONNECT_THREADS=${CONNECT_THREADS:-2}
PAYLOAD=${PAYLOAD:-64}
MQTT_VERSION=${MQTT_VERSION:-3}
SCENARIOS=${SCENARIOS-"pairs:0 pairs:1 fan-in:0 fan-in:1 fan-out:0 fan-out:1 connect:0"}
AUTH_SCENARIOS=${AUTH_SCENARIOS-"pairs:0 pairs:1"}
LIMIT_SCENARIOS=${LIMIT_SCENARIOS-"pairs:0 pairs:1"}
LIMIT_ROUNDS=${LIMIT_ROUNDS:-1}
ACCESS_LOG_PUBLISH=${ACCESS_LOG_PUBLISH:-false}
MOSQUITTO_LOG=${MOSQUITTO_LOG:-default}
BROKERS=${BROKERS:-"mosquitto rampart"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
GEN_ARGS=${GEN_ARGS:-}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
command -v java >/dev/null || die "java not on PATH"
command -v python3 >/dev/null || die "python3 is needed to pick free ports"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-vs-mosquitto.XXXXXX")
chmod 755 "$TMP"   # mosquitto may drop privileges before it opens files
MOSQ_PID=""
RAMPART_PID=""

cleanup() {
    stop_pid "$MOSQ_PID"
    stop_pid "$RAMPART_PID"
    if [[ $KEEP_TMP == 1 ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run from copies so a rebuild in the working tree cannot pull a jar away mid-run.
cp "$BENCH_JAR" "$TMP/rampart-bench.jar"
BENCH_JAR=$TMP/rampart-bench.jar
if [[ -f $RAMPART_JAR ]]; then
    cp "$RAMPART_JAR" "$TMP/rampart.jar"
    RAMPART_JAR=$TMP/rampart.jar
fi

# Waits until something accepts TCP connections on the port while the process is alive.
start_mosquitto() {
    [[ -x $MOSQUITTO ]] || { log "mosquitto not found at $MOSQUITTO"; return 1; }
    MOSQ_PORT=$(free_port)
    cat > "$TMP/mosquitto.conf" <<CONF
listener $MOSQ_PORT 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 1000000
max_inflight_messages 64
persistence false
$(if [[ $MOSQUITTO_LOG == quiet ]]; then
    printf 'log_dest stderr\nlog_type error\nlog_type warning\n'
  else
    # Debian's packaged setup: a log file with the default types, connection messages included, like
    # Rampart's event and access logs.
    printf 'log_dest file %s\n' "$TMP/mosquitto-broker.log"
  fi)
CONF
    chmod 644 "$TMP/mosquitto.conf"
    mosquitto_log_file "$TMP/mosquitto-broker.log"
    "$MOSQUITTO" -c "$TMP/mosquitto.conf" >"$TMP/mosquitto.log" 2>&1 &
    MOSQ_PID=$!
    wait_for_port "$MOSQ_PORT" "$MOSQ_PID" mosquitto
}

AUTH_USER=bench
AUTH_PASSWORD=bench-secret-$RANDOM$RANDOM

# The realm of the authorization-on runs: one user with a hashed password and a device role of ten rules
# (one DENY, placeholders substituted per session). The generator's topics (bench/<run id>/...) are allowed
# only by the last rule, so every check scans the whole list: the worst case for a list of this size.
write_realm() {
    local hash
    hash=$(printf '%s\n' "$AUTH_PASSWORD" | java -jar "$RAMPART_JAR" hash) || return 1
    cat > "$TMP/users.yaml" <<CONF
users:
  - username: $AUTH_USER
    password: "$hash"
    roles: [device]
roles:
  - name: device
    permissions:
      - topic: "devices/+/secrets/#"
        effect: deny
      - topic: "devices/\${mqtt-clientid}/telemetry"
        activity: publish
        qos: [0, 1]
        retain: false
      - topic: "devices/\${mqtt-clientid}/status"
        activity: publish
      - topic: "devices/\${mqtt-clientid}/commands/#"
        activity: subscribe
      - topic: "config/\${mqtt-clientid}"
        activity: subscribe
      - topic: "users/\${mqtt-username}/#"
      - topic: "plants/\${mqtt-username}/+/alarms"
        activity: publish
      - topic: "plants/\${mqtt-username}/broadcast"
        activity: subscribe
      - topic: "firmware/+/latest"
        activity: subscribe
      - topic: "bench/#"
CONF
}

start_rampart() {
    [[ -f $RAMPART_JAR ]] || { log "$RAMPART_JAR not found (build it with mvn -B -DskipTests package)"; return 1; }
    RAMPART_PORT=$(free_port)
    RAMPART_AUTH_PORT=$(free_port)
    RAMPART_LIMITS_PORT=$(free_port)
    write_realm || { log "could not hash the benchmark password with $RAMPART_JAR"; return 1; }
    # Listener 'bench' is anonymous (authorization off), 'bench-auth' goes through the pipeline (on);
    # 'bench-limits' is anonymous with rates per client far above what a client of the generator reaches.
    cat > "$TMP/rampart.yaml" <<CONF
listeners:
  - type: tcp
    name: bench
    bind: 127.0.0.1
    port: $RAMPART_PORT
    allow-anonymous: true
  - type: tcp
    name: bench-auth
    bind: 127.0.0.1
    port: $RAMPART_AUTH_PORT
  - type: tcp
    name: bench-limits
    bind: 127.0.0.1
    port: $RAMPART_LIMITS_PORT
    allow-anonymous: true
    limits:
      messages-per-second: 10000000
      bytes-per-second: 1GB
      deliveries-per-second: 10000000
      delivery-bytes-per-second: 1GB
mqtt:
  max-queued-messages: 100000
security:
  realms:
    - name: bench
      type: file
      path: $TMP/users.yaml
  pipelines:
    - name: bench-auth
      listeners: [bench-auth]
      authentication:
        - type: password
          realm: bench
      authorization:
        - type: realm
          realm: bench
  access-log:
    publish-allowed: $ACCESS_LOG_PUBLISH
CONF
    mkdir -p "$TMP/rampart-work"
    # Own working directory, so relative data paths land in the temp dir.
    # shellcheck disable=SC2086
    (cd "$TMP/rampart-work" && exec java $RAMPART_JAVA_OPTS -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") \
        >"$TMP/rampart.log" 2>&1 &
    RAMPART_PID=$!
    wait_for_port "$RAMPART_PORT" "$RAMPART_PID" rampart
}

# CPU time (user + system) a process used so far, in clock ticks.

# Runs one load and prints its CSV data line plus ",<exit code>,<broker CPU seconds>", or "FAILED:<exit code>".
# CSV columns: 1 scenario, 2 qos, 3 mqtt_version, 4 clients, 5 payload_bytes, 6 duration_s,
#   7 published_per_s, 8 delivered_per_s, 9 p50_us, 10 p99_us, 11 p999_us, 12 max_us, 13 errors,
#   14 undelivered, 15 samples, 16 delivered_total, then 17 exit code, 18 broker CPU seconds over the whole run
run_load() {
    local broker=$1 port=$2 scenario=$3 qos=$4 pid=$5 extra=${6:-} clients out rc line cpu0 cpu1 cpu
    case $scenario in
        fan-out) clients=$FANOUT_CLIENTS ;;
        connect) clients=$CONNECT_CLIENTS; extra="$extra --threads $CONNECT_THREADS" ;;
        *) clients=$CLIENTS ;;
    esac
    echo "--- $broker $scenario qos $qos" >>"$TMP/generator.log"
    cpu0=$(cpu_ticks "$pid")
    set +e
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --scenario "$scenario" \
        --qos "$qos" --clients "$clients" --duration "$DURATION" --warmup "$WARMUP" --payload "$PAYLOAD" \
        --mqtt-version "$MQTT_VERSION" --format csv $GEN_ARGS $extra 2>>"$TMP/generator.log")
    rc=$?
    set -e
    cpu1=$(cpu_ticks "$pid")
    cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != "$scenario,"* ]]; then
        echo "FAILED:$rc"
    else
        echo "$broker,$line,$rc,$cpu" >>"$TMP/results.csv"
        echo "$line,$rc,$cpu"
    fi
}

field() { cut -d, -f"$2" <<<"$1"; }
ok() { [[ -n $1 && $1 != FAILED* ]]; }
cell_rate() { if ok "$1"; then printf "%.0f" "$(field "$1" 8)"; else echo "—"; fi; }
cell_p99() { if ok "$1"; then printf "%.0f" "$(field "$1" 10)"; else echo "—"; fi; }
# Deliveries (or connections) per CPU-second the broker used during the whole run, warm-up included.
cell_eff() {
    if ok "$1"; then
        awk -v n="$(field "$1" 16)" -v c="$(field "$1" 18)" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "—" }'
    else
        echo "—"
    fi
}
note_for() {
    local name=$1 r=$2 notes=()
    if [[ -z $r ]]; then echo "$name not run"; return; fi
    if [[ $r == FAILED* ]]; then echo "$name failed (exit ${r#FAILED:})"; return; fi
    local errs undel rc
    errs=$(field "$r" 13); undel=$(field "$r" 14); rc=$(field "$r" 17)
    [[ $errs != 0 ]] && notes+=("$name $errs errors")
    [[ $undel != 0 ]] && notes+=("$name $undel undelivered")
    [[ $rc != 0 && $errs == 0 ]] && notes+=("$name exit $rc")
    local IFS=';'
    echo "${notes[*]:-}"
}

declare -A PORTS=()
for b in $BROKERS; do
    case $b in
        mosquitto)
            if start_mosquitto; then PORTS[mosquitto]=$MOSQ_PORT; log "mosquitto on port $MOSQ_PORT"
            else log "mosquitto did not start:"; tail -n 15 "$TMP/mosquitto.log" >&2 2>/dev/null || true; fi ;;
        rampart)
            if start_rampart; then PORTS[rampart]=$RAMPART_PORT; log "rampart on port $RAMPART_PORT"
            else log "rampart did not start; last log lines:"; tail -n 15 "$TMP/rampart.log" >&2 2>/dev/null || true; fi ;;
        *) die "unknown broker '$b' in BROKERS (mosquitto, rampart)" ;;
    esac
done
(( ${#PORTS[@]} > 0 )) || die "no broker started"

echo "### Rampart vs Mosquitto, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
MOSQ_VERSION=$({ "$MOSQUITTO" -h 2>/dev/null || true; } | head -n 1)
echo "$(nproc) CPUs, $(uname -sr); ${MOSQ_VERSION:-mosquitto version unknown}; $(java -version 2>&1 | head -n 1)."
echo "Loopback, MQTT $MQTT_VERSION, ${PAYLOAD}-byte payload, ${WARMUP} s warm-up + ${DURATION} s measured per run;"
echo "pairs and fan-in $CLIENTS publishers, fan-out $FANOUT_CLIENTS subscribers, connect concurrency $CONNECT_CLIENTS with $CONNECT_THREADS generator threads."
echo "msg/s = deliveries per second at the subscribers (connections per second for connect); p99 in microseconds;"
echo "per broker CPU-second = deliveries (connections) of the whole run divided by the CPU time the broker used."
echo "1-minute load average before the first run: $(cut -d' ' -f1 /proc/loadavg) (other processes skew the numbers)."
if [[ -n $GEN_ARGS ]]; then echo "Extra generator options: \`$GEN_ARGS\`."; fi
echo
echo "| scenario | Mosquitto msg/s | Rampart msg/s | ratio (Rampart/Mosquitto) | p99 µs Mosquitto / Rampart | per broker CPU-second Mosquitto / Rampart | notes |"
echo "|---|---:|---:|---:|---:|---:|---|"

for spec in $SCENARIOS; do
    scenario=${spec%%:*}
    qos=${spec##*:}
    label="$scenario QoS $qos"
    [[ $scenario == connect ]] && label="connect (conn/s)"
    m="" r=""
    for b in mosquitto rampart; do
        [[ -n ${PORTS[$b]:-} ]] || continue
        pid=$([[ $b == mosquitto ]] && echo "$MOSQ_PID" || echo "$RAMPART_PID")
        if ! kill -0 "$pid" 2>/dev/null; then
            log "$b is no longer running; skipping it from now on"
            unset "PORTS[$b]"
            continue
        fi
        log "$label against $b"
        result=$(run_load "$b" "${PORTS[$b]}" "$scenario" "$qos" "$pid")
        if [[ $b == mosquitto ]]; then m=$result; else r=$result; fi
        sleep 1
    done
    ratio="—"
    if ok "$m" && ok "$r"; then
        ratio=$(awk -v a="$(field "$r" 8)" -v b="$(field "$m" 8)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }')
    fi
    notes=$(printf '%s;%s' "$(note_for Mosquitto "$m")" "$(note_for Rampart "$r")" \
        | sed -e 's/;;*/;/g' -e 's/^;//' -e 's/;$//' -e 's/;/; /g')
    echo "| $label | $(cell_rate "$m") | $(cell_rate "$r") | $ratio | $(cell_p99 "$m") / $(cell_p99 "$r") | $(cell_eff "$m") / $(cell_eff "$r") | $notes |"
done

if [[ -n ${PORTS[rampart]:-} && -n $AUTH_SCENARIOS ]]; then
    echo
    echo "#### Rampart: authorization off (anonymous listener) vs on (pipeline, file realm, 10 rules)"
    echo
    echo "Access log of allowed PUBLISHes (security.access-log.publish-allowed): $ACCESS_LOG_PUBLISH."
    echo "1-minute load average before these runs: $(cut -d' ' -f1 /proc/loadavg)."
    echo
    echo "| scenario | off msg/s | on msg/s | ratio (on/off) | p99 µs off / on | per broker CPU-second off / on | ratio per CPU-second | notes |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for spec in $AUTH_SCENARIOS; do
        scenario=${spec%%:*}
        qos=${spec##*:}
        label="$scenario QoS $qos"
        [[ $scenario == connect ]] && label="connect (conn/s)"
        kill -0 "$RAMPART_PID" 2>/dev/null || { log "rampart is no longer running"; break; }
        log "$label against rampart, authorization off"
        off=$(run_load rampart-off "$RAMPART_PORT" "$scenario" "$qos" "$RAMPART_PID")
        sleep 1
        log "$label against rampart, authorization on"
        on=$(run_load rampart-on "$RAMPART_AUTH_PORT" "$scenario" "$qos" "$RAMPART_PID" \
            "--username $AUTH_USER --password $AUTH_PASSWORD")
        sleep 1
        ratio="—" ratio_cpu="—"
        if ok "$off" && ok "$on"; then
            ratio=$(awk -v a="$(field "$on" 8)" -v b="$(field "$off" 8)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }')
            ratio_cpu=$(awk -v a="$(cell_eff "$on")" -v b="$(cell_eff "$off")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }')
        fi
        notes=$(printf '%s;%s' "$(note_for off "$off")" "$(note_for on "$on")" \
            | sed -e 's/;;*/;/g' -e 's/^;//' -e 's/;$//' -e 's/;/; /g')
        echo "| $label | $(cell_rate "$off") | $(cell_rate "$on") | $ratio | $(cell_p99 "$off") / $(cell_p99 "$on") | $(cell_eff "$off") / $(cell_eff "$on") | $ratio_cpu | $notes |"
    done
fi

if [[ -n ${PORTS[rampart]:-} && -n $LIMIT_SCENARIOS ]]; then
    echo
    echo "#### Rampart: limits off vs configured but not reached (publish and delivery rates per client)"
    echo
    echo "1-minute load average before these runs: $(cut -d' ' -f1 /proc/loadavg); $LIMIT_ROUNDS round(s)."
    echo
    echo "| scenario | round | off msg/s | limits msg/s | ratio (limits/off) | p99 µs off / limits | per broker CPU-second off / limits | ratio per CPU-second | notes |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for round in $(seq 1 "$LIMIT_ROUNDS"); do
        for spec in $LIMIT_SCENARIOS; do
            scenario=${spec%%:*}
            qos=${spec##*:}
            label="$scenario QoS $qos"
            [[ $scenario == connect ]] && label="connect (conn/s)"
            kill -0 "$RAMPART_PID" 2>/dev/null || { log "rampart is no longer running"; break 2; }
            log "$label against rampart, limits off (round $round)"
            off=$(run_load rampart-limits-off "$RAMPART_PORT" "$scenario" "$qos" "$RAMPART_PID")
            sleep 1
            log "$label against rampart, limits configured (round $round)"
            on=$(run_load rampart-limits "$RAMPART_LIMITS_PORT" "$scenario" "$qos" "$RAMPART_PID")
            sleep 1
            ratio="—" ratio_cpu="—"
            if ok "$off" && ok "$on"; then
                ratio=$(awk -v a="$(field "$on" 8)" -v b="$(field "$off" 8)" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "—" }')
                ratio_cpu=$(awk -v a="$(cell_eff "$on")" -v b="$(cell_eff "$off")" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "—" }')
            fi
            notes=$(printf '%s;%s' "$(note_for off "$off")" "$(note_for limits "$on")" \
                | sed -e 's/;;*/;/g' -e 's/^;//' -e 's/;$//' -e 's/;/; /g')
            echo "| $label | $round | $(cell_rate "$off") | $(cell_rate "$on") | $ratio | $(cell_p99 "$off") / $(cell_p99 "$on") | $(cell_eff "$off") / $(cell_eff "$on") | $ratio_cpu | $notes |"
        done
    done
fi

if [[ -z ${PORTS[rampart]:-} && $BROKERS == *rampart* ]]; then
    echo
    echo "Rampart was not measured (it did not start or stopped; see the log lines on stderr)."
fi
exit 0
