"""fastmcp_openapi: the FastMCP peer of the proxy and cost-peers scenarios (fastmcp pinned in
requirements-fastmcp.txt).

FastMCP's own OpenAPI path: `FastMCP.from_openapi` builds its tools from the description when the
process starts (FastMCP parses the spec at start-up; there is no generation step), and calls the
API through the httpx client given here, which carries the base URL and the credential header.
The default route maps are kept: every operation a tool, named after its operationId.

    python fastmcp_openapi.py --spec fixtures/petstore.yaml --base-url http://127.0.0.1:18300/v1 \
        [--header 'X-API-Key: bench'] [--transport stdio|http] [--port N] [--stateless] [--json-response]

HTTP is FastMCP's own `run(transport="http")` (uvicorn, one process) at /mcp.
"""

import argparse
import json

import httpx2
import yaml

from fastmcp import FastMCP
from fastmcp_serve import add_transport_arguments, serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--header", action="append", default=[], help="NAME: VALUE, sent with every API call")
    add_transport_arguments(parser)
    args = parser.parse_args()

    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f) if args.spec.endswith(".json") else yaml.safe_load(f)
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    client = httpx2.AsyncClient(base_url=args.base_url, headers=headers, timeout=30.0)
    mcp = FastMCP.from_openapi(openapi_spec=spec, client=client, name="petstore")

    serve(mcp, args)


if __name__ == "__main__":
    main()
