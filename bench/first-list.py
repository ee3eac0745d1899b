#!/usr/bin/env python3
# Start -> first complete tools/list answer over STDIO (bench/results/2026-11-29-startup.md):
#   bench/first-list.py [--warmup N] [--rss N] [--settle S] [--timeout S] [--json FILE] RUNS SERVER [SERVER...]
# Each run spawns SERVER (with --log-level ERROR), writes initialize, initialized and tools/list at
# once, and reads with 1 MiB os.read calls until the second line has arrived. With several servers
# the runs take turns (A B C A B C ...), so load from elsewhere on the machine hits them alike.
# Prints, per server, the median, min and p90 over RUNS runs and the bytes read.
#
# SERVER is a path to an executable, or a command with arguments as one shell-quoted string
# ('target/release/mcpgen run fixtures/petstore.yaml'), split with shlex; a string that names an
# existing file is a plain path even when it holds spaces. `--log-level ERROR` is appended unless
# the command already gives --log-level.
#
#   --warmup N   N untimed runs of each server first (taking turns too); default 0
#   --rss N      then N more runs each (taking turns): after the tools/list answer, wait --settle
#                seconds (default 0.5) and read VmRSS and VmHWM (and RssAnon, RssFile) of the
#                server's process from /proc/PID/status; the median of each is printed. The
#                server must be the spawned process itself (a process that forks children is
#                reported with its children's count, their memory is not added).
#   --timeout S  a run whose answer has not arrived after S seconds (default 120) fails the script
#   --json FILE  every run's figures, per server, as JSON (times in ms, sizes in bytes)
#
# The second line must answer id 2 with a result (checked after the clock stopped, on the first
# measured run of each server); its size (the `tools/list` line, newline included) is printed as
# `list`, with the number of tools and a SHA-256 prefix of the line, so the answers of two servers
# can be compared.
import argparse, hashlib, json, os, select, shlex, statistics, subprocess, sys, tempfile, time

MSGS = (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
        b'"capabilities":{},"clientInfo":{"name":"b","version":"1"}}}\n'
        b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
        b'{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n')
STATUS_KEYS = ("VmRSS", "VmHWM", "RssAnon", "RssFile")


def argv_of(server):
    """The command line of SERVER: a plain path, or a shell-quoted command; --log-level ERROR added."""
    argv = [server] if os.path.isfile(server) else shlex.split(server)
    if not any(a == '--log-level' or a.startswith('--log-level=') for a in argv):
        argv += ['--log-level', 'ERROR']
    return argv


