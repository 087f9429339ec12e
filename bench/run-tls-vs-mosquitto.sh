#!/usr/bin/env bash
# TLS benchmark: Rampart vs Mosquitto in the same run, on loopback, both with TLS listeners using the same
# certificates (an RSA 2048 and an ECDSA P-256 server key, made here with openssl). Prints a markdown table on
# stdout (progress on stderr):
#   - handshakes per second: the connect scenario over TLS (a full handshake + CONNECT/CONNACK/DISCONNECT per
#     connection, no session resumption), TLS 1.2 and 1.3, RSA and ECDSA;
#   - message throughput over TLS (pairs, QoS 0 and 1, ECDSA, TLS 1.3);
#   - memory per idle TLS connection: resident set size of the broker process before and with IDLE_CLIENTS
#     idle TLS connections, divided by their number.
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first.
#
# Environment (defaults in brackets):
#   DURATION [8]  WARMUP [3]            measured and warm-up seconds per run
#   CONNECT_CLIENTS [64]  CONNECT_THREADS [1] concurrency and generator threads of the handshake runs. One
#                                       thread: with two, the generator's and Rampart's threads take turns on
#                                       both cores and each handshake costs both sides about 10 % more CPU
#                                       (measured: generator 184-205 vs 165-169 µs, Rampart 164-187 vs 143-158 µs)
#   HANDSHAKE_WARMUP [12]               warm-up seconds of a handshake run: the generator is a fresh JVM per run,
#                                       and with a short warm-up its JIT compiler still takes a tenth of the CPU
#                                       in the measured window (profiled), CPU the broker then lacks
#   REPEAT [3]                          handshake runs per broker and row, alternating the brokers; the row shows
#                                       the run with the median rate and the range of all
#   GEN_VERIFY [0]                      1: the generator also validates the server's chain against the test CA in
#                                       the handshake runs. The broker's work is the same either way; validating
#                                       in Java costs the generator CPU that the broker on the same two cores
#                                       then lacks. (The CertificateVerify / ServerKeyExchange signature is
#                                       always checked by the TLS library.) The other runs always validate.
#   CLIENTS [10]                        publishers of the pairs runs
#   IDLE_CLIENTS [2000]  IDLE_HOLD [5]  idle TLS connections (two halves, see run_idle) and the hold time
#   BROKERS ["mosquitto rampart"]       MOSQUITTO [/usr/sbin/mosquitto]  BENCH_JAR  RAMPART_JAR
#   BUILD_DIR [target]  GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]
#   RAMPART_JAVA_OPTS ["-Xms512m -Xmx512m -XX:+AlwaysPreTouch"]
#   TLS_GROUPS [X25519,P-256]           key-exchange groups the generator offers. The generator's BoringSSL would
#                                       otherwise also offer the post-quantum hybrid X25519MLKEM768, which Rampart's
#                                       BoringSSL accepts and Mosquitto's OpenSSL 3.0 does not know: the two brokers
#                                       would then not do the same handshake. "" = the library's defaults.
#   KEEP_TMP [0]                        1 keeps the temp dir (keys, configs, logs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-3}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-64}
HANDSHAKE_WARMUP=${HANDSHAKE_WARMUP:-12}
REPEAT=${REPEAT:-3}
GEN_VERIFY=${GEN_VERIFY:-0}
CONNECT_THREADS=${CONNECT_THREADS:-1}
CLIENTS=${CLIENTS:-10}
IDLE_CLIENTS=${IDLE_CLIENTS:-2000}
IDLE_HOLD=${IDLE_HOLD:-5}
BROKERS=${BROKERS:-"mosquitto rampart"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
# A fixed, pre-touched heap: the JVM's resident size then only grows with native memory (OpenSSL objects,
# direct buffers), and the Java heap per connection is measured separately after a full GC.
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+AlwaysPreTouch"}
TLS_GROUPS=${TLS_GROUPS-X25519,P-256}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
command -v openssl >/dev/null || die "openssl is needed to make the test certificates"
command -v python3 >/dev/null || die "python3 is needed to pick free ports"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-tls-bench.XXXXXX")
chmod 755 "$TMP"
MOSQ_PID=""
RAMPART_PID=""
GEN_PID=""

cleanup() {
    stop_pid "$GEN_PID"
    stop_pid "$MOSQ_PID"
    stop_pid "$RAMPART_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
if [[ -f $RAMPART_JAR ]]; then cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar; fi

# Certificates: a CA, and server certificates for 127.0.0.1 with an RSA 2048 and an ECDSA P-256 key.
make_pki() {
    local d=$TMP/pki
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
        -subj "/CN=bench CA" -days 2 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/san.ext"
    openssl req -newkey rsa:2048 -nodes -keyout "$d/rsa.key" -out "$d/rsa.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    openssl x509 -req -in "$d/rsa.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
        -extfile "$d/san.ext" -out "$d/rsa.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/ec.key" -out "$d/ec.csr" \
        -subj "/CN=127.0.0.1" 2>/dev/null
    openssl x509 -req -in "$d/ec.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
        -extfile "$d/san.ext" -out "$d/ec.pem" 2>/dev/null
    # PKCS#8 for Rampart (openssl writes PKCS#8 already; normalise anyway)
    openssl pkcs8 -topk8 -nocrypt -in "$d/rsa.key" -out "$d/rsa-pk8.key"
    openssl pkcs8 -topk8 -nocrypt -in "$d/ec.key" -out "$d/ec-pk8.key"
    chmod -R a+r "$d"
}

# Mosquitto gets Rampart's default suites in Rampart's order (its own default prefers AES-256-GCM-SHA384 in TLS 1.2
# and TLS_AES_256_GCM_SHA384 in 1.3), so both brokers negotiate the same suite with the generator.
MOSQ_TLS12_CIPHERS=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305
MOSQ_TLS13_CIPHERS=TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256

start_mosquitto() {
    [[ -x $MOSQUITTO ]] || { log "mosquitto not found at $MOSQUITTO"; return 1; }
    MOSQ_RSA=$(free_port); MOSQ_EC=$(free_port)
    cat > "$TMP/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 1000000
max_inflight_messages 64
persistence false
log_dest file $TMP/mosquitto-broker.log
listener $MOSQ_RSA 127.0.0.1
cafile $TMP/pki/ca.pem
certfile $TMP/pki/rsa.pem
keyfile $TMP/pki/rsa.key
ciphers $MOSQ_TLS12_CIPHERS
ciphers_tls1.3 $MOSQ_TLS13_CIPHERS
listener $MOSQ_EC 127.0.0.1
cafile $TMP/pki/ca.pem
certfile $TMP/pki/ec.pem
keyfile $TMP/pki/ec.key
ciphers $MOSQ_TLS12_CIPHERS
ciphers_tls1.3 $MOSQ_TLS13_CIPHERS
CONF
    chmod 644 "$TMP/mosquitto.conf"
    mosquitto_log_file "$TMP/mosquitto-broker.log"
    "$MOSQUITTO" -c "$TMP/mosquitto.conf" >"$TMP/mosquitto.log" 2>&1 &
    MOSQ_PID=$!
    wait_for_port "$MOSQ_EC" "$MOSQ_PID" mosquitto
}

start_rampart() {
    [[ -f $RAMPART_JAR ]] || { log "$RAMPART_JAR not found"; return 1; }
    RAMPART_RSA=$(free_port); RAMPART_EC=$(free_port)
    cat > "$TMP/rampart.yaml" <<CONF
listeners:
  - type: tls
    name: tls-rsa
    bind: 127.0.0.1
    port: $RAMPART_RSA
    allow-anonymous: true
    tls: {certificate: "$TMP/pki/rsa.pem", private-key: "$TMP/pki/rsa-pk8.key"}
  - type: tls
    name: tls-ec
    bind: 127.0.0.1
    port: $RAMPART_EC
    allow-anonymous: true
    tls: {certificate: "$TMP/pki/ec.pem", private-key: "$TMP/pki/ec-pk8.key"}
mqtt:
  max-queued-messages: 100000
CONF
    mkdir -p "$TMP/rampart-work"
    # shellcheck disable=SC2086
    (cd "$TMP/rampart-work" && exec java $RAMPART_JAVA_OPTS -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") \
        >"$TMP/rampart.log" 2>&1 &
    RAMPART_PID=$!
    wait_for_port "$RAMPART_EC" "$RAMPART_PID" rampart
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# One generator run; prints the CSV data line + ",<exit code>,<broker CPU seconds>" or "FAILED:<exit code>".
run_load() {
    local port=$1 pid=$2 scenario=$3 qos=$4 extra=$5 clients out rc line cpu0 cpu1 warmup=$WARMUP
    local trust=(--cafile "$TMP/pki/ca.pem")
    case $scenario in
        connect) clients=$CONNECT_CLIENTS; extra="$extra --threads $CONNECT_THREADS"; warmup=$HANDSHAKE_WARMUP
                 [[ $GEN_VERIFY == 1 ]] || trust=(--tls) ;;
        *) clients=$CLIENTS ;;
    esac
    echo "--- port $port $scenario qos $qos $extra" >>"$TMP/generator.log"
    cpu0=$(cpu_ticks "$pid")
    set +e
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --scenario "$scenario" \
        --qos "$qos" --clients "$clients" --duration "$DURATION" --warmup "$warmup" "${trust[@]}" \
        ${TLS_GROUPS:+--tls-groups "$TLS_GROUPS"} --format csv $extra 2>>"$TMP/generator.log")
    rc=$?
    set -e
    cpu1=$(cpu_ticks "$pid")
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != "$scenario,"* ]]; then echo "FAILED:$rc"; return; fi
    echo "$line,$rc,$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
}

