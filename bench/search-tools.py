#!/usr/bin/env python3
"""`search_tools` of a server in `--tools dynamic` mode, timed at the client over STDIO.

  search-tools.py run [--repeat R] [--starts N] [--limit K] [--pings P] [--timeout S]
                      [--max-seconds S] [--json FILE] [LABEL=]SERVER [[LABEL=]SERVER ...]
  search-tools.py report --json FILE --command CMD --load L [--rev REV] [--octokit V] [--spec PATH]
                      [--mcpgen BIN]                       (Markdown on stdout)

`run`: SERVER is a path or one shell-quoted command (as in bench/first-list.py; `--log-level
ERROR` is appended unless given), and must serve the dynamic surface (`--tools dynamic`: its
tools/list must hold search_tools). With several servers the starts take turns (A B A B ...).
Each start, on one process:
  1. spawn, `initialize` (timed: start -> answer), `notifications/initialized`, `tools/list`
     (checked: search_tools listed);
  2. P `ping`s one at a time (default 100): the round trip of an empty answer, the floor of every
     figure below (pipe, JSON-RPC, this client);
  3. the first `search_tools` call (QUERIES[0]), timed alone: it builds the server's index;
  4. for every query of QUERIES: one warm-up call (its answer gives the top names and how many
     tools matched), then R timed calls (default 20), one at a time, each answer checked to name
     the same tools as the warm-up's;
  5. on the first start only, untimed, every query once more with limit 50: where the tool(s)
     that do the task (QUERIES' second column) rank;
  6. the server's CPU time over steps 2 and 4 (user + system of all its threads: the sum of
     /proc/PID/task/*/schedstat, in ns, and /proc/PID/stat's utime + stime, in clock ticks, as a
     cross-check) divided by the calls; VmRSS before the first search, after it and at the end.
Every call's clock starts before its request is written and stops when its answer's line has
arrived (before parsing). An answer that does not come within --timeout seconds (10) fails the
run, and so does a start that takes longer than --max-seconds (300).
"""

import argparse
import glob
import hashlib
import json
import math
import os
import platform
import select
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from machine import cpu_model, mem_total_gib, mib, sh  # noqa: E402

# Everyday tasks on GitHub, in words a user (or a model) would type, each with the tool(s) that do
# it (GitHub's operationIds as the generated server names them), to say where the search ranks
# them. The first query is the search that builds the index.
QUERIES = [
    ("create an issue", ["issues_create"]),
    ("list pull requests", ["pulls_list"]),
    ("get a repository's README", ["repos_get-readme"]),
    ("star a repository", ["activity_star-repo-for-authenticated-user"]),
    ("merge a pull request", ["pulls_merge"]),
    ("list commits", ["repos_list-commits"]),
    ("fork a repository", ["repos_create-fork"]),
    ("list workflow runs", ["actions_list-workflow-runs-for-repo", "actions_list-workflow-runs"]),
    ("create a gist", ["gists_create"]),
    ("search code", ["search_code"]),
    ("comment on an issue", ["issues_create-comment"]),
    ("close an issue", ["issues_update"]),
    ("add labels to an issue", ["issues_add-labels"]),
    ("create a pull request", ["pulls_create"]),
    ("request reviewers for a pull request", ["pulls_request-reviewers"]),
    ("list branches", ["repos_list-branches"]),
    ("delete a branch", ["git_delete-ref"]),
    ("get the contents of a file", ["repos_get-content"]),
    ("create or update a file", ["repos_create-or-update-file-contents"]),
    ("create a release", ["repos_create-release"]),
    ("list tags", ["repos_list-tags"]),
    ("compare two commits", ["repos_compare-commits", "repos_compare-commits-with-basehead"]),
    ("create a repository", ["repos_create-for-authenticated-user", "repos_create-in-org"]),
    ("list repository collaborators", ["repos_list-collaborators"]),
    ("add a collaborator to a repository", ["repos_add-collaborator"]),
    ("list my notifications", ["activity_list-notifications-for-authenticated-user"]),
    ("get the authenticated user", ["users_get-authenticated"]),
    ("list organization members", ["orgs_list-members"]),
    ("create a repository webhook", ["repos_create-webhook"]),
    ("run a workflow", ["actions_create-workflow-dispatch"]),
    ("download workflow run logs", ["actions_download-workflow-run-logs"]),
    ("search repositories", ["search_repos"]),
]
# How deep the untimed quality search looks for the expected tool (search_tools' maximum limit).
RANK_DEPTH = 50

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "b", "version": "1"}}}


