-- wrk script: POST one line of a body file per request, each line once across all threads.
-- The path and the body file come from the environment (WRK_PATH, WRK_BODIES, WRK_THREADS).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS"))
  bodies = {}
  local i = 0
  for line in io.lines(os.getenv("WRK_BODIES")) do
    if i % nthreads == tid then
      table.insert(bodies, line)
    end
    i = i + 1
  end
  index = 0
  path = os.getenv("WRK_PATH")
  headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-Klasklimaat"] = "fetch"
  good = 0
  bad = 0
end

function request()
  index = index + 1
  if index > #bodies then
    index = 1 -- ran out: a repeat is a retry, stored once; the count afterwards shows it
  end
  return wrk.format("POST", path, headers, bodies[index])
end

function response(status, headers, body)
  if status == 200 then
    good = good + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local g, b = 0, 0
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    b = b + thread:get("bad")
  end
  io.write(string.format("KK-RESULT good=%d bad=%d requests=%d\n", g, b, summary.requests))
  io.write(string.format("KK-LATENCY p50=%d p95=%d p99=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
