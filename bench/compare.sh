#!/usr/bin/env bash
# FastIngest against the tools an operator would otherwise chain together, in one run, on this
# machine, with the same CPU pinning, printing ratios (issue 6). Absolute figures drift on shared
# 2-core machines; ratios measured minutes apart in the same run hold.
#
#   bench/compare.sh                  # everything, about 4 minutes on the project's 2-core VM
#   DURATION=5 LINES=200000 bench/compare.sh
#
# Rows marked "(not the default)" rerun FastIngest with the runtime settings proposed in
# bench/README.md; every other row is the server exactly as built.
#
# Pinning: the system under test (FastIngest, NGINX, rsyslogd, the bare loop, GoAccess,
# clickhouse-client) runs on CPU $SERVER_CPU; the load (wrk, LoadGen) and the private ClickHouse
# that FastIngest writes to run on CPU $LOAD_CPU.
# Installs what is missing (clickhouse-server and -client, nginx-light, rsyslog, wrk, goaccess, curl) as root without
# starting their packaged daemons. Every process it starts is stopped on exit; its files live in a
# temporary folder that is removed (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

DURATION=${DURATION:-8}          # seconds per wrk measurement
PIXEL_ROUNDS=${PIXEL_ROUNDS:-2}  # wrk rounds per pixel server, interleaved; the best counts
UDP_STEP=${UDP_STEP:-5}          # seconds per step of the UDP rate search
LINES=${LINES:-300000}           # lines in the bulk and import files
TENANTS=${TENANTS:-10000}        # tenants in the UDP traffic (the memory target is stated for 10,000)
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
KEEP=${KEEP:-0}

work="$(mktemp -d /tmp/fastingest-compare.XXXXXX)"
chmod 755 "$work"   # NGINX workers run as nobody
declare -a started=()
clickhouse_dir="$work/clickhouse"

log() { printf '\n== %s\n' "$*" >&2; }

cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  clickhouse/private-server.sh stop "$clickhouse_dir" || true
  if [ "$KEEP" = 1 ]; then echo "compare.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- install ----------------------------------------------------------------------------------------

