#!/usr/bin/env bash
# Installs what the tests need (clickhouse-server, nginx-light, rsyslog) when missing, builds, and runs
# every test of the solution. Integration tests start their own private ClickHouse and NGINX on free
# loopback ports. Ends with one line: "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter Category!=Integration
set -euo pipefail
cd "$(dirname "$0")"

clickhouse/private-server.sh ensure-installed
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "test.sh: need root to install ${need[*]}" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts the packaged nginx on port 80; the tests run their own.
  service nginx stop >/dev/null 2>&1 || true
fi

dotnet build FastIngest.sln -c Release --nologo -v quiet

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test FastIngest.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test project: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, ..."
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run failed without a test result (build or host crash): never report it green
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
