-- wrk script of scripts/bench-load: POSTs each line of MIKEY_LOAD_FILE (a base64 MIKEY message
-- written by mikey_load_gen) once, as a TS 33.328 Annex A request to
-- /keymanagement?requesttype=MIKEY_LOAD_TYPE. Threads take disjoint lines, so no request is a
-- replay unless the file runs out (then lines are reused and counted as `reused`).
-- MIKEY_LOAD_EXPECT: the first base64 characters every answer body must start with (a
-- REQUEST_RESP / RESOLVE_RESP header, not a MIKEY Error); others count as `unexpected`.
-- MIKEY_LOAD_DELAY_MS: mean pause before each request on a connection (0: none), drawn as
-- floor or ceil of the mean so that a fractional mean holds on average (wrk's delay() is in ms).
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(os.getenv("MIKEY_LOAD_THREADS") or "1")
  expect = os.getenv("MIKEY_LOAD_EXPECT") or ""
  mean_delay = tonumber(os.getenv("MIKEY_LOAD_DELAY_MS") or "0")
  local path = "/keymanagement?requesttype=" .. (os.getenv("MIKEY_LOAD_TYPE") or "ticketrequest")
  local headers = { ["Content-Type"] = "application/mikey" }
  requests = {}
  local n = 0
  for line in io.lines(os.getenv("MIKEY_LOAD_FILE")) do
    if n % nthreads == id - 1 then
      table.insert(requests, wrk.format("POST", path, headers, line))
    end
    n = n + 1
  end
  nreq = #requests
  index = 0
  sent = 0
  reused = 0
  unexpected = 0
  math.randomseed(id)
end

function request()
  index = index + 1
  if index > nreq then
    index = 1
  end
  sent = sent + 1
  if sent > nreq then reused = reused + 1 end
  return requests[index]
end

function delay()
  if mean_delay <= 0 then return 0 end
  local base = math.floor(mean_delay)
  if math.random() < mean_delay - base then return base + 1 end
  return base
end

function response(status, headers, body)
  if status ~= 200 or string.sub(body, 1, #expect) ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total_reused, total_unexpected = 0, 0
  for _, t in ipairs(threads) do
    total_reused = total_reused + t:get("reused")
    total_unexpected = total_unexpected + t:get("unexpected")
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "MIKEYLOAD requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f unexpected=%d reused=%d errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, total_unexpected, total_reused,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end
