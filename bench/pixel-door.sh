#!/usr/bin/env bash
# The pixel doors side by side (issue 15 item 1): FastIngest's pixel port (PixelConnectionHandler), its
# pixel on the API port (the Kestrel middleware), each with inline scheduling (the default) and without
# (--FastIngest:Http:InlineScheduling=false), and NGINX empty_gif with its log off;
# then 16-deep pipelining against the pixel port and NGINX. Interleaved rounds, median per target;
# server CPU per request from /proc/PID/stat. Servers on CPU $SERVER_CPU, wrk and ClickHouse on $LOAD_CPU.
# Needs what bench/compare.sh installs (nginx-light, wrk, the private ClickHouse). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root=$PWD
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-4}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
work="$(mktemp -d /tmp/fastingest-pixeldoor.XXXXXX)"
chmod 755 "$work"
declare -a started=()
cleanup() {
  stop_started
  clickhouse/private-server.sh stop "$work/clickhouse" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
next_port=${BASE_PORT:-24100}

dotnet build src/FastIngest.Server -c Release --nologo -v quiet >&2
alloc_port ch_port; alloc_port ch_tcp; alloc_port ch_inter
taskset -c "$LOAD_CPU" clickhouse/private-server.sh start "$work/clickhouse" "$ch_port" "$ch_tcp" "$ch_inter" >/dev/null

# start_fastingest NAME [VAR=VALUE...]: sets http_NAME, pixel_NAME, pid_NAME.
start_fastingest() {
  local name=$1; shift
  local -a vars=() args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  args=("$@")
  local http pixel udp
  alloc_port http; alloc_port pixel; alloc_port udp
  env "${vars[@]}" taskset -c "$SERVER_CPU" dotnet src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll \
    --FastIngest:Syslog:BindAddress=127.0.0.1 --FastIngest:Syslog:UdpPort="$udp" --FastIngest:Syslog:TcpPort=0 \
    --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port="$http" --FastIngest:Pixel:Port="$pixel" \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="pixeldoor_$name" \
    --FastIngest:StateDirectory="$work/state-$name" --Logging:LogLevel:Default=Warning "${args[@]}" >"$work/$name.log" 2>&1 &
  started+=($!)
  printf -v "pid_$name" '%s' "$!"; printf -v "http_$name" '%s' "$http"; printf -v "pixel_$name" '%s' "$pixel"
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$http/health" -o /dev/null && return 0; sleep 0.2; done
  echo "FastIngest $name did not start" >&2; cat "$work/$name.log" >&2; exit 1
}
# inline: as shipped (Server/Hosting/InlineScheduling.cs); pool: inline scheduling switched off, every read
# handed to the thread pool.
start_fastingest inline
start_fastingest pool -- --FastIngest:Http:InlineScheduling=false

alloc_port nginx_port
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    access_log off;
    location ~ ^/p/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)\.gif\$ {
      empty_gif;
      add_header Cache-Control "no-store, no-cache, must-revalidate, max-age=0";
    }
  }
}
CONF
taskset -c "$SERVER_CPU" nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
started+=($!)
nginx_pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$nginx_port/p/acme/home.gif" -o /dev/null && break; sleep 0.1; done
# NGINX's work happens in its worker, a child of the master.
nginx_worker=$(pgrep -P "$nginx_pid" | head -n 1)

printf 'function init(args)\n  local r = {}\n  for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end\n  req = table.concat(r)\nend\nfunction request() return req end\n' >"$work/pipeline.lua"

# target NAME PID URL [wrk args...]
targets=(
  "door_inline $pid_inline http://127.0.0.1:$pixel_inline/p/acme/home.gif"
  "door_pool $pid_pool http://127.0.0.1:$pixel_pool/p/acme/home.gif"
  "middleware_inline $pid_inline http://127.0.0.1:$http_inline/p/acme/home.gif"
  "middleware_pool $pid_pool http://127.0.0.1:$http_pool/p/acme/home.gif"
  "nginx $nginx_worker http://127.0.0.1:$nginx_port/p/acme/home.gif"
  "door_inline_pipelined16 $pid_inline http://127.0.0.1:$pixel_inline/p/acme/home.gif -s $work/pipeline.lua"
  "door_pool_pipelined16 $pid_pool http://127.0.0.1:$pixel_pool/p/acme/home.gif -s $work/pipeline.lua"
  "nginx_pipelined16 $nginx_worker http://127.0.0.1:$nginx_port/p/acme/home.gif -s $work/pipeline.lua"
)
hz=$(getconf CLK_TCK)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    read -r name pid url extra <<<"$t"
    # shellcheck disable=SC2086
    taskset -c "$LOAD_CPU" wrk -t1 -c64 -d1s "$url" $extra >/dev/null
    before=$(cpu_ticks "$pid")
    # shellcheck disable=SC2086
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${DURATION}s" "$url" $extra)
    after=$(cpu_ticks "$pid")
    requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
    rps=$(calc "$requests / $DURATION")
    us=$(calc "($after - $before) / $hz * 1000000 / $requests" 2)
    echo "$round $name $rps $us" | tee -a "$work/results"
  done
  echo "load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo
echo "median over $ROUNDS rounds (req/s, server CPU µs/request):"
for t in "${targets[@]}"; do
  read -r name _ <<<"$t"
  rps=$(awk -v n="$name" '$2 == n { print $3 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  us=$(awk -v n="$name" '$2 == n { print $4 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  printf '%-26s %10s req/s %8s µs/req\n' "$name" "$rps" "$us"
done
