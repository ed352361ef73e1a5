#!/usr/bin/env bash
# Where an idle connection's memory goes: joins N receivers to one fan-out target, lets them sit idle, then reads the
# server process's memory (RSS split into anonymous and file-backed, the GC's own figures) and takes a heap snapshot
# (dotnet-dump, a heap dump: every type's count and bytes).
#
#   LoadTest/profile/heap-idle.sh <name> <liveim|signalr|raw> [fanout options...]
#   LoadTest/profile/heap-idle.sh lv liveim --connections 10000
#   LoadTest/profile/heap-idle.sh sr signalr --connections 10000
#
# Writes /tmp/liveim-heap/<name>.{md,err,types.txt,eeheap.txt,memory.txt,counters.json} (the dump itself is deleted).
# Needs dotnet-dump and dotnet-counters (`dotnet tool install -g dotnet-dump`, `dotnet tool install -g dotnet-counters`).
# (dotnet-gcdump works too, but its report gives one object's size per type, not the type's total.)
# The receivers are LoadTest's (anonymous, joined, idle: a ping every 15 s); one chat line is sent at the start of the
# step's warm-up (the schedule's first), no gifts; the snapshot is taken 4 s after the join storm ended (the fan-out
# report reads idle RSS after 2 s). The memory lines are read before anything attaches to the process: attaching
# (counters, the dump) costs the target a few MB of its own.
set -euo pipefail
name=${1:?name}; target=${2:?liveim|signalr|raw}; shift 2
case "$target" in
  liveim) pattern="RoomGateway.dll" ;;
  signalr) pattern="serve-signalr" ;;
  raw) pattern="serve-raw" ;;
  *) echo "target must be liveim, signalr or raw" >&2; exit 2 ;;
esac
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-dump >/dev/null || { echo "dotnet-dump is missing: dotnet tool install -g dotnet-dump" >&2; exit 1; }
root=$(cd "$(dirname "$0")/../.." && pwd)
out=/tmp/liveim-heap; mkdir -p "$out"
rm -f "$out/$name".*
dotnet build -c Release "$root/LoadTest" >/dev/null
dotnet "$root/LoadTest/bin/Release/net10.0/LoadTest.dll" fanout --targets "$target" --capacity off --chat-rate 0.1 \
  --gift-rate 0 --warmup 40s --duration 1s --drain-timeout 2s "$@" >"$out/$name.md" 2>"$out/$name.err" &
loadtest=$!
for _ in $(seq 1 600); do grep -q "joined" "$out/$name.err" 2>/dev/null && break; sleep 1; done
grep -q "joined" "$out/$name.err" || { echo "the join storm did not finish; see $out/$name.err" >&2; kill "$loadtest"; exit 1; }
sleep 4

# The server is a child of this LoadTest (other LoadTests may run on the machine).
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
pid=""
for p in $(descendants "$loadtest"); do
  if [ "$(cat /proc/$p/comm 2>/dev/null)" = dotnet ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "$pattern"; then pid=$p; break; fi
done
[ -n "$pid" ] || { echo "no $target server process under LoadTest $loadtest" >&2; kill "$loadtest"; exit 1; }

{
  echo "pid $pid ($target), $(grep -m1 joined "$out/$name.err" | sed 's/^ *//')"
  grep -E '^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM)' "/proc/$pid/status"
  grep -E '^(Anonymous|Private_Dirty)' "/proc/$pid/smaps_rollup" | sed 's/^/smaps /'
} >"$out/$name.memory.txt"
cp "/proc/$pid/smaps" "$out/$name.smaps"  # every mapping's RSS: LoadTest/profile/smaps-top.py reads it
dotnet-counters collect -p "$pid" --format json -o "$out/$name.counters.json" --duration 00:00:00:04 \
  --counters 'System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size,dotnet.gc.heap.total_allocated,dotnet.gc.collections,dotnet.process.memory.working_set,dotnet.gc.last_collection.heap.fragmentation.size]' >/dev/null 2>&1 || true
if [ -z "${NO_DUMP:-}" ]; then  # NO_DUMP=1: memory and GC figures only
  dotnet-dump collect -p "$pid" --type Heap -o "$out/$name.dump" >/dev/null
  echo "VmRSS after the dump: $(grep VmRSS "/proc/$pid/status" | awk '{print $2, $3}')" >>"$out/$name.memory.txt"
  # dumpheap -stat: every type's count and total size (live and dead objects alike: no GC is forced); -live: reachable only.
  dotnet-dump analyze "$out/$name.dump" -c "dumpheap -stat" -c exit >"$out/$name.types.txt"
  dotnet-dump analyze "$out/$name.dump" -c "dumpheap -stat -live" -c exit >"$out/$name.live.txt"
  dotnet-dump analyze "$out/$name.dump" -c "eeheap -gc" -c exit >"$out/$name.eeheap.txt"
  [ -n "${KEEP_DUMP:-}" ] || rm -f "$out/$name.dump"  # KEEP_DUMP=1 keeps it for dotnet-dump analyze
fi
wait "$loadtest" || true
grep -E "Memory" "$out/$name.md" | head -1 >>"$out/$name.memory.txt" || true
cat "$out/$name.memory.txt"
python3 - "$out/$name.counters.json" <<'EOF' || true
import json, sys
last = {}
try:
    data = json.load(open(sys.argv[1]))
    for e in data.get("Events", []):
        key = e["name"] + (" " + e["tags"] if e.get("tags") else "")
        last[key] = e["value"]
except Exception as ex:
    print("counters: unreadable:", ex)
for k, v in sorted(last.items()):
    print(f"counter {k}: {v:,.0f}")
EOF
if [ -z "${NO_DUMP:-}" ]; then
  by_size() { grep -E '^ *[0-9a-f]{12,16} ' "$1" | awk '{k=$3; gsub(",", "", k); print k "\t" $0}' | sort -n -r | cut -f2- | head -"$2"; }
  echo "largest types (all objects):"; by_size "$out/$name.types.txt" 30
  echo "largest types (live):"; by_size "$out/$name.live.txt" 40
  grep -E "^Total" "$out/$name.types.txt" "$out/$name.live.txt"; grep -E "GC (Allocated|Committed) Heap Size|Number of GC Heaps" "$out/$name.eeheap.txt"
fi
