-- One wrk script for every server figure: each request takes the next line of a feed file.
--   WRK_FEED     file of lines "<path>\t<authorization header value>"
--   WRK_METHOD   GET or POST (default GET)
--   WRK_BODY     request body for POST (JSON, same for every request)
--   WRK_CYCLE    "1": start again at the top when the feed ends (reads); otherwise each line is
--                used once (approve, claim: a second use would be a 409) and a thread that runs
--                out stops, asking only /healthz until the end so that nothing is decided twice
--   WRK_CAPTURE  file prefix: the check-in id of every 2xx answer is appended to
--                <prefix>.<thread> (the create phases feed the approve, status and claim phases)
--   WRK_THREADS  the -t given to wrk
-- done() prints one JSON line that bench/node/lib/wrk.mjs reads.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local lines = {}
local pos = 0
local stride = 1
local method, body, cycle, capture

function init(args)
  stride = tonumber(os.getenv("WRK_THREADS") or "1")
  method = os.getenv("WRK_METHOD") or "GET"
  body = os.getenv("WRK_BODY")
  cycle = os.getenv("WRK_CYCLE") == "1"
  local all = {}
  for line in io.lines(os.getenv("WRK_FEED")) do
    local path, auth = line:match("^([^\t]+)\t(.*)$")
    if path then table.insert(all, { path, auth }) end
  end
  -- thread n takes lines n, n + stride, ...: no line is used by two threads
  for i = tid, #all, stride do table.insert(lines, all[i]) end
  local prefix = os.getenv("WRK_CAPTURE")
  if prefix and prefix ~= "" then
    capture = io.open(prefix .. "." .. tid, "w")
    capture:setvbuf("line")
  end
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  pos = pos + 1
  if pos > #lines then
    if cycle and #lines > 0 then
      pos = 1
    else
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
  end
  local l = lines[pos]
  if l[2] ~= "" then headers["Authorization"] = l[2] else headers["Authorization"] = nil end
  if method == "POST" then
    return wrk.format("POST", l[1], headers, body or "{}")
  end
  return wrk.format("GET", l[1], headers)
end

if os.getenv("WRK_CAPTURE") and os.getenv("WRK_CAPTURE") ~= "" then
  function response(status, hdrs, resp)
    if status >= 200 and status < 300 then
      local id = resp:match('"id"%s*:%s*"(ci_[^"]+)"')
      if id then capture:write(id, "\n") end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\n{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"non2xx":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
