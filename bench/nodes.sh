#!/usr/bin/env bash
# One FastIngest node against two on this host (issue 19, docs/scaling-out.md): UDP syslog's highest
# loss-free rate (LoadGen's search) and TCP syslog's rate (flat out for $TCP_SECONDS over several
# connections: TCP slows the sender to what the nodes read, and every line must be counted), every line
# counted in one private ClickHouse 18.16. The two nodes share one port through
# FastIngest:Syslog:ReusePort (SO_REUSEPORT); LoadGen sends from several sockets (--connections), as
# several NGINX workers do, so the kernel has flows to spread.
#
#   bench/nodes.sh                       # 3 interleaved rounds of each layout, UDP and TCP: 8 minutes on the idle VM
#   ROUNDS=1 UDP_STEP=3 TCP_SECONDS=5 bench/nodes.sh      # a quick look
#   PROTOCOLS=tcp LAYOUTS="one two-2cpu" bench/nodes.sh    # some of it
#
# Layouts, run one after the other within each round so a burst of other work hits them alike:
#   one      one node pinned to CPU $SERVER_CPU
#   two-1cpu two nodes, both pinned to CPU $SERVER_CPU: the same CPU as `one`, split over two processes
#   two-2cpu two nodes, one on CPU $SERVER_CPU, one on CPU $LOAD_CPU (which LoadGen and ClickHouse share)
# LoadGen and the private ClickHouse run on CPU $LOAD_CPU. Each row prints the median of the rounds with
# their min–max. Installs nothing: run compare.sh (or test.sh) once first. Stops what it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

ROUNDS=${ROUNDS:-3}
UDP_STEP=${UDP_STEP:-4}              # seconds per step of the UDP rate search
UDP_START=${UDP_START:-50000}        # the search's first rate; it doubles until a step loses
TCP_SECONDS=${TCP_SECONDS:-10}       # seconds per TCP run
PROTOCOLS=${PROTOCOLS:-"udp tcp"}
SENDERS=${SENDERS:-8}                # LoadGen's UDP sockets and TCP connections
SETTLE=${SETTLE:-6}                  # LoadGen counts until ClickHouse's count stands still this long: on a
                                     # loaded machine an insert can stall past LoadGen's default 2.5 s
TENANTS=${TENANTS:-10000}
LAYOUTS=${LAYOUTS:-"one two-1cpu two-2cpu"}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
KEEP=${KEEP:-0}

