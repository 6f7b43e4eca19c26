-- wrk script: the mutation mix. Each request is an updateDeveloper with `expectedVersion` for a
-- developer drawn round-robin from this thread's share of the ids (first argument: a file of
-- developer global IDs and their current versions, one "ID VERSION" per line; second: an admin
-- token). The response's version is kept for
-- the next update of the same developer. A STALE_VERSION user error (two updates of one developer
-- in flight at once) counts as a conflict, not an error; anything else unexpected is an error.

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  ids = {}
  versions = {}
  local all = {}
  for line in io.lines(args[1]) do
    local id, version = string.match(line, "^(%S+)%s+(%d+)$")
    if id then
      all[#all + 1] = { id, tonumber(version) }
    end
  end
  -- Four threads at most share the ids: each takes every fourth one, so no two threads update
  -- one developer.
  for i = 1, #all do
    if (i - 1) % 4 == thread_index % 4 then
      ids[#ids + 1] = all[i][1]
      versions[all[i][1]] = all[i][2]
    end
  end
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2] }
  counter = 0
  failed = 0
  conflicts = 0
  sample = nil
end

function request()
  counter = counter % #ids + 1
  local id = ids[counter]
  local version = versions[id]
  local expected = version and (',"expectedVersion":' .. version) or ""
  local body = '{"query":"mutation($input: UpdateDeveloperInput!) { updateDeveloper(input: $input) { developer { id version } userErrors { code } } }","variables":{"input":{"id":"'
    .. id .. '","openToWork":' .. (counter % 2 == 0 and "true" or "false") .. expected .. '}}}'
  return wrk.format("POST", "/graphql", headers, body)
end

function response(status, _, body)
  local id, version = string.match(body, '"id":"([^"]+)","version":(%d+)')
  if status == 200 and id then
    versions[id] = tonumber(version)
  elseif status == 200 and string.find(body, "STALE_VERSION", 1, true) then
    conflicts = conflicts + 1
    -- Forget the version: the next update of that developer goes without one, and learns it.
    for k in pairs(versions) do
      versions[k] = nil
    end
  else
    failed = failed + 1
    if sample == nil then
      sample = string.sub(body, 1, 300)
    end
  end
end

function done(summary, latency, _)
  local failures, clashes, example = 0, 0, ""
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
    clashes = clashes + thread:get("conflicts")
    local s = thread:get("sample")
    if s and example == "" then
      example = s
    end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"errors":%d,"socket_errors":%d,"conflicts":%d,"example_error":%q}\n',
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    failures + socket,
    socket,
    clashes,
    example
  ))
end
