/**
 * Speed of the heuristic context detector (src/context/detect.ts) on the ShareGPT sample (issue 15, comparison 4):
 * every user turn after the first of every session, in-process on dist/, after one warm-up pass.
 *   node bench/context-speed.mjs [--repeat 3] [--json]
 * Prints sessions/s and queries/s (best of --repeat passes), and the load average.
 */
import * as os from "node:os";
import * as path from "node:path";
import { REPO, SHARED } from "./lib.mjs";

const argv = process.argv.slice(2);
const repeat = Number(argv.includes("--repeat") ? argv[argv.indexOf("--repeat") + 1] : 3);
const { readConversations } = await import(path.join(REPO, "dist/conversations/readers.js"));
const { detectSessions } = await import(path.join(REPO, "dist/context/command.js"));
const sessions = readConversations(path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl"));
let rows = detectSessions(sessions.slice(0, 50)); // warm-up (compromise's lexicon, JIT)
let best = Infinity;
for (let i = 0; i < repeat; i++) {
  const t0 = performance.now();
  rows = detectSessions(sessions);
  best = Math.min(best, performance.now() - t0);
}
const result = {
  sessions: sessions.length,
  queries: rows.length,
  context_dependent: rows.filter((r) => r.context_dependent).length,
  seconds: best / 1000,
  sessions_per_s: sessions.length / (best / 1000),
  queries_per_s: rows.length / (best / 1000),
  load: os.loadavg()[0],
};
if (argv.includes("--json")) console.log(JSON.stringify(result));
else {
  console.log(
    `${result.sessions} sessions, ${result.queries} queries (${result.context_dependent} context-dependent) in ${result.seconds.toFixed(2)} s: ` +
      `${result.sessions_per_s.toFixed(0)} sessions/s, ${result.queries_per_s.toFixed(0)} queries/s (best of ${repeat}; load ${result.load.toFixed(1)})`,
  );
}
