// Draw the user turns for the third held-out context-dependency set (test/fixtures/context/holdout3.jsonl), by a fixed
// seed, from conversations not used in labelled.jsonl or holdout2.jsonl (OASST: no tree used before, since the path ids
// of one tree share their first turns). One turn per conversation:
//   mtbench101: 7 conversations per task type (13 types = 91), turn uniform in 2..min(5, turns)
//   sharegpt_v3_sample: 50, oasst: 30, mt-eval: 30, turn uniform in 2..min(6, user turns)
// Prints one JSON line per drawn turn with its history (for labelling by hand): {source, id, turn, task?, history, query}.
// Usage: npx tsc -p . && node bench/context-sample-holdout3.mjs [--ids-only] > /tmp/holdout3-sample.jsonl
import * as fs from "node:fs";
import { readConversations } from "../dist/conversations/readers.js";
import { mulberry32 as rng } from "../dist/run/rng.js";

const SHARED = "../shared/data";
const SEED = 20261121;

const rand = rng(SEED);
const pickInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
function shuffle(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const readJsonl = (f) => fs.readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

const used = new Set();
for (const f of ["test/fixtures/context/labelled.jsonl", "test/fixtures/context/holdout2.jsonl"]) {
  for (const r of readJsonl(f)) used.add(`${r.source}:${r.source === "oasst" ? String(r.id).split("/")[0] : r.id}`);
}

const out = [];
const userTurns = (messages) => messages.filter((m) => m.role === "user").length;
function emit(source, id, messages, turn, task) {
  let seen = 0;
  for (let i = 0; i < messages.length; i++) {
    if (messages[i].role !== "user") continue;
    if (++seen === turn) {
      out.push({ source, id, turn, ...(task ? { task } : {}), history: messages.slice(0, i), query: messages[i].content });
      return;
    }
  }
  throw new Error(`${source} ${id} has no turn ${turn}`);
}

// MT-Bench-101: 7 per task type, turns 2-5.
const mt101 = readJsonl(`${SHARED}/benchmarks/mtbench101.jsonl`);
const tasks = [...new Set(mt101.map((r) => r.task))].sort();
for (const task of tasks) {
  const pool = mt101.filter((r) => r.task === task && r.history.length >= 2 && !used.has(`mtbench101:${r.id}`));
  for (const r of shuffle(pool).slice(0, 7)) {
    const messages = r.history.flatMap((h) => [{ role: "user", content: h.user }, { role: "assistant", content: h.bot }]);
    emit("mtbench101", r.id, messages, pickInt(2, Math.min(5, r.history.length)), task);
  }
}

// ShareGPT and OASST via readConversations (ids as the labelled-set loader uses them).
function fromSessions(source, file, n, key = (id) => id) {
  const sessions = readConversations(`${SHARED}/${file}`).filter((s) => userTurns(s.messages) >= 2 && !used.has(`${source}:${key(s.id)}`));
  const seenKeys = new Set();
  let taken = 0;
  for (const s of shuffle(sessions)) {
    if (taken >= n) break;
    if (seenKeys.has(key(s.id))) continue;
    seenKeys.add(key(s.id));
    emit(source, s.id, s.messages, pickInt(2, Math.min(6, userTurns(s.messages))));
    taken++;
  }
}
fromSessions("sharegpt_v3_sample", "dialogues/sharegpt_v3_sample.jsonl", 50);
fromSessions("oasst", "dialogues/oasst_en_100_tree.jsonl", 30, (id) => String(id).split("/")[0]);

// MT-Eval (MT-Bench extended): 30 conversations.
const mte = readJsonl(`${SHARED}/benchmarks/mt-eval_mt-bench_extended.jsonl`).filter((r) => r.conversation.length >= 2 && !used.has(`mt-eval:${r.question_id}`));
for (const r of shuffle(mte).slice(0, 30)) {
  const messages = r.conversation.flatMap((t) => [{ role: "user", content: t.user }, { role: "assistant", content: t.sys }]);
  emit("mt-eval", r.question_id, messages, pickInt(2, Math.min(6, r.conversation.length)));
}

const idsOnly = process.argv.includes("--ids-only");
for (const o of out) console.log(JSON.stringify(idsOnly ? { source: o.source, id: o.id, turn: o.turn, ...(o.task ? { task: o.task } : {}) } : o));
