-- A new candidate on every request: each one is a KV miss and one Hireflix invite.
local counter = 0
local tag = ""

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end

function request()
  counter = counter + 1
  local body = "firstName=Ann&lastName=Lee&email=c" .. tag .. "-" .. counter .. "%40example.com"
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
