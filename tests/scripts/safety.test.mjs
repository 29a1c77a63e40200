// The scripts keep secrets off command lines (`ps` shows those to every user) and off plain
// http to anything but this machine, and build only with the npm-pinned esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, chmodSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;
const KEY = "dev-key-Pp31-never-on-a-command-line";

/** Runs a node script; resolves { code, out }. */
function node(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn("node", args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

test("the stand-in scripts/dev starts takes its key from the environment, and scripts/dev passes it so", async () => {
  const child = spawn("node", ["tests/stand-ins/hireflix.mjs", "--port", "0"], { cwd: ROOT, env: { ...process.env, HIREFLIX_API_KEY: KEY } });
  try {
    const origin = await new Promise((resolve, reject) => {
      child.stdout.on("data", (c) => {
        const m = String(c).match(/(http:\/\/127\.0\.0\.1:\d+)\/me/);
        if (m) resolve(m[1]);
      });
      child.on("exit", () => reject(new Error("the stand-in exited")));
    });
    const ask = (key) =>
      fetch(`${origin}/me`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ query: "{ positions { id } }" }),
      });
    assert.equal((await ask(KEY)).status, 200, "the key from the environment is the one it takes");
    assert.notEqual((await ask("local-stand-in-key")).status, 200);
    assert.ok(!readFileSync(`/proc/${child.pid}/cmdline`, "utf8").includes(KEY), "not on its command line");
  } finally {
    child.kill();
  }
  const dev = readFileSync(join(ROOT, "scripts/dev"), "utf8");
  assert.doesNotMatch(dev, /--key/, "scripts/dev hands no key on a command line");
  assert.match(dev, /HIREFLIX_API_KEY="\$\{KEY:-local-stand-in-key\}" node tests\/stand-ins\/hireflix\.mjs/);
});

test("check-hireflix sends the key over https, or plain http only to this machine", async () => {
  for (const url of ["http://api.hireflix.com/me", "http://10.0.0.7:4010/me", "http://127.0.0.1.nip.io/me", "ftp://api.hireflix.com/me"]) {
    const { code, out } = await node(["scripts/check-hireflix.mjs", "--documents", "/dev/null"], { HIREFLIX_API_KEY: KEY, HIREFLIX_API_URL: url });
    assert.equal(code, 1, url);
    assert.match(out, /HIREFLIX_API_URL must use https \(plain http only to localhost\)/, url);
    assert.ok(!out.includes(KEY));
  }
  // Loopback passes this check and goes on to the next (here: no documents to check).
  const local = await node(["scripts/check-hireflix.mjs"], { HIREFLIX_API_KEY: KEY, HIREFLIX_API_URL: "http://127.0.0.1:9/me" });
  assert.doesNotMatch(local.out, /must use https/);
});

test("the build takes the esbuild npm pinned for this platform, and stops clearly where there is none", () => {
  const pinned = (env = process.env) => spawnSync("bash", ["-c", "source scripts/lib.sh && pinned_esbuild"], { cwd: ROOT, env, encoding: "utf8" });
  const here = pinned();
  assert.equal(here.status, 0, here.stderr);
  assert.match(here.stdout.trim(), new RegExp(`node_modules/@esbuild/${process.platform}-${process.arch}/bin/esbuild$`));
  assert.ok(existsSync(here.stdout.trim()));
  // A machine that is not linux-x64 (a fake node says so): no silent download, a reason.
  const bin = mkdtempSync(join(tmpdir(), "fake-node-"));
  writeFileSync(join(bin, "node"), "#!/bin/sh\necho darwin-arm64\n");
  chmodSync(join(bin, "node"), 0o755);
  const elsewhere = pinned({ ...process.env, PATH: `${bin}:${process.env.PATH}` });
  assert.equal(elsewhere.status, 1);
  assert.match(elsewhere.stderr, /no npm-pinned esbuild for this platform at .*@esbuild\/darwin-arm64\/bin\/esbuild: run npm ci/);
  assert.equal(elsewhere.stdout, "");
});
