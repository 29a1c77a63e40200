// A local stand-in for Hireflix's GraphQL API (POST /me), for `scripts/dev` and the tests.
//
// It parses and validates every document against schema.graphql with graphql-js, so a wrong
// field is a top-level `errors` answer as on the real API; checks X-API-KEY; keeps positions
// and interviews in memory; enforces one interview per email and per externalId in a position;
// answers interview look-ups; and serves a page at every interview link it hands out.
// Tests steer it through /__stand-in/* (state, reset, faults).

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { buildSchema, graphql, parse, validate, NoSchemaIntrospectionCustomRule } from "graphql";

export const SCHEMA_TEXT = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

export const POSITIONS = [
  { id: "68b43e38b19cf131a17c543f", name: "Senior Rust Engineer", archived: null },
  { id: "68b43e38b19cf131a17c5440", name: "Customer Success Manager", archived: null },
  { id: "68b43e38b19cf131a17c5441", name: "Office Manager (filled)", archived: 1735689600000 },
];

const hex = (bytes) => randomBytes(bytes).toString("hex");
// Hireflix's ids are MongoDB ObjectIds: four bytes of creation time in seconds, then eight more.
const objectId = () => Math.floor(Date.now() / 1000).toString(16).padStart(8, "0") + hex(8);
const sameEmail = (a, b) => a.toLowerCase() === b.toLowerCase();
const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const error = (typename, code, message) => ({ __typename: typename, code, name: typename, message });

export class HireflixStandIn {
  /**
   * `schemaText` replaces schema.graphql (to play a Hireflix whose schema differs from ours);
   * `introspection: false` refuses `__schema`/`__type` as servers with introspection off do.
   */
  constructor({
    apiKey = "local-stand-in-key",
    positions = POSITIONS,
    recordRequests = true,
    schemaText = SCHEMA_TEXT,
    introspection = true,
  } = {}) {
    this.apiKey = apiKey;
    this.schema = buildSchema(schemaText);
    this.introspection = introspection;
    this.recordRequests = recordRequests;
    this.initialPositions = positions;
    this.reset();
  }

  reset() {
    this.positions = this.initialPositions.map((p) => ({ ...p }));
    this.interviews = [];
    // Uniqueness indexes: "positionId email" (lower-cased) and "positionId externalId".
    this.byEmail = new Map();
    this.byExternalId = new Map();
    this.requests = [];
    this.faults = [];
    // Off: no rate limit, and the plan's quota has room.
    this.rateLimit = null;
    this.quotaSpent = false;
    // Phone numbers a validationError fault declared invalid: refused again, as Hireflix would
    // refuse the same data the same way.
    this.invalidPhones = new Set();
  }

  /**
   * Queues `count` faults for the next GraphQL requests: http500, slow, malformed, 401, quota,
   * graphqlError, foreignUrl, validationError, or failBatches (a request with more than one invite fails as a
   * whole, as when one member makes the server throw; single invites pass and keep the fault).
   */
  addFault(kind, count = 1, delayMs = 3000) {
    for (let i = 0; i < count; i++) this.faults.push({ kind, delayMs });
  }

  /** Drops the faults not yet used: a Hireflix that was down is back. */
  clearFaults() {
    this.faults = [];
  }

  /**
   * At most `perSecond` GraphQL requests in any second; one more is refused, with
   * `Retry-After: retryAfter`, as `mode` says: "http429" (HTTP 429) or "graphql" (HTTP 200 and a
   * top-level `errors`, how many GraphQL servers throttle). With `firstBatch`, the first request
   * carrying more than one invite is refused too, however its calls fall in time, so a test sees
   * a batch throttled even when a loaded machine spaces the calls out. `null` turns it off.
   */
  setRateLimit(limit) {
    this.rateLimit = limit && {
      perSecond: limit.perSecond,
      mode: limit.mode ?? "http429",
      retryAfter: limit.retryAfter ?? "1",
      firstBatch: limit.firstBatch ?? false,
    };
  }

  state() {
    return {
      interviews: this.interviews.map(({ position, ...rest }) => ({ ...rest, positionId: position.id })),
      requests: this.requests,
      pendingFaults: this.faults.length,
    };
  }

