#!/usr/bin/env bash
# What distributed tracing costs: several Rampart brokers on loopback, measured one after the other per scenario, in
# rounds, so that all of them see the same machine load. BROKERS names them, from:
#   absent  a jar built without distributed tracing (BASE_JAR, e.g. from the commit before it),
#   off     this jar without a tracing: section (the default: no OpenTelemetry object exists),
#   on      this jar with tracing at SAMPLE_RATIO,
#   on-0    this jar with tracing at ratio 0: what the messages that are not recorded pay,
#   before  another build (BEFORE_JAR) with tracing at SAMPLE_RATIO, to compare two versions of the tracing code.
# Brokers with tracing export over OTLP/HTTP to a local sink that accepts and discards every export (a python3 HTTP
# server; its CPU is not counted as the broker's).
# Prints a markdown table per round and the medians of rounds 2.. (round 1 warms the JVMs up) on stdout, with each
# broker's ratio to the first one in BROKERS; progress goes to stderr. Builds nothing: run
# `mvn -B -DskipTests package` first.
#
# Environment (defaults in brackets):
#   BROKERS ["absent off on"]       which brokers (each round starts one further down the list); the first is the
#                                   reference of the ratios
#   BASE_JAR                        rampart.jar without distributed tracing (needed for absent)
#   BEFORE_JAR                      another rampart.jar with distributed tracing (needed for before)
#   RAMPART_JAR  BENCH_JAR          this build's jars [broker-server/target/rampart.jar, bench/target/rampart-bench.jar]
#   SCENARIOS ["pairs:0 pairs:1 fan-out:0"]  scenario:qos list
#   ROUNDS [4]                      rounds of every broker per scenario
#   SAMPLE_RATIO [0.01]             tracing.sampler.ratio of the "on" and "before" brokers
#   DURATION [8]  WARMUP [5]        measured and warm-up seconds per run
#   CLIENTS [10]  FANOUT_CLIENTS [50]  PAYLOAD [64]
#   MQTT_VERSION [5]                5: subscribers receive the trace context as user properties; 3: they cannot
#   GEN_JAVA_OPTS ["-XX:+UseSerialGC -Xms256m -Xmx256m"]  RAMPART_JAVA_OPTS [""]
#   KEEP_TMP [0]                    1 keeps the temp dir (configs, broker logs, raw CSV)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BROKERS=${BROKERS:-"absent off on"}
BASE_JAR=${BASE_JAR:-}
BEFORE_JAR=${BEFORE_JAR:-}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/broker-server/target/rampart.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/rampart-bench.jar}
SCENARIOS=${SCENARIOS:-"pairs:0 pairs:1 fan-out:0"}
ROUNDS=${ROUNDS:-4}
SAMPLE_RATIO=${SAMPLE_RATIO:-0.01}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-10}
FANOUT_CLIENTS=${FANOUT_CLIENTS:-50}
PAYLOAD=${PAYLOAD:-64}
MQTT_VERSION=${MQTT_VERSION:-5}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m"}
RAMPART_JAVA_OPTS=${RAMPART_JAVA_OPTS:-}
KEEP_TMP=${KEEP_TMP:-0}
read -ra NAMES <<<"$BROKERS"

[[ " $BROKERS " != *" absent "* || -f $BASE_JAR ]] || die "BASE_JAR must name a rampart.jar built without distributed tracing"
[[ " $BROKERS " != *" before "* || -f $BEFORE_JAR ]] || die "BEFORE_JAR must name a rampart.jar with distributed tracing"
[[ -f $RAMPART_JAR ]] || die "$RAMPART_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
[[ -f $BENCH_JAR ]] || die "$BENCH_JAR not found; run 'mvn -B -DskipTests package' in $ROOT first"
command -v python3 >/dev/null || die "python3 is needed for free ports, the OTLP sink and the medians"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rampart-tracing.XXXXXX")
declare -A PID=() PORT=()
SINK_PID=""

