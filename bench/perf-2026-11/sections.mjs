import fs from "node:fs";
const b = fs.readFileSync(process.argv[2]);
let p = 8; const out = [];
const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
while (p < b.length) { const id = b[p++]; const len = leb(); const start = p; let name = ["custom","type","import","function","table","memory","global","export","start","element","code","data","datacount","tag"][id] ?? id; if (id === 0) { const n = leb(); name = "custom:" + b.slice(p, p + n).toString(); } out.push([name, len]); p = start + len; }
for (const [n, l] of out) console.log(String(l).padStart(8), n);
