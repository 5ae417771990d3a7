#!/usr/bin/env bash
# Installs what the tests need (clickhouse-server, zookeeper, docker-compose, nginx-light and its stream module, haproxy, rsyslog with its GnuTLS driver, openssl,
# wrk, logger, prometheus (promtool and a real Prometheus for the alert rules), npm and through it chDB,
# the modern ClickHouse of clickhouse/chdb.sh and the dashboard's uPlot, chromium for the dashboard's
# browser tests) when missing, builds, and runs every test of the solution. Integration tests start their
# own private ClickHouse, NGINX and rsyslogd on free loopback ports. Ends with one line: "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter Category!=Integration
set -euo pipefail
cd "$(dirname "$0")"

clickhouse/private-server.sh ensure-installed
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/rsyslogd ] || need+=(rsyslog)
# rsyslog's TLS stream driver (RFC 5425 forwarding) and s_client, for the syslog-over-TLS tests.
compgen -G '/usr/lib/*/rsyslog/lmnsd_gtls.so' >/dev/null || need+=(rsyslog-gnutls)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The balancers of deploy/balancer/ (tests/FastIngest.IntegrationTests/Nodes): NGINX's stream module and HAProxy 2.6;
# the packaged haproxy daemon must not start (policy-rc.d).
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v logger >/dev/null 2>&1 || need+=(bsdutils)
command -v npm >/dev/null 2>&1 || need+=(npm)
# Debian's chromium, driven by Playwright (tests/FastIngest.IntegrationTests/Dashboard): Playwright's own
# browser download cannot work on these machines.
[ -x /usr/bin/chromium ] || need+=(chromium)
# Debian's ZooKeeper 3.8 (and its Java) for the replicated ClickHouse cluster tests (issue 19); the tests
# run a private one (tests/FastIngest.IntegrationTests/Infrastructure/PrivateZooKeeper.cs), never the service.
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
# A compose client checks docker-compose*.yml (no engine needed): the docker CLI's plugin, else Debian's.
{ docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; } || need+=(docker-compose)
# promtool checks deploy/prometheus/alerts.yml; the packaged prometheus daemon must not start (policy-rc.d).
{ command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; } || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "test.sh: need root to install ${need[*]}" >&2; exit 1; }
  apt-get update -qq
  # The packaged nginx, rsyslog and prometheus daemons must not start (port 80, the machine's logs): the tests
  # run private ones. policy-rc.d is Debian's way to say so to the packages' scripts.
  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ "$had_policy" = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  installed=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null && installed=1
  [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
  [ "$installed" = 1 ] || { echo "test.sh: apt-get install ${need[*]} failed" >&2; exit 1; }
  service nginx stop >/dev/null 2>&1 || true
  service prometheus stop >/dev/null 2>&1 || true
  service haproxy stop >/dev/null 2>&1 || true
  service zookeeper stop >/dev/null 2>&1 || true
fi

# Modern ClickHouse (26.7) in-process for the tests that need it: npm, into tests/.chdb, once.
clickhouse/chdb.sh ensure-installed >/dev/null

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
[ "$skipped" -eq 0 ] || echo "(${skipped} skipped)"
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