  listen(port = 0, host = "127.0.0.1") {
    this.server = createServer((req, res) => this.handle(req, res).catch((e) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    }));
    return new Promise((resolve) =>
      this.server.listen(port, host, () => {
        this.origin = `http://${host}:${this.server.address().port}`;
        resolve(this.origin);
      }),
    );
  }

  close() {
    this.server?.closeAllConnections?.();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  async handle(req, res) {
    const url = new URL(req.url, this.origin);
    const body = await new Promise((resolve) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
    const send = (status, type, text, headers = {}) => {
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(text);
    };
    const sendJson = (status, value) => send(status, "application/json", JSON.stringify(value));

    if (req.method === "POST" && url.pathname === "/me") return this.graphqlRequest(req, body, send, sendJson);
    if (url.pathname === "/__stand-in/state") return sendJson(200, this.state());
    if (req.method === "POST" && url.pathname === "/__stand-in/reset") {
      this.reset();
      return sendJson(200, { ok: true });
    }
    if (req.method === "POST" && url.pathname === "/__stand-in/faults") {
      const { kind, count = 1, delayMs } = JSON.parse(body || "{}");
      if (kind === "rateLimit") {
        this.setRateLimit(JSON.parse(body).limit);
        return sendJson(200, { rateLimit: this.rateLimit });
      }
      this.addFault(kind, count, delayMs);
      return sendJson(200, { pending: this.faults.length });
    }
    const short = url.pathname.match(/^\/c\/([A-Za-z0-9]+)$/);
    if (short) return send(302, "text/plain", "", { location: `/i/${short[1]}` });
    const page = url.pathname.match(/^\/i\/([A-Za-z0-9]+)$/);
    const interview = page && this.interviews.find((i) => i.hash === page[1]);
    if (interview) {
      return send(200, "text/html; charset=utf-8", `<!doctype html><meta charset="utf-8"><title>Hireflix interview</title>
<h1 data-interview="${escapeHtml(interview.id)}">Welcome to your interview, ${escapeHtml(interview.candidate.firstName)}</h1>
<p>Position: ${escapeHtml(interview.position.name)}</p>
<p>This is the local Hireflix stand-in. On the real Hireflix the video interview starts here.</p>`);
    }
    return send(404, "text/plain", "not found");
  }

  async graphqlRequest(req, body, send, sendJson) {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendJson(400, { errors: [{ message: "Body is not JSON" }] });
    }
    const batched = /\br2: inviteCandidateToInterview/.test(String(parsed.query ?? ""));
    const fault = this.faults[0]?.kind === "failBatches" && !batched ? null : this.faults.shift();
    const record = {
      at: Date.now(),
      keyOk: req.headers["x-api-key"] === this.apiKey,
      query: String(parsed.query ?? ""),
      variables: parsed.variables ?? {},
      fault: fault?.kind ?? null,
    };
    if (this.recordRequests) this.requests.push(record);
    if (this.rateLimit) {
      const { perSecond, mode, retryAfter, firstBatch } = this.rateLimit;
      const lastSecond = this.requests.filter((r) => !r.throttled && r !== record && r.at > record.at - 1000).length;
      const batchFirst = firstBatch && batched;
      if (batchFirst) this.rateLimit.firstBatch = false;
      if (lastSecond >= perSecond || batchFirst) {
        record.throttled = true;
        if (fault) this.faults.unshift(fault); // not used up by a refused request
        const headers = { "retry-after": retryAfter };
        if (mode === "graphql") {
          const errors = [{ message: "Too many requests", extensions: { code: "RATE_LIMITED" } }];
          return send(200, "application/json", JSON.stringify({ data: null, errors }), headers);
        }
        return send(429, "application/json", JSON.stringify({ errors: [{ message: "Too many requests" }] }), headers);
      }
    }

    if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === "http500") return send(500, "text/html", "<h1>502 Bad Gateway</h1>");
    if (fault?.kind === "malformed") return send(200, "application/json", '{"data": {"r1": {"__typename": "Interv');
    if (fault?.kind === "401" || !record.keyOk) {
      return sendJson(401, { errors: [{ message: "Invalid API key", extensions: { code: "UNAUTHENTICATED" } }] });
    }
    if (fault?.kind === "graphqlError") {
      return sendJson(200, { data: null, errors: [{ message: "Internal server error" }] });
    }
    if (fault?.kind === "failBatches") {
      // As graphql-js answers when one member throws: the error's path names its alias.
      return sendJson(200, { data: null, errors: [{ message: "Internal server error", path: ["r2"] }] });
    }

    const rootValue = {
      positions: () => this.positions.map((p) => this.positionView(p)),
      position: ({ id }) => {
        const p = this.positions.find((p) => p.id === id);
        return p ? this.positionView(p) : null;
      },
      inviteCandidateToInterview: ({ input }) => this.invite(input, fault),
    };
    if (!this.introspection) {
      let refused = [];
      try {
        refused = validate(this.schema, parse(record.query), [NoSchemaIntrospectionCustomRule]);
      } catch {
        // A syntax error: graphql() below answers it as usual.
      }
      if (refused.length) return sendJson(400, { errors: refused.map((e) => ({ message: e.message })) });
    }
    const result = await graphql({
      schema: this.schema,
      source: record.query,
      rootValue,
      variableValues: parsed.variables,
      operationName: parsed.operationName,
    });
    // Like most GraphQL servers: a document that does not validate is a 400.
    const status = result.errors && !result.data ? 400 : 200;
    return sendJson(status, result);
  }

  positionView(p) {
    return {
      ...p,
      active: true,
      interviewList: ({ input } = {}) => {
        let found = this.interviews.filter((i) => i.position.id === p.id);
        const email = input?.filter?.email;
        if (email?.equal != null) found = found.filter((i) => sameEmail(i.candidate.email, email.equal));
        if (email?.regex != null) found = found.filter((i) => new RegExp(email.regex, "i").test(i.candidate.email));
        const externalId = input?.filter?.externalId?.equal;
        if (externalId != null) found = found.filter((i) => i.externalId === externalId);
        found.sort((a, b) => b.createdAt - a.createdAt);
        return { results: found.slice(0, input?.pagination?.limit ?? 25) };
      },
    };
  }

  invite(input, fault) {
    if (fault?.kind === "validationError" || this.invalidPhones.has(input?.candidate?.phone)) {
      this.invalidPhones.add(input?.candidate?.phone);
      const fieldErrors = [{ flattenedPath: "candidate.phone", message: "This phone number is not valid for its country" }];
      return { ...error("ValidationError", 400, "Validation failed"), fieldErrors };
    }
    if (fault?.kind === "quota" || this.quotaSpent) {
      return error("ExceededInvitesThisPeriodError", 403, "You need an active subscription to invite more candidates this period");
    }
    const position = this.positions.find((p) => p.id === input.positionId);
    if (!position) return error("PositionNotFoundError", 404, "Position not found");
    if (position.archived) return error("PositionNotReadyToAcceptInvitesError", 400, "Position is not accepting invites");
    const { candidate, externalId } = input;
    const fieldErrors = [];
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(candidate.email)) fieldErrors.push({ flattenedPath: "candidate.email", message: "Invalid email" });
    for (const field of ["firstName", "lastName"]) {
      const v = candidate[field] ?? "";
      if ((field === "firstName" || v !== "") && (v.length < 1 || v.length > 50)) {
        fieldErrors.push({ flattenedPath: `candidate.${field}`, message: "Must be 1 to 50 characters" });
      }
    }
    if (candidate.phone != null && !/^\+[1-9]\d{6,14}$/.test(candidate.phone)) {
      fieldErrors.push({ flattenedPath: "candidate.phone", message: "Phone must be in international format" });
    }
    if (externalId != null && externalId.length > 255) fieldErrors.push({ flattenedPath: "externalId", message: "Too long" });
    if (fieldErrors.length) return { ...error("ValidationError", 400, "Validation failed"), fieldErrors };

    const emailKey = `${position.id} ${candidate.email.toLowerCase()}`;
    const externalKey = `${position.id} ${externalId}`;
    if (this.byEmail.has(emailKey)) {
      return error("InterviewAlreadyExistsInPositionError", 409, "The candidate was already invited to this position");
    }
    if (externalId != null && this.byExternalId.has(externalKey)) {
      return error("InterviewExternalIdAlreadyExistsInPositionError", 409, "The externalId is already used in this position");
    }
    const hash = hex(4);
    const base = fault?.kind === "foreignUrl" ? "https://evil.example" : this.origin;
    const interview = {
      id: objectId(),
      hash,
      status: "pending",
      externalId: externalId ?? null,
      createdAt: Date.now() + this.interviews.length,
      // When it was made, as the clock read (createdAt above is kept unique, not exact); the
      // order of `interviews` is the order they were made in.
      madeAt: Date.now(),
      url: { public: `${base}/i/${hash}`, short: `${base}/c/${hash}`, private: `${base}/private/${hash}` },
      candidate: { ...candidate },
      position,
      // Which GraphQL request created it (an index into `requests`), for tests.
      createdByRequest: this.requests.length - 1,
    };
    this.interviews.push(interview);
    this.byEmail.set(emailKey, interview);
    if (externalId != null) this.byExternalId.set(externalKey, interview);
    return { __typename: "InterviewType", ...interview };
  }
}

// Run directly: `HIREFLIX_API_KEY=... node tests/stand-ins/hireflix.mjs [--port 4010]`. The key
// comes from the environment, never the command line, which `ps` shows to every user.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const standIn = new HireflixStandIn({ apiKey: process.env.HIREFLIX_API_KEY || "local-stand-in-key" });
  const origin = await standIn.listen(Number(arg("port", "4010")));
  console.log(`Hireflix stand-in: ${origin}/me (positions: ${POSITIONS.map((p) => p.id).join(", ")})`);
}
