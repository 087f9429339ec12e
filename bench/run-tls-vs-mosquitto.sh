#!/usr/bin/env bash
# TLS benchmark: Rampart's TLS listeners against Mosquitto's, back to back per scenario, on loopback.
# Prints a markdown table on stdout (progress on stderr). Builds nothing: run `mvn -B -DskipTests package` first.
#
# Scenarios:
#   handshakes  connect scenario over TLS (a full handshake per connection, no session resumption) for
#               TLSv1.2 and TLSv1.3 with an RSA 2048 and an ECDSA P-256 server key
#   throughput  pairs QoS 0 and 1 over TLS 1.3 (ECDSA)
#   idle        IDLE_CLIENTS quiet TLS connections; resident memory of the broker per connection
#
# Environment (defaults in brackets):
#   DURATION [8]  WARMUP [4]           measured and warm-up seconds per run
#   CONNECT_CLIENTS [16]               concurrency of the handshake runs
#   CONNECT_THREADS [2]                generator threads of the handshake runs
#   CLIENTS [10]                       publishers (= subscribers) of the throughput runs
#   IDLE_CLIENTS [5000]                connections of the idle run
#   HANDSHAKES ["TLSv1.2:rsa TLSv1.3:rsa TLSv1.2:ec TLSv1.3:ec"]  protocol:key list
#   THROUGHPUT ["pairs:0 pairs:1"]     scenario:qos list over TLS 1.3 / ECDSA; "" skips
#   IDLE [1]                           0 skips the idle run
#   MOSQUITTO [/usr/sbin/mosquitto]  BENCH_JAR  RAMPART_JAR  BUILD_DIR [target]
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx512m"]  RAMPART_JAVA_OPTS [""]
#   KEEP_TMP [0]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-4}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-16}
CONNECT_THREADS=${CONNECT_THREADS:-2}
CLIENTS=${CLIENTS:-10}
IDLE_CLIENTS=${IDLE_CLIENTS:-5000}
HANDSHAKES=${HANDSHAKES:-"TLSv1.2:rsa TLSv1.3:rsa TLSv1.2:ec TLSv1.3:ec"}
THROUGHPUT=${THROUGHPUT-"pairs:0 pairs:1"}
IDLE=${IDLE:-1}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx512m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
KEEP_TMP=${KEEP_TMP:-0}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -x $MOSQUITTO ]] || die "mosquitto not found at $MOSQUITTO"
command -v openssl >/dev/null || die "openssl is needed to make the test certificates"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-tls-bench.XXXXXX")
chmod 755 "$TMP"
MOSQ_PID=""
RAMPART_PID=""

stop_broker() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    stop_broker "$MOSQ_PID"
    stop_broker "$RAMPART_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for_port() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up"; return 1; }
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "$name did not accept connections on port $port within 30 s"
    return 1
}

