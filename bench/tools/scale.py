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

BODY = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
REQUEST = (
    b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def call(sock):
    """One tools/call on an open connection; returns once the whole answer is in."""
    sock.sendall(REQUEST)
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
            if len(body) >= length:
                if b'"text":"3"' not in body:
                    raise RuntimeError(f"a wrong answer: {body[:200]!r}")
                return
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        data += chunk


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
