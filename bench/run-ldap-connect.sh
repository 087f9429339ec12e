#!/usr/bin/env bash
# CONNECT rate of Rampart with an LDAP realm (a real OpenLDAP slapd on loopback) with the caches cold, off and
# warm, and with a file realm for reference. Prints a markdown table on stdout (progress on stderr).
# Builds nothing: run `mvn -B -DskipTests package` in the repository root first. Needs Debian's slapd.
#
# Listeners (one pipeline each, all users log in as sensor-1 of config/ldap/example.ldif):
#   ldap-nocache   cache.size 0: every CONNECT binds, reads the entry and the groups (nested) for authentication
#                  and reads them again for authorization
#   ldap-cold      accounts cached, credential-ttl 0: every CONNECT binds and reads entry and groups (what each
#                  user's first CONNECT costs); authorization is served from the account just read
#   ldap-warm      default caches with credential-ttl 60: CONNECTs are answered from memory
#   file-cold      file realm, credential-cache 0: PBKDF2-HMAC-SHA512 (210 000 iterations) per CONNECT
#   file-warm      file realm, credential-cache 60
# Rules come from the directory (rampartPermission) for the LDAP listeners, from the file for the file ones.
#
# Then (SLOW_CHECK=1) whether a slow realm slows down connected clients: `pairs` QoS 0 through an anonymous
# listener alone, then while FLOOD_CLIENTS CONNECTs at a time go to a listener whose LDAP realm (no cache) reaches
# slapd through a proxy that delays every chunk by SLOW_MS in each direction; ROUNDS times each, interleaved.
#
# Environment: DURATION [8]  WARMUP [3]  CONNECT_CLIENTS [8]  CONNECT_THREADS [2]
#              SLOW_CHECK [1]  PAIRS [10]  FLOOD_CLIENTS [32]  SLOW_MS [25]  ROUNDS [3]
#              LISTENERS ["ldap-nocache ldap-cold ldap-warm file-cold file-warm"]  KEEP_TMP [0]
#              BENCH_JAR  RAMPART_JAR  GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]  RAMPART_JAVA_OPTS [""]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/rampart-bench.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-3}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-8}
CONNECT_THREADS=${CONNECT_THREADS:-2}
LISTENERS=${LISTENERS:-"ldap-nocache ldap-cold ldap-warm file-cold file-warm"}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
KEEP_TMP=${KEEP_TMP:-0}
SLOW_CHECK=${SLOW_CHECK:-1}
PAIRS=${PAIRS:-10}
FLOOD_CLIENTS=${FLOOD_CLIENTS:-32}
SLOW_MS=${SLOW_MS:-25}
ROUNDS=${ROUNDS:-3}

[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -x /usr/sbin/slapd ]] || die "slapd not installed (apt-get install slapd ldap-utils)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-ldap-bench.XXXXXX")
SLAPD_PID=""
RAMPART_PID=""
PROXY_PID=""
FLOOD_PID=""

