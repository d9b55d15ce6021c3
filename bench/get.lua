-- GET /api/v1/clients/{id} for a random seeded client.
--
-- The ids come from the server's own 201 responses during seeding (one per
-- line in BENCH_IDS_FILE): ids are not guaranteed to be 1..N, e.g. on a
-- PostgreSQL database whose sequence has already been used.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

local ids = {}

function init(args)
   for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
      if line ~= "" then ids[#ids + 1] = line end
   end
   assert(#ids > 0, "no client ids in " .. os.getenv("BENCH_IDS_FILE"))
   -- Each thread has its own Lua state; seed differently so threads do not
   -- walk the same id sequence in lockstep.
   math.randomseed(os.time() + thread_id * 7919)
end

function request()
   return wrk.format("GET", "/api/v1/clients/" .. ids[math.random(#ids)])
end
