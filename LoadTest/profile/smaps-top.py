#!/usr/bin/env python3
"""A process's resident memory by mapping, from a saved /proc/<pid>/smaps (heap-idle.sh writes <name>.smaps).

  python3 LoadTest/profile/smaps-top.py /tmp/liveim-heap/lv.smaps [/tmp/liveim-heap/sr.smaps]

Groups the mappings by what backs them (a file's name, [heap], [stack], or "anon <size class>" for anonymous ranges,
whose size says what reserved them: the GC's regions sit in one reservation of many GB, glibc's malloc arenas in 64 MB
ranges, thread stacks in 8 MB ones) and prints each group's RSS and anonymous KB, largest first. With two files it
prints both side by side and the difference."""
import re
import sys


def size_class(kb):
    if kb >= 1 << 20:  # >= 1 GB reserved: the GC's region range (or another runtime reservation)
        return "anon >=1GB"
    if kb >= 65536:
        return "anon 64MB-1GB"
    if kb >= 8192:
        return "anon 8-64MB"
    if kb >= 1024:
        return "anon 1-8MB"
    return "anon <1MB"


def read(path):
    """Mappings grouped by backing; contiguous anonymous mappings are one run (a reservation that mprotect split into
    committed and reserved parts), classed by the run's whole size."""
    maps = []
    head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")
    for line in open(path):
        m = head.match(line)
        if m:
            maps.append({"start": int(m[1], 16), "end": int(m[2], 16), "name": m[4].strip(), "Rss": 0, "Anonymous": 0})
            continue
        f = line.split()
        if maps and len(f) >= 2 and f[0].rstrip(":") in ("Rss", "Anonymous"):
            maps[-1][f[0].rstrip(":")] += int(f[1])
    runs = []
    for m in maps:
        if not m["name"] and runs and not runs[-1]["name"] and runs[-1]["end"] == m["start"]:
            r = runs[-1]
            r["end"] = m["end"]; r["Rss"] += m["Rss"]; r["Anonymous"] += m["Anonymous"]; r["maps"] += 1
        else:
            runs.append(dict(m, maps=1))
    groups = {}
    for r in runs:
        name = r["name"]
        key = name.rsplit("/", 1)[-1] if name.startswith("/") else name or size_class((r["end"] - r["start"]) // 1024)
        g = groups.setdefault(key, {"Rss": 0, "Anonymous": 0, "maps": 0})
        g["Rss"] += r["Rss"]; g["Anonymous"] += r["Anonymous"]; g["maps"] += r["maps"]
    return groups


files = sys.argv[1:]
if not files:
    sys.exit(__doc__)
data = [read(p) for p in files]
keys = sorted(set().union(*data), key=lambda k: -max(d.get(k, {"Rss": 0})["Rss"] for d in data))
hdr = "".join(f"{'rss KB':>10}{'anon KB':>10}{'maps':>6}" for _ in data)
print(f"{'mapping':40}{hdr}" + (f"{'rss diff':>10}" if len(data) == 2 else ""))
for k in keys[:25]:
    row = ""
    for d in data:
        g = d.get(k, {"Rss": 0, "Anonymous": 0, "maps": 0})
        row += f"{g['Rss']:>10}{g['Anonymous']:>10}{g['maps']:>6}"
    if len(data) == 2:
        row += f"{data[0].get(k, {'Rss': 0})['Rss'] - data[1].get(k, {'Rss': 0})['Rss']:>10}"
    print(f"{k[:40]:40}{row}")
tot = "".join(f"{sum(g['Rss'] for g in d.values()):>10}{sum(g['Anonymous'] for g in d.values()):>10}{'':>6}" for d in data)
print(f"{'total':40}{tot}")