cleanup() {
    for which in "${!PID[@]}"; do stop_pid "${PID[$which]}"; done
    stop_pid "$SINK_PID"
    if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Copies, so a rebuild cannot pull a jar away mid-run.
[[ -z $BASE_JAR ]] || cp "$BASE_JAR" "$TMP/absent.jar"
[[ -z $BEFORE_JAR ]] || cp "$BEFORE_JAR" "$TMP/before.jar"
cp "$RAMPART_JAR" "$TMP/rampart.jar"
cp "$BENCH_JAR" "$TMP/rampart-bench.jar"

# The OTLP/HTTP sink: answers every POST with an empty ExportTraceServiceResponse and counts requests and bytes.
SINK_PORT=$(free_port)
cat > "$TMP/sink.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

requests = 0
received = 0

class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global requests, received
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        requests += 1
        received += len(body)
        with open(sys.argv[2], "w") as counts:
            counts.write(f"{requests} {received}\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
python3 "$TMP/sink.py" "$SINK_PORT" "$TMP/sink-counts" &
SINK_PID=$!
wait_for_port "$SINK_PORT" "$SINK_PID" "OTLP sink" || die "the OTLP sink did not start"

start_broker() {
    local which=$1 jar=$2 tracing=$3
    PORT[$which]=$(free_port)
    cat > "$TMP/$which.yaml" <<CONF
listeners:
  - {type: tcp, name: bench, bind: 127.0.0.1, port: ${PORT[$which]}, allow-anonymous: true}
mqtt:
  max-queued-messages: 100000
security:
  access-log:
    publish-allowed: false
$tracing
CONF
    mkdir -p "$TMP/$which-work"
    # shellcheck disable=SC2086
    (cd "$TMP/$which-work" && exec java $RAMPART_JAVA_OPTS -jar "$jar" --config "$TMP/$which.yaml") \
        >"$TMP/$which.log" 2>&1 &
    PID[$which]=$!
    wait_for_port "${PORT[$which]}" "${PID[$which]}" "rampart ($which)" || { tail -n 15 "$TMP/$which.log" >&2; exit 1; }
    log "rampart ($which) on port ${PORT[$which]}"
}

tracing_section() {
    printf 'tracing:\n  endpoint: http://127.0.0.1:%s/v1/traces\n  sampler: {ratio: %s}\n' "$SINK_PORT" "$1"
}
for which in "${NAMES[@]}"; do
    case $which in
        absent) start_broker absent "$TMP/absent.jar" "" ;;
        off) start_broker off "$TMP/rampart.jar" "" ;;
        on) start_broker on "$TMP/rampart.jar" "$(tracing_section "$SAMPLE_RATIO")" ;;
        on-0) start_broker on-0 "$TMP/rampart.jar" "$(tracing_section 0)" ;;
        before) start_broker before "$TMP/before.jar" "$(tracing_section "$SAMPLE_RATIO")" ;;
        *) die "unknown broker '$which' in BROKERS (absent, off, on, on-0, before)" ;;
    esac
done

# One load against broker $1: prints "<deliveries/s>,<deliveries total>,<broker CPU s>", or "FAILED".
run_load() {
    local which=$1 scenario=$2 qos=$3 clients out line cpu0 cpu1
    clients=$([[ $scenario == fan-out ]] && echo "$FANOUT_CLIENTS" || echo "$CLIENTS")
    cpu0=$(cpu_ticks "${PID[$which]}")
    # shellcheck disable=SC2086
    out=$(java $GEN_JAVA_OPTS -jar "$TMP/rampart-bench.jar" --host 127.0.0.1 --port "${PORT[$which]}" \
        --scenario "$scenario" --qos "$qos" --clients "$clients" --duration "$DURATION" --warmup "$WARMUP" \
        --payload "$PAYLOAD" --mqtt-version "$MQTT_VERSION" --format csv 2>>"$TMP/generator.log") || true
    cpu1=$(cpu_ticks "${PID[$which]}")
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line != "$scenario,"* ]]; then echo "FAILED"; return; fi
    awk -F, -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" '{ printf "%s,%s,%.2f\n", $8, $16, (b - a) / t }' <<<"$line"
}

