#!/usr/bin/env bash
# Builds LiveIm and runs every test: unit tests, client and adapter tests against real nats-server and redis-server,
# and end-to-end tests with RoomService and two gateways. Servers are started by the tests on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v nats-server >/dev/null 2>&1 || [[ -x /usr/sbin/nats-server ]] || need_apt+=(nats-server)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || need_apt+=(redis-server)
# The deployment tests (tests/LiveIm.Deploy.Tests): promtool and prometheus, docker-compose config.
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "test.sh: missing ${need_apt[*]}: run 'sudo apt-get install -y ${need_apt[*]}' and try again" >&2
    exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is missing: install it from https://dot.net and try again" >&2
  exit 1
fi

# --- Browser SDK and demo room (clients/js, tests/LiveIm.BrowserTests) -------------------------------------------
# The SDK's unit tests need Node.js and npm; the browser tests need Debian's chromium. Installed with apt-get when
# missing (as root); otherwise this stops with what to install: those tests are never skipped silently.
need_apt=()
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
[[ -x "${LIVEIM_CHROMIUM:-/usr/bin/chromium}" ]] || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "test.sh: missing ${need_apt[*]} (the JavaScript SDK tests and the browser tests need them):" \
         "run 'sudo apt-get install -y ${need_apt[*]}' and try again" >&2
    exit 1
  fi
fi
if ! (cd clients/js && npm ci --no-audit --no-fund --loglevel=error); then
  echo "test.sh: 'npm ci' in clients/js failed (is the npm registry reachable?); the SDK and browser tests cannot run" >&2
  exit 1
fi
js_status=0
(cd clients/js && npm test) || js_status=$?
# -----------------------------------------------------------------------------------------------------------------

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore LiveIm.sln
dotnet build LiveIm.sln -c Release --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

# --- .NET tests ------------------------------------------------------------------------------------------------------
# The output shows each test's result and the failures; the servers and hosts the tests start log to one file each in
# TestResults/logs/ (LiveIm.Testing's TestLogs), kept when a test fails and removed after a green run.
export LIVEIM_TEST_LOGS="$PWD/TestResults/logs"
rm -rf "$LIVEIM_TEST_LOGS"
mkdir -p "$LIVEIM_TEST_LOGS"
# One test project at a time: the integration projects start real servers and several ASP.NET hosts, and two
# cores run them more reliably in sequence than in parallel.
dotnet test LiveIm.sln -c Release --no-build -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# --- summary ---------------------------------------------------------------------------------------------------------

# One closing line for CI: the sum of every project's summary block ("Passed: n", "Failed: n", "Skipped: n").
read -r passed failed skipped < <(grep -E '^ +(Passed|Failed|Skipped): +[0-9]+ *$' "$log" |
  awk '$1=="Passed:"{p+=$2} $1=="Failed:"{f+=$2} $1=="Skipped:"{s+=$2} END {print p+0, f+0, s+0}')
if grep -qE '^Test Run (Aborted|Failed)' "$log"; then status=1; fi
# Failures are repeated at the end, so the tail of a CI log names them.
if grep -qE '^  Failed LiveIm\.' "$log"; then
  echo "failed tests:"
  grep -E '^  Failed LiveIm\.' -A4 "$log" | grep -vE '^ +Stack Trace:' | sed 's/^/  /' | head -60
fi
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  echo "server logs of this run: $LIVEIM_TEST_LOGS/ (one file per test fixture host and server process)"
else
  rm -rf "$LIVEIM_TEST_LOGS"
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
# The SDK's own tests (node:test, above) count apart from the .NET summary.
if [[ $js_status -ne 0 ]]; then echo "clients/js: the SDK's unit tests failed (see 'npm test' above)"; status=1; fi
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
