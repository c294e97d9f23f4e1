/**
 * Speed of the heuristic context detector (src/context/detect.ts) on the ShareGPT sample (issue 15, comparison 4):
 * every user turn after the first of every session, in-process on dist/, after one warm-up pass.
 *   node bench/context-speed.mjs [--repeat 3] [--dist DIR] [--json]
 * Each pass reads the sessions afresh (the detector caches per message object), then times detectSessions.
 * `--dist DIR` runs another build (e.g. the previous commit's) beside dist/, alternating passes, so a before/after
 * comparison shares one machine state. Prints sessions/s and queries/s (best of --repeat passes) and the load.
 */
import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, SHARED } from "./lib.mjs";

const argv = process.argv.slice(2);
const repeat = Number(argv.includes("--repeat") ? argv[argv.indexOf("--repeat") + 1] : 3);
const other = argv.includes("--dist") ? path.resolve(argv[argv.indexOf("--dist") + 1]) : undefined;
const { readConversations } = await import(path.join(REPO, "dist/conversations/readers.js"));
const builds = [{ name: "dist", dir: path.join(REPO, "dist") }, ...(other ? [{ name: other, dir: other }] : [])];
// detectSessions lives in context/queries.js since issue 11 (context/command.js in older builds given to --dist).
for (const b of builds) {
  const queries = path.join(b.dir, "context/queries.js");
  b.detectSessions = (await import(fs.existsSync(queries) ? queries : path.join(b.dir, "context/command.js"))).detectSessions;
}
const file = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
for (const b of builds) {
  b.detectSessions(readConversations(file).slice(0, 50)); // warm-up (compromise's lexicon, JIT)
  b.best = Infinity;
}
for (let i = 0; i < repeat; i++) {
  for (const b of builds) {
    const sessions = readConversations(file);
    const t0 = performance.now();
    b.rows = b.detectSessions(sessions);
    b.best = Math.min(b.best, performance.now() - t0);
    b.sessions = sessions.length;
  }
}
const results = builds.map((b) => ({
  build: b.name,
  sessions: b.sessions,
  queries: b.rows.length,
  context_dependent: b.rows.filter((r) => r.context_dependent).length,
  seconds: b.best / 1000,
  sessions_per_s: b.sessions / (b.best / 1000),
  queries_per_s: b.rows.length / (b.best / 1000),
  load: os.loadavg()[0],
}));
if (builds.length === 2 && JSON.stringify(builds[0].rows) !== JSON.stringify(builds[1].rows)) console.error("warning: the two builds' rows differ");
if (argv.includes("--json")) console.log(JSON.stringify(results));
else {
  for (const r of results) {
    console.log(
      `${r.build}: ${r.sessions} sessions, ${r.queries} queries (${r.context_dependent} context-dependent) in ${r.seconds.toFixed(2)} s: ` +
        `${r.sessions_per_s.toFixed(0)} sessions/s, ${r.queries_per_s.toFixed(0)} queries/s (best of ${repeat}; load ${r.load.toFixed(1)})`,
    );
  }
}