install_missing() {
  clickhouse/private-server.sh ensure-installed
  local need=()
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
  [ -x /usr/sbin/rsyslogd ] || need+=(rsyslog)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v goaccess >/dev/null 2>&1 || need+=(goaccess)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v clickhouse-client >/dev/null 2>&1 || need+=(clickhouse-client)
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { echo "compare.sh: need root to install ${need[*]}" >&2; exit 1; }
  apt-get update -qq
  # The packaged nginx and rsyslog daemons must not start (port 80, the machine's logs); policy-rc.d
  # is Debian's way to say so to the packages' scripts (the same guard as test.sh).
  local had_policy=0 installed=0
  [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ "$had_policy" = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null && installed=1
  [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
  [ "$installed" = 1 ] || { echo "compare.sh: apt-get install ${need[*]} failed" >&2; exit 1; }
}

# Runtime settings proposed for src/ (bench/README.md says why), measured in extra rows marked
# "(not the default)": idle thread-pool workers spin on the one core the server is pinned to, and a
# 3-second import ends before tiered compilation has optimised its hot loop.
spin_off=(DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)
import_tuned=(DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 DOTNET_TieredCompilation=0)

# --- helpers ----------------------------------------------------------------------------------------

# alloc_port VAR: a free loopback port into VAR. Not $(…): the counter must advance in this shell.
# Below the ephemeral range (32768+), where a busy machine's outgoing connections would collide.
next_port=$((20000 + RANDOM % 10000))
alloc_port() {
  while ! clickhouse/private-server.sh port-free "$next_port"; do next_port=$((next_port + 1)); done
  printf -v "$1" '%s' "$next_port"
  next_port=$((next_port + 1))
}

now() { date +%s.%N; }
# calc EXPR [DECIMALS]; the parentheses keep a comparison from becoming printf's output redirection.
calc() { awk "BEGIN { printf \"%.${2:-0}f\", ($1) }"; }

ch_port=""
ch_tcp_port=""
ch_query() { curl -sS --fail-with-body "http://127.0.0.1:$ch_port/" --data-binary "$1"; }

loadgen=(dotnet bench/FastIngest.LoadGen/bin/Release/net10.0/FastIngest.LoadGen.dll)
server_dll=src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll

# Field VALUE of a LoadGen RESULT line.
result_field() { grep '^RESULT' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

fastingest_pid=""
fastingest_http=""
fastingest_udp=""
# start_fastingest DATABASE [VAR=VALUE...]: the server on CPU $SERVER_CPU, with those environment variables.
start_fastingest() {
  local database=$1; shift
  alloc_port fastingest_http
  alloc_port fastingest_udp
  alloc_port fastingest_pixel
  env "$@" taskset -c "$SERVER_CPU" dotnet "$server_dll" \
    --FastIngest:Syslog:BindAddress=127.0.0.1 --FastIngest:Syslog:UdpPort="$fastingest_udp" --FastIngest:Syslog:TcpPort="$fastingest_udp" \
    --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port="$fastingest_http" --FastIngest:Pixel:Port="$fastingest_pixel" \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="$database" \
    --FastIngest:StateDirectory="$work/state-$database" --Logging:LogLevel:Default=Warning \
    >"$work/fastingest-$database.log" 2>&1 &
  fastingest_pid=$!
  started+=("$fastingest_pid")
  # Healthy, and its schema applied (that happens in the background after the start).
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$fastingest_http/health" >/dev/null 2>&1 \
      && [ "$(ch_query "SELECT count() FROM system.tables WHERE database = '$database' AND name IN ('traffic_1m', 'pixel_1m') FORMAT TSV")" = 2 ]; then
      return 0
    fi
    kill -0 "$fastingest_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "compare.sh: FastIngest did not become healthy:" >&2
  tail -n 20 "$work/fastingest-$database.log" >&2
  exit 1
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- the table --------------------------------------------------------------------------------------

declare -a rows=()
# row WORK FASTINGEST PEER PEER-FIGURE RATIO TARGET MET
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$@")"); }

# ratio FAST PEER TARGET: prints "ratio|met" (higher is better)
ratio_met() {
  local fast=$1 peer=$2 target=$3
  if [ -z "$fast" ] || [ -z "$peer" ] || [ "$(calc "$peer <= 0")" = 1 ]; then echo "n/a|n/a"; return; fi
  local r; r=$(calc "$fast / $peer" 2)
  if [ "$(calc "$r >= $target")" = 1 ]; then echo "${r}×|yes"; else echo "${r}×|NO ($(calc "100 * ($target - $r) / $target" 0) % short)"; fi
}

# add_ratio_row WORK FAST-TEXT FAST PEER PEER-TEXT PEER TARGET [FAST-IS-LOWER-BOUND PEER-IS-LOWER-BOUND]
# A figure the load generator could not push past is only a lower bound: the ratio then bounds too,
# and a bound on the wrong side of the target says "inconclusive", never "yes" or "NO".
add_ratio_row() {
  local work_name=$1 fast_text=$2 fast=$3 peer_name=$4 peer_text=$5 peer=$6 target=$7 fast_bound=${8:-0} peer_bound=${9:-0}
  local rm ratio met
  rm=$(ratio_met "$fast" "$peer" "$target")
  ratio=${rm%%|*} met=${rm##*|}
  if [ "$fast_bound" = 1 ] && [ "$peer_bound" = 1 ]; then
    ratio="?"; met="inconclusive (both sender-limited)"
  elif [ "$fast_bound" = 1 ]; then
    ratio="≥ $ratio"; [ "$met" = yes ] || met="inconclusive (FastIngest sender-limited)"
  elif [ "$peer_bound" = 1 ]; then
    ratio="≤ $ratio"; [ "$met" = yes ] && met="inconclusive (peer sender-limited)"
  fi
  row "$work_name" "$fast_text" "$peer_name" "$peer_text" "$ratio" "≥ ${target}×" "$met"
}

fmt() { printf "%'.0f" "$1" 2>/dev/null || echo "$1"; }

# --- pixel ------------------------------------------------------------------------------------------

wrk_rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
wrk_requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }

run_wrk() {
  local url=$1 out=$2
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d2s "$url" >"$out.warmup"   # warm-up: JIT, connections, caches
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${DURATION}s" "$url" >"$out"
}

start_nginx() {
  local name=$1 access_log=$2 port=$3 dir="$work/nginx-$1"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
# NGINX serving the same pixel as FastIngest: empty_gif, the same no-store header, one worker.
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  include $root/nginx/fastingest-log-format.conf;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    access_log $access_log;
    location ~ ^/p/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)\.gif\$ {
      empty_gif;
      add_header Cache-Control "no-store, no-cache, must-revalidate, max-age=0";
    }
  }
}
EOF
  taskset -c "$SERVER_CPU" nginx -p "$dir/" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
  nginx_pid=$!
  started+=("$nginx_pid")
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$port/p/acme/home.gif" -o /dev/null && return 0
    sleep 0.1
  done
  echo "compare.sh: NGINX did not start:" >&2; cat "$dir/error.log" "$dir/stdout.log" >&2; exit 1
}

