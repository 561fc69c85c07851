-- wrk script for scripts/bench_serve.sh: single-sample binary V2 inference requests to the
-- MNIST CNN, cycling through prepared test images; every answer is checked (status 200 and
-- argmax of the JSON output equal to the class Lepton's direct predict gave for that image).
-- A run is bounded by wrk's duration (-d) and by LEPTON_BENCH_MAX_REQUESTS answers per wrk
-- thread: a thread that reaches the cap stops early, and the result line then says capped=1
-- (wrk still divides by the full duration, so a capped run's req/s is not a throughput).
local dir = os.getenv("LEPTON_BENCH_DIR")
local meta = dofile(dir .. "/requests.lua")
local file = assert(io.open(dir .. "/requests.bin", "rb"))
local blob = file:read("*a")
file:close()
local count = #blob / meta.body_length
local limit = tonumber(os.getenv("LEPTON_BENCH_MAX_REQUESTS") or "1000000")
-- LEPTON_BENCH_CHECK_CLASS=0 (the HTTP-path run against a model that computes nothing): answers
-- must still be 200 with the request's id, but their argmax is not a class.
local check_class = os.getenv("LEPTON_BENCH_CHECK_CLASS") ~= "0"

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- globals (not locals): done() reads them from each thread with thread:get
requests, sent, answered, wrong, bad_status, capped = {}, 0, 0, 0, 0, 0

function init(args)
  local headers = {["Content-Type"] = "application/octet-stream",
                   ["Inference-Header-Content-Length"] = tostring(meta.header_length)}
  for i = 0, count - 1 do
    local body = string.sub(blob, i * meta.body_length + 1, (i + 1) * meta.body_length)
    requests[i] = wrk.format("POST", "/v2/models/mnist/infer", headers, body)
  end
end

-- One wrk thread multiplexes many connections, so responses are matched to their images by
-- the request id (the image index) that the server echoes.
function request()
  local i = sent % count
  sent = sent + 1
  return requests[i]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    bad_status = bad_status + 1
    return
  end
  local best, best_value, k = -1, -math.huge, 0
  local data = string.match(body, '"data":%[([^%]]*)%]')
  if data == nil then wrong = wrong + 1 return end
  for v in string.gmatch(data, "[^,]+") do
    local x = tonumber(v)
    if x > best_value then best, best_value = k, x end
    k = k + 1
  end
  local id = tonumber(string.match(body, '"id":"(%d+)"'))
  if id == nil or (check_class and meta.classes[id + 1] ~= best) then wrong = wrong + 1 end
  if answered >= limit then
    capped = 1
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_wrong, total_status, total_answered, any_capped = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    any_capped = math.max(any_capped, t:get("capped"))
    total_wrong = total_wrong + t:get("wrong")
    total_status = total_status + t:get("bad_status")
    total_answered = total_answered + t:get("answered")
  end
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d answered=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f wrong=%d non200=%d connect=%d read=%d write=%d timeout=%d capped=%d\n",
    summary.requests, total_answered, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, total_wrong, total_status,
    errors.connect, errors.read, errors.write, errors.timeout, any_capped))
end
