// The plain-JS floor: the same answers as /tmp/min303 (GET 200 tiny HTML, POST 303).
const HTML = "<!doctype html><title>min</title><p>min303</p>";
export default {
  fetch(req) {
    if (req.method === "POST") return new Response(null, { status: 303, headers: { location: "https://app.hireflix.com/min303" } });
    return new Response(HTML, { headers: { "content-type": "text/html; charset=utf-8" } });
  },
};