compare_pixel() {
  log "pixel: FastIngest /p/…gif vs NGINX empty_gif (wrk -t1 -c64 -d${DURATION}s, best of $PIXEL_ROUNDS interleaved rounds)"
  start_fastingest cmp_pixel
  local default_pid=$fastingest_pid default_http=$fastingest_http
  start_fastingest cmp_pixel_spin0 "${spin_off[@]}"
  local spin0_pid=$fastingest_pid spin0_http=$fastingest_http
  local port_off port_on nginx_off nginx_on
  alloc_port port_off
  start_nginx off off "$port_off"
  nginx_off=$nginx_pid
  alloc_port port_on
  start_nginx on "$work/nginx-on/access.log fastingest" "$port_on"
  nginx_on=$nginx_pid

  # Rounds alternate the three servers, so a burst of other work on this shared VM hits them all
  # alike; each keeps its best round (the figure least disturbed by what is not under test).
  local fast=0 spin0=0 peer_off=0 peer_on=0 served=0 round rps
  for round in $(seq 1 "$PIXEL_ROUNDS"); do
    run_wrk "http://127.0.0.1:$default_http/p/acme/home.gif" "$work/wrk-fastingest-$round.txt"
    rps=$(wrk_rps "$work/wrk-fastingest-$round.txt"); fast=$(calc "$rps > $fast ? $rps : $fast" 2)
    served=$((served + $(wrk_requests "$work/wrk-fastingest-$round.txt") + $(wrk_requests "$work/wrk-fastingest-$round.txt.warmup")))
    run_wrk "http://127.0.0.1:$spin0_http/p/acme/home.gif" "$work/wrk-spin0-$round.txt"
    rps=$(wrk_rps "$work/wrk-spin0-$round.txt"); spin0=$(calc "$rps > $spin0 ? $rps : $spin0" 2)
    run_wrk "http://127.0.0.1:$port_off/p/acme/home.gif" "$work/wrk-nginx-off-$round.txt"
    rps=$(wrk_rps "$work/wrk-nginx-off-$round.txt"); peer_off=$(calc "$rps > $peer_off ? $rps : $peer_off" 2)
    run_wrk "http://127.0.0.1:$port_on/p/acme/home.gif" "$work/wrk-nginx-on-$round.txt"
    rps=$(wrk_rps "$work/wrk-nginx-on-$round.txt"); peer_on=$(calc "$rps > $peer_on ? $rps : $peer_on" 2)
    echo "round $round: FastIngest $(wrk_rps "$work/wrk-fastingest-$round.txt") (spin limit 0: $(wrk_rps "$work/wrk-spin0-$round.txt")), NGINX off $(wrk_rps "$work/wrk-nginx-off-$round.txt"), on $(wrk_rps "$work/wrk-nginx-on-$round.txt") req/s" >&2
  done
  stop_pid "$nginx_off"
  stop_pid "$nginx_on"
  stop_pid "$spin0_pid"
  stop_pid "$default_pid"   # a graceful stop writes every hit it received
  local counted; counted=$(ch_query "SELECT sum(hits) FROM cmp_pixel.pixel_1m FORMAT TSV")
  # wrk stops with up to 64 requests in flight per run: answered and counted by the server, not by wrk.
  local in_flight=$((64 * 2 * PIXEL_ROUNDS))
  echo "hits counted in ClickHouse: $counted; wrk completed $served (warm-ups included) and left up to $in_flight in flight" >&2
  if [ "$counted" -lt "$served" ] || [ "$counted" -gt $((served + in_flight)) ]; then
    echo "compare.sh: WARNING: FastIngest counted $counted pixel hits for $served completed requests" >&2
  fi

  add_ratio_row "pixel req/s (hit counted)" "$(fmt "$fast")" "$fast" "NGINX empty_gif, access_log off" "$(fmt "$peer_off")" "$peer_off" 1.0
  add_ratio_row "pixel req/s (hit counted)" "$(fmt "$fast")" "$fast" "NGINX empty_gif, access_log on (JSON)" "$(fmt "$peer_on")" "$peer_on" 1.0
  add_ratio_row "pixel req/s, proposed spin limit 0 (not the default)" "$(fmt "$spin0")" "$spin0" "NGINX empty_gif, access_log off" "$(fmt "$peer_off")" "$peer_off" 1.0
  add_ratio_row "pixel req/s, proposed spin limit 0 (not the default)" "$(fmt "$spin0")" "$spin0" "NGINX empty_gif, access_log on (JSON)" "$(fmt "$peer_on")" "$peer_on" 1.0
}

