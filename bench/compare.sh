#!/usr/bin/env bash
# FastIngest against the tools an operator would otherwise chain together, in one run, on this
# machine, with the same CPU pinning, against issue 15's targets. Every row is the median of
# $ROUNDS rounds with the rounds' min–max, and a verdict (PASS/MISS) against its target.
#
#   bench/compare.sh                       # everything: 14.5 minutes on the shared 2-core VM; allow ~20 on a
#                                          # quiet one, where the UDP searches run more steps before losing
#   ROUNDS=1 DURATION=3 UDP_STEP=3 LINES=300000 bench/compare.sh    # a quick look, ~6 minutes
#   SECTIONS="pixel udp" bench/compare.sh  # some sections only (parse pixel udp import)
#
# Interleaving: within each section, round r runs every server of that section (FastIngest and its
# peers, one after the other) before round r+1 starts, so a burst of other work on a shared VM hits
# both sides of a ratio alike; each row's ratio is the median of the rounds' own ratios (each pairing
# figures measured a minute or less apart). The sections themselves run one after the other: a UDP
# round needs a fresh server (its 10,000 tenants' tables) and an import round a fresh database (the
# import's ledger skips what it imported before), so spreading a round over the whole run would pair
# figures 20 minutes apart without making them any less noisy.
#
# Rows marked "(not the default)" run the same build with a setting changed from its default, to show
# what the default is worth; every other row is the server exactly as built.
#
# Pinning: the system under test (FastIngest, NGINX, rsyslogd, the C receiver) runs on CPU $SERVER_CPU;
# the load (wrk, LoadGen) and the private ClickHouse that FastIngest writes to run on CPU $LOAD_CPU.
# The import rows are the exception: the issue's import targets are for both cores, so the import,
# clickhouse-client, the ClickHouse server (for its own insert) and GoAccess run unpinned.
# Installs what is missing (clickhouse-server and -client, nginx-light, rsyslog, wrk, goaccess, curl,
# gcc) as root without starting their packaged daemons. Every process it starts is stopped on exit;
# its files live in a temporary folder that is removed (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root="$PWD"

ROUNDS=${ROUNDS:-3}                  # rounds per row; each row prints their median and min–max
DURATION=${DURATION:-5}              # seconds per wrk measurement, after a $WARMUP-second warm-up
WARMUP=${WARMUP:-1}
UDP_STEP=${UDP_STEP:-4}              # seconds per step of the UDP rate search
UDP_START=${UDP_START:-50000}        # the search's first rate (datagrams/s); it doubles until a step loses
UDP_RECEIVERS=${UDP_RECEIVERS:-0}    # FastIngest:Syslog:UdpReceivers; 0 (as built) = one per CPU the server may use: 1 here
TENANTS=${TENANTS:-10000}            # tenants in the UDP traffic (the targets are stated for 10,000)
LINES=${LINES:-3000000}              # lines in the import files (the targets are stated for 3,000,000)
GOACCESS_LINES=${GOACCESS_LINES:-300000}  # GoAccess reads the first this many (it took 100 s for 3M)
PARSE_ROUNDS=${PARSE_ROUNDS:-$ROUNDS}     # runs of the parse rounds (FastIngest.Benchmarks rounds), one process each
PARSE_PASSES=${PARSE_PASSES:-300}    # passes over 4,096 lines per parse run (FastIngest.Benchmarks rounds)
SECTIONS=${SECTIONS:-"pixel udp import parse"}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
KEEP=${KEEP:-0}

work="$(mktemp -d /tmp/fastingest-compare.XXXXXX)"
chmod 755 "$work"   # NGINX workers run as nobody
declare -a started=()
clickhouse_dir="$work/clickhouse"
results="$work/results"   # one "KEY ROUND VALUE" line per figure
: >"$results"

log() { printf '\n== %s\n' "$*" >&2; }

