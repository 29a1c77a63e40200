// scripts/deploy with a fake wrangler (tests/scripts/fake-wrangler.mjs) playing a Cloudflare account,
// and the real scripts/check-hireflix against the local Hireflix stand-in.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HireflixStandIn } from "../stand-ins/hireflix.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const FAKE = join(ROOT, "tests/scripts/fake-wrangler.mjs");
const KEY = "deploy-key-Hh52-never-shown";
const ADMIN = "admin-token-Kq93-0123456789abcdef";
const SITE_KEY = "1x00000000000000000000AA";
const TURNSTILE = "1x0000000000000000000000000000000AA";
const dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const QUEUES = ["hireflix-apply-invites", "hireflix-apply-invites-dlq"];

// The deployed worker: the script's fetches of *.workers.dev come here (a preload in its node
// processes), answered with `worker.reply` and recorded in `worker.requests`.
const worker = { reply: [200, { status: "ok" }], requests: [] };
const workerServer = createServer((req, res) => {
  worker.requests.push({ path: req.url, auth: req.headers.authorization ?? null });
  res.writeHead(worker.reply[0], { "content-type": "application/json" }).end(JSON.stringify(worker.reply[1]));
});
await new Promise((r) => workerServer.listen(0, "127.0.0.1", r));
after(() => workerServer.close());
const PRELOAD = join(dir, "workers-dev.mjs");
writeFileSync(
  PRELOAD,
  `const real = globalThis.fetch;
globalThis.fetch = (url, init) => {
  const u = typeof url === "string" || url instanceof URL ? new URL(url) : null;
  return real(u?.hostname.endsWith(".workers.dev") ? "http://127.0.0.1:${workerServer.address().port}" + u.pathname : url, init);
};
`,
);

function account(overrides = {}) {
  const path = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  const state = {
    loggedIn: true,
    email: "ops@example.com",
    accounts: [{ name: "Example Ltd", id: "0123456789abcdef0123456789abcdef" }],
    subdomain: "example",
    queues: [],
    workerExists: false,
    secrets: [],
    ...overrides,
  };
  writeFileSync(path, JSON.stringify(state));
  return { path, read: () => JSON.parse(readFileSync(path, "utf8")) };
}

// The company's settings, given as the environment for the tests that are not about them.
const COMPANY = { BRAND_NAME: "Example Ltd", PRIVACY_URL: "https://example.com/privacy", CONTACT_EMAIL: "jobs@example.com" };

