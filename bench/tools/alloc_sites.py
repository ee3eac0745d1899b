#!/usr/bin/env python3
"""Heap allocations per call, by site, from two DHAT runs of the same server.

    alloc_sites.py SMALL.json N_SMALL LARGE.json N_LARGE [--min 0.2]

Both runs do the same start-up and shutdown and differ only in the number of calls, so
(blocks allocated in LARGE - in SMALL) / (N_LARGE - N_SMALL) is what one call allocates at a
site. A site is named by its first frames outside the allocator and the standard library's
collections, inlined frames left out. Prints Markdown: the total, then one row per site.
"""
import json
import re
import sys

# Frames that only say "an allocation happened here", not why.
NOISE = re.compile(
    r"UnknownInlinedFun|^alloc$|alloc_impl|^allocate$|box_new|__rust_|__rdl_|malloc|realloc|calloc|memalign|"
    r"alloc::raw_vec|RawVec|with_capacity|<alloc::|core::ops::function|Arc<T>::new|hashbrown::raw|reserve|"
    r"grow_|finish_grow|try_allocate|^new$|^clone$|Box<T>::new|alloc::alloc|exchange_malloc|^push$|"
    r"from_iter|to_vec|Vec<T,A>|BytesMut|^spec_|^extend"
)
FRAMES = 4


def sites(path):
    data = json.load(open(path))
    table = data["ftbl"]
    out = {}
    for pp in data["pps"]:
        frames = [re.sub(r"^0x[0-9A-F]+: ", "", table[i]) for i in pp["fs"]]
        frames = [re.sub(r" \((?:[^()]|\([^()]*\))*\)$", "", f) for f in frames]  # drop "(file:line)"
        key = tuple([f for f in frames if not NOISE.search(f)][:FRAMES])
        blocks, size = out.get(key, (0, 0))
        out[key] = (blocks + pp["tbk"], size + pp["tb"])
    return out


def main():
    small, n_small, large, n_large = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    floor = float(sys.argv[sys.argv.index("--min") + 1]) if "--min" in sys.argv else 0.2
    a, b, calls = sites(small), sites(large), n_large - n_small
    rows = []
    for key, (blocks, size) in b.items():
        before = a.get(key, (0, 0))
        per_call = (blocks - before[0]) / calls
        if per_call >= floor:
            rows.append((per_call, (size - before[1]) / calls, key))
    rows.sort(key=lambda r: (-r[0], r[2]))
    print(f"**{sum(r[0] for r in rows):.1f} allocations, {sum(r[1] for r in rows):,.0f} bytes per call** "
          f"(sites with at least {floor} per call)")
    print()
    print("| per call | bytes | where (innermost first) |")
    print("|---:|---:|---|")
    for per_call, size, key in rows:
        where = " ← ".join(f"`{f[:90]}`" for f in key) or "(allocator only)"
        print(f"| {per_call:.2f} | {size:,.0f} | {where} |")


if __name__ == "__main__":
    main()