cleanup() {
  stop_started
  clickhouse/private-server.sh stop "$clickhouse_dir" >/dev/null 2>&1 || true
  # A run that stopped early still shows the sections it finished.
  if [ "$table_printed" = 0 ] && [ ${#rows[@]} -gt 0 ]; then print_table "INCOMPLETE: the run stopped before its end. "; fi
  if [ "$KEEP" = 1 ]; then echo "compare.sh: kept $work" >&2; else rm -rf "$work"; fi
}
table_printed=0
declare -a rows=()
trap cleanup EXIT
trap 'exit 130' INT TERM

has_section() { [[ " $SECTIONS " == *" $1 "* ]]; }

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
  command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  [ -x /usr/bin/time ] || need+=(time)
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

# --- helpers ----------------------------------------------------------------------------------------

# alloc_port VAR: a free loopback port into VAR. Not $(…): the counter must advance in this shell.
# Below the ephemeral range (32768+), where a busy machine's outgoing connections would collide.
next_port=$((20000 + RANDOM % 10000))

now() { date +%s.%N; }
# calc EXPR [DECIMALS]; the parentheses keep a comparison from becoming printf's output redirection.
# fmt NUMBER [DECIMALS]: thousands grouped with commas whatever the locale (C.UTF-8 groups nothing).
fmt() {
  awk -v x="$1" -v d="${2:-0}" 'BEGIN {
    s = sprintf("%." d "f", x); sign = ""; if (substr(s, 1, 1) == "-") { sign = "-"; s = substr(s, 2) }
    i = index(s, "."); int_part = i ? substr(s, 1, i - 1) : s; frac = i ? substr(s, i) : ""
    while (length(int_part) > 3) { frac = "," substr(int_part, length(int_part) - 2) frac; int_part = substr(int_part, 1, length(int_part) - 3) }
    print sign int_part frac }'
}
hz=$(getconf CLK_TCK)

ch_port=""
ch_tcp_port=""
ch_interserver_port=""
ch_pid=""
ch_query() { curl -sS --fail-with-body "http://127.0.0.1:$ch_port/" --data-binary "$1"; }

loadgen=(dotnet bench/FastIngest.LoadGen/bin/Release/net10.0/FastIngest.LoadGen.dll)
server_dll=src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll

# Field VALUE of a LoadGen RESULT line.
result_field() { grep '^RESULT' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# metric HTTP-PORT NAME: the sum of a /metrics family over its labels (0 when absent).
metric() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.0f", s }'
}

fi_pid=""
fi_http=""
fi_udp=""
fi_pixel=""
# start_fastingest DATABASE [VAR=VALUE...] [-- SERVER-ARGS...]: the server on CPU $SERVER_CPU with those
# environment variables and arguments; sets fi_pid, fi_http, fi_udp, fi_pixel.
start_fastingest() {
  local database=$1; shift
  local -a vars=() args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  args=("$@")
  alloc_port fi_http
  alloc_port fi_udp
  alloc_port fi_pixel
  env ${vars[@]+"${vars[@]}"} taskset -c "$SERVER_CPU" dotnet "$server_dll" \
    --FastIngest:Syslog:BindAddress=127.0.0.1 --FastIngest:Syslog:UdpPort="$fi_udp" --FastIngest:Syslog:TcpPort="$fi_udp" \
    --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port="$fi_http" --FastIngest:Pixel:Port="$fi_pixel" \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="$database" \
    --FastIngest:StateDirectory="$work/state-$database" --Logging:LogLevel:Default=Warning ${args[@]+"${args[@]}"} \
    >"$work/fastingest-$database.log" 2>&1 &
  fi_pid=$!
  started+=("$fi_pid")
  # Healthy, and its schema applied (that happens in the background after the start).
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$fi_http/health" >/dev/null 2>&1 \
      && [ "$(ch_query "SELECT count() FROM system.tables WHERE database = '$database' AND name IN ('traffic_1m', 'pixel_1m') FORMAT TSV")" = 2 ]; then
      return 0
    fi
    kill -0 "$fi_pid" 2>/dev/null || break
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

# --- figures, medians and the table -----------------------------------------------------------------

put() { echo "$1 $2 $3" >>"$results"; }                       # put KEY ROUND VALUE
count_of() { awk -v k="$1" '$1 == k' "$results" | wc -l; }
# stats KEY: "median min max" of the rounds' values (nothing when the key has none; an even count
# of values, ROUNDS=2 or a round without a figure, takes the mean of the middle two).
stats() {
  awk -v k="$1" '$1 == k { print $3 }' "$results" | sort -g \
    | awk '{ a[NR] = $1 } END { if (NR) printf "%.6f %s %s\n", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[1], a[NR] }'
}
# figure KEY [DECIMALS] [SUFFIX]: "median (min–max)" for the table.
figure() {
  local s m lo hi
  s=$(stats "$1"); [ -n "$s" ] || { echo "n/a"; return; }
  read -r m lo hi <<<"$s"
  if [ "$ROUNDS" = 1 ] || [ "$lo" = "$hi" ]; then echo "$(fmt "$m" "${2:-0}")${3:-}"
  else echo "$(fmt "$m" "${2:-0}")${3:-} ($(fmt "$lo" "${2:-0}")–$(fmt "$hi" "${2:-0}"))"; fi
}
# pair_ratios RATIO-KEY A-KEY B-KEY: each round's A/B under RATIO-KEY.
pair_ratios() {
  awk -v r="$1" -v a="$2" -v b="$3" '$1 == a { A[$2] = $3 } $1 == b { B[$2] = $3 }
    END { for (k in A) if ((k in B) && B[k] > 0) printf "%s %s %.4f\n", r, k, A[k] / B[k] }' "$results" >>"$results.tmp"
  cat "$results.tmp" >>"$results"; rm -f "$results.tmp"
}
# sign OP: how the table writes it.
sign() { case $1 in ">=") echo "≥" ;; "<=") echo "≤" ;; *) echo "$1" ;; esac; }
# meets VALUE OP TARGET: PASS or MISS.
meets() { if [ "$(calc "$1 $2 $3")" = 1 ]; then echo PASS; else echo MISS; fi; }