def argv_of(server):
    argv = [server] if os.path.isfile(server) else shlex.split(server)
    if not any(a == '--log-level' or a.startswith('--log-level=') for a in argv):
        argv += ['--log-level', 'ERROR']
    return argv


def split_label(spec, i):
    head, sep, rest = spec.partition("=")
    if sep and head and all(c.isalnum() or c in "-_" for c in head) and not os.path.exists(spec):
        return head, rest
    return f"server{i + 1}", spec


def percentile(sorted_values, q):
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_values[max(math.ceil(q * len(sorted_values)) - 1, 0)]


class Server:
    def __init__(self, argv, timeout):
        self.argv = argv
        self.timeout = timeout
        self.err = tempfile.TemporaryFile()
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
        self.fd = self.p.stdout.fileno()
        self.buf = b""
        self.next_id = 10

    def fail(self, why):
        self.p.kill()
        self.p.wait()
        self.err.seek(0)
        tail = self.err.read().decode(errors="replace")[-2000:]
        sys.exit(f"{' '.join(self.argv)}: {why}" + (f"\nstderr:\n{tail}" if tail else ""))

    def send(self, msg):
        self.p.stdin.write(msg)
        self.p.stdin.flush()

    def read_answer(self, want_id):
        """The raw line answering `want_id` (other lines, e.g. notifications, are skipped)."""
        deadline = time.perf_counter() + self.timeout
        needle = b'"id":%d,' % want_id
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if needle in line or line.startswith(b'{"id":%d}' % want_id):
                    return line
            left = deadline - time.perf_counter()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                self.fail(f"no answer to id {want_id} within {self.timeout} s")
            b = os.read(self.fd, 1 << 16)
            if not b:
                self.fail(f"the server closed its output before answering id {want_id}")
            self.buf += b

    def call(self, method, params=None):
        """(ms, raw answer line): the clock runs from before the write to the line's arrival."""
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        data = json.dumps(msg, separators=(",", ":")).encode() + b"\n"
        t = time.perf_counter()
        self.send(data)
        line = self.read_answer(self.next_id)
        return (time.perf_counter() - t) * 1000, line

    def cpu(self):
        """(ns from schedstat summed over live threads, clock ticks of utime + stime)."""
        ns = 0
        for path in glob.glob(f"/proc/{self.p.pid}/task/*/schedstat"):
            try:
                with open(path) as f:
                    ns += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return ns, int(fields[11]) + int(fields[12])

    def memory(self):
        out = {}
        with open(f"/proc/{self.p.pid}/status") as f:
            for row in f:
                key, _, value = row.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0])
        return out

    def stop(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.p.returncode


def search_result(server, line, query):
    msg = json.loads(line)
    if "result" not in msg:
        server.fail(f"search_tools {query!r} answered an error: {line[:300]!r}")
    res = msg["result"]
    if res.get("isError"):
        server.fail(f"search_tools {query!r} gave a tool error: {line[:300]!r}")
    sc = res.get("structuredContent") or {}
    tools = sc.get("tools", [])
    return [t["name"] for t in tools], len(tools) + int(sc.get("more", 0)), tools


def one_start(argv, a, queries, rank):
    s = Server(argv, a.timeout)
    deadline = s.t0 + a.max_seconds
    rec = {"argv": argv}
    s.send(json.dumps(INIT, separators=(",", ":")).encode() + b"\n")
    s.read_answer(1)
    rec["initialize_ms"] = (time.perf_counter() - s.t0) * 1000
    s.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    _, line = s.call("tools/list")
    listed = [t["name"] for t in json.loads(line)["result"]["tools"]]
    if "search_tools" not in listed:
        s.fail(f"tools/list does not hold search_tools (is the server in --tools dynamic mode?): {listed[:8]}")
    rec["listed"] = listed

    cpu0 = s.cpu()
    rec["ping_ms"] = [s.call("ping")[0] for _ in range(a.pings)]
    cpu1 = s.cpu()
    rec["ping_cpu_ns"] = cpu1[0] - cpu0[0]
    rec["ping_cpu_ticks"] = cpu1[1] - cpu0[1]

    rec["memory_before_kib"] = s.memory()
    first_query = queries[0][0]
    args = {"query": first_query, "limit": a.limit}
    ms, line = s.call("tools/call", {"name": "search_tools", "arguments": args})
    rec["first_search_ms"] = ms
    rec["first_search_query"] = first_query
    rec["first_search_top"] = search_result(s, line, first_query)[0]
    rec["memory_index_kib"] = s.memory()

    cpu0 = s.cpu()
    per_query = []
    calls = 0
    for q, _ in queries:
        if time.perf_counter() > deadline:
            s.fail(f"the start took longer than --max-seconds {a.max_seconds}")
        params = {"name": "search_tools", "arguments": {"query": q, "limit": a.limit}}
        warm_ms, line = s.call("tools/call", params)
        names, matches, tools = search_result(s, line, q)
        calls += 1
        times, differing = [], 0
        for _ in range(a.repeat):
            ms, line = s.call("tools/call", params)
            calls += 1
            times.append(ms)
            if search_result(s, line, q)[0] != names:
                differing += 1
        per_query.append({"query": q, "top": names, "matches": matches,
                          "top_operations": [t.get("operation") for t in tools],
                          "answer_bytes": len(line) + 1, "warmup_ms": warm_ms, "ms": times,
                          "differing": differing})
    cpu1 = s.cpu()
    rec["queries"] = per_query
    rec["search_calls"] = calls
    rec["search_cpu_ns"] = cpu1[0] - cpu0[0]
    rec["search_cpu_ticks"] = cpu1[1] - cpu0[1]
    rec["memory_end_kib"] = s.memory()
    rec["threads"] = len(os.listdir(f"/proc/{s.p.pid}/task"))
    if rank:
        # Untimed, after the CPU figures: where the expected tool ranks among the first RANK_DEPTH.
        for entry, (q, expected) in zip(per_query, queries):
            _, line = s.call("tools/call", {"name": "search_tools", "arguments": {"query": q, "limit": RANK_DEPTH}})
            names = search_result(s, line, q)[0]
            found = [i + 1 for i, n in enumerate(names) if n in expected]
            entry["expected"] = expected
            entry["expected_rank"] = found[0] if found else None
    rec["exit"] = s.stop()
    return rec


def summarize(label, argv, starts, a):
    timed = sorted(ms for st in starts for q in st["queries"] for ms in q["ms"])
    pings = sorted(ms for st in starts for ms in st["ping_ms"])
    first = sorted(st["first_search_ms"] for st in starts)
    calls = sum(st["search_calls"] for st in starts)
    ping_calls = sum(len(st["ping_ms"]) for st in starts)
    ticks = os.sysconf("SC_CLK_TCK")
    out = {
        "label": label, "argv": argv, "starts": starts, "repeat": a.repeat, "limit": a.limit,
        "calls": len(timed), "median_ms": statistics.median(timed), "p90_ms": percentile(timed, 0.9),
        "p99_ms": percentile(timed, 0.99), "max_ms": timed[-1], "min_ms": timed[0],
        "ping_median_ms": statistics.median(pings) if pings else None,
        "ping_p99_ms": percentile(pings, 0.99) if pings else None,
        "first_search_median_ms": statistics.median(first), "first_search_min_ms": first[0],
        "first_search_max_ms": first[-1],
        "initialize_median_ms": statistics.median(st["initialize_ms"] for st in starts),
        "search_cpu_us": sum(st["search_cpu_ns"] for st in starts) / calls / 1000,
        "search_cpu_us_ticks": sum(st["search_cpu_ticks"] for st in starts) / ticks / calls * 1e6,
        "ping_cpu_us": (sum(st["ping_cpu_ns"] for st in starts) / ping_calls / 1000) if ping_calls else None,
        "ping_cpu_us_ticks": (sum(st["ping_cpu_ticks"] for st in starts) / ticks / ping_calls * 1e6)
        if ping_calls else None,
        "differing": sum(q["differing"] for st in starts for q in st["queries"]),
    }
    out["ranking_sha256"] = hashlib.sha256(
        json.dumps([q["top"] for q in starts[0]["queries"]]).encode()).hexdigest()
    return out


def run(a):
    servers = [split_label(s, i) for i, s in enumerate(a.servers)]
    if len({l for l, _ in servers}) != len(servers):
        sys.exit("two servers have the same label")
    starts = {l: [] for l, _ in servers}
    for i in range(a.starts):
        for label, s in servers:
            starts[label].append(one_start(argv_of(s), a, QUERIES, rank=(i == 0)))
    out = []
    for label, s in servers:
        r = summarize(label, argv_of(s), starts[label], a)
        print(f"{label}: {' '.join(r['argv'])}\n  search_tools: n={r['calls']} median {r['median_ms']:.3f} ms  "
              f"p99 {r['p99_ms']:.3f}  max {r['max_ms']:.3f}  (ping median {r['ping_median_ms']:.3f})  "
              f"first search {r['first_search_median_ms']:.1f} ms (median of {a.starts})  "
              f"server CPU {r['search_cpu_us']:.0f} us/search (ticks: {r['search_cpu_us_ticks']:.0f}), "
              f"{r['ping_cpu_us']:.0f} us/ping  rankings differing {r['differing']}", flush=True)
        out.append(r)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"queries": [q for q, _ in QUERIES], "expected": {q: e for q, e in QUERIES},
                       "rank_depth": RANK_DEPTH, "servers": out}, f, indent=1)


