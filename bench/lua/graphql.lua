-- wrk script: POSTs GraphQL request bodies (one JSON document per line of the file given as the
-- first script argument) round-robin to /graphql, optionally with a bearer token (second
-- argument). A response counts as an error unless it is HTTP 200 without "errors" in the body.
-- Prints one line `RESULT {json}` at the end.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      bodies[#bodies + 1] = line
    end
  end
  headers = { ["Content-Type"] = "application/json" }
  if args[2] and #args[2] > 0 then
    headers["Authorization"] = "Bearer " .. args[2]
  end
  counter = math.random(#bodies)
  failed = 0
  sample = nil
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/graphql", headers, bodies[counter])
end

function response(status, _, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failed = failed + 1
    if sample == nil then
      sample = string.sub(body, 1, 300)
    end
  end
end

function done(summary, latency, _)
  local failures = 0
  local example = ""
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
    local s = thread:get("sample")
    if s and example == "" then
      example = s
    end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"errors":%d,"socket_errors":%d,"example_error":%q}\n',
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    failures + socket,
    socket,
    example
  ))
end