# row WORK FASTINGEST PEER PEER-FIGURE RATIO TARGET VERDICT
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$@")"); }

# ratio_row WORK FAST-KEY DECIMALS SUFFIX PEER-NAME PEER-KEY OP TARGET [NOTE]
# The ratio is FastIngest/peer per round, its median and min–max; the verdict is its median against
# OP TARGET ("—" for no target). Keys "limited:KEY" count the rounds whose figure was only a lower
# bound (the load generator could not offer more): a MISS with FastIngest bounded, or a PASS with
# the peer bounded, says so, since the true ratio may lie on the other side.
ratio_row() {
  local work_name=$1 fkey=$2 dec=$3 suffix=$4 peer_name=$5 pkey=$6 op=$7 target=$8 note=${9:-}
  local rkey="ratio:$fkey:$pkey" verdict="—" target_text="—" m
  pair_ratios "$rkey" "$fkey" "$pkey"
  local s; s=$(stats "$rkey")
  if [ "$target" != — ]; then
    target_text="$(sign "$op") ${target}×"
    if [ -z "$s" ]; then verdict="n/a"; else
      read -r m _ <<<"$s"
      verdict=$(meets "$m" "$op" "$target")
      local fb pb
      fb=$(count_of "limited:$fkey"); pb=$(count_of "limited:$pkey")
      if [ "$verdict" = MISS ] && [ "$fb" -gt 0 ]; then verdict="MISS? (FastIngest sender-limited in $fb of $ROUNDS rounds)"; fi
      if [ "$verdict" = PASS ] && [ "$pb" -gt 0 ]; then verdict="PASS? (peer sender-limited in $pb of $ROUNDS rounds)"; fi
    fi
  fi
  [ -z "$note" ] || verdict="$verdict; $note"
  row "$work_name" "$(figure "$fkey" "$dec" "$suffix")" "$peer_name" "$(figure "$pkey" "$dec" "$suffix")" \
    "$(figure "$rkey" 2 ×)" "$target_text" "$verdict"
}

# abs_row WORK KEY DECIMALS SUFFIX OP TARGET BASIS [NOTE]: a figure against an absolute target; BASIS
# "median" or "max" (a peak memory target holds for every round, so the highest round is judged).
abs_row() {
  local work_name=$1 key=$2 dec=$3 suffix=$4 op=$5 target=$6 basis=$7 note=${8:-} s m hi verdict
  s=$(stats "$key")
  if [ -z "$s" ]; then verdict="n/a"; else
    read -r m _ hi <<<"$s"
    if [ "$basis" = max ]; then verdict=$(meets "$hi" "$op" "$target"); else verdict=$(meets "$m" "$op" "$target"); fi
  fi
  [ -z "$note" ] || verdict="$verdict; $note"
  row "$work_name" "$(figure "$key" "$dec" "$suffix")" "—" "—" "—" "$(sign "$op") $(fmt "$target")$suffix" "$verdict"
}

# receivers_text: the UDP receive sockets the server runs, as the table says it.
receivers_text() {
  if [ "$UDP_RECEIVERS" = 0 ]; then echo "one receive socket per CPU it may use (1)"; else echo "$UDP_RECEIVERS receive socket(s)"; fi
}

# --- pixel ------------------------------------------------------------------------------------------

wrk_rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
wrk_requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }

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
    if curl -sf "http://127.0.0.1:$port/p/acme/home.gif" -o /dev/null; then
      # NGINX's work happens in its one worker, a child of the master: its CPU is what is counted.
      nginx_worker=$(pgrep -P "$nginx_pid" | head -n 1)
      [ -n "$nginx_worker" ] && return 0
    fi
    sleep 0.1
  done
  echo "compare.sh: NGINX did not start:" >&2; cat "$dir/error.log" "$dir/stdout.log" >&2; exit 1
}

# Pixel requests each target completed (warm-ups included), per FastIngest server, for the hit check.
declare -A served=()
declare -A in_flight=()

