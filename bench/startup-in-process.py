#!/usr/bin/env python3
"""The report of bench/startup-in-process: reads the JSON bench/first-list.py wrote for each
description (two servers per tool mode, in --modes order: in-process first, compiled second) and
prints Markdown.

  startup-in-process.py --work DIR --command CMD --load L --runs N --rss-runs N --mcpgen BIN \
      --octokit VERSION [--modes "all dynamic"] --spec NAME=PATH [--spec NAME=PATH ...]
"""

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from machine import cpu_model, mem_total_gib, mib, sh  # noqa: E402

VARIANTS = ("in-process", "compiled")
TITLES = {"petstore": "petstore", "github": "GitHub"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--rss-runs", type=int, required=True)
    ap.add_argument("--mcpgen", required=True)
    ap.add_argument("--octokit", required=True)
    ap.add_argument("--rev", help="the revision measured, when not the working tree")
    ap.add_argument("--modes", default="all dynamic", help="the tool modes, in the order the servers ran")
    ap.add_argument("--spec", action="append", required=True, metavar="NAME=PATH")
    a = ap.parse_args()
    specs = dict(s.split("=", 1) for s in a.spec)
    modes = a.modes.split()
    # data[name][mode][variant]: first-list.py's record of that server.
    data = {}
    for name in specs:
        with open(os.path.join(a.work, f"{name}.json")) as f:
            recs = json.load(f)
        if len(recs) != 2 * len(modes):
            raise SystemExit(f"{name}.json: expected {2 * len(modes)} servers, found {len(recs)}")
        data[name] = {m: dict(zip(VARIANTS, recs[2 * i:2 * i + 2])) for i, m in enumerate(modes)}
        for m in modes:
            for v in VARIANTS:
                argv = data[name][m][v]["argv"]
                if "--tools" not in argv or argv[argv.index("--tools") + 1] != m:
                    raise SystemExit(f"{name}.json: the {v} server of mode {m} ran `{' '.join(argv)}`")

    head = sh("git", "rev-parse", "--short", "HEAD")
    dirty = [l[3:] for l in sh("git", "status", "--porcelain", "--", "generator", "runtime", "templates").splitlines() if l]
    out = []
    w = out.append
    w(f"# Start-up: `mcpgen run` in-process vs the compiled server — {time.strftime('%Y-%m-%d')}\n")
    w("Process start → first complete `tools/list` answer over STDIO, for the same description served by "
      "release `mcpgen run SPEC` (in-process: the tools derived at start-up, served by the runtime) and by "
      "the release binary `mcpgen install mcp-json SPEC --compile --release --print` built, each with an explicit "
      f"tool surface (`--tools {'`, `--tools '.join(modes)}`); all servers of one description (both variants, every "
      "mode) take turns start by start in one `bench/first-list.py` run.\n")
    w("Modes: `all` lists one tool per operation; `dynamic` lists the four tools `search_tools`, `describe_tools`, "
      "`call_tool`, `call_read_only_tool` in front of the whole catalogue (which is still derived, or loaded, at "
      "start-up; the search index is built by the first search, not measured here: see `bench/search-tools`); "
      "`auto` is `all` when the tools' definitions fit 25,000 estimated tokens, else `dynamic`.\n")
    w("```sh")
    w(a.command)
    w("```\n")
    if a.rev:
        w(f"- Commit: `{a.rev}`, measured from a `git archive` snapshot (`--rev`): mcpgen built from it, the "
          "compiled servers on its runtime. The working tree (HEAD `" + head + "`) had "
          f"{len(dirty)} uncommitted file(s) under generator/, runtime/, templates/, not measured.")
    else:
        w(f"- Commit: `{head}`" + (
            f", with uncommitted changes in {len(dirty)} file(s) under generator/, runtime/, templates/ "
            f"(built as they were): {', '.join(f'`{d}`' for d in dirty[:8])}{' …' if len(dirty) > 8 else ''}"
            if dirty else ", no uncommitted changes under generator/, runtime/, templates/"))
    w(f"- Machine: {sh('nproc')} cores ({cpu_model()}), {mem_total_gib()}, {platform.system()} "
      f"{platform.release()}; `{sh('rustc', '--version')}`")
    w(f"- Load average (1/5/15 min) before / after the timed runs: {a.load}. The cores are shared with "
      "other engineers' builds: compare the servers within this report (they took turns), not absolute "
      "figures across reports.")
    gh = specs.get("github")
    if gh:
        w(f"- GitHub: `@octokit/openapi@{a.octokit}`, `{gh}` ({os.path.getsize(gh) / 1e6:.1f} MB)")
    w(f"- Runs: 1 warm-up start per server, then {a.runs} timed starts each; memory from {a.rss_runs} more "
      "starts each (median)\n")

    def rows():
        for name, by_mode in data.items():
            for m in modes:
                yield name, m, by_mode[m]

    w("## Start-up to the first complete `tools/list` answer (ms)\n")
    w("| description | `--tools` | variant | median | min | p90 | max | in-process / compiled (median) |")
    w("|---|---|---|---:|---:|---:|---:|---:|")
    for name, m, d in rows():
        ratio = d["in-process"]["median_ms"] / d["compiled"]["median_ms"]
        for v in VARIANTS:
            r = d[v]
            w(f"| {TITLES.get(name, name)} | {m} | {v} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | "
              f"{r['p90_ms']:.1f} | {r['max_ms']:.1f} | {f'**{ratio:.2f}**' if v == 'in-process' else ''} |")
    w("")

    have_mem = all("memory_median_kib" in d[v] for _, _, d in rows() for v in VARIANTS)
    if have_mem:
        w(f"## Idle memory 0.5 s after one `tools/list` (MiB, median of {a.rss_runs})\n")
        w("| description | `--tools` | variant | VmRSS | VmHWM (peak) | RssAnon | RssFile | VmRSS in-process / compiled |")
        w("|---|---|---|---:|---:|---:|---:|---:|")
        notes = []
        for name, m, d in rows():
            ratio = d["in-process"]["memory_median_kib"]["VmRSS"] / d["compiled"]["memory_median_kib"]["VmRSS"]
            for v in VARIANTS:
                mem = d[v]["memory_median_kib"]
                w(f"| {TITLES.get(name, name)} | {m} | {v} | {mib(mem['VmRSS'])} | {mib(mem['VmHWM'])} | "
                  f"{mib(mem['RssAnon'])} | {mib(mem['RssFile'])} | {f'**{ratio:.2f}**' if v == 'in-process' else ''} |")
                if d[v].get("children"):
                    notes.append(f"{TITLES.get(name, name)} {m} {v}: the process had {d[v]['children']} child "
                                 "process(es), whose memory is not counted")
            diff = d["in-process"]["memory_median_kib"]["VmRSS"] - d["compiled"]["memory_median_kib"]["VmRSS"]
            diff_hwm = d["in-process"]["memory_median_kib"]["VmHWM"] - d["compiled"]["memory_median_kib"]["VmHWM"]
            notes.append(f"{TITLES.get(name, name)} `--tools {m}`: in-process − compiled = {diff / 1024:+.1f} MiB "
                         f"VmRSS, {diff_hwm / 1024:+.1f} MiB VmHWM")
        w("")
        for n in notes:
            w(f"- {n}")
        w("")

    if len(modes) > 1:
        base = modes[0]
        w(f"## Each mode against `--tools {base}` (ratio of medians, same variant)\n")
        w("| description | `--tools` | variant | start-up | VmRSS | VmHWM | `tools/list` bytes |")
        w("|---|---|---|---:|---:|---:|---:|")
        for name, by_mode in data.items():
            for m in modes[1:]:
                for v in VARIANTS:
                    r, b = by_mode[m][v], by_mode[base][v]
                    cells = [f"{r['median_ms'] / b['median_ms']:.2f}"]
                    for k in ("VmRSS", "VmHWM"):
                        cells.append(f"{r['memory_median_kib'][k] / b['memory_median_kib'][k]:.2f}" if have_mem else "–")
                    cells.append(f"{r['list_bytes'] / b['list_bytes']:.4f}")
                    w(f"| {TITLES.get(name, name)} | {m} / {base} | {v} | {' | '.join(cells)} |")
        w("")

    w("## The `tools/list` answer\n")
    w("| description | `--tools` | tools | in-process (bytes) | compiled (bytes) | same bytes |")
    w("|---|---|---:|---:|---:|---|")
    extra = []
    for name, m, d in rows():
        i, c = d["in-process"], d["compiled"]
        same = "yes (SHA-256 equal)" if i["list_sha256"] == c["list_sha256"] else (
            "**no**: same size, different bytes" if i["list_bytes"] == c["list_bytes"] else "**no**")
        tools = str(i["tools"]) if i["tools"] == c["tools"] else f"{i['tools']} / {c['tools']}"
        w(f"| {TITLES.get(name, name)} | {m} | {tools} | {i['list_bytes']:,} | {c['list_bytes']:,} | {same} |")
        for v in VARIANTS:
            if len(d[v]["list_bytes_seen"]) > 1:
                extra.append(f"{TITLES.get(name, name)} {m} {v}: the size varied from run to run: "
                             f"{d[v]['list_bytes_seen']}")
            if d[v]["next_cursor"]:
                extra.append(f"{TITLES.get(name, name)} {m} {v}: the answer has a `nextCursor`: the clock stopped "
                             "at the first page")
    w("")
    for e in extra:
        w(f"- {e}")
    if extra:
        w("")
    w("The size is the `tools/list` line (newline included); the first line (`initialize`'s answer) is not "
      "counted. Both sizes come from the first timed run of each server, checked to answer id 2 with a result.\n")

    w("## Binaries and commands\n")
    w(f"- `{a.mcpgen}`: {os.path.getsize(a.mcpgen) / 1e6:.1f} MB")
    for name, by_mode in data.items():
        binary = by_mode[modes[0]]["compiled"]["argv"][0]
        secs = "?"
        try:
            with open(os.path.join(a.work, f"{name}-install.seconds")) as f:
                secs = f.read().strip()
        except OSError:
            pass
        w(f"- {TITLES.get(name, name)} compiled: `{binary}`: {os.path.getsize(binary) / 1e6:.1f} MB "
          f"(`mcpgen install ... --compile --release` took {secs} s in this run: generation and cargo, with whatever "
          "the cache and `target/bench/gen-target` already held; context, not a measured figure)")
    w("")
    w("```")
    for name, m, d in rows():
        for v in VARIANTS:
            w(f"{TITLES.get(name, name)} {m} {v}: {' '.join(d[v]['argv'])}")
    w("```\n")
    w("Each start: `bench/first-list.py` spawns the command, writes `initialize`, `notifications/initialized` and "
      "`tools/list` at once, reads with 1 MiB `os.read` calls until the second line has arrived and stops the "
      "clock there (before parsing). Memory: further starts, `/proc/PID/status` read 0.5 s after the answer; "
      "VmRSS counts the touched pages of the binary too (RssFile), VmHWM is the peak since start (for the "
      "in-process server: reading and deriving the description included). Raw figures: "
      f"`{a.work}/<description>.json`.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
