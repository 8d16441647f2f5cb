-- wrk script for bench/load.py: each request takes a random path from paths.txt (in the
-- working directory), and the summary is printed as one JSON line with p50/p95/p99 in ms.
local paths = {}
for line in io.lines("paths.txt") do
  if #line > 0 then paths[#paths + 1] = line end
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  -- each thread its own sequence (the same on every run)
  math.randomseed(1000 + id)
end

request = function()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"completed": %d, "status_errors": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    e.status, e.connect, e.read, e.write, e.timeout))
end