# measure_wrk NAME PID URL ROUND [WRK-ARGS...]: req/s and server CPU µs per request of one wrk run.
measure_wrk() {
  local name=$1 pid=$2 url=$3 round=$4; shift 4
  local out="$work/wrk-$name-$round.txt" before after requests rps us
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${WARMUP}s" "$url" "$@" >"$out.warmup"   # JIT, connections, caches
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${DURATION}s" "$url" "$@" >"$out"
  after=$(cpu_ticks "$pid")
  requests=$(wrk_requests "$out"); rps=$(wrk_rps "$out")
  if grep -q 'Non-2xx\|Socket errors' "$out" "$out.warmup"; then
    echo "compare.sh: WARNING: $name: $(grep -h 'Non-2xx\|Socket errors' "$out" "$out.warmup" | tr '\n' ' ')" >&2
  fi
  us=$(calc "($after - $before) / $hz * 1000000 / $requests" 2)
  put "pixel:$name" "$round" "$rps"
  put "pixelcpu:$name" "$round" "$us"
  served[$pid]=$(( ${served[$pid]:-0} + requests + $(wrk_requests "$out.warmup") ))
  # wrk stops with up to 64 connections' requests in flight (16 each when pipelined): answered and
  # counted by the server, not by wrk.
  local depth=1; [ $# -gt 0 ] && depth=16
  in_flight[$pid]=$(( ${in_flight[$pid]:-0} + 2 * 64 * depth ))
  printf '  round %s %-24s %12s req/s %8s µs/request\n' "$round" "$name" "$(fmt "$rps")" "$us" >&2
}

compare_pixel() {
  log "pixel: FastIngest's pixel port vs NGINX empty_gif (wrk -t1 -c64, ${WARMUP}s warm-up + ${DURATION}s, $ROUNDS interleaved rounds)"
  start_fastingest cmp_pixel
  local fast_pid=$fi_pid fast_http=$fi_http fast_pixel=$fi_pixel
  # Inline scheduling is the default (Server/Hosting/InlineScheduling.cs); a second server with it off
  # shows what it is worth.
  start_fastingest cmp_pixel_noinline -- --FastIngest:Http:InlineScheduling=false
  local noinline_pid=$fi_pid noinline_pixel=$fi_pixel
  local port_off port_on off_master off_worker on_master on_worker
  alloc_port port_off
  start_nginx off off "$port_off"
  off_master=$nginx_pid off_worker=$nginx_worker
  alloc_port port_on
  start_nginx on "$work/nginx-on/access.log fastingest" "$port_on"
  on_master=$nginx_pid on_worker=$nginx_worker
  local pipeline="$work/pipeline.lua" path=/p/acme/home.gif
  # 16 requests written at once on each connection (wrk counts each response).
  printf 'function init(args)\n  local r = {}\n  for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end\n  req = table.concat(r)\nend\nfunction request() return req end\n' >"$pipeline"

  local round
  for round in $(seq 1 "$ROUNDS"); do
    measure_wrk fastingest "$fast_pid" "http://127.0.0.1:$fast_pixel$path" "$round"
    measure_wrk fastingest_noinline "$noinline_pid" "http://127.0.0.1:$noinline_pixel$path" "$round"
    measure_wrk nginx_off "$off_worker" "http://127.0.0.1:$port_off$path" "$round"
    measure_wrk nginx_on "$on_worker" "http://127.0.0.1:$port_on$path" "$round"
    measure_wrk fastingest_pipelined "$fast_pid" "http://127.0.0.1:$fast_pixel$path" "$round" -s "$pipeline"
    measure_wrk fastingest_noinline_pipelined "$noinline_pid" "http://127.0.0.1:$noinline_pixel$path" "$round" -s "$pipeline"
    measure_wrk nginx_pipelined "$off_worker" "http://127.0.0.1:$port_off$path" "$round" -s "$pipeline"
    echo "  load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
  stop_pid "$off_master"
  stop_pid "$on_master"
  # The hits FastIngest (as built) counted: its own counter, then, after a graceful stop that writes
  # every hit it received, what reached ClickHouse.
  local metrics counted served_fast=${served[$fast_pid]} slack=${in_flight[$fast_pid]}
  metrics=$(metric "$fast_http" fastingest_pixel_requests_total)
  stop_pid "$noinline_pid"
  stop_pid "$fast_pid"
  counted=$(ch_query "SELECT sum(hits) FROM cmp_pixel.pixel_1m FORMAT TSV")
  echo "pixel hits: wrk completed $served_fast (warm-ups included, up to $slack more left in flight); /metrics fastingest_pixel_requests_total $metrics; ClickHouse sum(hits) $counted" >&2
  local hit_verdict=PASS
  if [ "$counted" -lt "$served_fast" ] || [ "$counted" -gt $((served_fast + slack)) ] || [ "$metrics" != "$counted" ]; then hit_verdict=MISS; fi

  ratio_row "pixel req/s, pixel port (as built)" pixel:fastingest 0 "" "NGINX empty_gif, access_log off" pixel:nginx_off ">=" 1.0
  ratio_row "pixel server CPU µs/request, pixel port (as built)" pixelcpu:fastingest 1 "" "NGINX empty_gif, access_log off (its worker)" pixelcpu:nginx_off "<=" 1.0
  ratio_row "pixel req/s, pixel port (as built)" pixel:fastingest 0 "" "NGINX empty_gif, access_log on (JSON)" pixel:nginx_on ">=" —
  ratio_row "pixel req/s, 16 pipelined per connection (as built)" pixel:fastingest_pipelined 0 "" "NGINX empty_gif, log off, 16 pipelined" pixel:nginx_pipelined ">=" 5
  ratio_row "pixel server CPU µs/request, 16 pipelined (as built)" pixelcpu:fastingest_pipelined 2 "" "NGINX, 16 pipelined (its worker)" pixelcpu:nginx_pipelined "<=" —
  row "pixel hits counted (as built, every round)" "$(fmt "$counted") in ClickHouse, $(fmt "$metrics") in /metrics" "wrk's completed requests" \
    "$(fmt "$served_fast") (+ ≤ $(fmt "$slack") in flight)" "—" "every hit counted" "$hit_verdict"
  ratio_row "pixel req/s, inline scheduling off (not the default)" pixel:fastingest_noinline 0 "" "NGINX empty_gif, access_log off" pixel:nginx_off ">=" —
  ratio_row "pixel server CPU µs/request, inline scheduling off (not the default)" pixelcpu:fastingest_noinline 1 "" "NGINX empty_gif, access_log off (its worker)" pixelcpu:nginx_off "<=" —
  ratio_row "pixel req/s, 16 pipelined, inline scheduling off (not the default)" pixel:fastingest_noinline_pipelined 0 "" "NGINX empty_gif, log off, 16 pipelined" pixel:nginx_pipelined ">=" —
}

# --- UDP syslog ---------------------------------------------------------------------------------------

# The C-speed ceiling: one socket with FastIngest's kernel buffer, recvmmsg of 64 datagrams into 64 KiB
# buffers per call, a count, nothing else; the count goes to a file 10 times a second for LoadGen.
build_udp_ceiling() {
  cat >"$work/udp-ceiling.c" <<'EOF'
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { BATCH = 64, SIZE = 65536 };
static char buffers[BATCH][SIZE];
static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static void report(const char *path, const char *tmp, unsigned long long count) {
  FILE *f = fopen(tmp, "w");
  if (f == NULL) return;
  fprintf(f, "%llu", count);
  fclose(f);
  rename(tmp, path); /* whole: the reader never sees a half-written number */
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: udp-ceiling PORT COUNT-FILE\n"); return 2; }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 32 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct timeval timeout = { 0, 100000 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct sockaddr_in address = { 0 };
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)atoi(argv[1]));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("bind"); return 1; }
  struct sigaction action = { 0 };
  action.sa_handler = on_signal; /* no SA_RESTART: recvmmsg returns EINTR */
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);

  static struct mmsghdr messages[BATCH];
  static struct iovec vectors[BATCH];
  for (int i = 0; i < BATCH; i++) {
    vectors[i].iov_base = buffers[i];
    vectors[i].iov_len = SIZE;
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
  unsigned long long count = 0;
  struct timespec last, now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &last);
  report(argv[2], tmp, 0);
  while (!stopping) {
    int n = recvmmsg(fd, messages, BATCH, MSG_WAITFORONE, NULL);
    if (n > 0) count += (unsigned long long)n;
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { perror("recvmmsg"); return 1; }
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now); /* one clock read per batch, as FastIngest */
    if ((now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) >= 100000000L) {
      report(argv[2], tmp, count);
      last = now;
    }
  }
  report(argv[2], tmp, count);
  return 0;
}
EOF
  cc -O2 -Wall -Wextra -o "$work/udp-ceiling" "$work/udp-ceiling.c"
}

