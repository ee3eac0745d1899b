"""fastmcp_add: the benchmark's FastMCP peer (fastmcp pinned in requirements-fastmcp.txt).

The same tool as mcpgen-add: add(a, b) answered with the sum as text. It returns `str` and sets
output_schema=None so FastMCP does not add structuredContent the other servers do not send.

    python fastmcp_add.py [--transport stdio|http] [--port N] [--stateless] [--json-response]

HTTP is FastMCP's own `run(transport="http")` (uvicorn, one process) at /mcp.
"""

import argparse

from fastmcp import FastMCP

mcp = FastMCP("fastmcp-add")


@mcp.tool(description="Add two integers", output_schema=None)
def add(a: int, b: int) -> str:
    return str(a + b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", "-t", default="stdio", choices=["stdio", "http", "streamable-http"])
    parser.add_argument("--port", "-p", type=int, default=8000)
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--json-response", action="store_true")
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