# --- UDP syslog ---------------------------------------------------------------------------------------

udp_search() {
  # udp_search OUT ARGS...: the highest loss-free rate, LoadGen pinned to the load CPU.
  local out=$1; shift
  taskset -c "$LOAD_CPU" "${loadgen[@]}" udp --search --rate 25000 --search-steps 3 --duration "$UDP_STEP" \
    --tenants "$TENANTS" "$@" | tee "$out" >&2
}

udp_figure() {
  local out=$1 rate limited
  rate=$(result_field "$out" best_rate); limited=$(result_field "$out" sender_limited)
  if [ "$limited" = 1 ]; then echo "≥ $(fmt "$rate")/s (sender-limited)"; else echo "$(fmt "$rate")/s"; fi
}

compare_udp() {
  log "UDP syslog: highest loss-free rate, $TENANTS tenants, ${UDP_STEP}s steps"
  start_fastingest cmp_udp
  udp_search "$work/udp-fastingest.txt" --port "$fastingest_udp" --clickhouse "http://127.0.0.1:$ch_port" --database cmp_udp --server-pid "$fastingest_pid"
  stop_pid "$fastingest_pid"
  local fast rss cpu_s
  fast=$(result_field "$work/udp-fastingest.txt" best_rate)
  rss=$(result_field "$work/udp-fastingest.txt" server_peak_rss_mb)
  cpu_s=$(result_field "$work/udp-fastingest.txt" server_cpu_s)

  # rsyslog imudp → omfile, the message as one line, counted as lines in the file.
  local dir="$work/rsyslog" port
  mkdir -p "$dir"
  alloc_port port
  cat >"$dir/rsyslog.conf" <<EOF
global(workDirectory="$dir" maxMessageSize="64k" net.enableDNS="off" parser.escapeControlCharactersOnReceive="off")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$port" ruleset="bench" rcvbufSize="32m")
template(name="line" type="string" string="%msg%\n")
ruleset(name="bench") {
  action(type="omfile" file="$dir/out.log" template="line" asyncWriting="on" ioBufferSize="256k" flushInterval="1")
}
EOF
  taskset -c "$SERVER_CPU" /usr/sbin/rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" >"$dir/stdout.log" 2>&1 &
  local rsyslog_pid=$!
  started+=("$rsyslog_pid")
  sleep 1
  udp_search "$work/udp-rsyslog.txt" --port "$port" --count-lines "$dir/out.log" --server-pid "$rsyslog_pid"
  stop_pid "$rsyslog_pid"

  # The bare .NET loop: receive, count, nothing else.
  alloc_port port
  taskset -c "$SERVER_CPU" "${loadgen[@]}" bare-udp --port "$port" --count-file "$work/bare.count" --duration 900 >"$work/bare.log" 2>&1 &
  local bare_pid=$!
  started+=("$bare_pid")
  sleep 1
  udp_search "$work/udp-bare.txt" --port "$port" --count-file "$work/bare.count" --server-pid "$bare_pid"
  stop_pid "$bare_pid"

  local rsyslog bare
  rsyslog=$(result_field "$work/udp-rsyslog.txt" best_rate)
  bare=$(result_field "$work/udp-bare.txt" best_rate)
  local fast_limited rsyslog_limited bare_limited
  fast_limited=$(result_field "$work/udp-fastingest.txt" sender_limited)
  rsyslog_limited=$(result_field "$work/udp-rsyslog.txt" sender_limited)
  bare_limited=$(result_field "$work/udp-bare.txt" sender_limited)
  add_ratio_row "UDP loss-free datagrams/s" "$(udp_figure "$work/udp-fastingest.txt")" "$fast" "bare .NET counting loop" \
    "$(udp_figure "$work/udp-bare.txt")" "$bare" 0.7 "$fast_limited" "$bare_limited"
  add_ratio_row "UDP loss-free datagrams/s" "$(udp_figure "$work/udp-fastingest.txt")" "$fast" "rsyslog imudp → omfile" \
    "$(udp_figure "$work/udp-rsyslog.txt")" "$rsyslog" 1.0 "$fast_limited" "$rsyslog_limited"
  local met="yes"; [ "$(calc "$rss < 300")" = 1 ] || met="NO ($((rss - 300)) MB over)"
  row "memory at that rate, $TENANTS tenants" "peak RSS $rss MB" "—" "—" "—" "< 300 MB" "$met"
}