udp_search() {
  # udp_search OUT ARGS...: the highest loss-free rate, LoadGen pinned to the load CPU.
  local out=$1; shift
  taskset -c "$LOAD_CPU" "${loadgen[@]}" udp --search --rate "$UDP_START" --search-steps 3 --duration "$UDP_STEP" \
    --tenants "$TENANTS" "$@" 2>&1 | tee "$out" >&2 || true
}

# udp_drops PORT: datagrams the kernel dropped on the sockets bound to PORT (/proc/net/udp's last column).
udp_drops() { awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p { s += $NF } END { print s + 0 }' /proc/net/udp; }

# udp_record KEY ROUND OUT: the best rate, and whether the generator was the limit.
udp_record() {
  local key=$1 round=$2 out=$3 rate limited
  rate=$(result_field "$out" best_rate); limited=$(result_field "$out" sender_limited)
  [ -n "$rate" ] || { echo "compare.sh: WARNING: no UDP result for $key round $round" >&2; return 0; }
  put "$key" "$round" "$rate"
  [ "$limited" != 1 ] || put "limited:$key" "$round" 1
}

compare_udp() {
  log "UDP syslog: highest loss-free rate, $TENANTS tenants, ${UDP_STEP}s steps from $UDP_START/s, $ROUNDS interleaved rounds"
  build_udp_ceiling
  # 10,000 tenants from one address: issue 13's admission would refuse them past half a shard's
  # table (0 = no limit); MaxTenants is the total over the shards, each holding its share rounded up,
  # and the tenants' hash spreads them unevenly, so twice the tenants leaves room on any shard count.
  local -a udp_args=(--FastIngest:Aggregation:NewTenantsPerMinutePerDoor=0 --FastIngest:Aggregation:NewTenantsPerMinutePerAddress=0
    --FastIngest:Aggregation:MaxTenants=$((TENANTS * 2)) --FastIngest:Syslog:UdpReceivers="$UDP_RECEIVERS")
  local round port dir pid out rss rejected drops
  for round in $(seq 1 "$ROUNDS"); do
    # FastIngest as built (one fresh server per round), counted in ClickHouse.
    start_fastingest "cmp_udp_$round" -- "${udp_args[@]}"
    out="$work/udp-fastingest-$round.txt"
    echo "  round $round: FastIngest" >&2
    udp_search "$out" --port "$fi_udp" --clickhouse "http://127.0.0.1:$ch_port" --database "cmp_udp_$round" --server-pid "$fi_pid"
    rejected=$(metric "$fi_http" fastingest_rejected_total)
    drops=$(metric "$fi_http" fastingest_udp_kernel_drops_total)
    stop_pid "$fi_pid"
    udp_record udp:fastingest "$round" "$out"
    rss=$(result_field "$out" server_peak_rss_mb)
    [ -z "$rss" ] || put udp:rss "$round" "$rss"
    put udp:rejected "$round" "$rejected"
    echo "  FastIngest round $round: lines refused (fastingest_rejected_total) $rejected, kernel drops over the lossy steps $drops, peak RSS $rss MB" >&2

    # rsyslog imudp → omfile, the message as one line, counted as lines in the file.
    dir="$work/rsyslog-$round"
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
    pid=$!
    started+=("$pid")
    sleep 1
    echo "  round $round: rsyslog" >&2
    out="$work/udp-rsyslog-$round.txt"
    udp_search "$out" --port "$port" --count-lines "$dir/out.log" --server-pid "$pid"
    echo "  rsyslog round $round: kernel drops over the lossy steps $(udp_drops "$port")" >&2
    stop_pid "$pid"
    udp_record udp:rsyslog "$round" "$out"
    rm -f "$dir/out.log"

    # The C ceiling.
    alloc_port port
    taskset -c "$SERVER_CPU" "$work/udp-ceiling" "$port" "$work/ceiling-$round.count" >"$work/ceiling-$round.log" 2>&1 &
    pid=$!
    started+=("$pid")
    for _ in $(seq 1 50); do [ -s "$work/ceiling-$round.count" ] && break; sleep 0.1; done
    echo "  round $round: C recvmmsg ceiling" >&2
    out="$work/udp-ceiling-$round.txt"
    udp_search "$out" --port "$port" --count-file "$work/ceiling-$round.count" --server-pid "$pid"
    echo "  C ceiling round $round: kernel drops over the lossy steps $(udp_drops "$port")" >&2
    stop_pid "$pid"
    udp_record udp:ceiling "$round" "$out"
    echo "  load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done

  local refused_total; refused_total=$(awk '$1 == "udp:rejected" { s += $3 } END { printf "%.0f", s }' "$results")
  local honest=""; [ "$refused_total" = 0 ] || honest="$refused_total lines refused by the server: the rate is not loss-free counting"
  ratio_row "UDP loss-free datagrams/s, $(fmt "$TENANTS") tenants, $(receivers_text) (as built)" udp:fastingest 0 "" \
    "C recvmmsg counting loop (64 per call)" udp:ceiling ">=" 0.9 "$honest"
  ratio_row "UDP loss-free datagrams/s, $(fmt "$TENANTS") tenants, $(receivers_text) (as built)" udp:fastingest 0 "" \
    "rsyslog imudp → omfile" udp:rsyslog ">=" 1.3 "$honest"
  abs_row "UDP server peak RSS (VmHWM), $(fmt "$TENANTS") tenants" udp:rss 0 " MB" "<" 150 max
  abs_row "UDP lines refused (fastingest_rejected_total)" udp:rejected 0 "" "<=" 0 max
}

# --- import: FastIngest's import vs ClickHouse's own insert and GoAccess -------------------------------

# import_run FORMAT KEY ROUND FILE: FastIngest's import of FILE into a fresh database, wall clock from
# start to exit (startup, schema, the final flush included), unpinned; lines/s, peak RSS, lines counted.
import_run() {
  local format=$1 key=$2 round=$3 file=$4 database="cmp_${2}_$3" start end counted refused reasons rss
  start=$(now)
  /usr/bin/time -v -o "$work/time-$database.txt" dotnet "$server_dll" import --format "$format" --tenant bulk \
    --FastIngest:ClickHouse:Url="http://127.0.0.1:$ch_port" --FastIngest:ClickHouse:Database="$database" \
    --FastIngest:StateDirectory="$work/state-$database" "$file" 2>"$work/import-$database.log"
  end=$(now)
  rss=$(sed -n 's/^\s*Maximum resident set size (kbytes): *//p' "$work/time-$database.txt")
  counted=$(ch_query "SELECT sum(requests) FROM $database.traffic_1m FORMAT TSV")
  put "import:$key" "$round" "$(calc "$LINES / ($end - $start)")"
  put "importrss:$key" "$round" "$(calc "$rss / 1024")"
  # Lines the import refused are in ingest_errors with their reason: counted + refused must be the file.
  refused=$(ch_query "SELECT sum(count) FROM $database.ingest_errors FORMAT TSV")
  reasons=$(ch_query "SELECT reason, sum(count) FROM $database.ingest_errors GROUP BY reason ORDER BY reason FORMAT TSV" | tr '\t\n' '  ')
  put "importcounted:$key" "$round" "$counted"
  put "importrefused:$key" "$round" "$refused"
  echo "  round $round: FastIngest import $format: $(tail -n 1 "$work/import-$database.log"); $(calc "$end - $start" 2) s end to end, peak RSS $(calc "$rss / 1024") MB, $counted lines in traffic_1m, $refused in ingest_errors ($reasons)" >&2
  [ $((counted + refused)) = "$LINES" ] || echo "compare.sh: WARNING: $database: $counted lines counted + $refused refused, not $LINES" >&2
  ch_query "DROP DATABASE IF EXISTS $database" >/dev/null
}

# import_note KEY: what every round's import counted, when it is not every line of the file.
import_note() {
  local counted refused
  counted=$(awk -v k="importcounted:$1" '$1 == k { print $3 }' "$results" | sort -u | paste -sd/ -)
  refused=$(awk -v k="importrefused:$1" '$1 == k { print $3 }' "$results" | sort -u | paste -sd/ -)
  [ "$counted" != "$LINES" ] || return 0
  echo "counted $counted of $LINES lines, $refused refused (ingest_errors; values of the rounds, / between differing ones)"
}

compare_import() {
  log "import: $(fmt "$LINES") lines, FastIngest import vs ClickHouse's typed JSONEachRow insert and GoAccess, $ROUNDS interleaved rounds, both CPUs"
  "${loadgen[@]}" gen-file --format json --count "$LINES" --tenants 1000 --out "$work/import.json" >&2
  "${loadgen[@]}" gen-file --format typed --count "$LINES" --tenants 1000 --out "$work/import.typed.json" >&2
  "${loadgen[@]}" gen-file --format combined --count "$LINES" --tenants 1000 --out "$work/import.log" >&2
  local goaccess_file="$work/import.log"
  if [ "$GOACCESS_LINES" -lt "$LINES" ]; then
    goaccess_file="$work/goaccess.log"
    head -n "$GOACCESS_LINES" "$work/import.log" >"$goaccess_file"
  fi
  # The ClickHouse server may use both CPUs for its own insert (it is pinned to the load CPU for the
  # other sections); FastIngest's import sends it only counters.
  taskset -a -p -c "0-$(($(nproc) - 1))" "$ch_pid" >/dev/null
  local round start end count
  for round in $(seq 1 "$ROUNDS"); do
    import_run json json "$round" "$work/import.json"

    # The peer: typed rows (numbers as numbers, DateTime) of the same requests, what a user loads
    # after converting the lines themselves, through ClickHouse's own client.
    ch_query "CREATE DATABASE IF NOT EXISTS cmp_peer" >/dev/null
    ch_query "CREATE TABLE cmp_peer.nginx_typed_$round (time DateTime('UTC'), tenant String, remote_addr String,
      request_method String, uri String, status UInt16, body_bytes_sent UInt64, bytes_sent UInt64,
      request_time Float64, upstream_cache_status String, http_host String, http_referer String,
      http_user_agent String) ENGINE = MergeTree() PARTITION BY toYYYYMM(time) ORDER BY (tenant, time)" >/dev/null
    start=$(now)
    clickhouse-client --port "$ch_tcp_port" --query "INSERT INTO cmp_peer.nginx_typed_$round FORMAT JSONEachRow" <"$work/import.typed.json"
    end=$(now)
    count=$(ch_query "SELECT count() FROM cmp_peer.nginx_typed_$round FORMAT TSV")
    [ "$count" = "$LINES" ] || { echo "compare.sh: cmp_peer.nginx_typed_$round holds $count rows, not $LINES" >&2; exit 1; }
    put import:clickhouse "$round" "$(calc "$LINES / ($end - $start)")"
    echo "  round $round: clickhouse-client typed insert $(calc "$end - $start" 2) s" >&2
    ch_query "DROP TABLE cmp_peer.nginx_typed_$round" >/dev/null

    import_run combined combined "$round" "$work/import.log"

    start=$(now)
    goaccess "$goaccess_file" --log-format=COMBINED --no-global-config --no-progress \
      -o "$work/goaccess.json" >/dev/null 2>"$work/goaccess.err"
    end=$(now)
    put import:goaccess "$round" "$(calc "$GOACCESS_LINES / ($end - $start)")"
    echo "  round $round: GoAccess $(calc "$end - $start" 2) s for $GOACCESS_LINES lines" >&2
    echo "  load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
  taskset -a -p -c "$LOAD_CPU" "$ch_pid" >/dev/null

  local json_note combined_note
  json_note=$(import_note json); combined_note=$(import_note combined)
  abs_row "JSON import lines/s, $(fmt "$LINES") lines, end to end" import:json 0 "" ">=" 1000000 median "$json_note"
  ratio_row "JSON import lines/s, $(fmt "$LINES") lines, end to end" import:json 0 "" "clickhouse-client INSERT … FORMAT JSONEachRow, typed rows (13 columns)" import:clickhouse ">=" 1.0 "$json_note"
  abs_row "JSON import peak RSS" importrss:json 0 " MB" "<" 200 max
  abs_row "combined import lines/s, $(fmt "$LINES") lines, end to end" import:combined 0 "" ">=" 2000000 median "$combined_note"
  ratio_row "combined import lines/s, $(fmt "$LINES") lines, end to end" import:combined 0 "" "GoAccess $(goaccess --version 2>/dev/null | sed -n 's/^GoAccess - \([0-9.]*[0-9]\).*/\1/p') → JSON report, first $(fmt "$GOACCESS_LINES") lines of the file" import:goaccess ">=" —
  abs_row "combined import peak RSS" importrss:combined 0 " MB" "<" 200 max
}