# A CA and two server certificates (RSA 2048, ECDSA P-256) for 127.0.0.1 / localhost.
make_certs() {
    local d=$TMP/pki
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
        -days 2 -subj "/CN=bench CA" 2>/dev/null
    for kind in rsa ec; do
        if [[ $kind == rsa ]]; then
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$kind.key" 2>/dev/null
        else
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$kind.key" 2>/dev/null
        fi
        openssl req -new -key "$d/$kind.key" -subj "/CN=localhost" -out "$d/$kind.csr" 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/$kind.ext"
        openssl x509 -req -in "$d/$kind.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
            -extfile "$d/$kind.ext" -out "$d/$kind.pem" 2>/dev/null
    done
    chmod 644 "$d"/*
}

start_mosquitto() {
    MOSQ_RSA=$(free_port); MOSQ_EC=$(free_port)
    cat >"$TMP/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
set_tcp_nodelay true
persistence false
max_inflight_messages 64
max_queued_messages 1000000
log_dest file $TMP/mosquitto-broker.log
listener $MOSQ_RSA 127.0.0.1
certfile $TMP/pki/rsa.pem
keyfile $TMP/pki/rsa.key
listener $MOSQ_EC 127.0.0.1
certfile $TMP/pki/ec.pem
keyfile $TMP/pki/ec.key
CONF
    chmod 644 "$TMP/mosquitto.conf"
    "$MOSQUITTO" -c "$TMP/mosquitto.conf" >"$TMP/mosquitto.log" 2>&1 &
    MOSQ_PID=$!
    wait_for_port "$MOSQ_RSA" "$MOSQ_PID" mosquitto && wait_for_port "$MOSQ_EC" "$MOSQ_PID" mosquitto
}

# One TLS listener of the Rampart configuration.
rampart_tls_listener() {
    local name=$1 port=$2 kind=$3
    cat <<CONF
  - type: tls
    name: $name
    bind: 127.0.0.1
    port: $port
    allow-anonymous: true
    tls:
      certificate: $TMP/pki/$kind.pem
      private-key: $TMP/pki/$kind.key
CONF
}

start_rampart() {
    RAMPART_RSA=$(free_port); RAMPART_EC=$(free_port)
    {
        echo "listeners:"
        rampart_tls_listener bench-rsa "$RAMPART_RSA" rsa
        rampart_tls_listener bench-ec "$RAMPART_EC" ec
        echo "mqtt:"
        echo "  max-queued-messages: 100000"
    } >"$TMP/rampart.yaml"
    mkdir -p "$TMP/rampart-work"
    # shellcheck disable=SC2086
    (cd "$TMP/rampart-work" && exec java $RAMPART_JAVA_OPTS -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") \
        >"$TMP/rampart.log" 2>&1 &
    RAMPART_PID=$!
    wait_for_port "$RAMPART_RSA" "$RAMPART_PID" rampart && wait_for_port "$RAMPART_EC" "$RAMPART_PID" rampart
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

# Prints "<csv line>,<exit code>,<broker CPU seconds>" or "FAILED:<exit code>".
run_load() {
    local pid=$1 port=$2; shift 2
    local out rc cpu0 cpu1 line
    cpu0=$(cpu_ticks "$pid")
    set +e
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --tls --cafile "$TMP/pki/ca.pem" \
        --duration "$DURATION" --warmup "$WARMUP" --format csv "$@" 2>>"$TMP/generator.log")
    rc=$?
    set -e
    cpu1=$(cpu_ticks "$pid")
    printf '%s\n' "$out" | grep '^# ' >>"$TMP/idle.log" || true
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != *,* || $line == scenario,* ]]; then echo "FAILED:$rc"; return; fi
    echo "$line,$rc,$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
}
field() { cut -d, -f"$2" <<<"$1"; }
ok() { [[ -n $1 && $1 != FAILED* ]]; }
rate() { if ok "$1"; then printf "%.0f" "$(field "$1" 8)"; else echo "—"; fi; }
p99() { if ok "$1"; then printf "%.0f" "$(field "$1" 10)"; else echo "—"; fi; }
eff() {
    if ok "$1"; then awk -v n="$(field "$1" 16)" -v c="$(field "$1" 18)" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "—" }'
    else echo "—"; fi
}
ratio() {
    if ok "$1" && ok "$2"; then
        awk -v a="$(field "$2" 8)" -v b="$(field "$1" 8)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'
    else echo "—"; fi
}
errs() {
    local out=() e
    for pair in "Mosquitto:$1" "Rampart:$2"; do
        local name=${pair%%:*} r=${pair#*:}
        if ! ok "$r"; then out+=("$name failed"); continue; fi
        e=$(field "$r" 13); [[ $e != 0 ]] && out+=("$name $e errors")
    done
    local IFS=';'; echo "${out[*]:-}" | sed 's/;/; /g'
}

make_certs
start_mosquitto || { tail -n 20 "$TMP/mosquitto.log" >&2; die "mosquitto did not start"; }
start_rampart || { tail -n 30 "$TMP/rampart.log" >&2; die "rampart did not start"; }
log "mosquitto rsa:$MOSQ_RSA ec:$MOSQ_EC, rampart rsa:$RAMPART_RSA ec:$RAMPART_EC"

echo "### TLS: Rampart vs Mosquitto, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) CPUs, $(uname -sr); $({ "$MOSQUITTO" -h 2>/dev/null || true; } | head -n 1); $(java -version 2>&1 | head -n 1)."
echo "Loopback; every connection makes a full handshake (no session resumption) and verifies the server chain."
echo "Handshake runs: concurrency $CONNECT_CLIENTS, $CONNECT_THREADS generator threads; ${WARMUP} s warm-up + ${DURATION} s measured."
echo "1-minute load average before the first run: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| scenario | Mosquitto | Rampart | ratio (Rampart/Mosquitto) | p99 µs Mosquitto / Rampart | per broker CPU-second Mosquitto / Rampart | notes |"
echo "|---|---:|---:|---:|---:|---:|---|"
for spec in $HANDSHAKES; do
    proto=${spec%%:*}; kind=${spec##*:}
    mport=$([[ $kind == rsa ]] && echo "$MOSQ_RSA" || echo "$MOSQ_EC")
    rport=$([[ $kind == rsa ]] && echo "$RAMPART_RSA" || echo "$RAMPART_EC")
    label="handshakes/s $proto $([[ $kind == rsa ]] && echo 'RSA 2048' || echo 'ECDSA P-256')"
    log "$label: mosquitto"
    m=$(run_load "$MOSQ_PID" "$mport" --scenario connect --clients "$CONNECT_CLIENTS" --threads "$CONNECT_THREADS" --tls-protocol "$proto")
    sleep 1
    log "$label: rampart"
    r=$(run_load "$RAMPART_PID" "$rport" --scenario connect --clients "$CONNECT_CLIENTS" --threads "$CONNECT_THREADS" --tls-protocol "$proto")
    sleep 1
    echo "| $label | $(rate "$m") | $(rate "$r") | $(ratio "$m" "$r") | $(p99 "$m") / $(p99 "$r") | $(eff "$m") / $(eff "$r") | $(errs "$m" "$r") |"
done
for spec in $THROUGHPUT; do
    scenario=${spec%%:*}; qos=${spec##*:}
    label="$scenario QoS $qos msg/s, TLSv1.3 ECDSA"
    log "$label: mosquitto"
    m=$(run_load "$MOSQ_PID" "$MOSQ_EC" --scenario "$scenario" --qos "$qos" --clients "$CLIENTS" --tls-protocol TLSv1.3)
    sleep 1
    log "$label: rampart"
    r=$(run_load "$RAMPART_PID" "$RAMPART_EC" --scenario "$scenario" --qos "$qos" --clients "$CLIENTS" --tls-protocol TLSv1.3)
    sleep 1
    echo "| $label | $(rate "$m") | $(rate "$r") | $(ratio "$m" "$r") | $(p99 "$m") / $(p99 "$r") | $(eff "$m") / $(eff "$r") | $(errs "$m" "$r") |"
done
if [[ $IDLE == 1 ]]; then
    echo
    echo "Memory per idle TLS connection (TLSv1.3, ECDSA, $IDLE_CLIENTS connections; broker resident memory with them"
    echo "open minus before, divided by the connections; for the JVM this includes heap the collector has not given back):"
    echo
    echo "| broker | RSS before KiB | RSS with connections KiB | KiB per connection |"
    echo "|---|---:|---:|---:|"
    for b in mosquitto rampart; do
        pid=$([[ $b == mosquitto ]] && echo "$MOSQ_PID" || echo "$RAMPART_PID")
        port=$([[ $b == mosquitto ]] && echo "$MOSQ_EC" || echo "$RAMPART_EC")
        log "idle $IDLE_CLIENTS: $b"
        : >"$TMP/idle.log"
        run_load "$pid" "$port" --scenario idle --clients "$IDLE_CLIENTS" --tls-protocol TLSv1.3 --broker-pid "$pid" \
            --duration 2 >/dev/null
        line=$(cat "$TMP/idle.log")
        before=$(sed -n 's/.*rss_before_kib=\([0-9]*\).*/\1/p' <<<"$line")
        open=$(sed -n 's/.*rss_open_kib=\([0-9]*\).*/\1/p' <<<"$line")
        per=$(sed -n 's/.*kib_per_connection=\([0-9.]*\).*/\1/p' <<<"$line")
        echo "| $b | ${before:-—} | ${open:-—} | ${per:-—} |"
        sleep 1
    done
fi
exit 0
