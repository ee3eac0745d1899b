"""fastmcp_serve: the command-line transport flags both FastMCP bench servers take, and how they
serve with them (imported by fastmcp_add.py and fastmcp_openapi.py, which sit beside it).

    [--transport stdio|http|streamable-http] [--port N] [--stateless] [--json-response]

HTTP is FastMCP's own `run(transport="http")` (uvicorn, one process) at /mcp on 127.0.0.1.
"""

import argparse


def add_transport_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transport", "-t", default="stdio", choices=["stdio", "http", "streamable-http"])
    parser.add_argument("--port", "-p", type=int, default=8000)
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--json-response", action="store_true")


def serve(mcp, args: argparse.Namespace) -> None:
    if args.transport == "stdio":
        mcp.run(transport="stdio", show_banner=False)
    else:
        mcp.run(
            transport="http",
            host="127.0.0.1",
            port=args.port,
            path="/mcp",
            log_level="warning",
            show_banner=False,
            stateless_http=args.stateless,
            json_response=args.json_response,
        )
