-- wrk script: the proxy scenario's limit, the petstore upstream called directly
-- (`GET /v1/pets/1` with the spec's X-API-Key header), printing one JSON line like tools-call.lua.
--
--   wrk -t2 -c16 -d3s -s bench/wrk/upstream.lua http://127.0.0.1:18300/v1/pets/1

wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
wrk.headers["X-API-Key"] = "bench"

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
