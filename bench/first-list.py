#!/usr/bin/env python3
# Start -> first complete tools/list answer over STDIO (bench/results/2026-11-29-startup.md):
#   bench/first-list.py SERVER RUNS   (reads with 1 MiB os.read calls; median of RUNS)
import os, subprocess, sys, time, statistics
server = sys.argv[1]; runs = int(sys.argv[2])
msgs = (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}\n' b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n' b'{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n')
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([server, '--log-level', 'ERROR'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(msgs); p.stdin.flush()
    fd = p.stdout.fileno(); lines = 0; total = 0
    while lines < 2:
        b = os.read(fd, 1 << 20)
        if not b: break
        lines += b.count(b'\n'); total += len(b)
    t = time.perf_counter() - t0
    times.append(t * 1000)
    p.stdin.close(); p.wait()
times.sort()
print(f"n={runs} median {statistics.median(times):.1f} ms  min {times[0]:.1f}  p90 {times[int(runs*0.9)-1]:.1f}  bytes {total}")