/** A copy of wrangler.toml to deploy with (the script saves answers into it). */
function configCopy() {
  const path = join(dir, `wrangler-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(path, readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  return path;
}

/**
 * Runs scripts/deploy; `input` is what the operator types (one answer a line). An `env` value
 * of undefined leaves that variable out.
 */
function deploy(state, { input = "", env = {}, args = [] } = {}) {
  return new Promise((resolve) => {
    const preload = `--import=${PRELOAD}`;
    const e = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${preload}`.trim(), WRANGLER: `node ${FAKE}`, FAKE_WRANGLER_STATE: state.path, WRANGLER_CONFIG: configCopy(), ...COMPANY, ...env };
    for (const k of ["HIREFLIX_API_KEY", "APP_SECRET", "TURNSTILE_SITE_KEY", "TURNSTILE_SECRET_KEY", "ADMIN_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "HIREFLIX_MONTHLY_QUOTA"]) if (!(k in env)) delete e[k];
    for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
    const child = spawn("bash", ["scripts/deploy", ...args], { cwd: ROOT, env: e });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.stdin.end(input);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

async function withStandIn(fn) {
  const standIn = new HireflixStandIn({ apiKey: KEY });
  const origin = await standIn.listen(0);
  try {
    return await fn(standIn, `${origin}/me`);
  } finally {
    await standIn.close();
  }
}

const commands = (state) => state.read().calls.map((c) => c.filter((a, i, all) => a !== "--config" && all[i - 1] !== "--config").join(" "));

test("first deploy: queues created, secrets asked for and uploaded with the deploy, Hireflix checked, Turnstile and the month's budget set, URL and next steps", async () => {
  await withStandIn(async (standIn, url) => {
    const state = account();
    const config = configCopy();
    const input = `${KEY}\n${ADMIN}\n${SITE_KEY}\n${TURNSTILE}\n1000\n`;
    worker.requests = [];
    const { code, out } = await deploy(state, { input, env: { HIREFLIX_API_URL: url, WRANGLER_CONFIG: config } });
    assert.equal(code, 0, out);
    const deployArgs = `--var HIREFLIX_API_URL:${url}`;
    assert.deepEqual(commands(state), [
      "whoami --json",
      `queues info ${QUEUES[0]}`,
      `queues create ${QUEUES[0]}`,
      `queues info ${QUEUES[1]}`,
      `queues create ${QUEUES[1]}`,
      "secret list --format json",
      `deploy ${deployArgs} --secrets-file ${state.read().deploys[0].secretsFile}`,
    ]);
    const { secrets, secretsFile, vars } = state.read().deploys[0];
    assert.deepEqual(vars, { HIREFLIX_API_URL: url }, "the Hireflix API checked is the one deployed");
    const toml = readFileSync(config, "utf8");
    assert.match(toml, /^INVITES_PER_MONTH = "900"$/m, "the month's budget below the plan's quota, kept for the next deploy");
    assert.match(toml, new RegExp(`^TURNSTILE_SITE_KEY = "${SITE_KEY}"$`, "m"));
    assert.deepEqual(Object.keys(secrets).sort(), ["ADMIN_TOKEN", "APP_SECRET", "HIREFLIX_API_KEY", "TURNSTILE_SECRET_KEY"]);
    assert.equal(secrets.TURNSTILE_SECRET_KEY, TURNSTILE);
    assert.equal(secrets.HIREFLIX_API_KEY, KEY);
    assert.equal(secrets.ADMIN_TOKEN, ADMIN);
    assert.match(secrets.APP_SECRET, /^[0-9a-f]{64}$/);
    assert.ok(!existsSync(secretsFile), "the secrets file is gone after the deploy");
    for (const secret of Object.values(secrets)) assert.ok(!out.includes(secret), "no secret is printed");
    assert.ok(standIn.state().requests.some((r) => r.keyOk), "the check ran with the key given");
    assert.match(out, /^OK Positions/m);
    assert.match(out, /Deployed: https:\/\/hireflix-apply\.example\.workers\.dev/);
    assert.match(out, /custom_domain = true/);
    assert.match(out, /ALLOWED_ORIGINS/);
    assert.match(out, /curl .*https:\/\/hireflix-apply\.example\.workers\.dev\/healthz/);
    assert.equal(standIn.state().interviews.length, 0);
    assert.deepEqual(worker.requests, [{ path: "/healthz", auth: `Bearer ${ADMIN}` }], "its health asked, with the token given");

    // Run again as the README says (after setting ALLOWED_ORIGINS): nothing asked, nothing undone.
    const again = await deploy(state, { env: { HIREFLIX_API_URL: url, WRANGLER_CONFIG: config } });
    assert.equal(again.code, 0, again.out);
    assert.ok(!/Turnstile site key \(/.test(again.out), again.out);
    assert.match(again.out, /Turnstile: on/);
    assert.match(again.out, /INVITES_PER_MONTH: 900 \(from/);
    assert.deepEqual(state.read().deploys[1].vars, { HIREFLIX_API_URL: url });
  });
});

test("a second deploy creates nothing, asks for nothing and uploads no secrets", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] });
    const { code, out } = await deploy(state, { env: { HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY }, args: ["--without-turnstile"] });
    assert.equal(code, 0, out);
    assert.deepEqual(commands(state), [
      "whoami --json",
      `queues info ${QUEUES[0]}`,
      `queues info ${QUEUES[1]}`,
      "secret list --format json",
      `deploy --var HIREFLIX_API_URL:${url} --var TURNSTILE_SITE_KEY:`,
    ]);
    assert.match(out, /APP_SECRET: set \(kept/);
    assert.match(out, /INVITES_PER_MONTH: 200 \(from \S*wrangler\S*\.toml\)/);
    assert.deepEqual(state.read().deploys[0].secrets, {});
  });
});

test("not logged in: says how to log in, touches nothing", async () => {
  const state = account({ loggedIn: false });
  const { code, out } = await deploy(state);
  assert.equal(code, 1);
  assert.match(out, /npx wrangler login/);
  assert.deepEqual(commands(state), ["whoami --json"]);
});

test("a key Hireflix refuses: nothing deployed, the key not printed", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account();
    const wrong = "wrong-deploy-key-Mm11";
    const { code, out } = await deploy(state, { input: `${wrong}\n\n`, env: { HIREFLIX_API_URL: url } });
    assert.equal(code, 1);
    assert.match(out, /refused the API key/);
    assert.match(out, /nothing was deployed/);
    assert.ok(!commands(state).some((c) => c.startsWith("deploy")), commands(state).join("\n"));
    assert.ok(!out.includes(wrong));
  });
});