# --- bulk: FastIngest import vs ClickHouse's own insert ---------------------------------------------

import_lines_per_s() {
  # import_lines_per_s FORMAT DATABASE FILE [VAR=VALUE...]: wall-clock lines/s of a whole import run
  # (startup included), with those environment variables.
  local format=$1 database=$2 file=$3 start end
  shift 3
  start=$(now)
  env "$@" taskset -c "$SERVER_CPU" dotnet "$server_dll" import --format "$format" --tenant bulk \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="$database" \
    --FastIngest:StateDirectory="$work/state-$database" "$file" 2>"$work/import-$database.log"
  end=$(now)
  tail -n 1 "$work/import-$database.log" >&2
  calc "$LINES / ($end - $start)"
}

clickhouse_insert_per_s() {
  # clickhouse_insert_per_s TABLE FILE: lines/s of clickhouse-client inserting FILE as JSONEachRow.
  local table=$1 file=$2 start end count
  start=$(now)
  taskset -c "$SERVER_CPU" clickhouse-client --port "$ch_tcp_port" --query "INSERT INTO $table FORMAT JSONEachRow" <"$file"
  end=$(now)
  count=$(ch_query "SELECT count() FROM $table FORMAT TSV")
  [ "$count" = "$LINES" ] || { echo "compare.sh: $table holds $count rows, not $LINES" >&2; exit 1; }
  calc "$LINES / ($end - $start)"
}

compare_bulk() {
  log "bulk: $LINES NGINX JSON lines, FastIngest import vs clickhouse-client INSERT … FORMAT JSONEachRow"
  "${loadgen[@]}" gen-file --format json --count "$LINES" --tenants 1000 --out "$work/bulk.json" >&2
  "${loadgen[@]}" gen-file --format typed --count "$LINES" --tenants 1000 --out "$work/bulk.typed.json" >&2

  local fast counted
  fast=$(import_lines_per_s json cmp_bulk "$work/bulk.json")
  counted=$(ch_query "SELECT sum(requests) FROM cmp_bulk.traffic_1m FORMAT TSV")
  echo "FastIngest import: $fast lines/s, $counted lines counted" >&2

  # The raw lines as they are: every NGINX field a String column (NGINX writes every value quoted).
  local columns
  columns=$(head -n 1 "$work/bulk.json" | grep -o '"[a-z_0-9]*":' | tr -d '":' | sed 's/$/ String/' | paste -sd, -)
  ch_query "CREATE DATABASE IF NOT EXISTS cmp_peer" >/dev/null
  ch_query "CREATE TABLE cmp_peer.nginx_raw ($columns) ENGINE = MergeTree() ORDER BY tuple()" >/dev/null
  # Typed rows (numbers as numbers, DateTime): what a user loads after converting the lines themselves.
  ch_query "CREATE TABLE cmp_peer.nginx_typed (time DateTime('UTC'), tenant String, remote_addr String,
    request_method String, uri String, status UInt16, body_bytes_sent UInt64, bytes_sent UInt64,
    request_time Float64, upstream_cache_status String, http_host String, http_referer String,
    http_user_agent String) ENGINE = MergeTree() PARTITION BY toYYYYMM(time) ORDER BY (tenant, time)" >/dev/null
  local raw typed
  raw=$(clickhouse_insert_per_s cmp_peer.nginx_raw "$work/bulk.json")
  typed=$(clickhouse_insert_per_s cmp_peer.nginx_typed "$work/bulk.typed.json")
  echo "ClickHouse JSONEachRow: raw lines $raw lines/s, typed rows $typed rows/s" >&2
  add_ratio_row "bulk lines/s ($LINES JSON lines)" "$(fmt "$fast") (import, end to end)" "$fast" "ClickHouse insert, raw lines (25 String columns)" "$(fmt "$raw")" "$raw" 5
  add_ratio_row "bulk lines/s ($LINES JSON lines)" "$(fmt "$fast") (import, end to end)" "$fast" "ClickHouse insert, typed rows (13 columns)" "$(fmt "$typed")" "$typed" 2

  local tuned
  tuned=$(import_lines_per_s json cmp_bulk_tuned "$work/bulk.json" "${import_tuned[@]}")
  echo "FastIngest import with ${import_tuned[*]}: $tuned lines/s" >&2
  add_ratio_row "bulk lines/s, proposed runtime settings (not the default)" "$(fmt "$tuned") (import, end to end)" "$tuned" "ClickHouse insert, raw lines (25 String columns)" "$(fmt "$raw")" "$raw" 5
  add_ratio_row "bulk lines/s, proposed runtime settings (not the default)" "$(fmt "$tuned") (import, end to end)" "$tuned" "ClickHouse insert, typed rows (13 columns)" "$(fmt "$typed")" "$typed" 2
}

