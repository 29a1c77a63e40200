// A local stand-in for Cloudflare Turnstile, for `scripts/dev` and the tests.
//
// Server side it answers siteverify (POST /turnstile/v0/siteverify) as Cloudflare documents it
// (developers.cloudflare.com/turnstile/get-started/server-side-validation/ and
// .../troubleshooting/testing/): form-encoded, multipart or JSON bodies; the three test secrets;
// tokens that are single use, expire after 300 s and can be re-verified only with the
// idempotency_key of their first verification; the documented error codes.
// Client side it serves a fake of api.js (turnstile-api.js) and the frame api.js puts in the
// page. The frame asks this stand-in for a token carrying the page's hostname, action and cData,
// so siteverify can echo them back as Cloudflare does and the worker's checks get exercised.
// Tests steer it through /__stand-in/* (token, state, reset, faults) or the class's methods.

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export const SECRETS = {
  pass: "1x0000000000000000000000000000000AA",
  fail: "2x0000000000000000000000000000000AA",
  spent: "3x0000000000000000000000000000000AA",
};
export const SITEKEYS = {
  pass: "1x00000000000000000000AA",
  fail: "2x00000000000000000000AB",
  passInvisible: "1x00000000000000000000BB",
  failInvisible: "2x00000000000000000000BB",
  interactive: "3x00000000000000000000FF",
};
/** What Cloudflare's own widget hands out for the dummy sitekeys; the test secrets accept it. */
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
export const VERIFY_PATH = "/turnstile/v0/siteverify";
export const SCRIPT_PATH = "/turnstile/v0/api.js";
export const FRAME_PATH = "/turnstile/v0/stand-in/frame";
export const TOKEN_TTL_MS = 300_000;
/** Where the real api.js and its frames come from; `route()` sends that origin here. */
export const CHALLENGES_ORIGIN = "https://challenges.cloudflare.com";

const MAX_TOKEN_LENGTH = 2048;
const KNOWN_SITEKEYS = new Set(Object.values(SITEKEYS));
const FAILING_SITEKEYS = new Set([SITEKEYS.fail, SITEKEYS.failInvisible]);
const TEST_SECRETS = new Set(Object.values(SECRETS));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// action: up to 32, cData: up to 255 characters of [A-Za-z0-9_-] (widget configuration docs).
const WIDGET_VALUE = /^[A-Za-z0-9_-]*$/;
const FAULT_KINDS = new Set(["hang", "http500", "internalError", "malformed", "refuse"]);
const apiScript = () => readFileSync(new URL("./turnstile-api.js", import.meta.url), "utf8");

const text = (v) => (typeof v === "string" ? v : v == null ? "" : String(v));
const failure = (codes) => ({ success: false, "error-codes": codes, messages: [] });

class MintError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class TurnstileStandIn {
  /**
   * `tokenTtlMs`: how long a minted token verifies (Cloudflare: 300 s); `now`: the clock, so a
   * test can step past expiry without waiting; `recordRequests`: keep every siteverify call.
   */
  constructor({ tokenTtlMs = TOKEN_TTL_MS, now = () => Date.now(), recordRequests = true } = {}) {
    this.tokenTtlMs = tokenTtlMs;
    this.now = now;
    this.recordRequests = recordRequests;
    this.hung = new Set();
    this.timers = new Set();
    this.reset();
  }

