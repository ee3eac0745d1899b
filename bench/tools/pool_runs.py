#!/usr/bin/env python3
"""One ratio from several bench/run reports: every timed run of two servers in one variant, pooled.

    bench/tools/pool_runs.py SERVER BASELINE VARIANT_PREFIX REPORT.jsonl... [--target 0.6] [--metric rps]
    bench/tools/pool_runs.py mcpgen bare "Stateless JSON — tools/call add(1,2), 16 connections, wrk" \\
        bench/results/2026-11-30-http-[3-7].jsonl

A report's ratio is a ratio of two medians of a few runs, and on a shared machine one report can
land on either side of a target that the code meets on most runs. Pooling reports answers the
question a single one cannot: the ratio of the medians of all runs, and, since bench/run lets the
servers take turns run by run, each run's own ratio (SERVER over the BASELINE run next to it):
their spread, and how many reach --target. The variant is matched by prefix, exactly one per
report. --metric names another figure of the runs than req/s (cpu_server_us, instructions, ...;
--target then still means a ratio at or above it). Prints Markdown.
"""
import argparse
import json
import statistics


def runs_of(path, variant_prefix, metric="rps"):
    """{(server, run number): metric} of the one variant whose title starts with the prefix."""
    records = [json.loads(line) for line in open(path) if line.strip()]
    runs = [r for r in records if r.get("kind") == "run"]
    variants = sorted({r["variant"] for r in runs if r["variant"].startswith(variant_prefix)})
    if len(variants) != 1:
        raise SystemExit(f"{path}: {len(variants)} variants start with {variant_prefix!r}: {variants}")
    return {(r["server"], r["run"]): r["result"][metric] for r in runs
            if r["variant"] == variants[0] and metric in r["result"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("baseline")
    parser.add_argument("variant_prefix")
    parser.add_argument("reports", nargs="+")
    parser.add_argument("--target", type=float, default=None)
    parser.add_argument("--metric", default="rps", help="the figure compared (default rps: req/s)")
    args = parser.parse_args()

    server_rps, baseline_rps, pairs = [], [], []
    print(f"| report | runs | {args.server} / {args.baseline}, run by run | ratio of medians |")
    print("|---|---:|---|---:|")
    for path in args.reports:
        runs = runs_of(path, args.variant_prefix, args.metric)
        numbers = sorted(n for (s, n) in runs if s == args.server and (args.baseline, n) in runs)
        if not numbers:
            raise SystemExit(f"{path}: no run has both {args.server} and {args.baseline}")
        mine = [runs[(args.server, n)] for n in numbers]
        theirs = [runs[(args.baseline, n)] for n in numbers]
        ratios = [a / b for a, b in zip(mine, theirs)]
        server_rps += mine
        baseline_rps += theirs
        pairs += ratios
        by_run = ", ".join(f"{r:.2f}" for r in ratios)
        print(f"| {path.rsplit('/', 1)[-1]} | {len(numbers)} | {by_run} | "
              f"{statistics.median(mine) / statistics.median(theirs):.2f} |")
    print()
    pooled = statistics.median(server_rps) / statistics.median(baseline_rps)
    unit = "req/s" if args.metric == "rps" else args.metric
    def number(x):
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.2f}"
    print(f"- all {len(pairs)} runs pooled: ratio of medians **{pooled:.3f}** "
          f"({args.server} {number(statistics.median(server_rps))} {unit}, "
          f"{args.baseline} {number(statistics.median(baseline_rps))} {unit})")
    quartiles = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else pairs * 3
    print(f"- run by run: median {statistics.median(pairs):.3f}, quartiles {quartiles[0]:.2f} and "
          f"{quartiles[2]:.2f}, min {min(pairs):.2f}, max {max(pairs):.2f}")
    if args.target is not None:
        reached = sum(p >= args.target for p in pairs)
        print(f"- runs at or above {args.target}: {reached} of {len(pairs)}")


if __name__ == "__main__":
    main()
