// An interview link goes only to its candidate: the browser that was shown it (its link pass,
// an HttpOnly cookie), or the same names within LINK_GRACE_MINUTES of the interview being made.
// Everyone else hears one answer, "the link is in your email", whatever the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { sharedWorker, withWorker, ann, logLines, APP_SECRET, OPEN } from "../harness.mjs";

const COOKIE = `__Host-hfa_${OPEN}`;
const keyOf = (email) =>
  createHmac("sha256", APP_SECRET).update(`hireflix-apply/candidate/v2\0${OPEN}\0${email.toLowerCase()}\0`).digest("hex");
/** `issued.id.mac`: the MAC (under APP_SECRET) holds the issue time and the browser's random id. */
const passFor = (email, url, issued, id) =>
  `${issued}.${id}.` +
  createHmac("sha256", APP_SECRET).update(`hireflix-apply/link-pass/v2\0${OPEN}\0${keyOf(email)}\0${url}\0${issued}\0${id}\0`).digest("hex");
const DAY = 86400;
const withCookie = (value) => ({ headers: { cookie: `other=1; ${COOKIE}=${value}` } });

/** The pass a response gives, checked for the attributes that keep it to this browser. */
function passOf(res) {
  const set = res.headers.get("set-cookie");
  assert.ok(set, "a link comes with its pass");
  assert.match(set, new RegExp(`^${COOKIE}=\\d+\\.[0-9a-f]{16}\\.[0-9a-f]{64}; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax$`));
  return set.split(";")[0].split("=")[1];
}

/** The one answer for everyone who may not have the link, as a page and as JSON. */
async function assertByEmail(form, api) {
  assert.equal(form.status, 200);
  assert.equal(form.headers.get("location"), null);
  assert.equal(form.headers.get("set-cookie"), null);
  const html = await form.text();
  assert.match(html, /<h1>Check your email<\/h1>/);
  assert.equal(api.status, 200);
  const body = await api.json();
  assert.deepEqual(Object.keys(body).sort(), ["message", "status"]);
  assert.equal(body.status, "invited_by_email");
  assert.match(body.message, /Hireflix has emailed you the link/);
  return html;
}

const w = sharedWorker({ vars: { LINK_GRACE_MINUTES: "0" } }); // no grace: only the pass leads back to the interview

test("a fresh invite redirects with the browser's link pass, an HMAC of position, candidate, interview, issue time and id", async () => {
  const res = await w.postForm(OPEN, ann());
  assert.equal(res.status, 303);
  const url = res.headers.get("location");
  const pass = passOf(res);
  const [issued, id] = pass.split(".");
  assert.ok(Math.abs(Number(issued) - Date.now() / 1000) < 60, "issued now");
  assert.equal(pass, passFor("ann.lee@example.com", url, issued, id));
  const api = await w.postJson(OPEN, ann({ email: "bo@example.com" }));
  const { url: boUrl } = await api.json();
  const boPass = passOf(api);
  const [boIssued, boId] = boPass.split(".");
  assert.equal(boPass, passFor("bo@example.com", boUrl, boIssued, boId), "the JSON answer carries it too");
  assert.notEqual(boId, id, "each pass its own random id");
});

test("a pass serves 30 days from its issue: the server refuses an older one", async () => {
  const first = await w.postForm(OPEN, ann({ email: "month@example.com" }));
  const url = first.headers.get("location");
  await w.untilRemembered(OPEN);
  const now = Math.floor(Date.now() / 1000);
  const aged = (days) => withCookie(passFor("month@example.com", url, now - days * DAY, "0123456789abcdef"));
  const young = await w.postForm(OPEN, ann({ email: "month@example.com" }), aged(29));
  assert.equal(young.status, 303);
  assert.equal(young.headers.get("location"), url);
  assert.equal(young.headers.get("set-cookie"), null, "a pass is not renewed by use: it still ends 30 days after its issue");
  await assertByEmail(
    await w.postForm(OPEN, ann({ email: "month@example.com" }), aged(31)),
    await w.postJson(OPEN, ann({ email: "month@example.com" }), aged(31)),
  );
  await assertByEmail(
    await w.postForm(OPEN, ann({ email: "month@example.com" }), aged(-1)),
    await w.postJson(OPEN, ann({ email: "month@example.com" }), aged(-1)),
  );
});

test("after the grace period a resubmission gets the link only with its pass, from KV and from Hireflix's look-up", async () => {
  const first = await w.postForm(OPEN, ann());
  const url = first.headers.get("location");
  const pass = passOf(first);
  await w.untilRemembered(OPEN);
  const calls = w.standIn.requests.length;
  await assertByEmail(await w.postForm(OPEN, ann()), await w.postJson(OPEN, ann()));
  const back = await w.postForm(OPEN, ann({ email: "ANN.LEE@example.com" }), withCookie(pass));
  assert.equal(back.status, 303);
  assert.equal(back.headers.get("location"), url);
  const backApi = await w.postJson(OPEN, ann(), withCookie(pass));
  assert.equal((await backApi.json()).url, url);
  assert.equal(w.standIn.requests.length, calls, "all answered from KV");

  // Unknown to KV (another location, or expired): Hireflix's look-up, the same rules.
  for (const name of await w.kvKeys("app:")) await w.kv.delete(name);
  await assertByEmail(await w.postForm(OPEN, ann()), await w.postJson(OPEN, ann()));
  for (const name of await w.kvKeys("app:")) await w.kv.delete(name);
  const looked = await w.postForm(OPEN, ann(), withCookie(pass));
  assert.equal(looked.status, 303);
  assert.equal(looked.headers.get("location"), url);
  assert.equal(w.interviewsFor(OPEN, "ann.lee@example.com").length, 1);
  assert.ok(logLines(w).some((l) => l.reason === "link_grace_over"), "the log says why");
});

