#!/usr/bin/env python3
"""Per-call instruction costs from two callgrind runs of the same server.

    callgrind_diff.py total      SMALL.out N_SMALL LARGE.out N_LARGE
    callgrind_diff.py self       SMALL.out N_SMALL LARGE.out N_LARGE [--top K]
    callgrind_diff.py inclusive  SMALL.out N_SMALL LARGE.out N_LARGE [--top K]
    callgrind_diff.py categories SMALL.out N_SMALL LARGE.out N_LARGE

Both runs do the same start-up and shutdown and differ only in the number of calls, so
(cost in LARGE - cost in SMALL) / (N_LARGE - N_SMALL) is the cost of one call with start-up and
shutdown cancelled out. `total` prints that number; the others print Markdown table rows:
functions by exclusive (`self`) or inclusive cost per call (scheduler and thread-start frames
left out), or exclusive cost grouped by what the code is (allocation, copying, JSON, ...).

Start-up work that runs for a fixed wall time rather than a fixed number of instructions does not
cancel out: quanta's clock calibration (`quanta::Clock::new`, run once when `--metrics` installs
the Prometheus recorder) spins ~15 million instructions under callgrind, more or fewer from one
run to the next. Its inclusive cost in each run is taken out of the per-call total (and shown as a
row of its own in `categories`, so the rows still add up to the total).
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*?)(?:\s+\[[^\]]*\])?$")

# Frames that only wrap everything below them (thread starts, the scheduler loop, task polls).
WRAPPERS = re.compile(
    r"^(start_thread|\(below main\)|\?\?\?:|__libc_start|std::rt::|std::sys::|core::ops::function::|"
    r"tokio::runtime::(task|scheduler|context|park|runtime|blocking::pool::Inner)|<std::sys::thread|"
    r"mcpgen_add::main|rmcp_add::main|bare_axum::main|mcpgen_runtime::run::)"
)

# Exclusive cost grouped by kind of work; the first matching pattern wins.
CATEGORIES = [
    ("allocation (malloc, free, Rust allocator)",
     r"malloc|free|memalign|realloc|calloc|unlink_chunk|__rdl_|__rust_(alloc|dealloc|realloc)|tcache|sbrk|brk"),
    ("memcpy / memmove / memcmp / memset", r"mem(cpy|move|cmp|set)|__memc|strlen"),
    ("metrics (recorder, registry, Prometheus exporter)",
     r"(?<![\w:])metrics(_exporter_prometheus|_util)?::|mcpgen_runtime::metrics::"),
    ("JSON maps (BTreeMap of serde_json::Value)", r"alloc::collections::btree"),
    ("serde_json parse / serialize / drop", r"serde_json|serde_core|drop_in_place<serde_json"),
    ("jsonschema (argument validation)", r"jsonschema|referencing"),
    ("hashing (SipHash, hashbrown)", r"hash|sip::"),
    ("tokio (scheduler, tasks, channels, I/O)", r"tokio"),
    ("hyper / http / axum / tower", r"hyper|^http::|<http::|axum|tower|matchit|httparse|httpdate"),
    ("mcpgen-runtime", r"mcpgen_runtime"),
    ("rmcp", r"rmcp"),
    ("kernel entry (syscall wrappers)", r"syscall|epoll|__libc_(write|read|recv|send)|writev|readv|__GI_|futex"),
    ("formatting (core::fmt)", r"core::fmt|alloc::fmt"),
    ("std sync (Mutex, Condvar)", r"std::sync|std::sys::sync"),
]


# Functions that run once at start-up for a fixed time, not a fixed amount of work (see above).
START_ONLY = re.compile(r"^quanta::Clock::new$")


def start_only(path):
    """Inclusive instructions of the START_ONLY functions in one run."""
    _, table = costs(path, True)
    return sum(ir for func, ir in table.items() if START_ONLY.search(func))


def costs(path, inclusive):
    out = subprocess.run(
        ["callgrind_annotate", "--auto=no", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", path],
        capture_output=True, text=True, check=True).stdout
    total, table = 0, {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        ir, name = int(m.group(1).replace(",", "")), m.group(2)
        if name == "PROGRAM TOTALS":
            total = ir
            continue
        func = name.split(":", 1)[1] if ":" in name and not name.startswith("???") else name
        func = re.sub(r"'\d+$", "", func)  # recursion levels
        if inclusive:
            table[func] = max(table.get(func, 0), ir)
        else:
            table[func] = table.get(func, 0) + ir
    return total, table


def shorten(func):
    func = func.replace("|", "\\|")
    return func if len(func) <= 150 else func[:147] + "..."


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    top = 25
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    small, n_small, large, n_large = args[0], int(args[1]), args[2], int(args[3])
    calls = n_large - n_small
    inclusive = mode == "inclusive"
    t_small, c_small = costs(small, inclusive)
    t_large, c_large = costs(large, inclusive)
    noise = (start_only(large) - start_only(small)) / calls
    per_call_total = (t_large - t_small) / calls - noise
    if mode == "total":
        print(f"{per_call_total:.0f}")
        return
    per_call = {f: (c_large.get(f, 0) - c_small.get(f, 0)) / calls for f in c_large}
    if mode == "categories":
        sums = {name: 0.0 for name, _ in CATEGORIES}
        other = 0.0
        for func, cost in per_call.items():
            for name, pattern in CATEGORIES:
                if re.search(pattern, func):
                    sums[name] += cost
                    break
            else:
                other += cost
        rows = sorted(sums.items(), key=lambda kv: -kv[1]) + [("everything else", other)]
        if abs(noise) >= 0.5:
            rows.append(("start-up, not per call: quanta's clock calibration (out of the total)", -noise))
        for name, cost in rows:
            if abs(cost) >= 0.5:
                print(f"| {name} | {cost:,.0f} | {100.0 * cost / per_call_total:.1f}% |")
        return
    rows = sorted(((cost, f) for f, cost in per_call.items() if not (inclusive and WRAPPERS.search(f))), reverse=True)
    for cost, func in rows[:top]:
        print(f"| {cost:,.0f} | {100.0 * cost / per_call_total:.1f}% | `{shorten(func)}` |")


if __name__ == "__main__":
    main()
