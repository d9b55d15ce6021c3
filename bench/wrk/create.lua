-- POST /api/v1/clients with a name that is unique for every request.
--
-- Names must be unique (409 otherwise), so each name combines the run id
-- (distinct between runs on the same database), the wrk thread number
-- (threads have separate Lua states and counters) and a per-thread counter.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")

local prefix
local counter = 0

function init(args)
   prefix = (os.getenv("BENCH_RUN_ID") or tostring(os.time())) .. "-" .. thread_id
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   counter = counter + 1
   local body = string.format(
      '{"name":"Bench New %s-%d","industry":"Retail","status":"active"}',
      prefix, counter)
   return wrk.format("POST", "/api/v1/clients", nil, body)
end