def status(pid):
    """VmRSS, VmHWM, RssAnon and RssFile of `pid` in KiB, and how many children it has."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            key, _, value = row.partition(":")
            if key in STATUS_KEYS:
                out[key] = int(value.split()[0])
    children = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                children += len(f.read().split())
        except OSError:
            pass
    out["children"] = children
    return out


def stop(p):
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def one_run(server, timeout, check=False, rss_settle=None):
    """Seconds (as ms) to the second line, the bytes read, the tools/list line's size; with
    `check` the answer is parsed (tools, hash); with `rss_settle` the memory after it."""
    argv = argv_of(server)
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    deadline = t0 + timeout
    p.stdin.write(MSGS)
    p.stdin.flush()
    fd = p.stdout.fileno()
    lines = total = 0
    chunks = []
    while lines < 2:
        left = deadline - time.perf_counter()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            p.kill()
            p.wait()
            sys.exit(f"{server}: no complete answer within {timeout} s ({total} bytes read)")
        b = os.read(fd, 1 << 20)
        if not b:
            break
        lines += b.count(b'\n')
        total += len(b)
        chunks.append(b)
    elapsed = (time.perf_counter() - t0) * 1000
    mem = None
    if lines >= 2 and rss_settle is not None:
        time.sleep(rss_settle)
        mem = status(p.pid)
    stop(p)
    if lines < 2:
        err.seek(0)
        sys.exit(f"{server}: the answer ended after {total} bytes (exit {p.returncode}); stderr:\n"
                 f"{err.read().decode(errors='replace')[-2000:]}")
    data = b''.join(chunks)
    first_end = data.index(b'\n') + 1
    second_end = data.index(b'\n', first_end) + 1
    listed = data[first_end:second_end]
    info = {"ms": elapsed, "bytes": total, "list_bytes": len(listed)}
    if check:
        try:
            msg = json.loads(listed)
        except ValueError as e:
            sys.exit(f"{server}: the second line is not JSON ({e}): {listed[:300]!r}")
        if msg.get("id") != 2 or "result" not in msg:
            sys.exit(f"{server}: the second line does not answer tools/list: {listed[:300]!r}")
        info["tools"] = len(msg["result"].get("tools", []))
        info["next_cursor"] = "nextCursor" in msg["result"]
        info["sha256"] = hashlib.sha256(listed).hexdigest()
    if mem is not None:
        info["memory_kib"] = mem
    return info


def p90(t):
    return t[max(int(len(t) * 0.9) - 1, 0)]


def main():
    ap = argparse.ArgumentParser(description="Start -> first complete tools/list answer over STDIO.")
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--rss", type=int, default=0, metavar="N")
    ap.add_argument("--settle", type=float, default=0.5)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("runs", type=int, metavar="RUNS")
    ap.add_argument("servers", nargs="+", metavar="SERVER")
    a = ap.parse_args()
    if a.runs < 1:
        sys.exit("RUNS must be at least 1")
    servers = a.servers
    for _ in range(a.warmup):
        for s in servers:
            one_run(s, a.timeout)
    runs = {s: [] for s in servers}
    for i in range(a.runs):
        for s in servers:
            runs[s].append(one_run(s, a.timeout, check=(i == 0)))
    mems = {s: [] for s in servers}
    for _ in range(a.rss):
        for s in servers:
            mems[s].append(one_run(s, a.timeout, rss_settle=a.settle)["memory_kib"])
    out = []
    for s in servers:
        r = runs[s]
        t = sorted(x["ms"] for x in r)
        first = r[0]
        sizes = sorted({x["list_bytes"] for x in r})
        line = (f"{s}: n={a.runs} median {statistics.median(t):.1f} ms  min {t[0]:.1f}  "
                f"p90 {p90(t):.1f}  bytes {first['bytes']}  list {first['list_bytes']}"
                f"{'' if len(sizes) == 1 else ' (varied: ' + ', '.join(map(str, sizes)) + ')'}"
                f"  tools {first['tools']}{' (more pages)' if first['next_cursor'] else ''}"
                f"  sha256 {first['sha256'][:12]}")
        rec = {"server": s, "argv": argv_of(s), "runs": a.runs, "warmup": a.warmup,
               "ms": [x["ms"] for x in r], "median_ms": statistics.median(t), "min_ms": t[0],
               "p90_ms": p90(t), "max_ms": t[-1], "bytes": first["bytes"],
               "list_bytes": first["list_bytes"], "list_bytes_seen": sizes, "tools": first["tools"],
               "next_cursor": first["next_cursor"], "list_sha256": first["sha256"]}
        if mems[s]:
            med = {k: statistics.median(m[k] for m in mems[s]) for k in STATUS_KEYS}
            rec["memory_kib"] = mems[s]
            rec["memory_median_kib"] = med
            rec["children"] = max(m["children"] for m in mems[s])
            line += (f"  VmRSS {med['VmRSS'] / 1024:.1f} MiB  VmHWM {med['VmHWM'] / 1024:.1f} MiB"
                     f" (n={len(mems[s])}, {a.settle} s after tools/list)")
            if rec["children"]:
                line += f"  [{rec['children']} child process(es): not counted]"
        print(line, flush=True)
        out.append(rec)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