work="$(mktemp -d /tmp/fastingest-nodes.XXXXXX)"
declare -a started=()
next_port=$((20000 + RANDOM % 10000))
results="$work/results"
: >"$results"
clickhouse_dir="$work/clickhouse"
cleanup() {
  stop_started
  clickhouse/private-server.sh stop "$clickhouse_dir" >/dev/null 2>&1 || true
  if [ "$KEEP" = 1 ]; then echo "nodes.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loadgen=(dotnet bench/FastIngest.LoadGen/bin/Release/net10.0/FastIngest.LoadGen.dll)
server_dll=src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll
result_field() { grep '^RESULT' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
metric() { curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.0f", s }'; }
ch_query() { curl -sS --fail-with-body "http://127.0.0.1:$ch_port/" --data-binary "$1"; }

# start_node DATABASE CPU PORT: a node on CPU, syslog UDP and TCP on PORT with ReusePort; sets node_pid and
# node_http. Not $(…): the node must be this shell's child (wait, cleanup) and the port counter advance here.
node_pid=""
node_http=""
start_node() {
  local database=$1 cpu=$2 port=$3 pixel
  alloc_port node_http; alloc_port pixel
  taskset -c "$cpu" dotnet "$server_dll" \
    --FastIngest:Syslog:BindAddress=127.0.0.1 --FastIngest:Syslog:UdpPort="$port" --FastIngest:Syslog:TcpPort="$port" \
    --FastIngest:Syslog:ReusePort=true \
    --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port="$node_http" --FastIngest:Pixel:Port="$pixel" \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="$database" \
    --FastIngest:StateDirectory="$work/state-$database-$node_http" --Logging:LogLevel:Default=Warning \
    --FastIngest:Aggregation:VisitorSecret=nodes-bench-shared-visitor-secret-0123456789 \
    --FastIngest:Aggregation:NewTenantsPerMinutePerDoor=0 --FastIngest:Aggregation:NewTenantsPerMinutePerAddress=0 \
    --FastIngest:Aggregation:MaxTenants=$((TENANTS * 2)) \
    >"$work/node-$database-$node_http.log" 2>&1 &
  node_pid=$!
  started+=("$node_pid")
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$node_http/health" >/dev/null 2>&1 \
      && [ "$(ch_query "SELECT count() FROM system.tables WHERE database = '$database' AND name = 'traffic_1m' FORMAT TSV")" = 1 ]; then
      return 0
    fi
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "nodes.sh: a node did not become healthy:" >&2; tail -n 20 "$work/node-$database-$node_http.log" >&2; exit 1
}

# run_layout LAYOUT ROUND PROTOCOL: the layout's nodes on a fresh database and port, one LoadGen run.
run_layout() {
  local layout=$1 round=$2 proto=$3 db port out pids=() https=() cpus=() cpu pid http key share=""
  db="nodes_${proto}_${layout//-/_}_$round"
  alloc_port port
  case $layout in
    one) cpus=("$SERVER_CPU") ;;
    two-1cpu) cpus=("$SERVER_CPU" "$SERVER_CPU") ;;
    two-2cpu) cpus=("$SERVER_CPU" "$LOAD_CPU") ;;
  esac
  for cpu in "${cpus[@]}"; do start_node "$db" "$cpu" "$port"; pids+=("$node_pid"); https+=("$node_http"); done
  out="$work/$db.txt"
  echo "  round $round: $layout, $proto" >&2
  if [ "$proto" = udp ]; then
    taskset -c "$LOAD_CPU" "${loadgen[@]}" udp --search --rate "$UDP_START" --search-steps 3 --duration "$UDP_STEP" \
      --tenants "$TENANTS" --connections "$SENDERS" --settle "$SETTLE" --port "$port" --clickhouse "http://127.0.0.1:$ch_port" --database "$db" 2>&1 | tee "$out" >&2 || true
    key="udp:$layout"; echo "$key $round $(result_field "$out" best_rate)" >>"$results"
    [ "$(result_field "$out" sender_limited)" != 1 ] || echo "limited:$key $round 1" >>"$results"
  else
    taskset -c "$LOAD_CPU" "${loadgen[@]}" tcp --duration "$TCP_SECONDS" --tenants "$TENANTS" --connections "$SENDERS" \
      --port "$port" --clickhouse "http://127.0.0.1:$ch_port" --database "$db" 2>&1 | tee "$out" >&2 || true
    key="tcp:$layout"
  fi
  for http in "${https[@]}"; do
    share+=" $(metric "$http" fastingest_lines_counted_total)"
  done
  echo "share:$key $round${share}" >>"$results"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$proto" = tcp ]; then
    # TCP loses nothing, but on a loaded machine an insert can stall longer than LoadGen's settle time, so
    # its own count may stop short: what counts is ClickHouse after the nodes' graceful stop (they write
    # everything they took). The rate is the sending rate, which TCP holds to what the nodes read.
    local sent stored
    sent=$(result_field "$out" sent)
    stored=$(ch_query "SELECT sum(requests) FROM $db.traffic_1m FORMAT TSV")
    if [ "$stored" = "$sent" ]; then echo "$key $round $(result_field "$out" achieved_rate)" >>"$results"
    else echo "nodes.sh: WARNING: $key round $round: $stored of $sent lines in ClickHouse after the stop" >&2; fi
  fi
}

stats() {
  awk -v k="$1" '$1 == k { print $3 }' "$results" | sort -g \
    | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f (%.0f–%.0f)", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[1], a[NR]; else printf "n/a" }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
dotnet build src/FastIngest.Server -c Release --nologo -v quiet >&2
dotnet build bench/FastIngest.LoadGen -c Release --nologo -v quiet >&2
alloc_port ch_port; alloc_port ch_tcp_port; alloc_port ch_interserver_port
taskset -c "$LOAD_CPU" clickhouse/private-server.sh start "$clickhouse_dir" "$ch_port" "$ch_tcp_port" "$ch_interserver_port" >/dev/null
started_at=$(date -u +%H:%M)
for proto in $PROTOCOLS; do
  for round in $(seq 1 "$ROUNDS"); do
    for layout in $LAYOUTS; do run_layout "$layout" "$round" "$proto"; done
  done
done

echo
echo "nodes.sh: $started_at–$(date -u +%H:%M) UTC, $ROUNDS rounds, $TENANTS tenants, $SENDERS senders; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| layout | UDP loss-free datagrams/s | TCP lines/s (%s s flat out) |\n|---|---:|---:|\n' "$TCP_SECONDS"
for layout in $LAYOUTS; do
  limited=$(awk -v k="limited:udp:$layout" '$1 == k' "$results" | wc -l)
  printf '| %s | %s%s | %s |\n' "$layout" "$(stats "udp:$layout")" "$([ "$limited" = 0 ] || echo " (sender-limited in $limited)")" "$(stats "tcp:$layout")"
done
echo
echo "lines counted per node, each run:"
grep '^share:' "$results" | sed 's/^share://'
