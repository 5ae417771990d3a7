#!/usr/bin/env bash
# Dashboard API latency with 10,000 tenants and a year of data (issue 17).
# Generates the rollup rows straight into ClickHouse (INSERT ... SELECT FROM numbers()), starts the
# Release server against that database, and times each /api/v1 endpoint with curl (median and p95 of
# CALLS calls each, after one warm-up call).
#   CH=http://127.0.0.1:8123 DB=dashbench CALLS=15 bench/dashboard-data.sh [--no-generate]
# Needs: a built Release server (dotnet build FastIngest.sln -c Release), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
CH=${CH:-http://127.0.0.1:8123}
DB=${DB:-dashbench}
CALLS=${CALLS:-15}
TENANTS=${TENANTS:-10000}
HTTP_PORT=${HTTP_PORT:-28180}
GENERATE=1
[ "${1:-}" = "--no-generate" ] && GENERATE=0

q() { curl -sS --fail-with-body "$CH/" --data-binary "$1"; }
now_hour=$(date -u +%Y-%m-%dT%H:00:00Z)
today=$(date -u +%Y-%m-%d)
year_ago=$(date -u -d "$today -365 days" +%Y-%m-%d)
state=$(mktemp -d)
server_bin=src/FastIngest.Server/bin/Release/net10.0/FastIngest.Server

# The server applies clickhouse/schema.sql to $DB at start; the rows are generated after.
"$server_bin" --FastIngest:Http:BindAddress=127.0.0.1 --FastIngest:Http:Port=$HTTP_PORT \
  --FastIngest:Pixel:Port=$((HTTP_PORT + 1)) --FastIngest:Syslog:BindAddress=127.0.0.1 \
  --FastIngest:Syslog:UdpPort=$((HTTP_PORT + 2)) --FastIngest:Syslog:TcpPort=$((HTTP_PORT + 2)) \
  --FastIngest:ClickHouse:Url="$CH" --FastIngest:ClickHouse:Database="$DB" \
  --FastIngest:StateDirectory="$state" --FastIngest:Retention:Enabled=false \
  --FastIngest:Events:RequestsPerSecond=0 >"$state/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/api/v1/me" && break; sleep 1; done

if [ $GENERATE = 1 ]; then
  T=$TENANTS
  tenant="concat('t', toString(10000 + number % $T))"
  echo "generating: $T tenants, days $year_ago .. $today (UTC)" >&2
  time_it() { local s; s=$(date +%s.%N); q "$2"; printf '  %-12s %6.1f s\n' "$1" "$(echo "$(date +%s.%N) - $s" | bc)" >&2; }
  # A year of days, every tenant every day.
  time_it traffic_1d "INSERT INTO $DB.traffic_1d (tenant, day, requests, bytes_sent, body_bytes_sent, status_2xx, status_4xx, status_5xx, cache_hit, cache_miss)
    SELECT $tenant, toDate('$year_ago') + intDiv(number, $T), 1000 + number % 97, 500000 + number % 9973, 400000, 900, 90, 10 + number % 7, 600, 300
    FROM numbers($T * 366)"
  time_it pixel_1d "INSERT INTO $DB.pixel_1d (tenant, key, day, hits) SELECT $tenant, concat('k', toString(intDiv(number, $T * 366))), toDate('$year_ago') + intDiv(number, $T) % 366, 50 + number % 13 FROM numbers($T * 366 * 2)"
  time_it events_1d "INSERT INTO $DB.events_1d SELECT $tenant, toDate('$year_ago') + intDiv(number, $T) % 366, ['page_view','click','signup'][1 + intDiv(number, $T * 366)], concat('/page', toString(number % 7)), 20 + number % 11 FROM numbers($T * 366 * 3)"
  time_it paths_1d "INSERT INTO $DB.paths_1d SELECT $tenant, toDate('$year_ago') + intDiv(number, $T) % 366, concat('/file', toString(intDiv(number, $T * 366)), '.bin'),
    arrayReduce('sumState', [toUInt64(100 + number % 17)]), arrayReduce('sumState', [toUInt64(100000 + number % 1013)]), arrayReduce('sumState', [toUInt64(60)]), arrayReduce('sumState', [toUInt64(40)]), arrayReduce('maxState', [toDateTime('$today 00:00:00', 'UTC')])
    FROM numbers($T * 366 * 5)"
  time_it visitors_1d "INSERT INTO $DB.visitors_1d SELECT $tenant, toDate('$year_ago') + intDiv(number, $T), '', arrayReduce('uniqState', [number, number + 1, number + 2]) FROM numbers($T * 366)"
  # A year of hours (the hour grain and the day grain of a zone other than UTC read traffic_1h).
  time_it traffic_1h "INSERT INTO $DB.traffic_1h (tenant, hour, requests, bytes_sent, body_bytes_sent, status_2xx, status_5xx, cache_hit, cache_miss)
    SELECT $tenant, toDateTime('$year_ago 00:00:00', 'UTC') + intDiv(number, $T) * 3600, 40 + number % 7, 20000 + number % 997, 16000, 39, 1, 25, 12
    FROM numbers($T * 366 * 24)"
  # Fourteen days of hours for the other hour tables, one day of minutes.
  time_it pixel_1h "INSERT INTO $DB.pixel_1h SELECT $tenant, toDateTime('$today 00:00:00', 'UTC') - 14 * 86400 + intDiv(number, $T) * 3600, 'k0', 3 FROM numbers($T * 15 * 24)"
  time_it events_1h "INSERT INTO $DB.events_1h SELECT $tenant, toDateTime('$today 00:00:00', 'UTC') - 14 * 86400 + intDiv(number, $T) * 3600, 'page_view', concat('/page', toString(number % 7)), 2 FROM numbers($T * 15 * 24)"
  time_it paths_1h "INSERT INTO $DB.paths_1h SELECT $tenant, toDateTime('$today 00:00:00', 'UTC') - 14 * 86400 + intDiv(number, $T) % (15 * 24) * 3600, concat('/file', toString(intDiv(number, $T * 15 * 24)), '.bin'),
    arrayReduce('sumState', [toUInt64(4)]), arrayReduce('sumState', [toUInt64(4000)]), arrayReduce('sumState', [toUInt64(3)]), arrayReduce('sumState', [toUInt64(1)]), arrayReduce('maxState', [toDateTime('$today 00:00:00', 'UTC')])
    FROM numbers($T * 15 * 24 * 3)"
  time_it traffic_1m "INSERT INTO $DB.traffic_1m (tenant, minute, requests, bytes_sent, status_2xx, cache_hit) SELECT $tenant, toDateTime('$today 00:00:00', 'UTC') - 86400 + intDiv(number, $T) * 60, 1, 500, 1, 1 FROM numbers($T * 48 * 60)"
  time_it ingest_errors "INSERT INTO $DB.ingest_errors SELECT toDateTime('$today 00:00:00', 'UTC') - intDiv(number, $T) * 3600, 'syslog', $tenant, ['bad_json','too_long'][1 + number % 2], 1, '' FROM numbers($T * 24 * 30)"
  q "SELECT 'rows', sum(rows) FROM system.parts WHERE database = '$DB' AND active FORMAT TSV" >&2
fi

base="http://127.0.0.1:$HTTP_PORT"
t=t14999
h6=$(date -u -d "$now_hour -6 hours" +%Y-%m-%dT%H:%M:%SZ)
d1=$(date -u -d "$now_hour -24 hours" +%Y-%m-%dT%H:%M:%SZ)
d7=$(date -u -d "$today -7 days" +%Y-%m-%dT00:00:00Z)
d30=$(date -u -d "$today -30 days" +%Y-%m-%dT00:00:00Z)
y1=$(date -u -d "$today -365 days" +%Y-%m-%dT00:00:00Z)
end=$(date -u -d "$today +1 day" +%Y-%m-%dT00:00:00Z)
measure() { # name url
  curl -s -o /dev/null "$2"
  for _ in $(seq 1 "$CALLS"); do curl -s -o /dev/null -w '%{time_total}\n' "$2"; done |
    python3 -c "import sys,statistics as s; v=sorted(float(x)*1000 for x in sys.stdin); print(f'| {sys.argv[1]} | {s.median(v):.0f} | {v[max(0,int(round(0.95*len(v)))-1)]:.0f} |')" "$1"
}
echo "| endpoint (tenant $t of $TENANTS) | median ms | p95 ms |"
echo "|---|---:|---:|"
measure "me" "$base/api/v1/me"
measure "tenants (all, limit 200)" "$base/api/v1/tenants"
measure "tenants?q=t149" "$base/api/v1/tenants?q=t149"
for p in summary traffic status cache top_files_downloads top_files_bytes visitors pixel events event_paths refusals; do
  measure "$p, 12 months UTC" "$base/api/v1/tenants/$t/panels/$p?from=$y1&to=$end"
done
measure "traffic, 12 months Europe/Berlin" "$base/api/v1/tenants/$t/panels/traffic?from=$y1&to=$end&tz=Europe/Berlin"
measure "summary, 12 months Europe/Berlin" "$base/api/v1/tenants/$t/panels/summary?from=$y1&to=$end&tz=Europe/Berlin"
measure "traffic, 30 d" "$base/api/v1/tenants/$t/panels/traffic?from=$d30&to=$end"
measure "traffic, 7 d (hours)" "$base/api/v1/tenants/$t/panels/traffic?from=$d7&to=$end"
measure "summary, 7 d" "$base/api/v1/tenants/$t/panels/summary?from=$d7&to=$end"
measure "top_files_downloads, 7 d" "$base/api/v1/tenants/$t/panels/top_files_downloads?from=$d7&to=$end"
measure "traffic, 24 h" "$base/api/v1/tenants/$t/panels/traffic?from=$d1&to=$now_hour"
measure "traffic, 6 h (minutes)" "$base/api/v1/tenants/$t/panels/traffic?from=$h6&to=$now_hour"
measure "summary, 6 h" "$base/api/v1/tenants/$t/panels/summary?from=$h6&to=$now_hour"
measure "traffic CSV, 12 months" "$base/api/v1/tenants/$t/panels/traffic?from=$y1&to=$end&format=csv"
