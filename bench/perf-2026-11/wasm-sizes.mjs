// Code bytes per function, grouped by crate, from a wasm file's name section.
import fs from "node:fs";
const b = fs.readFileSync(process.argv[2]);
let p = 8;
const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
let nImportedFuncs = 0, bodies = [], names = new Map(), dataSize = 0;
while (p < b.length) {
  const id = b[p++]; const len = leb(); const end = p + len;
  if (id === 2) { const n = leb(); for (let i = 0; i < n; i++) { const ml = leb(); p += ml; const fl = leb(); p += fl; const kind = b[p++]; if (kind === 0) { leb(); nImportedFuncs++; } else if (kind === 1) { p++; const fl2 = b[p++]; leb(); if (fl2 & 1) leb(); } else if (kind === 2) { const fl2 = b[p++]; leb(); if (fl2 & 1) leb(); } else if (kind === 3) { p += 2; } else if (kind === 4) { p++; leb(); } } }
  if (id === 10) { const n = leb(); for (let i = 0; i < n; i++) { const sz = leb(); bodies.push(sz); p += sz; } }
  if (id === 11) dataSize = len;
  if (id === 0) { const nl = leb(); const nm = b.subarray(p, p + nl).toString(); p += nl; if (nm === "name") { while (p < end) { const sid = b[p++]; const sl = leb(); const se = p + sl; if (sid === 1) { const n = leb(); for (let i = 0; i < n; i++) { const idx = leb(); const l = leb(); names.set(idx, b.subarray(p, p + l).toString()); p += l; } } p = se; } } }
  p = end;
}
const groups = new Map();
const top = [];
bodies.forEach((sz, i) => {
  const name = names.get(i + nImportedFuncs) || `f${i}`;
  let m = name.replace(/^<+/, "").match(/^([a-zA-Z_][a-zA-Z0-9_]*)/);
  let g = m ? m[1] : "?";
  if (/^(core|alloc|std)$/.test(g)) { const mm = name.match(/(serde_json|serde_core|askama|worker|wasm_bindgen|js_sys|web_sys|sha2|hireflix_apply|form_urlencoded|serde_wasm_bindgen|futures|dlmalloc)/); if (mm) g = g + "<" + mm[1] + ">"; }
  groups.set(g, (groups.get(g) || 0) + sz);
  top.push([sz, name]);
});
console.log("data section", dataSize, " functions", bodies.length, " code", bodies.reduce((a, x) => a + x, 0));
for (const [g, s] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(s).padStart(8), g);
console.log("-- largest functions");
for (const [s, n] of top.sort((a, b) => b[0] - a[0]).slice(0, Number(process.argv[3] || 25))) console.log(String(s).padStart(8), n.slice(0, 150));
