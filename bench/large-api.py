#!/usr/bin/env python3
"""Helpers of bench/large-api: a tiny STDIO MCP client that times a server's start, and the report.

  large-api.py client --runs N SERVER     JSON on stdout: start-to-tools/list latencies, VmRSS, answer size
  large-api.py report --work DIR ... TREE...   the Markdown results page on stdout
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "large-api-bench", "version": "0"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


def line(msg):
    return (json.dumps(msg) + "\n").encode()


def status(pid):
    """VmRSS and VmHWM of `pid`, in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            key, _, value = row.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0])
    return out


def read_response(proc, want_id):
    """The raw line answering `want_id`, its parsed form, and when its last byte arrived (read
    before parsing: Python's json.loads of a 9 MB answer takes longer than the server does)."""
    while True:
        raw = proc.stdout.readline()
        arrived = time.perf_counter()
        if not raw:
            raise SystemExit(f"the server closed stdout before answering request {want_id}")
        msg = json.loads(raw)
        if msg.get("id") == want_id:
            return raw, msg, arrived


def spawn(server):
    env = dict(os.environ, RUST_LOG="error")
    return subprocess.Popen(
        [server, "--log-level", "ERROR"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def send(proc, data):
    proc.stdin.write(data)
    proc.stdin.flush()


def stop(proc):
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def latency_run(server):
    """Spawn, write initialize + initialized + tools/list at once; seconds until the list answer."""
    t0 = time.perf_counter()
    proc = spawn(server)
    send(proc, line(INITIALIZE) + line(INITIALIZED) + line(LIST))
    _, init, t_init = read_response(proc, 1)
    raw, listed, t_list = read_response(proc, 2)
    stop(proc)
    if "result" not in init or "result" not in listed:
        raise SystemExit(f"unexpected answer: {init!r:.300} / {listed!r:.300}")
    return t_init - t0, t_list - t0, len(raw), len(listed["result"]["tools"])


def memory_run(server, settle=0.3):
    """VmRSS idle after initialize, then idle after one tools/list."""
    proc = spawn(server)
    send(proc, line(INITIALIZE))
    read_response(proc, 1)
    send(proc, line(INITIALIZED))
    time.sleep(settle)
    started = status(proc.pid)
    send(proc, line(LIST))
    read_response(proc, 2)
    time.sleep(settle)
    listed = status(proc.pid)
    send(proc, line(dict(LIST, id=3)))
    read_response(proc, 3)
    time.sleep(settle)
    listed_twice = status(proc.pid)
    stop(proc)
    return {"after_start": started, "after_list": listed, "after_second_list": listed_twice}


def client(args):
    inits, lists = [], []
    size = tools = 0
    for _ in range(args.runs):
        i, l, size, tools = latency_run(args.server)
        inits.append(i)
        lists.append(l)
    mems = [memory_run(args.server) for _ in range(3)]
    mem = {
        phase: {k: statistics.median(m[phase][k] for m in mems) for k in mems[0][phase]}
        for phase in mems[0]
    }
    json.dump(
        {
            "runs": args.runs,
            "initialize_s": inits,
            "tools_list_s": lists,
            "list_bytes": size,
            "tools": tools,
            "memory_kib": mem,
        },
        sys.stdout,
        indent=1,
    )


def hyper(path):
    with open(path) as f:
        r = json.load(f)["results"][0]
    return r["median"], r["min"], r["max"], len(r["times"]), r["command"]


def max_rss_kib(path):
    with open(path) as f:
        for row in f:
            if "Maximum resident set size" in row:
                return int(row.rsplit(":", 1)[1])
    return None


def report(args):
    data = {}
    for t in args.trees:
        w = args.work
        with open(f"{w}/{t}-server.json") as f:
            server = json.load(f)
        with open(f"{w}/{t}-meta.json") as f:
            meta = json.load(f)
        data[t] = {
            "generate": hyper(f"{w}/{t}-generate.json"),
            "generate_rss": max_rss_kib(f"{w}/{t}-generate.time"),
            "check": hyper(f"{w}/{t}-check.json"),
            "build": hyper(f"{w}/{t}-build.json"),
            "server": server,
            "meta": meta,
        }

    def ms(s):
        return f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"

    def secs(h):
        med, lo, hi, n, _ = h
        return f"{med:.2f} s ({lo:.2f}–{hi:.2f}, n={n})"

    def mib(kib):
        return f"{kib / 1024:.1f} MiB"

    def med_ms(xs):
        return f"{ms(statistics.median(xs))} ({ms(min(xs))}–{ms(max(xs))}, n={len(xs)})"

    rows = [
        ("generation (`mcpgen spec -o dir`)", "< 1 s", lambda d: secs(d["generate"])),
        ("generation peak RSS", "", lambda d: mib(d["generate_rss"])),
        ("generated `src/generated/mod.rs`", "", lambda d: f"{d['meta']['generated_bytes'] / 1e6:.1f} MB"),
        ("`cargo check`, generated code only", "< 30 s", lambda d: secs(d["check"])),
        ("`cargo build --release`, generated code only", "< 30 s", lambda d: secs(d["build"])),
        ("release binary size", "", lambda d: f"{d['meta']['binary_bytes'] / 1e6:.1f} MB"),
        ("start → `initialize` answer", "", lambda d: med_ms(d["server"]["initialize_s"])),
        ("start → first `tools/list` answer", "< 20 ms", lambda d: med_ms(d["server"]["tools_list_s"])),
        ("VmRSS idle after start", "< 15 MB", lambda d: mib(d["server"]["memory_kib"]["after_start"]["VmRSS"])),
        (
            "VmRSS idle after one `tools/list`",
            "< 15 MB",
            lambda d: mib(d["server"]["memory_kib"]["after_list"]["VmRSS"]),
        ),
        (
            "VmRSS after a second `tools/list`",
            "",
            lambda d: mib(d["server"]["memory_kib"]["after_second_list"]["VmRSS"]),
        ),
        ("VmHWM (peak) after two lists", "", lambda d: mib(d["server"]["memory_kib"]["after_second_list"]["VmHWM"])),
        ("`tools/list` answer", "", lambda d: f"{d['server']['list_bytes'] / 1e6:.2f} MB, {d['server']['tools']} tools"),
    ]
    labels = []
    for t in args.trees:
        m = data[t]["meta"]
        labels.append(f"{t} (`{m['rev']}`{', uncommitted changes' if m['dirty'] else ''})")
    out = []
    out.append(f"# Large API: GitHub's REST description — {time.strftime('%Y-%m-%d')}\n")
    out.append(
        f"Spec: `@octokit/openapi@{args.octokit}` (npm), "
        f"`{os.path.relpath(args.spec, os.path.dirname(os.path.dirname(args.work)))}` "
        f"({os.path.getsize(args.spec) / 1e6:.1f} MB, bundled with `components` `$ref`s).\n"
    )
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(r.split(":", 1)[1].strip() for r in f if r.startswith("model name"))
    except (OSError, StopIteration):
        pass
    out.append(
        f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
        f"load average (1/5/15 min) before / after the timed runs: {args.load}. The cores are shared "
        "with other engineers' builds, so build times especially carry noise: medians, with min–max.\n"
    )
    out.append("| measure | target | " + " | ".join(labels) + " |")
    out.append("|---|---|" + "---|" * len(labels))
    for name, target, f in rows:
        out.append(f"| {name} | {target} | " + " | ".join(f(data[t]) for t in args.trees) + " |")
    out.append("")
    out.append("## How each figure was produced\n")
    out.append("`bench/large-api" + (" --baseline REV" if "baseline" in args.trees else "") + "` runs, per tree:\n")
    d = data[args.trees[0]]
    out.append("```")
    out.append(f"hyperfine -N --warmup 1 --runs 10 '{d['generate'][4]}'")
    out.append("/usr/bin/time -v mcpgen ...   # peak RSS of one generation")
    out.append(f"CARGO_TARGET_DIR=target/large-api/gen-target hyperfine --runs {args.build_runs} \\")
    out.append("    --prepare 'touch <gen>/src/generated/mod.rs' 'cargo check -q --manifest-path <gen>/Cargo.toml'")
    out.append(f"CARGO_TARGET_DIR=target/large-api/gen-target hyperfine --runs {args.build_runs} \\")
    out.append(
        "    --prepare 'touch <gen>/src/generated/mod.rs' 'cargo build -q --release --manifest-path <gen>/Cargo.toml'"
    )
    out.append(f"python3 bench/large-api.py client --runs {args.runs} target/large-api/server-<tree>")
    out.append("```\n")
    out.append(
        "- Builds: the generated crate (`--name github`, path dependency on the tree's runtime, the workspace's "
        "`Cargo.lock`) has its dependencies built first, untimed; each timed run touches `src/generated/mod.rs`, "
        "so only the generated crate itself is rebuilt.\n"
        "- Start-up: the client spawns the release server (`--log-level ERROR`, STDIO), writes `initialize`, "
        "`notifications/initialized` and `tools/list` at once and times from just before the spawn to the "
        "complete `tools/list` line.\n"
        "- Memory: separate runs (median of 3): `initialize`, wait 0.3 s, read `/proc/<pid>/status`; one "
        "`tools/list`, wait 0.3 s, read again; a second `tools/list`, again. VmRSS includes the binary's "
        "pages that were touched (RssFile).\n"
    )
    out.append("## Raw memory (KiB, median of 3)\n")
    out.append("```json")
    out.append(json.dumps({t: data[t]["server"]["memory_kib"] for t in args.trees}, indent=1))
    out.append("```")
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("client")
    c.add_argument("--runs", type=int, default=20)
    c.add_argument("server")
    r = sub.add_parser("report")
    r.add_argument("--work", required=True)
    r.add_argument("--spec", required=True)
    r.add_argument("--octokit", required=True)
    r.add_argument("--load", required=True)
    r.add_argument("--runs", type=int, required=True)
    r.add_argument("--build-runs", type=int, required=True)
    r.add_argument("trees", nargs="+")
    args = p.parse_args()
    client(args) if args.cmd == "client" else report(args)


if __name__ == "__main__":
    main()
