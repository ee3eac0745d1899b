#!/usr/bin/env python3
"""Resident memory per open HTTP connection of mcpgen-add builds, side by side.

    bench/tools/conn_memory.py [--connections 4000] [--port 18700] BINARY...
    bench/tools/conn_memory.py /tmp/before /tmp/after /tmp/before /tmp/after

Each BINARY is started in turn (`--transport http --stateless --json-response` on 127.0.0.1),
warmed with 200 calls on one connection, and its VmRSS read; then CONNECTIONS keep-alive
connections are opened, each makes one `tools/call add(1, 2)` and stays open, and VmRSS is read
again. Prints (RSS with them - RSS before) / CONNECTIONS per binary: what an open, idle
keep-alive connection costs the server. Needs a file-descriptor limit above CONNECTIONS
(`ulimit -n`). Every wait is bounded; the server is stopped whatever happens.
"""
import argparse
import os
import socket
import subprocess
import time

BODY = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
REQUEST = (
    b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def call(sock, expect=None):
    """One tools/call on an open connection; returns once the whole answer is in, which must
    hold `expect` (bytes) when given."""
    sock.sendall(REQUEST)
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
            if len(body) >= length:
                if expect is not None and expect not in body:
                    raise RuntimeError(f"a wrong answer: {body[:200]!r}")
                return
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        data += chunk


def measure(binary, port, connections):
    server = subprocess.Popen(
        [binary, "--transport", "http", "--port", str(port), "--stateless", "--json-response"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socks = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{binary} did not start on port {port}")
        warm = socket.create_connection(("127.0.0.1", port), timeout=5)
        for _ in range(200):
            call(warm)
        time.sleep(0.3)
        before = rss_kib(server.pid)
        for _ in range(connections):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            call(sock)
            socks.append(sock)
        time.sleep(0.5)
        after = rss_kib(server.pid)
        return before, after
    finally:
        for sock in socks:
            sock.close()
        server.terminate()
        server.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--connections", type=int, default=4000)
    parser.add_argument("--port", type=int, default=18700)
    args = parser.parse_args()
    print(f"| binary | RSS before, KiB | RSS with {args.connections} connections, KiB | bytes per connection |")
    print("|---|---:|---:|---:|")
    for binary in args.binaries:
        before, after = measure(binary, args.port, args.connections)
        per = (after - before) * 1024 / args.connections
        print(f"| {os.path.basename(binary)} | {before:,} | {after:,} | {per:,.0f} |")


if __name__ == "__main__":
    main()
