#!/usr/bin/env bash
# Profiles one fan-out target's server process with Linux perf while LoadTest drives it.
#
#   LoadTest/profile/perf-fanout.sh <name> <liveim|signalr|raw> [fanout options...]
#   LoadTest/profile/perf-fanout.sh lv liveim --connections 10000 --tick-ms 1 --chat-rate 40 --gift-rate 5 \
#       --capacity off --warmup 10s --duration 15s
#
# Writes /tmp/liveim-profile/<name>.{md,err,data} and prints where the server's CPU went, by component
# (classify.py). Needs `perf` (Debian linux-perf). The runtime is told to write a perf map
# (DOTNET_PerfMapEnabled=1), to JIT everything rather than use ReadyToRun code (so every managed frame has a name),
# and not to double-map JIT code (W^X off; perf cannot name code in the double mapping).
set -euo pipefail
name=${1:?name}; target=${2:?liveim|signalr|raw}; shift 2
case "$target" in
  liveim) pattern="RoomGateway.dll" ;;
  signalr) pattern="serve-signalr" ;;
  raw) pattern="serve-raw" ;;
  *) echo "target must be liveim, signalr or raw" >&2; exit 2 ;;
esac
command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }
root=$(cd "$(dirname "$0")/../.." && pwd)
out=/tmp/liveim-profile; mkdir -p "$out"
dotnet build -c Release "$root/LoadTest" >/dev/null
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
dotnet "$root/LoadTest/bin/Release/net10.0/LoadTest.dll" fanout --targets "$target" "$@" >"$out/$name.md" 2>"$out/$name.err" &
loadtest=$!
# The first step starts with "step:"; profile 8 s from 6 s after it (pass --warmup 10s or more).
for _ in $(seq 1 900); do grep -q "step:" "$out/$name.err" 2>/dev/null && break; sleep 1; done
sleep 6
pid=""
for p in $(pgrep -f "$pattern"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = dotnet ] && pid=$p && break; done
[ -n "$pid" ] || { echo "no $target server process found" >&2; kill "$loadtest"; exit 1; }
perf record -F 499 -g -p "$pid" -o "$out/$name.data" -- sleep 8 2>&1 | tail -1
wait "$loadtest" || true
grep -E "pass|FAIL" "$out/$name.err" | tail -1
python3 "$(dirname "$0")/classify.py" "$out/$name.data"
