#!/usr/bin/env python3
"""Compares two heap listings by type (dotnet-dump `dumpheap -stat` output, as heap-idle.sh writes them), per connection.

    LoadTest/profile/heap-diff.py /tmp/liveim-heap/sr.live.txt /tmp/liveim-heap/lv.live.txt 10000 [rows]

Prints the totals, then the types that grew most from A to B and those that shrank most, in bytes per connection
(the third argument: how many connections both listings had).
"""
import re
import sys


def load(path):
    types = {}
    for line in open(path):
        m = re.match(r'^\s*[0-9a-f]{12,16}\s+([\d,]+)\s+([\d,]+)\s+(.*)$', line)
        if m:
            count, size = int(m[1].replace(',', '')), int(m[2].replace(',', ''))
            name = re.sub(r'<unknown_type_\w+>', '<unknown>', m[3].strip())
            entry = types.setdefault(name, [0, 0])
            entry[0] += count
            entry[1] += size
    return types


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    rows = []
    for name in set(a) | set(b):
        ca, sa = a.get(name, [0, 0])
        cb, sb = b.get(name, [0, 0])
        rows.append((sb - sa, name, ca, sa, cb, sb))
    rows.sort(reverse=True)
    ta, tb = sum(v[1] for v in a.values()), sum(v[1] for v in b.values())
    print(f"total A {ta / 1e6:.1f} MB  B {tb / 1e6:.1f} MB  difference {(tb - ta) / n:.0f} B per connection")
    print(f"{'B-A B/conn':>10} {'A count':>9} {'A B/conn':>9} {'B count':>9} {'B B/conn':>9}  type")
    for d, name, ca, sa, cb, sb in rows[:limit]:
        print(f"{d / n:10.0f} {ca:9} {sa / n:9.0f} {cb:9} {sb / n:9.0f}  {name[:150]}")
    print("...")
    for d, name, ca, sa, cb, sb in rows[-12:]:
        print(f"{d / n:10.0f} {ca:9} {sa / n:9.0f} {cb:9} {sb / n:9.0f}  {name[:150]}")


if __name__ == "__main__":
    main()
