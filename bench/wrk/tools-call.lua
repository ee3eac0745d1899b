-- wrk script: POST `tools/call add(1, 2)` with MCP Streamable HTTP framing, and print the
-- result as one JSON line (prefixed `JSON `) that bench/run records.
--
--   wrk -t2 -c16 -d3s -s bench/wrk/tools-call.lua http://127.0.0.1:18101/mcp
--
-- Every request is the same single POST, so this fits stateless mode. With MCP_SESSION_ID set
-- in the environment every request carries that session (one session shared by all
-- connections); bench/run uses mcpbench, not wrk, for session mode (one session per connection).
-- MCP_BODY replaces the request (the proxy scenario's `tools/call showPetById`).

wrk.method = "POST"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = os.getenv("MCP_BODY") or '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'

local session = os.getenv("MCP_SESSION_ID")
if session ~= nil and session ~= "" then
  wrk.headers["Mcp-Session-Id"] = session
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'JSON {"requests":%d,"seconds":%.6f,"rps":%.2f,"errors":%d,"status_errors":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds,
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
