-- wrk script for B1: a unique organisation (and Idempotency-Key) per request, or the bare
-- ceiling's body; prints one RESULT line with counts and latency percentiles (µs).
local counter = 0
local token, nonce, path = "", "", "/v1/organisations"

function init(args)
  path, token, nonce = args[1], args[2], args[3]
end

function setup(thread)
  thread:set("tag", tostring(math.random(100000000)))
end

function request()
  counter = counter + 1
  local id = nonce .. "-" .. tag .. "-" .. counter
  local body = '{"identifiers":[{"scheme":"PT-NIPPC","id":"' .. id .. '"}],'
    .. '"legal_name":"Organisation ' .. id .. '","org_type":22,"sector":"civil_society",'
    .. '"territory":{"country":"PT","nuts":"PT1C2"}}'
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = id}
  if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