test("with TURNSTILE_SITE_KEY set in wrangler.toml, the Turnstile secret is asked for and uploaded", async () => {
  await withStandIn(async (_standIn, url) => {
    const config = join(dir, "wrangler-turnstile.toml");
    const real = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    writeFileSync(config, real.replace("[vars]\n", '[vars]\nTURNSTILE_SITE_KEY = "1x00000000000000000000AA"\n'));
    const state = account({ queues: [...QUEUES] });
    const turnstile = "1x0000000000000000000000000000000AA";
    const { code, out } = await deploy(state, { input: `${KEY}\n\n${turnstile}\n\n`, env: { HIREFLIX_API_URL: url, WRANGLER_CONFIG: config } });
    assert.equal(code, 0, out);
    const { secrets, vars } = state.read().deploys[0];
    assert.ok(!("TURNSTILE_SITE_KEY" in vars), "the site key is wrangler.toml's own");
    assert.deepEqual(Object.keys(secrets).sort(), ["APP_SECRET", "HIREFLIX_API_KEY", "TURNSTILE_SECRET_KEY"]);
    assert.equal(secrets.TURNSTILE_SECRET_KEY, turnstile);
    assert.match(out, /ADMIN_TOKEN: not set/);
    assert.ok(state.read().calls.every((c) => c.includes("--config") && c.includes(config)), "every call uses the given config");
  });
});

test("without an API key on a first deploy, it stops before deploying", async () => {
  const state = account({ queues: [...QUEUES] });
  const { code, out } = await deploy(state, { input: "" });
  assert.equal(code, 1);
  assert.match(out, /HIREFLIX_API_KEY is required/);
  assert.ok(!commands(state).some((c) => c.startsWith("deploy")));
});

const NO_COMPANY = { BRAND_NAME: undefined, PRIVACY_URL: undefined, CONTACT_EMAIL: undefined };

test("without a company name it deploys nothing, and says how to give one or go without on purpose", async () => {
  const state = account({ queues: [...QUEUES] });
  const { code, out } = await deploy(state, { input: "\n", env: { ...NO_COMPANY, HIREFLIX_API_KEY: KEY } });
  assert.equal(code, 1, out);
  assert.match(out, /No company name/);
  assert.match(out, /--no-brand/);
  assert.deepEqual(commands(state), ["whoami --json"], "nothing created, nothing deployed");
});

test("with --no-brand it deploys without a company name, on purpose", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] });
    const config = configCopy();
    const { code, out } = await deploy(state, {
      input: "\n\n",
      args: ["--no-brand", "--without-turnstile"],
      env: { ...NO_COMPANY, HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY, WRANGLER_CONFIG: config },
    });
    assert.equal(code, 0, out);
    assert.match(out, /BRAND_NAME: not set \(--no-brand\)/);
    assert.match(out, /PRIVACY_URL: not set/);
    assert.ok(commands(state).some((c) => c.startsWith("deploy")));
    assert.match(readFileSync(config, "utf8"), /^BRAND_NAME = ""$/m);
  });
});

test("the company's name, privacy notice and contact are asked for and kept in wrangler.toml for the deploy and the next", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] });
    const config = configCopy();
    const typed = ['Zoë "&" Co', "privacy.html", "/privacy.html#data", "https://zoe.example/privacy", "jobs at zoe", "jobs@zoe.example", ""].join("\n");
    const { code, out } = await deploy(state, { input: typed, args: ["--without-turnstile"], env: { ...NO_COMPANY, HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY, WRANGLER_CONFIG: config } });
    assert.equal(code, 0, out);
    assert.match(out, /PRIVACY_URL: "privacy\.html" is not an https URL/, "a wrong answer is asked again");
    assert.match(out, /PRIVACY_URL: "\/privacy\.html#data" is not/, "a path the worker refuses (a file has no fragment)");
    assert.match(out, /CONTACT_EMAIL: "jobs at zoe" is not an email address/);
    const toml = readFileSync(config, "utf8");
    assert.match(toml, /^BRAND_NAME = "Zoë \\"&\\" Co"$/m);
    assert.match(toml, /^PRIVACY_URL = "https:\/\/zoe\.example\/privacy"$/m);
    assert.match(toml, /^CONTACT_EMAIL = "jobs@zoe\.example"$/m);
    assert.equal(toml.match(/^BRAND_NAME =/gm).length, 1, "the line replaced, not added");
    assert.ok(commands(state).some((c) => c.startsWith("deploy")));

    // The next deploy reads them from wrangler.toml and asks nothing.
    const again = await deploy(state, { args: ["--without-turnstile"], env: { ...NO_COMPANY, HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY, WRANGLER_CONFIG: config } });
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /CONTACT_EMAIL: jobs@zoe\.example/);
    assert.ok(!/Company name/.test(again.out), "not asked again");
  });
});

