// The worker's admin API as the operator scripts call it (scripts/dead-letters, scripts/erase):
// WORKER_URL and ADMIN_TOKEN from the environment, checked before anything is sent; the token
// only over https (plain http to this machine), never after a redirect, never printed.

export function die(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * `{ call(method, path, body?, alsoOk = []) -> parsed JSON, scrub(text) }`; exits on a bad
 * setting, and on an answer that is not 2xx (or a status in `alsoOk`) or not JSON.
 */
export function connect(USAGE) {
  const token = process.env.ADMIN_TOKEN ?? "";
  const scrub = (s) => (token ? String(s).split(token).join("***") : String(s));
  let base;
  try {
    base = new URL(process.env.WORKER_URL ?? "");
    if (!/^https?:$/.test(base.protocol)) throw new Error();
  } catch {
    die(`WORKER_URL is missing or not a URL.\n${USAGE}`);
  }
  // The token must not cross a network in clear: plain http only to this machine.
  if (base.protocol === "http:" && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(base.hostname)) {
    die(`WORKER_URL must use https (plain http only to localhost): ${base.origin} would see ADMIN_TOKEN.`);
  }
  if (!token) die(`ADMIN_TOKEN is missing.\n${USAGE}`);
  if (token.trim().length < 32) die("ADMIN_TOKEN is shorter than 32 characters: the worker refuses such a token (openssl rand -hex 32).");

  async function call(method, path, body, alsoOk = []) {
    const url = new URL(path, base);
    let res, text;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        redirect: "manual", // the token must not follow a redirect elsewhere
        signal: AbortSignal.timeout(30000),
      });
      text = await res.text();
    } catch (e) {
      die(`Cannot reach ${url.origin}: ${scrub(e?.cause?.message ?? e?.message ?? e)}`);
    }
    if (res.status === 404) {
      // The worker answers every unauthenticated /admin/ request alike, so this cannot say which.
      die(`${url.origin} answered 404 for ${url.pathname}: the worker refused ADMIN_TOKEN (use the value of its ADMIN_TOKEN secret), has no such secret, saw too many tries from here (wait a minute), or WORKER_URL is not this worker.`);
    }
    if (!res.ok && !alsoOk.includes(res.status)) die(`${method} ${url.pathname}: HTTP ${res.status}: ${scrub(text.slice(0, 300))}`);
    try {
      return JSON.parse(text);
    } catch {
      die(`${method} ${url.pathname}: not JSON: ${scrub(text.slice(0, 300))}`);
    }
  }
  return { call, scrub };
}
