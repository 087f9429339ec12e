#!/usr/bin/env bash
# Connection rate of Rampart with JWT authentication: the load generator's connect scenario (CONNECT with the
# token as password → CONNACK → DISCONNECT, new TCP connection each time) against a listener guarded by a JWT
# realm, once per token kind (HS256, RS256, ES256), plus the anonymous listener as the baseline. Every CONNECT
# verifies the signature (there is no cache of verified tokens). Prints a markdown table on stdout.
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first.
#
# Environment (defaults in brackets):
#   DURATION [8]  WARMUP [5]         measured and warm-up seconds per run
#   CONNECT_CLIENTS [8]              concurrency of the connect scenario
#   CONNECT_THREADS [2]              generator threads
#   ALGORITHMS ["none HS256 RS256 ES256"]   none = the anonymous listener
#   BENCH_JAR  RAMPART_JAR  BUILD_DIR [target]
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]  RAMPART_JAVA_OPTS [""]
#   KEEP_TMP [0]                     1 keeps the temp dir
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-8}
CONNECT_THREADS=${CONNECT_THREADS:-2}
ALGORITHMS=${ALGORITHMS:-"none HS256 RS256 ES256"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
KEEP_TMP=${KEEP_TMP:-0}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"

TMP=$(mktemp -d /tmp/rampart-jwt-bench.XXXXXX)
RAMPART_PID=
cleanup() {
    if [[ -n $RAMPART_PID ]]; then
        kill "$RAMPART_PID" 2>/dev/null || true
        wait "$RAMPART_PID" 2>/dev/null || true
    fi
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"

SECRET=bench-hmac-secret-$RANDOM$RANDOM-0123456789abcdef0123456789abcdef
java -cp "$TMP/rampart-bench.jar" io.rampart.bench.JwtMint "$TMP" "$SECRET"

PORT=$(free_port)
JWT_PORT=$(free_port)
cat > "$TMP/rampart.yaml" <<CONF
listeners:
  - {type: tcp, name: bench, bind: 127.0.0.1, port: $PORT, allow-anonymous: true}
  - {type: tcp, name: bench-jwt, bind: 127.0.0.1, port: $JWT_PORT}
security:
  realms:
    - name: tokens
      type: jwt
      issuer: bench-issuer
      audience: mqtt
      keys: ["$TMP/keys.pem"]
      secrets: ["\${ENV:BENCH_JWT_SECRET}"]
      scope-permissions:
        bench: [{topic: "bench/#"}]
  pipelines:
    - name: jwt
      listeners: [bench-jwt]
      authentication:
        - {type: jwt, realm: tokens}
      authorization:
        - {type: realm, realm: tokens}
  brute-force: {enabled: false}
CONF
# shellcheck disable=SC2086
BENCH_JWT_SECRET=$SECRET java $RAMPART_JAVA_OPTS -jar "$TMP/rampart.jar" --config "$TMP/rampart.yaml" \
    >"$TMP/rampart.log" 2>&1 &
RAMPART_PID=$!
for _ in $(seq 300); do
    kill -0 "$RAMPART_PID" 2>/dev/null || { cat "$TMP/rampart.log" >&2; die "rampart exited during start-up"; }
    (exec 3<>"/dev/tcp/127.0.0.1/$JWT_PORT") 2>/dev/null && break
    sleep 0.1
done


echo "| token | conn/s | p50 µs | p99 µs | broker CPU s | conn per CPU-second | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for alg in $ALGORITHMS; do
    if [[ $alg == none ]]; then
        args=(--port "$PORT")
    else
        args=(--port "$JWT_PORT" --username bench --password "$(cat "$TMP/token-$alg")")
    fi
    log "connect with $alg"
    before=$(cpu_ticks "$RAMPART_PID")
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$TMP/rampart-bench.jar" --scenario connect --clients "$CONNECT_CLIENTS" \
        --threads "$CONNECT_THREADS" --duration "$DURATION" --warmup "$WARMUP" --format csv "${args[@]}") \
        || log "generator reported errors for $alg"
    after=$(cpu_ticks "$RAMPART_PID")
    echo "$out" >> "$TMP/raw.csv"
    line=$(echo "$out" | tail -1)
    header=$(echo "$out" | head -1)
    col() { echo "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
    rate=$(echo "$line" | cut -d, -f"$(col delivered_per_s)")
    p50=$(echo "$line" | cut -d, -f"$(col p50_us)")
    p99=$(echo "$line" | cut -d, -f"$(col p99_us)")
    errors=$(echo "$line" | cut -d, -f"$(col errors)")
    cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", t / hz}')
    per=$(awk -v r="$rate" -v d="$((DURATION + WARMUP))" -v c="$cpu" 'BEGIN {if (c > 0) printf "%.0f", r * d / c; else print "-"}')
    echo "| ${alg/none/none (anonymous listener)} | $rate | $p50 | $p99 | $cpu | $per | $errors |"
done
