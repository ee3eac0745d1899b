#!/usr/bin/env python3
"""Drive an MCP server with the official Python client (`mcp`) and report what happened as JSON.

The Rust end-to-end tests (tests/tests/python_client.rs) run this script and assert on its report,
so the script itself decides nothing: it connects, runs the given steps in order on one
connection, and prints one JSON object on stdout:

    {"protocolVersion": "...", "serverInfo": {...}, "capabilities": {...},
     "results": [{"result": {...}} | {"error": {"code": ..., "message": ..., "data": ...}}, ...]}

Results are the client's parsed models dumped with the wire's field names, keeping only fields the
server actually sent. Anything other than a JSON-RPC error from the server (a crash, a timeout,
a failed connection) ends the script with a traceback on stderr and exit status 1.

Usage:
    mcp_client.py --mode auto|legacy --steps JSON [--env KEY=VALUE ...] -- COMMAND [ARGS...]
    mcp_client.py --mode auto|legacy --steps JSON --transport http|sse --url URL [--header "Name: value" ...]

Steps: {"op": "list_tools"}
       {"op": "call_tool", "name": "...", "arguments": {...}}
       {"op": "call_tool", ..., "cancelAfter": SECONDS}  cancel the call if it takes longer;
                                                          its result is then {"cancelled": true}
       {"op": "ping"}                                     legacy only
       {"op": "sleep", "seconds": SECONDS}
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

import anyio
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

READ_TIMEOUT_SECONDS = 30.0


def dump(model: Any) -> Any:
    if model is None:
        return None
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["auto", "legacy"], default="auto")
    parser.add_argument("--steps", required=True, help="JSON array of steps")
    parser.add_argument("--transport", choices=["stdio", "http", "sse"], default="stdio")
    parser.add_argument("--url", help="server URL for http and sse")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="server environment (stdio)")
    parser.add_argument("--header", action="append", default=[], metavar="NAME: VALUE", help="HTTP header (http, sse)")
    parser.add_argument("command", nargs="*", help="server command and arguments (stdio), after --")
    args = parser.parse_args(argv)
    if args.transport == "stdio" and not args.command:
        parser.error("stdio needs the server command after --")
    if args.transport != "stdio" and not args.url:
        parser.error(f"{args.transport} needs --url")
    return args


def server_target(args: argparse.Namespace) -> Any:
    if args.transport == "stdio":
        env = dict(item.split("=", 1) for item in args.env)
        return StdioServerParameters(command=args.command[0], args=args.command[1:], env=env or None)
    headers = dict((name.strip(), value.strip()) for name, value in (h.split(":", 1) for h in args.header))
    if args.transport == "http":
        if not headers:
            return args.url
        return streamable_http_client(args.url, http_client=create_mcp_http_client(headers=headers))
    return sse_client(args.url, headers=headers or None)


async def run_step(client: Client, step: dict[str, Any]) -> Any:
    """Runs one step; returns its JSON result."""
    op = step["op"]
    if op == "list_tools":
        return dump(await client.list_tools(cache_mode="refresh"))
    if op == "call_tool":
        call = client.call_tool(step["name"], step.get("arguments"))
        if "cancelAfter" not in step:
            return dump(await call)
        # Give up on the call after a while: the client cancels the request.
        with anyio.move_on_after(step["cancelAfter"]) as scope:
            result = await call
        return {"cancelled": True} if scope.cancelled_caught else dump(result)
    if op == "ping":  # legacy only: 2026-07-28 removed ping
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            return dump(await client.send_ping())
    if op == "sleep":
        await anyio.sleep(step["seconds"])
        return {}
    raise ValueError(f"unknown step {op!r}")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    steps = json.loads(args.steps)
    async with Client(server_target(args), mode=args.mode, read_timeout_seconds=READ_TIMEOUT_SECONDS) as client:
        report: dict[str, Any] = {
            "protocolVersion": client.protocol_version,
            "serverInfo": dump(client.server_info),
            "capabilities": dump(client.server_capabilities),
            "results": [],
        }
        for step in steps:
            try:
                report["results"].append({"result": await run_step(client, step)})
            except MCPError as e:
                report["results"].append(
                    {"error": {"code": e.error.code, "message": e.error.message, "data": e.error.data}}
                )
        return report


if __name__ == "__main__":
    report = anyio.run(main, parse_args(sys.argv[1:]))
    print(json.dumps(report))