# --- parse: interleaved rounds in one process ---------------------------------------------------------

compare_parse() {
  # FastIngest.Benchmarks' `rounds` mode (ParseRounds.cs): the walk, the parser and JsonSerializer over the
  # same 4,096 lines, 60 warm-up passes (past tiering) then PARSE_PASSES passes in rotating order, medians
  # per line. Not BenchmarkDotNet's short job: run out of process here it put the parser at 0.11-0.18x the
  # walk (4.3 µs a line) where the rounds put the same build at 0.6 µs: three iterations leave the parser
  # short of its final tier.
  log "parse: FastIngest.Benchmarks rounds $PARSE_PASSES, $PARSE_ROUNDS runs"
  dotnet build bench/FastIngest.Benchmarks -c Release --nologo -v quiet >&2
  local run line
  for run in $(seq 1 "$PARSE_ROUNDS"); do
    line=$(taskset -c "$SERVER_CPU" dotnet bench/FastIngest.Benchmarks/bin/Release/net10.0/FastIngest.Benchmarks.dll rounds "$PARSE_PASSES" | tee "$work/parse-$run.log" | grep '^RESULT ' || true)
    [ -n "$line" ] || { echo "compare.sh: WARNING: no parse result in run $run" >&2; tail -n 20 "$work/parse-$run.log" >&2; continue; }
    python3 - "$run" "$line" >>"$results" <<'EOF'
import sys
run, fields = sys.argv[1], dict(f.split("=") for f in sys.argv[2].split()[1:])
for name, key in (("parser", "parser_ns"), ("walk", "walk_ns"), ("serializer", "serializer_ns"), ("combined", "combined_ns")):
    print(f"parse:{name} {run} {1e9 / float(fields[key]):.0f}")
print(f"parsealloc:parser {run} {float(fields['parser_bytes_per_line']):.0f}")
EOF
    echo "  run $run: $line" >&2
  done
  ratio_row "JSON parse lines/s, one core (NginxJsonParser)" parse:parser 0 "" \
    "bare Utf8JsonReader token walk" parse:walk ">=" 0.9
  ratio_row "JSON parse lines/s, one core (NginxJsonParser)" parse:parser 0 "" \
    "JsonSerializer.Deserialize to a class" parse:serializer ">=" 2
  row "combined-format parse lines/s, one core (CombinedLogParser)" "$(figure parse:combined 0 "")" "—" "—" "—" "—" "—"
  abs_row "JSON parse bytes allocated per line (NginxJsonParser)" parsealloc:parser 0 " B" "<=" 0 max
}

