"""fastmcp_add: the benchmark's FastMCP peer (fastmcp pinned in requirements-fastmcp.txt).

The same tool as mcpgen-add: add(a, b) answered with the sum as text. It returns `str` and sets
output_schema=None so FastMCP does not add structuredContent the other servers do not send.

    python fastmcp_add.py [--transport stdio|http] [--port N] [--stateless] [--json-response]

HTTP is FastMCP's own `run(transport="http")` (uvicorn, one process) at /mcp.
"""

import argparse

from fastmcp import FastMCP
from fastmcp_serve import add_transport_arguments, serve

mcp = FastMCP("fastmcp-add")


@mcp.tool(description="Add two integers", output_schema=None)
def add(a: int, b: int) -> str:
    return str(a + b)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_transport_arguments(parser)
    args = parser.parse_args()
    serve(mcp, args)


if __name__ == "__main__":
    main()
