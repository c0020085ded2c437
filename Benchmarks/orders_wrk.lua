-- POST /v1/orders with a new order id on every request (wrk -s). KEY comes from the environment, and RUN (optional)
-- sets the order ids apart when several wrk processes post at once.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  math.randomseed(os.time() + tid)
end

function request()
  counter = counter + 1
  local customer = math.random(1, 20000)
  local body = string.format(
    '{"order_id":"bench-%s%d-%d-%d","customer":{"external_id":"c%d"},"placed_at":"2026-11-01T10:00:00Z",' ..
    '"currency":"EUR","lines":[{"sku":"MUG","category":"mugs","quantity":2,"unit_price":1250},' ..
    '{"sku":"TEA","quantity":1,"unit_price":499}]}', os.getenv("RUN") or "", tid, os.time(), counter, customer)
  return wrk.format("POST", "/v1/orders",
    {["Authorization"] = "Bearer " .. os.getenv("KEY"), ["Content-Type"] = "application/json"}, body)
end
