#!/usr/bin/env bash
# Inline scheduling on the other doors (issue 15 item 1): TCP syslog and /ingest, each against a server
# as shipped (inline scheduling on) and one with --FastIngest:Http:InlineScheduling=false, interleaved
# rounds, median per target. LoadGen flat out, every message counted in ClickHouse; server CPU µs per
# message from LoadGen's --server-pid (utime + stime over the step) and the server's peak RSS (VmHWM,
# since its start). Server on CPU $SERVER_CPU, LoadGen and ClickHouse on $LOAD_CPU. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUNDS=${ROUNDS:-5}
TCP_COUNT=${TCP_COUNT:-1000000}
INGEST_SECONDS=${INGEST_SECONDS:-3}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
work="$(mktemp -d /tmp/fastingest-inlineab.XXXXXX)"
declare -a started=()
cleanup() {
  stop_started
  clickhouse/private-server.sh stop "$work/clickhouse" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
next_port=${BASE_PORT:-24300}

dotnet build src/FastIngest.Server -c Release --nologo -v quiet >&2
dotnet build bench/FastIngest.LoadGen -c Release --nologo -v quiet >&2
L="dotnet bench/FastIngest.LoadGen/bin/Release/net10.0/FastIngest.LoadGen.dll"
alloc_port ch_port; alloc_port ch_tcp; alloc_port ch_inter
taskset -c "$LOAD_CPU" clickhouse/private-server.sh start "$work/clickhouse" "$ch_port" "$ch_tcp" "$ch_inter" >/dev/null

# start_fastingest NAME [server args...]: sets http_NAME, tcp_NAME, pid_NAME.
start_fastingest() {
  local name=$1; shift
  local http tcp udp
  alloc_port http; alloc_port tcp; alloc_port udp
  taskset -c "$SERVER_CPU" dotnet src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll \
    --FastIngest:Syslog:BindAddress=127.0.0.1 --FastIngest:Syslog:UdpPort="$udp" --FastIngest:Syslog:TcpPort="$tcp" \
    --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port="$http" --FastIngest:Pixel:Port=0 \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="inlineab_$name" \
    --FastIngest:Aggregation:MaxLateness=36500.00:00:00 --FastIngest:Aggregation:NewTenantsPerMinutePerDoor=0 --FastIngest:Aggregation:NewTenantsPerMinutePerAddress=0 \
    --FastIngest:StateDirectory="$work/state-$name" --Logging:LogLevel:Default=Warning "$@" >"$work/$name.log" 2>&1 &
  started+=($!)
  printf -v "pid_$name" '%s' "$!"; printf -v "http_$name" '%s' "$http"; printf -v "tcp_$name" '%s' "$tcp"
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$http/health" -o /dev/null && return 0; sleep 0.2; done
  echo "FastIngest $name did not start" >&2; cat "$work/$name.log" >&2; exit 1
}
start_fastingest inline
start_fastingest pool --FastIngest:Http:InlineScheduling=false

# target NAME SERVER LOADGEN-ARGS...
targets=(
  "tcp_inline inline tcp --port $tcp_inline --connections 4 --count $TCP_COUNT --tenants 50"
  "tcp_pool pool tcp --port $tcp_pool --connections 4 --count $TCP_COUNT --tenants 50"
  "ingest_inline inline ingest --port $http_inline --batch 1000 --duration $INGEST_SECONDS --tenants 50"
  "ingest_pool pool ingest --port $http_pool --batch 1000 --duration $INGEST_SECONDS --tenants 50"
)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Round 0 warms both servers up (tiered JIT) and is not counted.
for round in $(seq 0 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    read -r name server args <<<"$t"
    pid_var="pid_$server"
    # shellcheck disable=SC2086
    result=$(taskset -c "$LOAD_CPU" $L $args --clickhouse "http://127.0.0.1:$ch_port" --database "inlineab_$server" \
      --server-pid "${!pid_var}" | sed -n 's/^RESULT //p')
    rate=$(sed -n 's/.*achieved_rate=\([0-9]*\).*/\1/p' <<<"$result")
    counted=$(sed -n 's/.* counted=\([0-9]*\).*/\1/p' <<<"$result")
    lost=$(sed -n 's/.* lost=\([0-9-]*\).*/\1/p' <<<"$result")
    cpu=$(sed -n 's/.*server_cpu_s=\([0-9.]*\).*/\1/p' <<<"$result")
    rss=$(sed -n 's/.*server_peak_rss_mb=\([0-9]*\).*/\1/p' <<<"$result")
    us=$(awk "BEGIN { printf \"%.2f\", $cpu * 1000000 / $counted }")
    if [ "$round" = 0 ]; then echo "warm-up $name $rate $us $lost $rss"; continue; fi
    echo "$round $name $rate $us $lost $rss" | tee -a "$work/results"
  done
  echo "load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo
echo "median over $ROUNDS rounds (messages/s sent, server CPU µs/message; lost and peak RSS of the last round):"
for t in "${targets[@]}"; do
  read -r name _ <<<"$t"
  rate=$(awk -v n="$name" '$2 == n { print $3 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  us=$(awk -v n="$name" '$2 == n { print $4 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  last=$(awk -v n="$name" '$2 == n { l = $5 " lost, " $6 " MB" } END { print l }' "$work/results")
  printf '%-16s %10s msg/s %8s µs/msg   %s\n' "$name" "$rate" "$us" "$last"
done
