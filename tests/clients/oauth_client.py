"""The Python `mcp` client's own OAuth support against a protected server, driven end to end.

    oauth_client.py --url URL --mode legacy|auto --steps JSON [--wait-after-first SECONDS]

The client meets the server's 401, discovers the protected resource metadata and the
authorization server, registers itself, and runs the authorization code flow with PKCE. The
authorization step (the login and consent pages of oidc-provider's development interactions) is
answered here with plain HTTP requests, as a person in a browser would. Then it lists the tools
and runs the steps (each `{"call": name, "arguments": {...}}` or `{"list": true}`), optionally
sleeping between the first and the rest so its access token expires and the client refreshes it.
Prints a JSON report (tools, results, the tokens the storage saw); decides nothing.
"""

import argparse
import asyncio
import json
import re
import sys
from urllib.parse import parse_qs, urljoin, urlparse

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT_URI = "http://127.0.0.1:1/callback"


class MemoryStorage(TokenStorage):
    def __init__(self):
        self.tokens = None
        self.client_info = None
        self.saved = []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken):
        self.tokens = tokens
        self.saved.append(tokens.access_token)

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull):
        self.client_info = client_info


class Browser:
    """Answers the authorization request as the user `alice` would: sign in, then consent."""

    def __init__(self):
        self.callback = None
        self.pages = 0

    async def open(self, authorization_url: str):
        async with httpx2.AsyncClient(follow_redirects=False, timeout=30) as http:
            url = authorization_url
            for _ in range(12):
                response = await http.get(url)
                if response.is_redirect:
                    url = urljoin(url, response.headers["location"])
                    if url.startswith(REDIRECT_URI):
                        self.callback = url
                        return
                    continue
                response.raise_for_status()
                self.pages += 1
                prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
                if not prompt:
                    raise RuntimeError(f"an interaction page without a prompt: {response.text[:300]}")
                form = {"prompt": prompt.group(1)}
                if prompt.group(1) == "login":
                    form.update(login="alice", password="anything")
                submitted = await http.post(url, data=form)
                if not submitted.is_redirect:
                    raise RuntimeError(f"submitting {form['prompt']} answered {submitted.status_code}: {submitted.text[:300]}")
                url = urljoin(url, submitted.headers["location"])
            raise RuntimeError("the authorization flow did not reach the redirect URI")

    async def wait(self) -> AuthorizationCodeResult:
        query = parse_qs(urlparse(self.callback).query)
        if "error" in query:
            raise RuntimeError(f"the authorization server refused: {query}")
        return AuthorizationCodeResult(code=query["code"][0], state=query.get("state", [None])[0],
                                       iss=query.get("iss", [None])[0])


def dump(value):
    return value.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(value, "model_dump") else value


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", default="legacy")
    parser.add_argument("--steps", default="[]")
    parser.add_argument("--wait-after-first", type=float, default=0)
    args = parser.parse_args()
    storage, browser = MemoryStorage(), Browser()
    metadata = OAuthClientMetadata(
        client_name="mcpgen e2e", redirect_uris=[REDIRECT_URI], grant_types=["authorization_code", "refresh_token"],
        response_types=["code"], token_endpoint_auth_method="none",
    )
    auth = OAuthClientProvider(args.url, metadata, storage, redirect_handler=browser.open, callback_handler=browser.wait)
    report = {"results": []}
    transport = streamable_http_client(args.url, http_client=create_mcp_http_client(auth=auth))
    async with Client(transport, mode=args.mode) as client:
        report["tools"] = sorted(t.name for t in (await client.list_tools()).tools)
        for i, step in enumerate(json.loads(args.steps)):
            if i == 1 and args.wait_after_first:
                await asyncio.sleep(args.wait_after_first)
            if "list" in step:
                report["results"].append({"tools": sorted(t.name for t in (await client.list_tools()).tools)})
                continue
            try:
                result = await client.call_tool(step["call"], step.get("arguments", {}))
                report["results"].append({"isError": result.is_error, "content": [dump(c) for c in result.content],
                                          "structured": result.structured_content})
            except Exception as e:  # an MCP error: reported, not fatal
                report["results"].append({"error": str(e)})
    report["interactionPages"] = browser.pages
    report["accessTokens"] = storage.saved
    report["refreshToken"] = bool(storage.tokens and storage.tokens.refresh_token)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