# Java heap in use after a full GC, in kB ("" when jcmd is missing or the process is not a JVM).
heap_kb() {
    command -v jcmd >/dev/null || return 0
    jcmd "$1" GC.run >/dev/null 2>&1 || return 0
    jcmd "$1" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print v; exit } }'
}

# Starts a generator holding $3 idle TLS connections to port $1 for $4 seconds; waits until all are connected.
# Sets IDLE_GEN to its pid; returns 1 when they did not all connect.
start_idle() {
    local port=$1 tag=$2 count=$3 hold=$4 errlog=$TMP/idle-$1-$2.err
    : >"$errlog"
    # shellcheck disable=SC2086
    java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --scenario idle --clients "$count" \
        --duration "$hold" --warmup 0 --tls-version 1.3 --cafile "$TMP/pki/ca.pem" --format csv \
        ${TLS_GROUPS:+--tls-groups "$TLS_GROUPS"} \
        --client-id-prefix "idle-$tag-" >"$TMP/idle-$1-$2.out" 2>"$errlog" &
    IDLE_GEN=$!
    for _ in $(seq 900); do
        grep -q "idle: all connected" "$errlog" && return 0
        kill -0 "$IDLE_GEN" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# Memory per idle TLS connection, in two stages on a freshly started broker: IDLE_CLIENTS/2 connections absorb the
# one-time allocations (allocator arenas, caches); the broker's growth while the second IDLE_CLIENTS/2 connect is
# what a connection costs. Prints "<count>,<RSS stage 1 kB>,<RSS stage 2 kB>,<heap 1 kB>,<heap 2 kB>" (heap only
# for the JVM) or "FAILED".
run_idle() {
    local port=$1 pid=$2 half=$((IDLE_CLIENTS / 2)) rss1 rss2 heap1="" heap2="" first second
    start_idle "$port" a "$half" $((IDLE_HOLD + 60)) || { stop_pid "$IDLE_GEN"; echo "FAILED"; return; }
    first=$IDLE_GEN
    sleep 2
    rss1=$(rss_kb "$pid")
    if [[ $pid == "$RAMPART_PID" ]]; then heap1=$(heap_kb "$pid"); fi
    GEN_PID=$first
    if ! start_idle "$port" b "$half" $((IDLE_HOLD + 5)); then
        stop_pid "$IDLE_GEN"; stop_pid "$first"; GEN_PID=""; echo "FAILED"; return
    fi
    second=$IDLE_GEN
    sleep 2
    rss2=$(rss_kb "$pid")
    if [[ $pid == "$RAMPART_PID" ]]; then heap2=$(heap_kb "$pid"); fi
    log "idle $port: rss $rss1 -> $rss2 kB, heap after GC $heap1 -> $heap2 kB for $half more connections"
    wait "$second" 2>/dev/null || true
    stop_pid "$first"; GEN_PID=""
    echo "$half,$rss1,$rss2,$heap1,$heap2"
}

field() { cut -d, -f"$2" <<<"$1"; }
ok() { [[ -n $1 && $1 != FAILED* ]]; }
rate() { if ok "$1"; then printf "%.0f" "$(field "$1" 8)"; else echo "—"; fi; }
p99() { if ok "$1"; then printf "%.0f" "$(field "$1" 10)"; else echo "—"; fi; }
eff() {
    if ok "$1"; then
        awk -v n="$(field "$1" 16)" -v c="$(field "$1" 18)" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "—" }'
    else echo "—"; fi
}
ratio() {
    if ok "$1" && ok "$2"; then
        awk -v a="$(field "$2" 8)" -v b="$(field "$1" 8)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'
    else echo "—"; fi
}
errs() {
    local notes=()
    if ok "$1"; then [[ $(field "$1" 13) != 0 ]] && notes+=("Mosquitto $(field "$1" 13) errors"); elif [[ -n $1 ]]; then notes+=("Mosquitto failed"); fi
    if ok "$2"; then [[ $(field "$2" 13) != 0 ]] && notes+=("Rampart $(field "$2" 13) errors"); elif [[ -n $2 ]]; then notes+=("Rampart failed"); fi
    local IFS=';'; echo "${notes[*]:-}"
}

