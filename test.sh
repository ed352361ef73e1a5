#!/usr/bin/env bash
# Builds LiveIm and runs every test: unit tests, protocol-client tests against real nats-server and redis-server,
# and end-to-end tests with RoomService and two gateways. Servers are started by the tests on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v nats-server >/dev/null 2>&1 || [[ -x /usr/sbin/nats-server ]] || need_apt+=(nats-server)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || need_apt+=(redis-server)
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
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
