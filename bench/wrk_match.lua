-- wrk script: POST the benchmark profiles (one JSON body per line of BODIES) round-robin
-- to /api/v1/matches, and print the latency distribution as one JSON line at the end.
local bodies = {}
local path = os.getenv("BODIES")
for line in io.lines(path) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
local counter = math.random(#bodies)
-- The match API's client key (bench/run.py creates one with `matcher clients create`).
local headers = {["Content-Type"] = "application/json", ["Authorization"] = os.getenv("AUTHORIZATION")}

request = function()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/api/v1/matches", headers, bodies[counter])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
