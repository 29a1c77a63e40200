// A local stand-in for Cloudflare Turnstile, for the tests.
//
// Siteverify (POST /turnstile/v0/siteverify, form-encoded or JSON) answers as Cloudflare
// documents it (developers.cloudflare.com/turnstile/get-started/server-side-validation/ and
// .../troubleshooting/testing/): the three test secrets; tokens that are single use, expire
// after 300 s and can be re-verified only with the idempotency_key of their first verification;
// the hostname, action and cData the widget was solved with, echoed back. Stricter than
// Cloudflare's dummy secrets on purpose: those accept any token and never spend it, which would
// leave single use, expiry and the echoed widget data untested.
// For browsers it serves a fake api.js (turnstile-api.js) and the frame it puts in the page;
// the frame carries a token minted for the page's hostname, action and cData.

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export const SECRETS = {
  pass: "1x0000000000000000000000000000000AA",
  fail: "2x0000000000000000000000000000000AA",
  spent: "3x0000000000000000000000000000000AA",
};
/** The widget solves with either; only siteverify tells them apart. */
export const SITEKEYS = { pass: "1x00000000000000000000AA", fail: "2x00000000000000000000AB" };
export const TOKEN_TTL_MS = 300_000;
/** Where the real api.js and its frames come from; `route()` sends that origin here. */
export const CHALLENGES_ORIGIN = "https://challenges.cloudflare.com";
const VERIFY_PATH = "/turnstile/v0/siteverify";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_JS = readFileSync(new URL("./turnstile-api.js", import.meta.url), "utf8");

const failure = (codes) => ({ success: false, "error-codes": codes, messages: [] });

export class TurnstileStandIn {
  /** `now`: the clock, so a test can step past a token's expiry without waiting. */
  constructor({ tokenTtlMs = TOKEN_TTL_MS, now = () => Date.now() } = {}) {
    Object.assign(this, { tokenTtlMs, now, hung: new Set() });
    this.reset();
  }

  reset() {
    this.tokens = new Map();
    this.idempotent = new Map(); // `${idempotency_key} ${token}` -> the first answer
    this.requests = []; // every siteverify call: { secret, response, remoteip, idempotency_key, fault, answer }
    this.faults = [];
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /**
   * Queues `count` faults for the next siteverify calls: `http500` (a 500 page; nothing
   * processed), `hang` (processed, the token spent, but the answer lost, or sent after
   * `delayMs`), `refuse` (a good token spent and refused, as for a solve judged fraudulent).
   */
  addFault(kind, count = 1, delayMs = Infinity) {
    if (!["http500", "hang", "refuse"].includes(kind)) throw new Error(`unknown Turnstile fault: ${kind}`);
    for (let i = 0; i < count; i++) this.faults.push({ kind, delayMs });
  }

  /** A token as the widget issues it after a solve on a page at `hostname`. */
  mint({ sitekey = SITEKEYS.pass, hostname = "localhost", action = "", cdata = "" } = {}) {
    const token = `0.${randomBytes(96).toString("base64url")}`;
    const issuedAt = this.now();
    this.tokens.set(token, { hostname, action, cdata, issuedAt, spent: false, refused: sitekey === SITEKEYS.fail });
    return { token };
  }

  /** Siteverify's documented decision for one call (`params` as posted). */
  verify({ secret = "", response = "", idempotency_key: key = "" }, { refuse = false } = {}) {
    if (!Object.values(SECRETS).includes(secret)) return failure([secret ? "invalid-input-secret" : "missing-input-secret"]);
    if (!response) return failure(["missing-input-response"]);
    if (key && !UUID.test(key)) return failure(["bad-request"]);
    if (secret === SECRETS.fail) return failure(["invalid-input-response"]);
    if (secret === SECRETS.spent) return failure(["timeout-or-duplicate"]);
    const token = this.tokens.get(response);
    if (!token) return failure(["invalid-input-response"]);
    const replay = `${key} ${response}`;
    if (key && this.idempotent.has(replay)) return this.idempotent.get(replay);
    // One code for both, as documented: "issued five minutes ago ... or already redeemed".
    if (token.spent || this.now() >= token.issuedAt + this.tokenTtlMs) return failure(["timeout-or-duplicate"]);
    token.spent = true;
    const { hostname, action, cdata, issuedAt } = token;
    const answer = refuse || token.refused
      ? failure(["invalid-input-response"])
      : { success: true, challenge_ts: new Date(issuedAt).toISOString(), hostname, "error-codes": [], action, cdata, metadata: { interactive: false } };
    if (key) this.idempotent.set(replay, answer);
    return answer;
  }

  get verifyUrl() {
    return `${this.origin}${VERIFY_PATH}`;
  }

  async listen(port = 0) {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    return (this.origin = `http://127.0.0.1:${this.server.address().port}`);
  }

  close() {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Sends a Playwright context's requests for https://challenges.cloudflare.com here, so the
   * page loads Turnstile from the origin its Content-Security-Policy names, and nothing leaves
   * the machine.
   */
  async route(context) {
    await context.route(`${CHALLENGES_ORIGIN}/**`, async (route) => {
      const { pathname, search } = new URL(route.request().url());
      await route.fulfill({ response: await route.fetch({ url: `${this.origin}${pathname}${search}` }) });
    });
  }

  async handle(req, res) {
    const url = new URL(req.url, this.origin);
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (url.pathname === "/turnstile/v0/api.js") return send(200, "text/javascript", API_JS);
    if (url.pathname === "/turnstile/v0/frame") return send(200, "text/html; charset=utf-8", this.frame(url.searchParams));
    if (url.pathname !== VERIFY_PATH || req.method !== "POST") return send(404, "text/plain", "not found");

    let body = "";
    for await (const chunk of req) body += chunk;
    let params;
    try {
      params = req.headers["content-type"]?.startsWith("application/json") ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
      if (typeof params !== "object" || params === null) throw new Error("not an object");
    } catch {
      return send(400, "application/json", JSON.stringify(failure(["bad-request"])));
    }
    const fault = this.faults.shift();
    const { secret = null, response = null, remoteip = null, idempotency_key = null } = params;
    const record = { secret, response, remoteip, idempotency_key, fault: fault?.kind ?? null, answer: null };
    this.requests.push(record);
    if (fault?.kind === "http500") return send(500, "text/html", "<h1>500 Internal Server Error</h1>");
    record.answer = this.verify(params, { refuse: fault?.kind === "refuse" });
    const answer = () => send(record.answer["error-codes"].includes("bad-request") ? 400 : 200, "application/json", JSON.stringify(record.answer));
    if (fault?.kind !== "hang") return answer();
    if (Number.isFinite(fault.delayMs)) setTimeout(() => !res.destroyed && answer(), fault.delayMs).unref();
    else this.hung.add(res);
  }

  /** The widget's frame: solved at once, it hands the page its token. */
  frame(q) {
    const { token } = this.mint({ sitekey: q.get("sitekey"), hostname: q.get("hostname"), action: q.get("action"), cdata: q.get("cdata") });
    const message = JSON.stringify({ source: "turnstile-stand-in", widget: q.get("widget"), token });
    return `<!doctype html><html lang="en"><title>Cloudflare Turnstile (local stand-in)</title>
<p role="status">Success!</p>
<script>parent.postMessage(${message}, ${JSON.stringify(q.get("parent"))});</script></html>`;
  }
}
