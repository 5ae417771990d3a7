#!/usr/bin/env bash
# A private ClickHouse on loopback with its data in a folder of ours; never the system service.
#   private-server.sh ensure-installed                        installs Debian's clickhouse-server if missing
#   private-server.sh start DATA_DIR HTTP_PORT [TCP [INTER]]  starts it (idempotent), prints its pid
#   private-server.sh stop DATA_DIR                           stops it (idempotent)
#   private-server.sh ping HOST PORT                          exit 0 when a ClickHouse answers /ping there
#   private-server.sh port-free PORT                          exit 0 when nothing listens on 127.0.0.1:PORT
# Needs only bash and coreutils (no curl): /ping is asked over bash's /dev/tcp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

find_server() {
  command -v clickhouse-server 2>/dev/null && return 0
  for p in /usr/bin/clickhouse-server /usr/sbin/clickhouse-server; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

port_in_use() { { (exec 3<>"/dev/tcp/127.0.0.1/$1"); } 2>/dev/null; }

ping_ok() {
  local host=$1 port=$2 reply
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  printf 'GET /ping HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
  reply="$(timeout 2 cat <&3 2>/dev/null || true)"
  exec 3<&- 3>&-
  [[ "$reply" == *"Ok."* ]]
}

free_port_from() {
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

ensure_installed() {
  find_server >/dev/null && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "private-server.sh: clickhouse-server is missing; install it as root" >&2; exit 1; }
    sudo=sudo
  fi
  echo "private-server.sh: installing Debian's clickhouse-server" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
  # Debian's postinst may start the system service on 8123/9000; ours must own those ports.
  $sudo service clickhouse-server stop >/dev/null 2>&1 || true
  find_server >/dev/null
}

start() {
  local dir=${1:?DATA_DIR} http=${2:?HTTP_PORT} tcp=${3:-} inter=${4:-}
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local pidfile="$dir/clickhouse.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && ping_ok 127.0.0.1 "$http"; then
    cat "$pidfile"; return 0
  fi
  if port_in_use "$http"; then
    echo "private-server.sh: port $http is taken by another process" >&2; exit 1
  fi
  [ -n "$tcp" ] || tcp=$(free_port_from $((http + 777)))
  [ -n "$inter" ] || inter=$(free_port_from $((tcp + 1)))
  mkdir -p "$dir/etc" "$dir/log" "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  sed -e "s#@DATA_DIR@#$dir#g" -e "s#@HTTP_PORT@#$http#g" -e "s#@TCP_PORT@#$tcp#g" -e "s#@INTERSERVER_PORT@#$inter#g" \
    "$here/server/config.xml" > "$dir/etc/config.xml"
  cp "$here/server/users.xml" "$dir/etc/users.xml"
  local server; server="$(find_server)" || { echo "private-server.sh: clickhouse-server not installed (run ensure-installed)" >&2; exit 1; }
  # setsid: a Ctrl-C meant for the caller must not reach ClickHouse before FastIngest has flushed.
  setsid "$server" --config-file="$dir/etc/config.xml" >"$dir/log/stdout.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$pidfile"
  for _ in $(seq 1 600); do
    if ping_ok 127.0.0.1 "$http"; then echo "$pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "private-server.sh: ClickHouse did not answer on port $http; last log lines:" >&2
  tail -n 30 "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  exit 1
}

stop() {
  local dir=${1:?DATA_DIR}
  local pidfile="$dir/clickhouse.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  ensure-installed) ensure_installed ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  ping) ping_ok "${2:?HOST}" "${3:?PORT}" ;;
  port-free) ! port_in_use "${2:?PORT}" ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
