// Collapsed stacks (root;...;leaf count_us) of a .cpuprofile, for grep and flame graphs.
import fs from "node:fs";
const prof = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
const short = (n) => (n.callFrame.functionName || "(anon)").replace(/::h[0-9a-f]{16}/, "").replace(/\[[0-9a-f]{16}\]/g, "").slice(0, 90);
const acc = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  const st = [];
  for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) st.push(short(byId.get(id)));
  const k = st.reverse().join(";");
  acc.set(k, (acc.get(k) || 0) + dt);
}
for (const [k, v] of [...acc].sort((a, b) => b[1] - a[1])) console.log(`${k} ${v}`);
