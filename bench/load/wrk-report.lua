-- wrk script for `npm run bench`: method, body and credential from the environment; a credential
-- file (one header value a line) is used in turn, a different token on every request, and so is a
-- paths file (one path a line); the result is
-- printed as one JSON line (latencies in ms) after `BENCH_RESULT `.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local credential = os.getenv("BENCH_CREDENTIAL")
local pool_file = os.getenv("BENCH_CREDENTIALS_FILE")
local paths_file = os.getenv("BENCH_PATHS_FILE")

wrk.method = method
if body and #body > 0 then
  wrk.body = body
  wrk.headers["content-type"] = "application/json"
end
if credential and #credential > 0 then wrk.headers["authorization"] = credential end

local function lines(file)
  local list = {}
  if file and #file > 0 then
    for line in io.lines(file) do
      if #line > 0 then list[#list + 1] = line end
    end
  end
  return list
end

local pool = lines(pool_file)
local paths = lines(paths_file)
if #pool > 0 or #paths > 0 then
  local next_credential, next_path = 0, 0
  request = function()
    local path = nil
    if #pool > 0 then
      next_credential = next_credential % #pool + 1
      wrk.headers["authorization"] = pool[next_credential]
    end
    if #paths > 0 then
      next_path = next_path % #paths + 1
      path = paths[next_path]
    end
    return wrk.format(nil, path)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"errors":%d,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