  reset() {
    this.tokens = new Map();
    // `${idempotency_key} ${token}` -> the answer given the first time.
    this.idempotent = new Map();
    this.requests = [];
    this.faults = [];
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /**
   * Queues `count` faults for the next siteverify requests:
   * - hang: the request is processed (the token is spent, the answer kept for its
   *   idempotency_key) but the answer is lost: never sent, or sent after `delayMs`;
   * - http500: a 500 HTML page, nothing processed;
   * - internalError: `internal-error` (documented as retryable), nothing processed;
   * - malformed: a 200 HTML page instead of JSON, nothing processed;
   * - refuse: the token is spent and refused with `invalid-input-response`, as when
   *   Turnstile judges a solve fraudulent.
   */
  addFault(kind, count = 1, delayMs = Infinity) {
    if (!FAULT_KINDS.has(kind)) throw new Error(`unknown Turnstile fault: ${kind}`);
    for (let i = 0; i < count; i++) this.faults.push({ kind, delayMs });
  }

  /**
   * Issues a token as the widget would after a solve on a page at `hostname`. Throws an Error
   * with the client-side error `code` (110100 unknown sitekey, 110420 action, 110430 cData).
   */
  mint({ sitekey = SITEKEYS.pass, hostname = "localhost", action = "", cdata = "", interactive = false } = {}) {
    [sitekey, hostname, action, cdata] = [sitekey, hostname, action, cdata].map(text);
    if (!KNOWN_SITEKEYS.has(sitekey)) throw new MintError("110100", "Invalid sitekey (the stand-in knows the dummy sitekeys only)");
    if (action.length > 32 || !WIDGET_VALUE.test(action)) throw new MintError("110420", "Invalid action");
    if (cdata.length > 255 || !WIDGET_VALUE.test(cdata)) throw new MintError("110430", "Invalid cData");
    if (!hostname) throw new MintError("110200", "Unknown domain");
    const issuedAt = this.now();
    const token = `0.${randomBytes(96).toString("base64url")}`;
    this.tokens.set(token, {
      token,
      sitekey,
      hostname,
      action,
      cdata,
      interactive: Boolean(interactive),
      issuedAt,
      expiresAt: issuedAt + this.tokenTtlMs,
      spentAt: null,
      // A failing sitekey's token looks like any other; only siteverify says no.
      refused: FAILING_SITEKEYS.has(sitekey),
    });
    return { token, expiresAt: new Date(issuedAt + this.tokenTtlMs).toISOString(), ttlMs: this.tokenTtlMs };
  }

  /** The documented siteverify decision for one request (`params` as posted). */
  verify(params, { refuse = false } = {}) {
    const secret = text(params.secret);
    const response = text(params.response);
    const key = text(params.idempotency_key);
    const codes = [];
    if (!secret) codes.push("missing-input-secret");
    else if (!TEST_SECRETS.has(secret)) codes.push("invalid-input-secret");
    if (!response) codes.push("missing-input-response");
    if (codes.length) return failure(codes);
    if (key && !UUID.test(key)) return failure(["bad-request"]);
    if (secret === SECRETS.fail) return failure(["invalid-input-response"]);
    if (secret === SECRETS.spent) return failure(["timeout-or-duplicate"]);
    if (response === DUMMY_TOKEN) {
      // Cloudflare's "always passes" pair: never spent, no widget data of the page's own.
      return this.success({ issuedAt: this.now(), hostname: "example.com", action: "", cdata: "", interactive: false });
    }
    const token = response.length <= MAX_TOKEN_LENGTH ? this.tokens.get(response) : undefined;
    if (!token) return failure(["invalid-input-response"]);
    const replayKey = `${key} ${response}`;
    if (key && this.idempotent.has(replayKey)) return structuredClone(this.idempotent.get(replayKey));
    // The docs give one code for both: "issued five minutes ago ... or already redeemed".
    if (token.spentAt != null || this.now() >= token.expiresAt) return failure(["timeout-or-duplicate"]);
    token.spentAt = this.now();
    const answer = refuse || token.refused ? failure(["invalid-input-response"]) : this.success(token);
    if (key) this.idempotent.set(replayKey, structuredClone(answer));
    return answer;
  }

  success({ issuedAt, hostname, action, cdata, interactive }) {
    return {
      success: true,
      challenge_ts: new Date(issuedAt).toISOString(),
      hostname,
      "error-codes": [],
      action,
      cdata,
      metadata: { interactive },
    };
  }

  state() {
    return {
      tokens: [...this.tokens.values()].map((t) => ({
        ...t,
        issuedAt: new Date(t.issuedAt).toISOString(),
        expiresAt: new Date(t.expiresAt).toISOString(),
        spentAt: t.spentAt == null ? null : new Date(t.spentAt).toISOString(),
      })),
      requests: this.requests,
      pendingFaults: this.faults.length,
    };
  }

  get verifyUrl() {
    return `${this.origin}${VERIFY_PATH}`;
  }

  get scriptUrl() {
    return `${this.origin}${SCRIPT_PATH}`;
  }

  /** The fake api.js, as served at SCRIPT_PATH. */
  script() {
    return apiScript();
  }

  listen(port = 0, host = "127.0.0.1") {
    this.server = createServer((req, res) =>
      this.handle(req, res).catch((e) => {
        if (res.headersSent) return res.destroy();
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      }),
    );
    return new Promise((resolve) =>
      this.server.listen(port, host, () => {
        this.origin = `http://${host}:${this.server.address().port}`;
        resolve(this.origin);
      }),
    );
  }

  close() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server?.closeAllConnections?.();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Sends a Playwright BrowserContext's (or Page's) requests for https://challenges.cloudflare.com
   * (api.js, its frames, their token requests) here, so the page loads Turnstile from the origin
   * its Content-Security-Policy names and nothing leaves the machine.
   */
  async route(target) {
    await target.route(`${CHALLENGES_ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      try {
        await route.fulfill({ response: await route.fetch({ url: `${this.origin}${url.pathname}${url.search}` }) });
      } catch {
        await route.abort("connectionrefused").catch(() => {});
      }
    });
  }

  async handle(req, res) {
    const url = new URL(req.url, this.origin);
    const body = await new Promise((resolve, reject) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
      vary: "Origin",
    };
    const send = (status, type, payload, headers = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      res.end(payload);
    };
    const sendJson = (status, value, headers) => send(status, "application/json", JSON.stringify(value), headers);

    if (url.pathname === VERIFY_PATH) return this.siteverify(req, res, body, send, sendJson);
    if (url.pathname.startsWith("/__stand-in/")) {
      if (req.method === "OPTIONS") return send(204, "text/plain", "", cors);
      if (req.method === "POST" && url.pathname === "/__stand-in/token") {
        let fields;
        try {
          fields = await parseBody(req.headers["content-type"], body);
        } catch {
          return sendJson(400, { error: "bad-request", message: "Body is neither JSON nor a form" }, cors);
        }
        // The frame says which page it sits on; a direct caller may leave it to the Origin header.
        const origin = req.headers.origin ?? req.headers.referer;
        const fallbackHost = origin && URL.canParse(origin) ? new URL(origin).hostname : "localhost";
        try {
          const interactive = fields.interactive === true || fields.interactive === "true";
          return sendJson(200, this.mint({ ...fields, hostname: fields.hostname ?? fallbackHost, interactive }), cors);
        } catch (e) {
          if (!(e instanceof MintError)) throw e;
          return sendJson(400, { error: e.code, message: e.message }, cors);
        }
      }
      if (url.pathname === "/__stand-in/state") return sendJson(200, this.state(), cors);
      if (req.method === "POST" && url.pathname === "/__stand-in/reset") {
        this.reset();
        return sendJson(200, { ok: true }, cors);
      }
      if (req.method === "POST" && url.pathname === "/__stand-in/faults") {
        try {
          const { kind, count = 1, delayMs } = JSON.parse(body.toString("utf8") || "{}");
          this.addFault(kind, count, delayMs ?? Infinity);
        } catch (e) {
          return sendJson(400, { error: String(e.message) }, cors);
        }
        return sendJson(200, { pending: this.faults.length }, cors);
      }
    }
    if (req.method === "GET" && url.pathname === SCRIPT_PATH) return send(200, "text/javascript; charset=utf-8", this.script());
    if (req.method === "GET" && url.pathname === FRAME_PATH) return send(200, "text/html; charset=utf-8", FRAME_HTML);
    return send(404, "text/plain", "not found");
  }

  async siteverify(req, res, body, send, sendJson) {
    const fault = this.faults.shift();
    const record = {
      at: new Date(this.now()).toISOString(),
      method: req.method,
      contentType: req.headers["content-type"] ?? null,
      secret: null,
      response: null,
      remoteip: null,
      idempotency_key: null,
      fault: fault?.kind ?? null,
      status: null,
      answer: null,
    };
    if (this.recordRequests) this.requests.push(record);
    const answer = (status, value) => {
      record.status = status;
      record.answer = value;
      return sendJson(status, value);
    };
    if (req.method !== "POST") return answer(405, failure(["bad-request"]));
    let params;
    try {
      params = await parseBody(req.headers["content-type"], body);
    } catch {
      return answer(400, failure(["bad-request"]));
    }
    for (const field of ["secret", "response", "remoteip", "idempotency_key"]) {
      record[field] = params[field] == null ? null : text(params[field]);
    }

    if (fault?.kind === "http500") {
      record.status = 500;
      return send(500, "text/html", "<!doctype html><title>500 Internal Server Error</title><h1>500 Internal Server Error</h1>");
    }
    if (fault?.kind === "malformed") {
      record.status = 200;
      return send(200, "text/html", "<!doctype html><title>Just a moment...</title><p>Checking your browser");
    }
    if (fault?.kind === "internalError") return answer(200, failure(["internal-error"]));

    const result = this.verify(params, { refuse: fault?.kind === "refuse" });
    const status = result["error-codes"].includes("bad-request") ? 400 : 200;
    if (fault?.kind === "hang") {
      record.answer = result;
      if (!Number.isFinite(fault.delayMs)) {
        this.hung.add(res);
        res.on("close", () => this.hung.delete(res));
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!res.destroyed) answer(status, result);
      }, fault.delayMs);
      this.timers.add(timer);
      return;
    }
    return answer(status, result);
  }
}

/** Siteverify takes application/x-www-form-urlencoded, multipart/form-data or JSON. */
async function parseBody(contentType = "", body) {
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/json") {
    const value = JSON.parse(body.toString("utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value;
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    return Object.fromEntries([...form.keys()].map((k) => [k, text(form.get(k))]));
  }
  throw new Error(`unsupported content type: ${contentType}`);
}

// The document inside the widget's iframe. api.js sees the marker attribute and runs as the frame.
const FRAME_HTML = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>Cloudflare Turnstile (local stand-in)</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.3 system-ui, sans-serif; color: #1d1d1d; background: #fafafa; }
  main { box-sizing: border-box; height: 100%; display: flex; align-items: center; justify-content: space-between;
         gap: 8px; padding: 8px 12px; border: 1px solid #e0e0e0; }
  [data-state="success"] [role="status"] { color: #0a6b2e; }
  [data-state="failure"] [role="status"], [data-state="error"] [role="status"] { color: #b3261e; }
  label { display: flex; align-items: center; gap: 8px; cursor: pointer; }
  input[type="checkbox"] { width: 22px; height: 22px; margin: 0; }
  small { color: #666; font-size: 10px; text-align: right; }
</style>
<body data-turnstile-stand-in-frame>
<script src="${SCRIPT_PATH}"></script>
</body>
</html>
`;

// Run directly: `node tests/stand-in/turnstile.mjs [--port 4011] [--ttl-ms 300000]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const standIn = new TurnstileStandIn({ tokenTtlMs: Number(arg("ttl-ms", String(TOKEN_TTL_MS))) });
  const origin = await standIn.listen(Number(arg("port", "4011")));
  console.log(`Turnstile stand-in: siteverify ${standIn.verifyUrl}, widget script ${standIn.scriptUrl}`);
  console.log(`  secrets: ${SECRETS.pass} passes, ${SECRETS.fail} fails, ${SECRETS.spent} answers timeout-or-duplicate`);
  console.log(`  sitekeys: ${SITEKEYS.pass} passes, ${SITEKEYS.fail} is refused, ${SITEKEYS.interactive} needs a click`);
  console.log(`  state: ${origin}/__stand-in/state`);
}
