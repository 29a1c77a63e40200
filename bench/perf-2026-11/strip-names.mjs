// Drops the custom "name" section of a wasm file (in place copy to argv[3]).
import fs from "node:fs";
const b = fs.readFileSync(process.argv[2]);
let p = 8; const keep = [b.subarray(0, 8)];
const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
while (p < b.length) { const start = p; const id = b[p++]; const len = leb(); const body = p; let name = null; if (id === 0) { const n = leb(); name = b.subarray(p, p + n).toString(); } p = body + len; if (name !== "name") keep.push(b.subarray(start, p)); }
fs.writeFileSync(process.argv[3], Buffer.concat(keep));