# print_table [NOTE]: the header and every row so far, to stdout.
print_table() {
  local elapsed; elapsed=$(calc "$(now) - $began")
  table_printed=1
  # shellcheck disable=SC1091 # the machine's own file
  cat <<EOF

${1:-}FastIngest vs peers — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),
$(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo " (modified)");
load average $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $elapsed s in all.
Servers on CPU $SERVER_CPU, load and ClickHouse on CPU $LOAD_CPU (imports: both); $ROUNDS interleaved rounds per row, median (min–max);
wrk -t1 -c64 ${WARMUP}s + ${DURATION}s; UDP steps ${UDP_STEP}s from $UDP_START/s, $(receivers_text); $LINES-line import files.

| work | FastIngest | peer | peer's figure | ratio | target | verdict |
|---|---:|---|---:|---:|---:|---|
EOF
  printf '%s\n' "${rows[@]}"
}

# --- run --------------------------------------------------------------------------------------------

began=$(now)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
install_missing
log "building (Release)"
dotnet build src/FastIngest.Server -c Release --nologo -v quiet >&2
dotnet build bench/FastIngest.LoadGen -c Release --nologo -v quiet >&2

alloc_port ch_port
alloc_port ch_tcp_port
alloc_port ch_interserver_port
log "private ClickHouse on 127.0.0.1:$ch_port (CPU $LOAD_CPU)"
ch_pid=$(taskset -c "$LOAD_CPU" clickhouse/private-server.sh start "$clickhouse_dir" "$ch_port" "$ch_tcp_port" "$ch_interserver_port" | tail -n 1)

for section in pixel udp import parse; do
  if has_section "$section"; then "compare_$section"; fi
done

print_table