test("Turnstile is set up unless --without-turnstile says otherwise: without a site key nothing is deployed", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account({ queues: [...QUEUES] });
    const { code, out } = await deploy(state, { input: `${KEY}\n\n\n`, env: { HIREFLIX_API_URL: url } });
    assert.equal(code, 1);
    assert.match(out, /--without-turnstile/);
    assert.ok(!commands(state).some((c) => c.startsWith("deploy")), "nothing deployed");
    const without = account({ queues: [...QUEUES] });
    const went = await deploy(without, { input: `${KEY}\n\n\n`, env: { HIREFLIX_API_URL: url }, args: ["--without-turnstile"] });
    assert.equal(went.code, 0, went.out);
    assert.match(went.out, /Turnstile: off \(--without-turnstile\)/);
    assert.ok(!("TURNSTILE_SECRET_KEY" in without.read().deploys[0].secrets));
  });
});

test("a monthly quota that is not a number stops the deploy; a small one still leaves a budget", async () => {
  await withStandIn(async (_standIn, url) => {
    const env = { HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY };
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] });
    const bad = await deploy(state, { env: { ...env, HIREFLIX_MONTHLY_QUOTA: "lots" }, args: ["--without-turnstile"] });
    assert.equal(bad.code, 1);
    assert.match(bad.out, /monthly quota must be a whole number/);
    const config = configCopy();
    const small = await deploy(state, { env: { ...env, HIREFLIX_MONTHLY_QUOTA: "1", WRANGLER_CONFIG: config }, args: ["--without-turnstile"] });
    assert.equal(small.code, 0, small.out);
    assert.match(readFileSync(config, "utf8"), /^INVITES_PER_MONTH = "1"$/m);
  });
});

test("a value the worker would refuse stops the deploy, from the environment or wrangler.toml as when typed", async () => {
  const set = { queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] };
  for (const [name, value] of [["PRIVACY_URL", "http://example.com/privacy"], ["CONTACT_EMAIL", "jobs@example"]]) {
    const state = account(set);
    const { code, out } = await deploy(state, { env: { [name]: value } });
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`${name} "${value}" \\(from the environment or`));
    assert.deepEqual(commands(state), ["whoami --json"], "nothing created, nothing deployed");
  }
  const config = configCopy();
  writeFileSync(config, readFileSync(config, "utf8").replace(/^PRIVACY_URL = ""$/m, 'PRIVACY_URL = "/privacy.html?v=2"'));
  const state = account(set);
  const { code, out } = await deploy(state, { env: { PRIVACY_URL: undefined, WRANGLER_CONFIG: config } });
  assert.equal(code, 1, out);
  assert.match(out, /PRIVACY_URL "\/privacy\.html\?v=2" \(from/);
  const short = account({ queues: [...QUEUES] });
  const secret = await deploy(short, { env: { APP_SECRET: "short-app-secret", HIREFLIX_API_KEY: KEY } });
  assert.equal(secret.code, 1, secret.out);
  assert.match(secret.out, /APP_SECRET is too short/);
  assert.ok(!commands(short).some((c) => c.startsWith("deploy")));
});

test("--without-turnstile turns Turnstile off even with a site key in wrangler.toml", async () => {
  await withStandIn(async (_standIn, url) => {
    const config = configCopy();
    writeFileSync(config, readFileSync(config, "utf8").replace(/^TURNSTILE_SITE_KEY = ""$/m, `TURNSTILE_SITE_KEY = "${SITE_KEY}"`));
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET", "ADMIN_TOKEN"] });
    const { code, out } = await deploy(state, { env: { HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY, WRANGLER_CONFIG: config }, args: ["--without-turnstile"] });
    assert.equal(code, 0, out);
    assert.equal(state.read().deploys[0].vars.TURNSTILE_SITE_KEY, "", "no site key without its secret (the worker would answer 503)");
  });
});

test("a worker that answers 503 after the deploy: the problems /healthz names, exit 1, not 'Deployed'", async () => {
  await withStandIn(async (_standIn, url) => {
    const state = account({ queues: [...QUEUES], workerExists: true, secrets: ["HIREFLIX_API_KEY", "APP_SECRET"] });
    const problem = "TURNSTILE_VERIFY_URL must be an https URL";
    worker.reply = [503, { status: "misconfigured", problems: [problem] }];
    worker.requests = [];
    try {
      const { code, out } = await deploy(state, { env: { HIREFLIX_API_URL: url, HIREFLIX_API_KEY: KEY, ADMIN_TOKEN: ADMIN }, args: ["--without-turnstile"] });
      assert.equal(code, 1, out);
      assert.ok(out.includes(problem), out);
      assert.match(out, /answers 503 to every page/);
      assert.ok(!/Deployed: /.test(out), out);
      assert.ok(!/Next steps/.test(out), out);
      assert.ok(worker.requests.length > 1 && worker.requests.every((r) => r.auth === `Bearer ${ADMIN}`), "asked again, with the token");
    } finally {
      worker.reply = [200, { status: "ok" }];
    }
  });
});
