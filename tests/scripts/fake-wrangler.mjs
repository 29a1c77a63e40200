// A stand-in for the wrangler CLI, for tests of scripts/deploy: `WRANGLER="node tests/scripts/fake-wrangler.mjs"`.
// It answers the commands the script uses as wrangler 4.86 does (same exit codes, the lines the
// script reads, errors on stderr), keeps an account's state in the JSON file $FAKE_WRANGLER_STATE
// (logged in? queues, whether the worker exists, its secrets) and records every call there,
// with the secrets each deploy uploaded.

import { readFileSync, writeFileSync, existsSync } from "node:fs";

const statePath = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
state.calls ??= [];
state.deploys ??= [];
const argv = process.argv.slice(2);
state.calls.push(argv);

// Global flags as wrangler takes them; the commands below see only their own arguments.
const args = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--config" || argv[i] === "-c") i++;
  else args.push(argv[i]);
}
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const BANNER = "\n ⛅️ wrangler 4.86.0\n───────────────────\n";
function exit(code, { stdout = "", stderr = "" } = {}) {
  save();
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exit(code);
}
const error = (message) => `✘ [ERROR] ${message}\n\n`;
const notAuthenticated = () =>
  exit(1, { stderr: error("You must be logged in to use wrangler. Please run `wrangler login`.") });

const [command, sub, name] = args;
const WORKER = state.workerName ?? "hireflix-apply";

if (command === "whoami") {
  if (!state.loggedIn) exit(1, { stdout: JSON.stringify({ loggedIn: false }, null, 2) + "\n" });
  exit(0, {
    stdout: JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: state.email, accounts: state.accounts, tokenPermissions: [] }, null, 2) + "\n",
  });
}
if (!state.loggedIn) notAuthenticated();

if (command === "queues" && sub === "info") {
  if (!state.queues.includes(name)) {
    exit(1, { stdout: BANNER, stderr: error(`Queue "${name}" does not exist. To create it, run: wrangler queues create ${name}`) });
  }
  exit(0, { stdout: `${BANNER}Queue Name: ${name}\nQueue ID: ${Buffer.from(name).toString("hex").slice(0, 32)}\nCreated On: 2026-11-26T10:00:00Z\nLast Modified: 2026-11-26T10:00:00Z\nNumber of Producers: 0\nNumber of Consumers: 0\n` });
}
if (command === "queues" && sub === "create") {
  if (state.queues.includes(name)) exit(1, { stdout: BANNER, stderr: error(`A queue with this name already exists [code: 11009]`) });
  state.queues.push(name);
  exit(0, { stdout: `${BANNER}🌀 Creating queue '${name}'\n✅ Created queue '${name}'\n` });
}
if (command === "secret" && sub === "list") {
  if (!state.workerExists) {
    exit(1, {
      stderr: error(`Worker "${WORKER}" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.\nOtherwise, check that the Worker name is correct and you're logged into the right account.`),
    });
  }
  exit(0, { stdout: JSON.stringify(state.secrets.map((n) => ({ name: n, type: "secret_text" })), null, "  ") + "\n" });
}
if (command === "deploy") {
  if (state.failDeploy) exit(1, { stdout: BANNER, stderr: error("A request to the Cloudflare API failed.") });
  const file = option("--secrets-file");
  let uploaded = {};
  if (file !== undefined) {
    if (!existsSync(file)) exit(1, { stderr: error(`ENOENT: no such file or directory, open '${file}'`) });
    uploaded = JSON.parse(readFileSync(file, "utf8"));
  }
  // `--var KEY:VALUE`, as wrangler takes them: set for this deployment, over wrangler.toml's.
  const vars = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === "--var" ? [a.split(/:(.*)/s).slice(0, 2)] : [])));
  state.deploys.push({ secrets: uploaded, secretsFile: file ?? null, vars });
  for (const n of Object.keys(uploaded)) if (!state.secrets.includes(n)) state.secrets.push(n);
  const first = !state.workerExists;
  state.workerExists = true;
  exit(0, {
    stdout:
      BANNER +
      (first ? "🌀 Creating new KV Namespace \"hireflix-apply-submissions\"...\n🎉 All resources provisioned, continuing with deployment...\n\n" : "") +
      `Total Upload: 612.40 KiB / gzip: 201.22 KiB\nUploaded ${WORKER} (3.10 sec)\nDeployed ${WORKER} triggers (1.02 sec)\n` +
      `  https://${WORKER}.${state.subdomain}.workers.dev\n  Producer for hireflix-apply-invites\n  Consumer for hireflix-apply-invites\n` +
      "Current Version ID: 0a1b2c3d-0000-4000-8000-000000000000\n",
  });
}
exit(1, { stderr: error(`fake wrangler: unsupported command: ${argv.join(" ")}`) });
