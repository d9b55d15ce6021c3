-- GET /api/v1/clients?limit=20: the path comes from the URL given to wrk;
-- this script only adds the shared response accounting.
dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
