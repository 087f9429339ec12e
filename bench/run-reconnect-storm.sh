#!/usr/bin/env bash
# Reconnect storm, Mosquitto and Rampart alternating in the same run: CLIENTS TLS 1.3 clients connect to the broker's
# TLS listener (ECDSA P-256 certificate made here with openssl) and stay; then every connection drops at once and
# every client reconnects at once (or, with MAX_PENDING, at most that many reconnects waiting for their CONNACK at a
# time), with full handshakes ("full") or resuming its TLS session ("resumed"). Meanwhile
# probe clients on a plain listener of the same broker publish QoS 0 at a fixed rate to a subscriber (end-to-end
# p99 before and during the storm), and a side client connects and disconnects in a loop on a third listener (its
# CONNECT-to-CONNACK p99 before and during: whether the storm on one listener starves another). See
# bench/src/main/java/io/rampart/bench/load/StormRun.java. Builds nothing: run `mvn -B -DskipTests package` first.
#
#   bench/run-reconnect-storm.sh      markdown on stdout, progress on stderr
#
# Environment (defaults in brackets):
#   CLIENTS [10000]  REPEAT [1]  MODES ["full resumed"]  BROKERS ["mosquitto rampart"]  PENDING ["0"] (the
#   --max-pending values to run, e.g. "0 1000"; 0 = every client at once)
#   RAMPART_JAVA_OPTS ["-Xms512m -Xmx512m"]  GEN_JAVA_OPTS ["-Xmx1g"]  RAMPART_LISTENER_EXTRA [""]
#   (a YAML flow-mapping fragment added to Rampart's TLS listener, e.g. "connection-rate: 2000")
#   BENCH_JAR  RAMPART_JAR  MOSQUITTO [/usr/sbin/mosquitto]  KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
CLIENTS=${CLIENTS:-10000}
REPEAT=${REPEAT:-1}
MODES=${MODES:-"full resumed"}
BROKERS=${BROKERS:-"mosquitto rampart"}
PENDING=${PENDING:-0}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-"-Xms512m -Xmx512m"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-Xmx1g"}
RAMPART_LISTENER_EXTRA=${RAMPART_LISTENER_EXTRA:-}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found"
TMP=$(mktemp -d /tmp/rampart-storm.XXXXXX)
cp "$BENCH_JAR" "$TMP/bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"
BROKER_PID=""
cleanup() {
    stop_pid "$BROKER_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/key.pem" \
    -out "$TMP/cert.pem" -days 2 -subj /CN=127.0.0.1 2>/dev/null
# Mosquitto started as root reads the key after it has become the mosquitto user.
chmod 755 "$TMP"; chmod 644 "$TMP/key.pem" "$TMP/cert.pem"

start_broker() {
    local which=$1 dir=$2
    mkdir -p "$dir"
    if [[ $which == mosquitto ]]; then
        cat >"$dir/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
log_dest none
max_connections -1
listener $TLS_PORT 127.0.0.1
certfile $TMP/cert.pem
keyfile $TMP/key.pem
tls_version tlsv1.3
listener $PROBE_PORT 127.0.0.1
listener $SIDE_PORT 127.0.0.1
CONF
        "$MOSQUITTO" -c "$dir/mosquitto.conf" >"$dir/broker.out" 2>&1 &
    else
        local extra=""
        [[ -n $RAMPART_LISTENER_EXTRA ]] && extra=", $RAMPART_LISTENER_EXTRA"
        cat >"$dir/broker.yaml" <<CONF
data-dir: $dir/data
listeners:
  - {type: tls, name: storm, bind: 127.0.0.1, port: $TLS_PORT, allow-anonymous: true,
     tls: {certificate: $TMP/cert.pem, private-key: $TMP/key.pem, protocols: [TLSv1.3]}$extra}
  - {type: tcp, name: probe, bind: 127.0.0.1, port: $PROBE_PORT, allow-anonymous: true}
  - {type: tcp, name: side, bind: 127.0.0.1, port: $SIDE_PORT, allow-anonymous: true}
CONF
        # shellcheck disable=SC2086
        java $RAMPART_JAVA_OPTS -Drampart.log.dir="$dir/logs" -jar "$TMP/rampart.jar" --config "$dir/broker.yaml" \
            >"$dir/broker.out" 2>&1 &
    fi
    BROKER_PID=$!
    wait_for_port "$TLS_PORT" "$BROKER_PID" "$which"
    wait_for_port "$PROBE_PORT" "$BROKER_PID" "$which"
}

echo "Reconnect storm, $CLIENTS TLS 1.3 clients (ECDSA P-256), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
echo
echo "| run | broker | load | max pending | handshakes offered | clients | resumed | full | failed | storm s | reconnects/s | probe p99 ms before | probe p99 ms during | probe messages lost | side connect p99 ms / count before | side connect p99 ms / count during |"
echo "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq "$REPEAT"); do
  for pending in $PENDING; do
    for mode in $MODES; do
        for which in $BROKERS; do
            TLS_PORT=$(free_port); PROBE_PORT=$(free_port); SIDE_PORT=$(free_port)
            dir="$TMP/$which-$mode-$pending-$round"
            load=$(cut -d' ' -f1 /proc/loadavg)
            log "round $round, max pending $pending, $mode, $which"
            start_broker "$which" "$dir"
            resume=()
            [[ $mode == resumed ]] && resume=(--resume)
            # shellcheck disable=SC2086
            row=$(java $GEN_JAVA_OPTS -cp "$TMP/bench.jar" io.rampart.bench.StormGenerator --port "$TLS_PORT" \
                --probe-port "$PROBE_PORT" --side-port "$SIDE_PORT" --clients "$CLIENTS" "${resume[@]}" \
                --max-pending "$pending" 2>"$dir/storm.err") \
                || log "$which $mode: not every client reconnected: $(grep 'reconnects failed' "$dir/storm.err" | tr '\n' ';')"
            echo "| $round | $which | $load | $pending $row"
            stop_pid "$BROKER_PID"; BROKER_PID=""
        done
    done
  done
done
