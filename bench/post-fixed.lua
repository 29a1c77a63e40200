-- The same application every time: after the first, a KV hit with no Hireflix call.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "firstName=Ann&lastName=Lee&email=ann.bench%40example.com&phoneNumber=%2B44+20+7946+0958"
