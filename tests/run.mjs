// Runs node test files in the order given, `jobs` at once, each in its own process (as
// `node --test`, which sorts its files: scripts/test gives the slowest first, so the slots end
// together), then prints each file's time, slowest first.
//   node tests/run.mjs JOBS FILE...
import { resolve } from "node:path";
import { run } from "node:test";
import { spec, tap } from "node:test/reporters";

const [jobs, ...files] = process.argv.slice(2);
const times = [];
run({ files, concurrency: Number(jobs) })
  .on("test:fail", ({ todo }) => todo === undefined && (process.exitCode = 1))
  // A file's own test is named as the file was given, and lasts from its process's start to its end.
  .on("test:complete", ({ file, name, nesting, details }) => nesting === 0 && file === resolve(name) && times.push([details.duration_ms, name]))
  .on("end", () => {
    const lines = times.sort((a, b) => b[0] - a[0]).map(([ms, file]) => `${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`);
    console.error(`time per test file (${jobs} at once):\n${lines.join("\n")}`);
  })
  .compose(process.stdout.isTTY ? new spec() : tap)
  .pipe(process.stdout);