cleanup() {
    stop_pid "$FLOOD_PID"
    stop_pid "$RAMPART_PID"
    stop_pid "$SLAPD_PID"
    stop_pid "$PROXY_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BENCH_JAR" "$TMP/rampart-bench.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"


# ---- slapd: cn=config from the system schemas + config/ldap/rampart.ldif, data from config/ldap/example.ldif
mkdir -p "$TMP/slapd.d" "$TMP/db"
cat > "$TMP/config.ldif" <<CONF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $TMP/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif
include: file://$ROOT/config/ldap/rampart.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: dc=example,dc=org
olcDbDirectory: $TMP/db
olcRootDN: cn=admin,dc=example,dc=org
olcRootPW: admin-secret
olcDbMaxSize: 16777216
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcAccess: {0}to attrs=userPassword by anonymous auth by self read by * none
olcAccess: {1}to * by users read by * none
CONF
/usr/sbin/slapadd -n0 -F "$TMP/slapd.d" -l "$TMP/config.ldif" >"$TMP/slapadd.log" 2>&1
/usr/sbin/slapadd -F "$TMP/slapd.d" -b dc=example,dc=org -l "$ROOT/config/ldap/example.ldif" >>"$TMP/slapadd.log" 2>&1
LDAP_PORT=$(free_port)
/usr/sbin/slapd -F "$TMP/slapd.d" -d 0 -h "ldap://127.0.0.1:$LDAP_PORT/" >"$TMP/slapd.log" 2>&1 &
SLAPD_PID=$!
wait_for_port "$LDAP_PORT" "$SLAPD_PID" slapd || die "slapd did not start: $(tail -5 "$TMP/slapd.log")"
log "slapd on port $LDAP_PORT"

# ---- a slow path to slapd: a TCP proxy that delays every chunk by SLOW_MS in each direction
PROXY_PORT=$(free_port)
python3 - "$PROXY_PORT" "$LDAP_PORT" "$SLOW_MS" <<'PY' &
import asyncio, sys
listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000
async def pump(reader, writer):
    try:
        while data := await reader.read(65536):
            await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()
async def handle(r1, w1):
    r2, w2 = await asyncio.open_connection("127.0.0.1", target)
    await asyncio.gather(pump(r1, w2), pump(r2, w1))
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    await server.serve_forever()
asyncio.run(main())
PY
PROXY_PID=$!

# ---- Rampart
HASH=$(printf '%s\n' sensor-1-secret | java -jar "$TMP/rampart.jar" hash)
cat > "$TMP/users.yaml" <<CONF
users:
  - username: sensor-1
    password: "$HASH"
    permissions:
      - topic: "sensors/\${mqtt-clientid}/#"
        activity: publish
CONF
declare -A PORT=()
LISTENER_YAML=""
for l in ldap-nocache ldap-cold ldap-warm file-cold file-warm ldap-slow open; do
    PORT[$l]=$(free_port)
        if [[ $l == open ]]; then
        LISTENER_YAML+="  - {type: tcp, name: $l, bind: 127.0.0.1, port: ${PORT[$l]}, allow-anonymous: true}"$'\n'
    else
        LISTENER_YAML+="  - {type: tcp, name: $l, bind: 127.0.0.1, port: ${PORT[$l]}}"$'\n'
    fi
done
ldap_realm() {   # name cache-block
    cat <<CONF
    - name: $1
      type: ldap
      servers: ["ldap://127.0.0.1:$LDAP_PORT"]
      allow-plaintext: true
      bind-dn: "cn=rampart,ou=services,dc=example,dc=org"
      bind-password: "rampart-service-secret"
      user: {dn-template: "uid=\${mqtt-username},ou=devices,dc=example,dc=org", object-class: account}
      groups: {base-dn: "ou=groups,dc=example,dc=org", filter: "(member=\${user-dn})", nested: true}
      permissions: {from-ldap: true}
      pool-size: 8
      cache: $2
CONF
}
pipeline() {   # listener realm
    cat <<CONF
    - name: $1
      listeners: [$1]
      authentication: [{type: password, realm: $2}]
      authorization: [{type: realm, realm: $2}]
CONF
}
{
    echo "listeners:"
    printf '%s' "$LISTENER_YAML"
    echo "security:"
    echo "  realms:"
    ldap_realm ldap-nocache "{size: 0}"
    ldap_realm ldap-cold "{size: 10000, ttl: 60, credential-ttl: 0}"
    ldap_realm ldap-warm "{size: 10000, ttl: 60, credential-ttl: 60}"
    ldap_realm ldap-slow "{size: 0}" | sed "s/127.0.0.1:$LDAP_PORT/127.0.0.1:$PROXY_PORT/"
    echo "    - {name: file-cold, type: file, path: \"$TMP/users.yaml\", credential-cache: 0}"
    echo "    - {name: file-warm, type: file, path: \"$TMP/users.yaml\", credential-cache: 60}"
    echo "  pipelines:"
    for l in ldap-nocache ldap-cold ldap-warm file-cold file-warm; do pipeline "$l" "$l"; done
    pipeline ldap-slow ldap-slow
    echo "  access-log: {publish-allowed: false}"
    echo "  brute-force: {enabled: false}"
} > "$TMP/rampart.yaml"
mkdir -p "$TMP/rampart-work"
(cd "$TMP/rampart-work" && exec java $RAMPART_JAVA_OPTS -jar "$TMP/rampart.jar" --config "$TMP/rampart.yaml") \
    >"$TMP/rampart.log" 2>&1 &
RAMPART_PID=$!
wait_for_port "${PORT[file-warm]}" "$RAMPART_PID" rampart || die "rampart did not start: $(tail -15 "$TMP/rampart.log")"
log "rampart started"

field() { cut -d, -f"$2" <<<"$1"; }
echo "| listener | conn/s | CONNACK p50 µs | p99 µs | errors | broker CPU s | slapd CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for l in $LISTENERS; do
    log "connect through $l"
    b0=$(cpu_ticks "$RAMPART_PID"); s0=$(cpu_ticks "$SLAPD_PID")
    set +e
    out=$(java $GEN_JAVA_OPTS -jar "$TMP/rampart-bench.jar" --host 127.0.0.1 --port "${PORT[$l]}" --scenario connect \
        --qos 0 --clients "$CONNECT_CLIENTS" --threads "$CONNECT_THREADS" --duration "$DURATION" --warmup "$WARMUP" \
        --username sensor-1 --password sensor-1-secret --format csv 2>>"$TMP/generator.log")
    set -e
    b1=$(cpu_ticks "$RAMPART_PID"); s1=$(cpu_ticks "$SLAPD_PID")
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != connect,* ]]; then
        echo "| $l | failed | | | | | |"
        continue
    fi
    printf '| %s | %.0f | %.0f | %.0f | %s | %s | %s |\n' "$l" "$(field "$line" 8)" "$(field "$line" 9)" \
        "$(field "$line" 10)" "$(field "$line" 13)" \
        "$(awk -v a="$b0" -v b="$b1" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }')" \
        "$(awk -v a="$s0" -v b="$s1" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }')"