test("a pass opens only its own candidate's interview, and a forged one nothing", async () => {
  const ann1 = await w.postForm(OPEN, ann());
  const annPass = passOf(ann1);
  const bo = await w.postForm(OPEN, ann({ firstName: "Bo", email: "bo@example.com" }));
  assert.equal(bo.status, 303);
  await w.untilRemembered(OPEN, 2);
  const asBo = ann({ firstName: "Bo", email: "bo@example.com" });
  await assertByEmail(await w.postForm(OPEN, asBo, withCookie(annPass)), await w.postJson(OPEN, asBo, withCookie(annPass)));
  const forged = "0".repeat(64);
  await assertByEmail(await w.postForm(OPEN, ann(), withCookie(forged)), await w.postJson(OPEN, ann(), withCookie(forged)));
  // The browser that made the interview keeps it, whatever names it types now.
  const renamed = await w.postForm(OPEN, ann({ firstName: "Annie" }), withCookie(annPass));
  assert.equal(renamed.status, 303);
  assert.equal(renamed.headers.get("location"), ann1.headers.get("location"));
});

test("other names, too late, or no usable link: one and the same answer", async () => {
  await w.postForm(OPEN, ann());
  await w.untilRemembered(OPEN);
  const otherNames = await assertByEmail(
    await w.postForm(OPEN, ann({ firstName: "Mallory" })),
    await w.postJson(OPEN, ann({ firstName: "Mallory" })),
  );
  const tooLate = await assertByEmail(await w.postForm(OPEN, ann()), await w.postJson(OPEN, ann()));
  for (const name of await w.kvKeys("app:")) await w.kv.delete(name);
  w.standIn.addFault("foreignUrl", 2); // the look-ups find the interview with a link on a foreign host
  const noLink = await assertByEmail(
    await w.postForm(OPEN, ann({ email: "ann.lee@example.com" })),
    await w.postJson(OPEN, ann()),
  );
  assert.equal(otherNames, tooLate);
  assert.equal(tooLate, noLink);
});

test("within LINK_GRACE_MINUTES the same names lead back without a pass; an older interview does not", async () => {
  await withWorker({}, async (graceful) => {
    const first = await graceful.postForm(OPEN, ann());
    const again = await graceful.postForm(OPEN, ann({ firstName: " ann " }));
    assert.equal(again.status, 303, "a double tap or a closed tab");
    assert.equal(again.headers.get("location"), first.headers.get("location"));
    assert.ok(first.headers.get("set-cookie"), "the post that made the interview has its pass");
    assert.equal(again.headers.get("set-cookie"), null, "the names within the grace period get the link, not a month's pass");
    // Made by Hireflix (say, from its own public page) an hour ago, unknown to KV: its
    // documented createdAt says when, whatever its id looks like (here a fresh ObjectId).
    graceful.standIn.invite({ positionId: OPEN, candidate: { email: "old@example.com", firstName: "Ann", lastName: "Lee" } });
    const [old] = graceful.interviewsFor(OPEN, "old@example.com");
    old.createdAt = Date.now() - 3600_000;
    await assertByEmail(
      await graceful.postForm(OPEN, ann({ email: "old@example.com" })),
      await graceful.postJson(OPEN, ann({ email: "old@example.com" })),
    );
    assert.equal(graceful.interviewsFor(OPEN, "old@example.com").length, 1);
    // Without createdAt, the id (a MongoDB ObjectId) is read instead.
    graceful.standIn.invite({ positionId: OPEN, candidate: { email: "undated@example.com", firstName: "Ann", lastName: "Lee" } });
    const [undated] = graceful.interviewsFor(OPEN, "undated@example.com");
    undated.createdAt = null;
    undated.id = Math.floor(Date.now() / 1000 - 3600).toString(16) + undated.id.slice(8);
    await assertByEmail(
      await graceful.postForm(OPEN, ann({ email: "undated@example.com" })),
      await graceful.postJson(OPEN, ann({ email: "undated@example.com" })),
    );
  });
});

test("20 simultaneous posts of one new application all land on the same, single interview", async () => {
  await withWorker({}, async (graceful) => {
    assert.equal((await graceful.fetch(`/apply/${OPEN}`)).status, 200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? graceful.postJson(OPEN, ann()) : graceful.postForm(OPEN, ann()))),
    );
    const [interview, ...others] = graceful.interviewsFor(OPEN, "ann.lee@example.com");
    assert.equal(others.length, 0, "exactly one interview");
    for (const [i, res] of answers.entries()) {
      const url = i % 2 ? (await res.json()).url : res.headers.get("location");
      assert.equal(url, interview.url.public, `answer ${i} (${res.status})`);
    }
  });
});