port_of() { # broker key
    case "$1-$2" in
        mosquitto-rsa) echo "$MOSQ_RSA" ;; mosquitto-ec) echo "$MOSQ_EC" ;;
        rampart-rsa) echo "$RAMPART_RSA" ;; rampart-ec) echo "$RAMPART_EC" ;;
    esac
}
pid_of() { if [[ $1 == mosquitto ]]; then echo "$MOSQ_PID"; else echo "$RAMPART_PID"; fi; }

make_pki
declare -A UP=()
for b in $BROKERS; do
    case $b in
        mosquitto) if start_mosquitto; then UP[mosquitto]=1; log "mosquitto on $MOSQ_RSA (RSA), $MOSQ_EC (ECDSA)";
                   else log "mosquitto did not start"; tail -n 15 "$TMP/mosquitto.log" >&2 || true; fi ;;
        rampart) if start_rampart; then UP[rampart]=1; log "rampart on $RAMPART_RSA (RSA), $RAMPART_EC (ECDSA)";
                 else log "rampart did not start"; tail -n 15 "$TMP/rampart.log" >&2 || true; fi ;;
        *) die "unknown broker '$b'" ;;
    esac
done
(( ${#UP[@]} > 0 )) || die "no broker started"

# Memory first, on freshly started brokers: after the throughput runs a broker's allocator holds memory (e.g. of
# queued messages) that new connections would reuse unseen.
MEM_ROWS=()
for b in mosquitto rampart; do
    [[ -n ${UP[$b]:-} ]] || continue
    log "idle TLS connections against $b"
    res=$(run_idle "$(port_of $b ec)" "$(pid_of $b)")
    if ok "$res"; then
        MEM_ROWS+=("$(awk -F, -v name="$b" '{ rss = ($3 - $2) / $1; h = ($4 != "" && $5 != "") ? ($5 - $4) / $1 : 0;
            heap = ($4 != "" && $5 != "") ? sprintf("%.1f", h) : "—";
            printf "| %s | %.1f | %.1f | %.1f | %s | %.1f |\n", name, $2 / 1024, $3 / 1024, rss, heap, rss + h }' <<<"$res")")
    else
        MEM_ROWS+=("| $b | — | — | failed | — | — |")
    fi
    sleep 1
done

# The brokers' JIT (Rampart's) and caches warm up on a run of each handshake kind before anything is measured.
for b in mosquitto rampart; do
    [[ -n ${UP[$b]:-} ]] || continue
    for k in "rsa --tls-version 1.2" "ec --tls-version 1.3"; do
        log "warm-up: handshakes against $b (${k%% *})"
        run_load "$(port_of $b "${k%% *}")" "$(pid_of $b)" connect 0 "${k#* }" >/dev/null
    done
done

echo "### TLS: Rampart vs Mosquitto, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
MOSQ_VERSION=$({ "$MOSQUITTO" -h 2>/dev/null || true; } | head -n 1)
echo "$(nproc) CPUs, $(uname -sr); ${MOSQ_VERSION:-mosquitto version unknown}; $(java -version 2>&1 | head -n 1); $(openssl version)."
echo "Rampart TLS provider: $(grep -o 'TLS via [^,]*' "$TMP/rampart.log" 2>/dev/null | head -n 1 || echo unknown)."
echo "Loopback, MQTT 3.1.1, ${DURATION} s measured per run. Handshakes: the connect scenario over TLS (a full"
echo "handshake, CONNECT/CONNACK and DISCONNECT per connection), concurrency $CONNECT_CLIENTS with $CONNECT_THREADS generator"
echo "threads, ${HANDSHAKE_WARMUP} s generator warm-up, $REPEAT runs per broker alternating the brokers (the row shows the run with"
echo "the median rate, the range of all in the notes); the generator $([[ $GEN_VERIFY == 1 ]] && echo "validates" || echo "does not validate") the server's chain in these runs."
echo "Messages: ${WARMUP} s warm-up, one run. Key-exchange groups offered by the generator: ${TLS_GROUPS:-the defaults of the TLS library}."
probe_suite() { # port, -tls1_2|-tls1_3: the suite the broker picks from an offer in the generator's order
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$1" "$2" -groups X25519:P-256 \
        -cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305 \
        -ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256 2>/dev/null |
        awk '/Cipher is/ { print $NF; exit }'
}
SUITES=""
for b in mosquitto rampart; do
    [[ -n ${UP[$b]:-} ]] || continue
    SUITES+="${SUITES:+; }$b: RSA $(probe_suite "$(port_of $b rsa)" -tls1_2) / $(probe_suite "$(port_of $b rsa)" -tls1_3),"
    SUITES+=" ECDSA $(probe_suite "$(port_of $b ec)" -tls1_2) / $(probe_suite "$(port_of $b ec)" -tls1_3)"
done
echo "Suites negotiated (TLS 1.2 / 1.3, openssl s_client offering the generator's order): $SUITES."
echo "1-minute load average before the handshake runs: $(cut -d' ' -f1 /proc/loadavg) (the idle-memory runs came first,"
echo "on freshly started brokers)."
echo
echo "| scenario | Mosquitto /s | Rampart /s | ratio (Rampart/Mosquitto) | p99 µs Mosquitto / Rampart | per broker CPU-second Mosquitto / Rampart | per CPU-second ratio | notes |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"

# The result line with the median rate among "$@" (failed runs sort first); empty when there is none.
median_run() {
    local n=$# sorted
    (( n > 0 )) || return 0
    sorted=$(for r in "$@"; do if ok "$r"; then echo "$(field "$r" 8) $r"; else echo "-1 $r"; fi; done | sort -n -k1,1)
    sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted" | cut -d' ' -f2-
}
range() { # min–max of the rates of the successful runs
    local rates
    rates=$(for r in "$@"; do ok "$r" && printf '%.0f\n' "$(field "$r" 8)"; done | sort -n)
    [[ -n $rates ]] && echo "$(head -n 1 <<<"$rates")–$(tail -n 1 <<<"$rates")"
}
eff_ratio() {
    if ok "$1" && ok "$2"; then
        awk -v nm="$(field "$1" 16)" -v cm="$(field "$1" 18)" -v nr="$(field "$2" 16)" -v cr="$(field "$2" 18)" \
            'BEGIN { if (cm > 0 && cr > 0 && nm > 0) printf "%.2f", (nr / cr) / (nm / cm); else print "—" }'
    else echo "—"; fi
}

row() { # label scenario qos key extra [repeat]
    local label=$1 scenario=$2 qos=$3 key=$4 extra=$5 repeat=${6:-1} m r notes i
    local -a ms=() rs=()
    for ((i = 0; i < repeat; i++)); do
        for b in mosquitto rampart; do
            [[ -n ${UP[$b]:-} ]] || continue
            kill -0 "$(pid_of $b)" 2>/dev/null || { log "$b stopped"; unset "UP[$b]"; continue; }
            log "$label against $b ($((i + 1))/$repeat)"
            res=$(run_load "$(port_of $b "$key")" "$(pid_of $b)" "$scenario" "$qos" "$extra")
            if [[ $b == mosquitto ]]; then ms+=("$res"); else rs+=("$res"); fi
            sleep 1
        done
    done
    m=$(median_run "${ms[@]}"); r=$(median_run "${rs[@]}")
    notes=$(errs "$m" "$r")
    if (( repeat > 1 )); then
        notes="Mosquitto $(range "${ms[@]}"), Rampart $(range "${rs[@]}")${notes:+; $notes}"
    fi
    echo "| $label | $(rate "$m") | $(rate "$r") | $(ratio "$m" "$r") | $(p99 "$m") / $(p99 "$r") | $(eff "$m") / $(eff "$r") | $(eff_ratio "$m" "$r") | $notes |"
}

row "handshakes TLS 1.2 RSA 2048" connect 0 rsa "--tls-version 1.2" "$REPEAT"
row "handshakes TLS 1.3 RSA 2048" connect 0 rsa "--tls-version 1.3" "$REPEAT"
row "handshakes TLS 1.2 ECDSA P-256" connect 0 ec "--tls-version 1.2" "$REPEAT"
row "handshakes TLS 1.3 ECDSA P-256" connect 0 ec "--tls-version 1.3" "$REPEAT"
row "pairs QoS 0 over TLS 1.3 (msg/s)" pairs 0 ec "--tls-version 1.3"
row "pairs QoS 1 over TLS 1.3 (msg/s)" pairs 1 ec "--tls-version 1.3"

echo
MOSQ_LINES=$(wc -l <"$TMP/mosquitto-broker.log" 2>/dev/null || echo 0)
RAMPART_LINES=$(zcat -f "$TMP"/rampart-work/logs/events*.log* "$TMP"/rampart-work/logs/access*.log* 2>/dev/null | wc -l)
echo "Logging during the run: Mosquitto wrote $MOSQ_LINES lines to its log file (default log types: a line per connection,"
echo "CONNECT and disconnection), Rampart $RAMPART_LINES to its event and access logs (rolled-over files included)."
echo
echo "Memory per idle TLS 1.3 connection (ECDSA listener, measured first, on the freshly started brokers): growth of the"
echo "broker process's resident set size while $((IDLE_CLIENTS / 2)) idle connections join $((IDLE_CLIENTS / 2)) already open ones (the first"
echo "half absorbs one-time allocations), divided by their number. Rampart runs with \`$RAMPART_JAVA_OPTS\`: with a pre-touched fixed"
echo "heap its RSS grows only with native memory (OpenSSL objects, direct buffers); its Java heap in use after a full GC"
echo "(jcmd GC.run) is measured separately, and the total is both."
echo
echo "| broker | RSS with the first half (MiB) | RSS with all (MiB) | RSS per connection (KiB) | Java heap per connection (KiB) | total per connection (KiB) |"
echo "|---|---:|---:|---:|---:|---:|"
for row in "${MEM_ROWS[@]}"; do echo "$row"; done
exit 0
