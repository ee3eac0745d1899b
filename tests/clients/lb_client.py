#!/usr/bin/env python3
"""Drive MCP servers behind a load balancer with the official Python client (`mcp`) and report
what happened as JSON. tests/tests/load_balancers.rs runs it; like mcp_client.py it decides
nothing: it runs a scenario and prints one JSON object on stdout, with "warnings": what the
`mcp` client logged at WARNING or above (failures it swallows, such as a session's DELETE). A
crash of the script itself (not a failed call) ends it with a traceback on stderr and exit
status 1.

Usage:
    lb_client.py --url URL --mode auto|legacy SCENARIO [options]

Scenarios:
    calls --tool NAME --count N
        One connection, N calls of NAME (no arguments), one after another.
        {"protocolVersion": ..., "results": [{"text": ...} | {"error": ...}, ...]}
    multi-round
        One connection, one call of test_input_required_result_multi_round, whose two input
        rounds (name, then colour) this client answers through its elicitation callback.
        {"protocolVersion": ..., "text": ..., "elicitations": [message, ...]} or {..., "error": ...}
    load --tool NAME --workers W --max-calls N --max-seconds S --stop-file PATH --progress-file PATH
        W connections calling NAME concurrently until PATH exists, N calls were made or S seconds
        passed. The number of calls made so far is rewritten into the progress file as they go.
        A connection that fails other than by a JSON-RPC error is replaced by a new one.
        {"ok": n, "failed": [{"worker", "at", "error"}, ...], "reconnects": n, "seconds": s}
    session --tool NAME --ready-file PATH --go-file PATH
        Legacy sessions: a call on one session, then (once the test created the go file) another
        call on it; when that one fails, a new connection and a call on it.
        {"first": ..., "second": ..., "reconnected": ... | null}
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult

READ_TIMEOUT_SECONDS = 30.0


class Warnings(logging.Handler):
    """What the `mcp` client logs at WARNING and above: failures it swallows (a session's DELETE
    that failed, say) reach the report, where a test can show them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def text_of(result: Any) -> str:
    for block in result.content:
        if getattr(block, "type", None) == "text":
            return block.text
    return ""


def leaves(error: BaseException) -> list[BaseException]:
    """The exceptions an exception group holds, however deeply nested; the error itself otherwise."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


def describe(error: BaseException) -> dict[str, Any]:
    if isinstance(error, MCPError):
        return {"code": error.error.code, "message": error.error.message}
    # Transport failures arrive wrapped in exception groups: name what is inside them.
    message = "; ".join(f"{type(e).__name__}: {e}" for e in leaves(error))
    return {"code": None, "message": message}


def client(args: argparse.Namespace, **kwargs: Any) -> Client:
    return Client(args.url, mode=args.mode, read_timeout_seconds=READ_TIMEOUT_SECONDS, **kwargs)


async def one_call(c: Client, tool: str) -> dict[str, Any]:
    result = await c.call_tool(tool, {})
    if result.is_error:
        return {"error": {"code": None, "message": f"isError: {text_of(result)}"}}
    return {"text": text_of(result)}


async def calls(args: argparse.Namespace) -> dict[str, Any]:
    async with client(args) as c:
        results = []
        for _ in range(args.count):
            try:
                results.append(await one_call(c, args.tool))
            except MCPError as e:
                results.append({"error": describe(e)})
        return {"protocolVersion": c.protocol_version, "results": results}


async def multi_round(args: argparse.Namespace) -> dict[str, Any]:
    asked: list[str] = []
    answers = {"name": "Ada", "color": "teal"}

    async def elicit(_context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        fields = params.requested_schema.get("properties", {})
        return ElicitResult(action="accept", content={k: answers.get(k, "?") for k in fields})

    async with client(args, elicitation_callback=elicit) as c:
        report: dict[str, Any] = {"protocolVersion": c.protocol_version, "elicitations": asked}
        try:
            result = await c.call_tool("test_input_required_result_multi_round", {})
            report["text"] = text_of(result)
        except MCPError as e:
            report["error"] = describe(e)
        return report


async def load(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    state: dict[str, Any] = {"ok": 0, "failed": [], "reconnects": 0, "calls": 0}

    def done() -> bool:
        return (
            state["calls"] >= args.max_calls
            or time.monotonic() - started > args.max_seconds
            or os.path.exists(args.stop_file)
        )

    def count(outcome: dict[str, Any] | None, worker: int) -> None:
        state["calls"] += 1
        if outcome is None:
            state["ok"] += 1
        else:
            at = round(time.monotonic() - started, 3)
            state["failed"].append({"worker": worker, "at": at, "error": outcome})
        # Written aside and renamed, so the test never reads a half-written number.
        with open(args.progress_file + ".new", "w") as f:
            f.write(str(state["calls"]))
        os.replace(args.progress_file + ".new", args.progress_file)

    async def worker(n: int) -> None:
        while not done():
            try:
                async with client(args) as c:
                    while not done():
                        try:
                            outcome = await one_call(c, args.tool)
                            count(outcome if "error" in outcome else None, n)
                        except MCPError as e:
                            count({"error": describe(e)}, n)
            except Exception as e:  # the connection itself failed: count the call, open a new one
                count({"error": describe(e)}, n)
                state["reconnects"] += 1
                await anyio.sleep(0.05)

    async with anyio.create_task_group() as tg:
        for n in range(args.workers):
            tg.start_soon(worker, n)
    del state["calls"]
    state["seconds"] = round(time.monotonic() - started, 3)
    return state


async def wait_for_file(path: str, seconds: float) -> None:
    with anyio.fail_after(seconds):
        while not os.path.exists(path):
            await anyio.sleep(0.02)


async def session(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"reconnected": None}
    async with client(args) as c:
        report["first"] = await one_call(c, args.tool)
        with open(args.ready_file, "w") as f:
            f.write("ready")
        await wait_for_file(args.go_file, 60)
        try:
            report["second"] = await one_call(c, args.tool)
        except MCPError as e:
            report["second"] = {"error": describe(e)}
    if "error" in report["second"]:
        # What a user of this client does: the session is gone, so connect again.
        async with client(args) as c:
            report["reconnected"] = await one_call(c, args.tool)
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["auto", "legacy"], default="auto")
    sub = parser.add_subparsers(dest="scenario", required=True)
    p = sub.add_parser("calls")
    p.add_argument("--tool", required=True)
    p.add_argument("--count", type=int, required=True)
    sub.add_parser("multi-round")
    p = sub.add_parser("load")
    p.add_argument("--tool", required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--max-calls", type=int, required=True)
    p.add_argument("--max-seconds", type=float, required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--progress-file", required=True)
    p = sub.add_parser("session")
    p.add_argument("--tool", required=True)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--go-file", required=True)
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    scenarios = {"calls": calls, "multi-round": multi_round, "load": load, "session": session}
    return await scenarios[args.scenario](args)


if __name__ == "__main__":
    warnings = Warnings()
    logging.getLogger("mcp").addHandler(warnings)
    report = anyio.run(main, parse_args(sys.argv[1:]))
    report["warnings"] = warnings.messages
    print(json.dumps(report))