# ----- report ---------------------------------------------------------------------------------

def report(a):
    with open(a.json) as f:
        doc = json.load(f)
    servers = doc["servers"]
    queries = doc["queries"]
    first = servers[0]
    starts = len(first["starts"])
    out = []
    w = out.append
    w(f"# `search_tools` on GitHub's description — {time.strftime('%Y-%m-%d')}\n")
    w("The dynamic tool surface (`--tools dynamic`: `search_tools`, `describe_tools`, `call_tool`, "
      "`call_read_only_tool` in front of the catalogue) of GitHub's REST description, served by its compiled "
      "server and in-process by `mcpgen run`, over STDIO: each `search_tools` call timed at the client (request "
      "written → answer line arrived), the first search (which builds the BM25 index) apart, the server's CPU "
      "time per search, and the top names each everyday-task query returns. The servers take turns start by "
      "start. Issue's target: **median search under 1 ms**.\n")
    w("```sh")
    w(a.command)
    w("```\n")
    head = sh("git", "rev-parse", "--short", "HEAD")
    if a.rev:
        dirty = [l for l in sh("git", "status", "--porcelain", "--", "generator", "runtime", "templates").splitlines() if l]
        w(f"- Commit: `{a.rev}`, from a `git archive` snapshot (`--rev`): mcpgen built from it, the compiled server "
          f"on its runtime. The working tree (HEAD `{head}`) had {len(dirty)} uncommitted file(s) under generator/, "
          "runtime/, templates/, not measured.")
    else:
        w(f"- Commit: `{head}` (the working tree as it was)")
    w(f"- Machine: {sh('nproc')} cores ({cpu_model()}), {mem_total_gib()}, {platform.system()} "
      f"{platform.release()}; `{sh('rustc', '--version')}`; client: Python {platform.python_version()}")
    w(f"- Load average (1/5/15 min) before / after: {a.load}. The cores are shared with other engineers' builds: "
      "compare the servers within this report, not absolute figures across reports.")
    if a.spec:
        w(f"- GitHub: `@octokit/openapi@{a.octokit}`, `{a.spec}` ({os.path.getsize(a.spec) / 1e6:.1f} MB)"
          if a.octokit else f"- Spec: `{a.spec}`")
    w(f"- {starts} start(s) per server; per start {len(queries)} queries × (1 warm-up + {first['repeat']} timed) "
      f"calls with `limit: {first['limit']}`, after {len(first['starts'][0]['ping_ms'])} `ping`s; "
      f"{first['calls']:,} timed searches per server in all\n")

    w("## Per-call latency at the client (ms)\n")
    w("| server | timed searches | median | p90 | p99 | max | min | `ping` median (floor) | `ping` p99 | median < 1 ms |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in servers:
        w(f"| {r['label']} | {r['calls']:,} | **{r['median_ms']:.3f}** | {r['p90_ms']:.3f} | {r['p99_ms']:.3f} | "
          f"{r['max_ms']:.3f} | {r['min_ms']:.3f} | {r['ping_median_ms']:.3f} | {r['ping_p99_ms']:.3f} | "
          f"{'yes' if r['median_ms'] < 1 else '**no**'} |")
    w("")
    w("`ping` is the same round trip with an empty answer: the pipe, JSON-RPC framing and this Python client. "
      "A search's own cost is about its latency minus the ping's.\n")

    w("## The first search (builds the index) and start-up (ms)\n")
    w(f"| server | first search: median of {starts} | min | max | each start | `initialize` answer after spawn (median) |")
    w("|---|---:|---:|---:|---|---:|")
    for r in servers:
        each = ", ".join(f"{st['first_search_ms']:.1f}" for st in r["starts"])
        w(f"| {r['label']} | **{r['first_search_median_ms']:.1f}** | {r['first_search_min_ms']:.1f} | "
          f"{r['first_search_max_ms']:.1f} | {each} | {r['initialize_median_ms']:.1f} |")
    w("")
    w(f"The first search is `{first['starts'][0]['first_search_query']}` with `limit: {first['limit']}`, sent after "
      "`initialize`, `tools/list` and the pings, so the catalogue is loaded (in-process: derived from the "
      "description) before its clock starts; its latency is the index build plus one search.\n")

    w("## Server CPU time per call (µs, user + system, all threads)\n")
    w("| server | per search (schedstat) | per search (stat ticks) | per `ping` (schedstat) | search − ping | threads |")
    w("|---|---:|---:|---:|---:|---:|")
    for r in servers:
        w(f"| {r['label']} | **{r['search_cpu_us']:.0f}** | {r['search_cpu_us_ticks']:.0f} | {r['ping_cpu_us']:.0f} | "
          f"{r['search_cpu_us'] - r['ping_cpu_us']:.0f} | {r['starts'][0]['threads']} |")
    w("")
    w("Over the loop of warm-up and timed searches (the first search not included), from "
      "`/proc/PID/task/*/schedstat` (ns) summed over the server's threads before and after, divided by the calls; "
      "the ticks column is `/proc/PID/stat` utime + stime (10 ms ticks, so coarse) as a cross-check.\n")

    w("## Memory (MiB, first start)\n")
    w("| server | VmRSS before the first search | after it (index built) | after the loop | VmHWM at the end |")
    w("|---|---:|---:|---:|---:|")
    for r in servers:
        st = r["starts"][0]
        w(f"| {r['label']} | {mib(st['memory_before_kib']['VmRSS'])} | {mib(st['memory_index_kib']['VmRSS'])} | "
          f"{mib(st['memory_end_kib']['VmRSS'])} | {mib(st['memory_end_kib']['VmHWM'])} |")
    w("")

    w(f"## What each query finds (top 3 of `limit: {first['limit']}`)\n")
    same = len({r["ranking_sha256"] for r in servers}) == 1
    stable = all(r["differing"] == 0 for r in servers)
    depth = doc.get("rank_depth", 50)
    qs = first["starts"][0]["queries"]
    ranks = [q.get("expected_rank") for q in qs]
    if all("expected_rank" in q for q in qs):
        n = len(ranks)
        at = lambda k: sum(1 for r in ranks if r is not None and r <= k)
        mrr = sum(1 / r for r in ranks if r) / n
        w(f"The tool that does the task (the script's list, GitHub's operationId; either of two where two fit) is "
          f"ranked **1st for {at(1)} of {n}** queries, in the top 3 for {at(3)}, in the top {first['limit']} (what "
          f"`limit: {first['limit']}` returns) for {at(first['limit'])}, in the top {depth} for {at(depth)}; mean "
          f"reciprocal rank {mrr:.2f} (rank from one more, untimed call per query with `limit: {depth}`, "
          f"{first['label']}).\n")
    w(f"Rankings of the servers: {'the same for every query' if same else '**they differ** (see the raw JSON)'}; "
      f"every repeated call {'named the same tools as its warm-up' if stable else '**did not** always name the same tools'}. "
      "`matches`: how many tools the query matched at all (`tools` + `more`); the search scores every match, "
      f"so its cost grows with them. The last columns are each query's median latency over its "
      f"{first['repeat'] * starts} timed calls.\n")
    labels = [r["label"] for r in servers]
    w("| # | query | matches | 1st | 2nd | 3rd | expected tool: rank | " +
      " | ".join(f"{l} median (ms)" for l in labels) + " |")
    w("|---:|---|---:|---|---|---|---|" + "---:|" * len(labels))
    for i, q in enumerate(queries):
        qa = qs[i]
        top = [f"`{n}`" for n in qa["top"][:3]] + ["–"] * (3 - min(len(qa["top"]), 3))
        rank = qa.get("expected_rank")
        expected = doc.get("expected", {}).get(q, [])
        if "expected_rank" not in qa:
            where = "–"
        elif rank == 1:
            where = "1"
        else:
            where = (f"**{rank}**" if rank else f"**> {depth}**") + " (" + " / ".join(f"`{e}`" for e in expected) + ")"
        meds = []
        for r in servers:
            ms = [m for st in r["starts"] for m in st["queries"][i]["ms"]]
            meds.append(f"{statistics.median(ms):.3f}")
        w(f"| {i + 1} | {q} | {qa['matches']} | {' | '.join(top)} | {where} | {' | '.join(meds)} |")
    w("")

    w("## Commands\n")
    w("```")
    for r in servers:
        w(f"{r['label']}: {' '.join(r['argv'])}")
    w("```\n")
    if a.mcpgen:
        w(f"- `{a.mcpgen}`: {os.path.getsize(a.mcpgen) / 1e6:.1f} MB")
    for r in servers:
        if os.path.isfile(r["argv"][0]) and r["argv"][0] != a.mcpgen:
            w(f"- `{r['argv'][0]}`: {os.path.getsize(r['argv'][0]) / 1e6:.1f} MB")
    w("")
    w("The client (`bench/search-tools.py run`) writes one request at a time and reads with `os.read` until the "
      "answer's line has arrived; the clock stops there, the answer is parsed afterwards (its names compared with "
      f"the warm-up's). Raw figures, every call's time: `{a.json}`.")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--repeat", type=int, default=20)
    r.add_argument("--starts", type=int, default=3)
    r.add_argument("--limit", type=int, default=5)
    r.add_argument("--pings", type=int, default=100)
    r.add_argument("--timeout", type=float, default=10.0)
    r.add_argument("--max-seconds", type=float, default=300.0)
    r.add_argument("--json", metavar="FILE")
    r.add_argument("servers", nargs="+", metavar="[LABEL=]SERVER")
    p = sub.add_parser("report")
    p.add_argument("--json", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--load", required=True)
    p.add_argument("--rev")
    p.add_argument("--octokit")
    p.add_argument("--spec")
    p.add_argument("--mcpgen")
    a = ap.parse_args()
    if a.cmd == "run":
        if a.repeat < 1 or a.starts < 1 or a.pings < 0 or not 1 <= a.limit <= 50:
            sys.exit("--repeat and --starts take counts, --pings 0 or more, --limit 1 to 50")
        run(a)
    else:
        report(a)


if __name__ == "__main__":
    main()