compare_import() {
  log "file import: $LINES combined-format lines, FastIngest import vs GoAccess"
  "${loadgen[@]}" gen-file --format combined --count "$LINES" --tenants 1000 --out "$work/import.log" >&2
  local fast goaccess start end
  fast=$(import_lines_per_s combined cmp_import "$work/import.log")
  start=$(now)
  taskset -c "$SERVER_CPU" goaccess "$work/import.log" --log-format=COMBINED --no-global-config --no-progress \
    -o "$work/goaccess.json" >/dev/null 2>"$work/goaccess.log"
  end=$(now)
  goaccess=$(calc "$LINES / ($end - $start)")
  echo "FastIngest import: $fast lines/s; GoAccess: $goaccess lines/s" >&2
  add_ratio_row "file import lines/s (combined)" "$(fmt "$fast")" "$fast" "GoAccess 1.7 → JSON report" "$(fmt "$goaccess")" "$goaccess" 10
  local tuned
  tuned=$(import_lines_per_s combined cmp_import_tuned "$work/import.log" "${import_tuned[@]}")
  echo "FastIngest import with ${import_tuned[*]}: $tuned lines/s" >&2
  add_ratio_row "file import lines/s, proposed runtime settings (not the default)" "$(fmt "$tuned")" "$tuned" "GoAccess 1.7 → JSON report" "$(fmt "$goaccess")" "$goaccess" 10
}

# --- run --------------------------------------------------------------------------------------------

began=$(now)
install_missing
log "building (Release)"
dotnet build src/FastIngest.Server -c Release --nologo -v quiet >&2
dotnet build bench/FastIngest.LoadGen -c Release --nologo -v quiet >&2

alloc_port ch_port
alloc_port ch_tcp_port
alloc_port ch_interserver_port
log "private ClickHouse on 127.0.0.1:$ch_port (CPU $LOAD_CPU)"
taskset -c "$LOAD_CPU" clickhouse/private-server.sh start "$clickhouse_dir" "$ch_port" "$ch_tcp_port" "$ch_interserver_port" >/dev/null

compare_pixel
compare_udp
compare_bulk
compare_import

elapsed=$(calc "$(now) - $began")
cat <<EOF

FastIngest vs peers — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),
$(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version), load average before the table: $(cut -d' ' -f1-3 /proc/loadavg).
Systems under test on CPU $SERVER_CPU, load and ClickHouse on CPU $LOAD_CPU; wrk ${DURATION}s (best of $PIXEL_ROUNDS), UDP steps ${UDP_STEP}s, $LINES-line files; $elapsed s in all.

| work | FastIngest | peer | peer's figure | ratio | target | met? |
|---|---:|---|---|---:|---:|---|
EOF
printf '%s\n' "${rows[@]}"
