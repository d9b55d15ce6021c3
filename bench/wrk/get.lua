-- GET a path naming one of a set of ids, e.g. /api/v1/clients/{id} or
-- /api/v1/accounts?client_id={id}, with a random id each request.
--
-- BENCH_PATH is the template ({id} is replaced; default /api/v1/clients/{id}).
-- The ids come from BENCH_IDS_FILE, one per line: the server's own answers
-- while seeding (run.sh), or the ids a caller may read, queried from the
-- database (compare.sh). Nothing assumes ids run from 1 to N.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")

local ids = {}
local template = os.getenv("BENCH_PATH") or "/api/v1/clients/{id}"

function init(args)
   for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
      if line ~= "" then ids[#ids + 1] = line end
   end
   assert(#ids > 0, "no ids in " .. os.getenv("BENCH_IDS_FILE"))
   -- Each thread has its own Lua state; seed differently so threads do not
   -- walk the same id sequence in lockstep.
   math.randomseed(os.time() + thread_id * 7919)
end

function request()
   local path = string.gsub(template, "{id}", ids[math.random(#ids)])
   return wrk.format("GET", path)
end