echo "### Distributed tracing: ${NAMES[*]} (on = $SAMPLE_RATIO sampling), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) CPUs, $(uname -sr); $(java -version 2>&1 | head -n 1). Loopback, MQTT $MQTT_VERSION, ${PAYLOAD}-byte"
echo "payload, ${WARMUP} s warm-up + ${DURATION} s measured per run; pairs $CLIENTS publishers, fan-out $FANOUT_CLIENTS subscribers."
echo "msg/s = deliveries per second at the subscribers; per CPU-s = deliveries of the run divided by the broker's CPU time."
echo "1-minute load average before the first run: $(cut -d' ' -f1 /proc/loadavg)."
echo
header="| round | scenario | load |"
rule="|---:|---|---:|"
for which in "${NAMES[@]}"; do header+=" $which msg/s |"; rule+="---:|"; done
for which in "${NAMES[@]}"; do header+=" $which per CPU-s |"; rule+="---:|"; done
echo "$header"
echo "$rule"
rate() { [[ $1 == FAILED ]] && echo "—" || cut -d, -f1 <<<"$1" | xargs printf "%.0f"; }
eff() { [[ $1 == FAILED ]] && echo "—" || awk -F, '{ if ($3 > 0) printf "%.0f", $2 / $3; else print "—" }' <<<"$1"; }
for round in $(seq 1 "$ROUNDS"); do
    for spec in $SCENARIOS; do
        scenario=${spec%%:*}
        qos=${spec##*:}
        declare -A R=()
        load=$(cut -d' ' -f1 /proc/loadavg)
        # The order rotates from round to round, so that no broker always runs first or after the same one.
        order=("${NAMES[@]:$(( (round - 1) % ${#NAMES[@]} ))}" "${NAMES[@]:0:$(( (round - 1) % ${#NAMES[@]} ))}")
        for which in "${order[@]}"; do
            kill -0 "${PID[$which]}" 2>/dev/null || die "rampart ($which) is no longer running"
            log "round $round, $scenario QoS $qos, $which"
            R[$which]=$(run_load "$which" "$scenario" "$qos")
            echo "$round,$scenario QoS $qos,$which,${R[$which]}" >>"$TMP/results.csv"
            sleep 1
        done
        row="| $round | $scenario QoS $qos | $load |"
        for which in "${NAMES[@]}"; do row+=" $(rate "${R[$which]}") |"; done
        for which in "${NAMES[@]}"; do row+=" $(eff "${R[$which]}") |"; done
        echo "$row"
    done
done

echo
echo "Medians of rounds 2..$ROUNDS; a ratio to ${NAMES[0]} is the median of the per-round ratios:"
echo
python3 - "$TMP/results.csv" "${NAMES[@]}" <<'PY'
import csv, statistics, sys
names = sys.argv[2:]
rows = {}
for round_, scenario, which, *values in csv.reader(open(sys.argv[1])):
    if int(round_) < 2 or values[0] == "FAILED":
        continue
    rate, total, cpu = float(values[0]), float(values[1]), float(values[2])
    rows.setdefault(scenario, {}).setdefault(int(round_), {})[which] = (rate, total / cpu if cpu > 0 else 0)
ref, others = names[0], names[1:]
print(f"| scenario | rounds | msg/s {' / '.join(names)} | per CPU-s {' / '.join(names)} | "
      + " | ".join(f"{o}/{ref} msg/s | {o}/{ref} per CPU-s" for o in others) + " |")
print("|---|---:|---:|---:|" + "---:|---:|" * len(others))
for scenario, rounds in rows.items():
    full = [r for r in rounds.values() if len(r) == len(names)]
    if not full:
        continue
    med = lambda f: statistics.median(f(r) for r in full)
    rate = [med(lambda r: r[w][0]) for w in names]
    eff = [med(lambda r: r[w][1]) for w in names]
    ratio = lambda a, i: med(lambda r: r[a][i] / r[ref][i] if r[ref][i] else 0)
    print(f"| {scenario} | {len(full)} | {' / '.join(f'{v:.0f}' for v in rate)}"
          f" | {' / '.join(f'{v:.0f}' for v in eff)} | "
          + " | ".join(f"{ratio(o, 0):.3f} | {ratio(o, 1):.3f}" for o in others) + " |")
PY
echo
if [[ -f $TMP/sink-counts ]]; then
    read -r requests bytes <"$TMP/sink-counts"
    echo "The OTLP sink received $requests export requests, $bytes bytes of spans in all."
fi
exit 0