done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $SLOW_CHECK == 1 ]] || exit 0

pairs_run() {
    java $GEN_JAVA_OPTS -jar "$TMP/rampart-bench.jar" --host 127.0.0.1 --port "${PORT[open]}" --scenario pairs \
        --qos 0 --clients "$PAIRS" --duration "$DURATION" --warmup "$WARMUP" --format csv 2>>"$TMP/generator.log" \
        | tail -n 1
}
count() { grep -c "$1" "$TMP/rampart-work/logs/access.log" 2>/dev/null || true; }
echo
echo "| round | pairs QoS 0 ($PAIRS pairs) delivered msg/s | p50 µs | p99 µs | slow-realm CONNECTs accepted / refused meanwhile |"
echo "|---|---:|---:|---:|---:|"
for i in $(seq "$ROUNDS"); do for round in alone flood; do
    ok0=$(count 'result=ALLOWED kind=- listener=ldap-slow'); no0=$(count 'result=DENIED .* listener=ldap-slow')
    if [[ $round == flood ]]; then
        log "pairs during a CONNECT flood ($FLOOD_CLIENTS at a time) through the slow realm"
        java $GEN_JAVA_OPTS -jar "$TMP/rampart-bench.jar" --host 127.0.0.1 --port "${PORT[ldap-slow]}" \
            --scenario connect --clients "$FLOOD_CLIENTS" --duration $((DURATION + WARMUP + 6)) --warmup 0 \
            --username sensor-1 --password sensor-1-secret --format csv >>"$TMP/flood.log" 2>&1 &
        FLOOD_PID=$!
        sleep 2
    else
        log "pairs alone"
    fi
    line=$(pairs_run)
    ok1=$(count 'result=ALLOWED kind=- listener=ldap-slow'); no1=$(count 'result=DENIED .* listener=ldap-slow')
    if [[ -n $FLOOD_PID ]]; then stop_pid "$FLOOD_PID"; FLOOD_PID=""; fi
    printf '| %s %d | %.0f | %.0f | %.0f | %s / %s |\n' "$round" "$i" "$(field "$line" 8)" "$(field "$line" 9)" \
        "$(field "$line" 10)" "$((ok1 - ok0))" "$((no1 - no0))"
done; done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
