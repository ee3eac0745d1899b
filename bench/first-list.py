#!/usr/bin/env python3
# Start -> first complete tools/list answer over STDIO (bench/results/2026-11-29-startup.md):
#   bench/first-list.py RUNS SERVER [SERVER...]
# Each run spawns SERVER (with --log-level ERROR), writes initialize, initialized and tools/list at
# once, and reads with 1 MiB os.read calls until the second line has arrived. With several servers
# the runs take turns (A B C A B C ...), so load from elsewhere on the machine hits them alike.
# Prints, per server, the median, min and p90 over RUNS runs and the bytes read.
import os, subprocess, sys, time, statistics

MSGS = (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
        b'"capabilities":{},"clientInfo":{"name":"b","version":"1"}}}\n'
        b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
        b'{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n')


def one_run(server):
    t0 = time.perf_counter()
    p = subprocess.Popen([server, '--log-level', 'ERROR'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(MSGS)
    p.stdin.flush()
    fd = p.stdout.fileno()
    lines = total = 0
    while lines < 2:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        lines += b.count(b'\n')
        total += len(b)
    elapsed = (time.perf_counter() - t0) * 1000
    p.stdin.close()
    p.wait()
    if lines < 2:
        sys.exit(f"{server}: the answer ended after {total} bytes")
    return elapsed, total


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: bench/first-list.py RUNS SERVER [SERVER...]")
    runs, servers = int(sys.argv[1]), sys.argv[2:]
    times = {s: [] for s in servers}
    sizes = {}
    for _ in range(runs):
        for s in servers:
            elapsed, sizes[s] = one_run(s)
            times[s].append(elapsed)
    for s in servers:
        t = sorted(times[s])
        print(f"{s}: n={runs} median {statistics.median(t):.1f} ms  min {t[0]:.1f}  "
              f"p90 {t[max(int(runs * 0.9) - 1, 0)]:.1f}  bytes {sizes[s]}")


if __name__ == '__main__':
    main()
