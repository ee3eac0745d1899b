#!/usr/bin/env python3
"""Idle keep-alive connections held open against a running server (`bench/run scale`).

    bench/tools/scale.py --port 18140 --pid PID --count 10000 [--deadline 180]

Reads the server's VmRSS, opens COUNT connections one after another, each making one stateless
`tools/call add(1, 2)` and then staying open and idle, reads VmRSS again 0.5 s after the last,
checks every connection is still open, closes them all and prints one JSON object:
connections opened, RSS before and with them (KiB), bytes per connection, seconds taken. Every
socket operation has a 5 s timeout and the whole run a deadline: it stops by itself. Needs a
file-descriptor limit above COUNT (`ulimit -n`; bench/run raises the soft limit).
"""
import argparse
import json
import select
import socket
import time

from conn_memory import call as call_once, rss_kib


def call(sock):
    """One tools/call on an open connection, its answer checked (add(1, 2) is 3)."""
    call_once(sock, expect=b'"text":"3"')


def still_open(socks):
    """How many of the idle connections the server has not closed (no EOF waiting to be read)."""
    poller = select.poll()
    by_fd = {sock.fileno(): sock for sock in socks}
    for fd in by_fd:
        poller.register(fd, select.POLLIN | select.POLLHUP)
    closed = 0
    for fd, _ in poller.poll(0):
        if by_fd[fd].recv(1, socket.MSG_PEEK) == b"":
            closed += 1
    return len(socks) - closed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--deadline", type=float, default=180)
    args = parser.parse_args()
    start = time.monotonic()
    warm = socket.create_connection(("127.0.0.1", args.port), timeout=5)
    for _ in range(200):
        call(warm)
    warm.close()
    time.sleep(0.3)
    before = rss_kib(args.pid)
    socks, error = [], None
    try:
        while len(socks) < args.count:
            if time.monotonic() - start > args.deadline:
                error = f"deadline of {args.deadline} s reached"
                break
            sock = socket.create_connection(("127.0.0.1", args.port), timeout=5)
            socks.append(sock)
            call(sock)
        time.sleep(0.5)
        after = rss_kib(args.pid)
        open_now = still_open(socks)
    except (OSError, RuntimeError, ValueError) as e:
        error = f"{type(e).__name__}: {e}"
        after, open_now = rss_kib(args.pid), 0
    finally:
        for sock in socks:
            sock.close()
    opened = len(socks)
    result = {
        "connections": opened,
        "still_open": open_now,
        "rss_before_kib": before,
        "rss_with_kib": after,
        "bytes_per_connection": round((after - before) * 1024 / opened) if opened else 0,
        "seconds": round(time.monotonic() - start, 2),
    }
    if error:
        result["error"] = error
    print(json.dumps(result))


if __name__ == "__main__":
    main()
