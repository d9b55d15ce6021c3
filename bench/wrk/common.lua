-- Shared by every scenario script (loaded with dofile).
--
-- wrk itself only counts HTTP statuses >= 400 as errors, and only in total.
-- A benchmark that silently measures 409s or 3xx redirects is worthless, so
-- every thread counts anything outside 2xx and remembers the first one for
-- diagnosis. done() sums the threads and prints a single machine-readable
-- line that run.sh/report.py parse; wrk's own human output stays as is.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

-- Globals, not locals: done() reads them from each thread with thread:get().
non2xx = 0
first_error = ""

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_error == "" then
         first_error = status .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local bad, sample = 0, ""
   for _, t in ipairs(threads) do
      bad = bad + t:get("non2xx")
      if sample == "" then sample = t:get("first_error") end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
      "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99),
      bad, e.connect, e.read, e.write, e.timeout))
   if sample ~= "" then
      -- Newlines would break the one-line format.
      io.write("BENCH_FIRST_ERROR " .. string.gsub(sample, "[\r\n]+", " ") .. "\n")
   end
end
