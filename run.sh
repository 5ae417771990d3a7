#!/usr/bin/env bash
# Runs FastIngest in the foreground with its real dependencies.
# If no ClickHouse answers at FastIngest__ClickHouse__Url (default http://127.0.0.1:8123), installs
# Debian's clickhouse-server when missing and starts a private one on loopback with its data under
# ./.data/clickhouse. Ctrl-C (or SIGTERM) stops FastIngest gracefully, then the private ClickHouse.
# Extra arguments go to the server, e.g. ./run.sh --FastIngest:Syslog:UdpPort=5515
set -euo pipefail
cd "$(dirname "$0")"
# `./run.sh | tee log` and Ctrl-C: tee dies first; a write to it must not kill us before cleanup.
trap '' PIPE

url="${FastIngest__ClickHouse__Url:-http://127.0.0.1:8123}"
for arg in "$@"; do
  case "$arg" in --FastIngest:ClickHouse:Url=*) url="${arg#*=}" ;; esac
done
hostport="${url#*://}"; hostport="${hostport%%/*}"
ch_host="${hostport%%:*}"; ch_port="${hostport##*:}"
[ "$ch_port" = "$hostport" ] && ch_port=8123

started_clickhouse=""
stop_all() {
  if [ -n "$started_clickhouse" ]; then
    echo "run.sh: stopping the private ClickHouse" >&2 || true
    clickhouse/private-server.sh stop .data/clickhouse || true
  fi
}
trap stop_all EXIT

if clickhouse/private-server.sh ping "$ch_host" "$ch_port"; then
  echo "run.sh: using the ClickHouse that answers at $url" >&2
else
  case "$ch_host" in 127.*|localhost) ;; *) echo "run.sh: no ClickHouse answers at $url" >&2; exit 1 ;; esac
  clickhouse/private-server.sh ensure-installed
  echo "run.sh: starting a private ClickHouse on 127.0.0.1:$ch_port (data in .data/clickhouse)" >&2
  # TCP on 9000 when free, so a plain `clickhouse-client` reaches it as the README shows.
  tcp_port=""
  if [ "$ch_port" = 8123 ] && clickhouse/private-server.sh port-free 9000; then tcp_port=9000; fi
  clickhouse/private-server.sh start .data/clickhouse "$ch_port" $tcp_port >/dev/null
  started_clickhouse=1
fi

# The build takes the dashboard's chart library (uPlot) from the npm registry once (FastIngest.Server.csproj).
if ! command -v npm >/dev/null 2>&1 && [ ! -e src/FastIngest.Server/Dashboard/client/node_modules/uplot ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing npm (build time only, for the dashboard's chart library)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "run.sh: the build needs npm once (the dashboard's chart library): apt-get install -y npm" >&2
    exit 1
  fi
fi
dotnet build src/FastIngest.Server -c Release --nologo -v quiet
dotnet src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server.dll "$@" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
# The first wait returns when a signal arrives; the second waits for the graceful stop to finish.
wait "$server" || true
wait "$server" 2>/dev/null && status=0 || status=$?
exit "$status"
