/**
 * `parrot bench` end to end through the built CLI against a real HTTP server on 127.0.0.1 (test/support/fake-openai):
 * answering with full history and FastChat temperatures, resume without requests, -1 retries, --dry-run sending
 * nothing, an MT-Bench++ run (answers of a model and of a reference model, judgments, show), and bad input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatReply, type FakeRequest, type FakeServer, startFakeOpenAI } from "./support/fake-openai.js";
import { runCliInProcess, SHARED } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { readJsonl, writeJsonl } from "./support/jsonl.js";

const MT = path.join(SHARED, "data/mt_bench");
const PROMPTS = path.join(MT, "judge_prompts.jsonl");
const REFERENCES = path.join(MT, "reference_answer_gpt-4.jsonl");

const isJudge = (req: FakeRequest) => JSON.stringify(req.body?.messages ?? []).includes("impartial judge");
const lastUser = (req: FakeRequest) => {
  const users = (req.body?.messages ?? []).filter((m: any) => m.role === "user");
  return String(users[users.length - 1]?.content ?? "");
};

/** Judges reply with a rating derived from the turn; answerers echo the query. Prompts containing NORATING get none. */
function handler(req: FakeRequest) {
  const sys = String(req.body?.messages?.[0]?.content ?? "");
  if (sys.includes("two AI assistants")) {
    // Pairwise: prefer the answer "GOOD", wherever it is placed.
    const u = lastUser(req);
    return chatReply(/Assistant A(?:'s Answer\]|:)\nGOOD/.test(u) ? "A is better. [[A]]" : u.includes("NOVERDICT") ? "hmm" : "[[B]]");
  }
  if (isJudge(req)) {
    const u = lastUser(req);
    if (u.includes("NORATING")) return chatReply("I cannot decide.");
    const m = /judge the response to the (\w+) user question/.exec(u);
    const ord = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"].indexOf(m?.[1] ?? "first");
    return chatReply(`Fine. Rating: [${ord + 2}]`, 100, 20);
  }
  return chatReply(`${req.body.model} says: ${lastUser(req).slice(0, 30)}`, 10, 5);
}

let server: FakeServer;
let tmp: string;
beforeAll(async () => {
  server = await startFakeOpenAI(handler);
  tmp = tempDir("parrot-bench-cli-");
});
afterAll(async () => {
  await server?.close();
});

const spec = (model: string) => `${server.url}#${model}`;
const since = (n: number) => server.requests.slice(n);

describe("bench answer", () => {
  it("sends every turn with the full history, FastChat temperatures and max tokens; resumes without requests", async () => {
    const qfile = path.join(tmp, "q3.jsonl");
    writeJsonl(qfile, [
      { question_id: 1, category: "writing", turns: ["Write a poem.", "Shorter."] },
      { question_id: 2, category: "stem", turns: ["Explain gravity.", "Now for kids.", "And tides?"] },
      { question_id: 3, category: "math", turns: ["2+2?"] },
    ]);
    const out = path.join(tmp, "ans.jsonl");
    const args = ["bench", "answer", "--bench", "custom", "--questions", qfile, "--model", spec("m1"), "--model-id", "model-one", "--out", out, "--concurrency", "2"];
    const n0 = server.requests.length;
    const res = await runCliInProcess(args);
    expect(res.code, res.stderr).toBe(0);
    const reqs = since(n0);
    expect(reqs).toHaveLength(6);
    const tides = reqs.find((r) => lastUser(r) === "And tides?")!;
    expect(tides.body.messages).toEqual([
      { role: "user", content: "Explain gravity." },
      { role: "assistant", content: "m1 says: Explain gravity." },
      { role: "user", content: "Now for kids." },
      { role: "assistant", content: "m1 says: Now for kids." },
      { role: "user", content: "And tides?" },
    ]);
    const temp = (q: string) => reqs.find((r) => lastUser(r) === q)!.body.temperature;
    expect([temp("Write a poem."), temp("Explain gravity."), temp("2+2?")]).toEqual([0.7, 0.1, 0]);
    expect(reqs.every((r) => r.body.max_tokens === 1024)).toBe(true);

    const rows = readJsonl(out);
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(["question_id", "answer_id", "model_id", "choices", "tstamp"]);
      expect(r.model_id).toBe("model-one");
      expect(r.answer_id).toMatch(/^[23456789A-HJ-NP-Za-km-z]{22}$/);
      expect(r.choices[0].index).toBe(0);
      expect(typeof r.tstamp).toBe("number");
    }
    expect(rows.find((r: any) => r.question_id === 2).choices[0].turns).toEqual(["m1 says: Explain gravity.", "m1 says: Now for kids.", "m1 says: And tides?"]);
    expect(res.stderr).toMatch(/requests/);

    const n1 = server.requests.length;
    const again = await runCliInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests.length).toBe(n1);
    expect(readJsonl(out)).toHaveLength(3);

    // A different model into the same file is refused.
    const other = await runCliInProcess([...args.slice(0, -5), "other", "--out", out]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/model_id: "model-one" in the manifest, "other" now/);
  });

  it("honours --max-tokens, --temperature and --shard", async () => {
    const qfile = path.join(tmp, "q4.jsonl");
    writeJsonl(qfile, [1, 2, 3, 4, 5, 6].map((i) => ({ question_id: i, category: "writing", turns: [`q${i}`] })));
    const outs = [0, 1].map((i) => path.join(tmp, `shard${i}.jsonl`));
    const n0 = server.requests.length;
    for (const [i, out] of outs.entries()) {
      const r = await runCliInProcess(["bench", "answer", "--bench", "mt-bench", "--questions", qfile, "--model", spec("m"), "--out", out,
        "--max-tokens", "77", "--temperature", "0.3", "--shard", `${i}/2`]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(since(n0).every((r) => r.body.max_tokens === 77 && r.body.temperature === 0.3)).toBe(true);
    const ids = outs.map((o) => readJsonl(o).map((r: any) => r.question_id));
    expect([...ids[0], ...ids[1]].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ids[0].length).toBeGreaterThan(0);
    expect(ids[1].length).toBeGreaterThan(0);
    expect(readJsonl(outs[0])[0].model_id).toBe("m");
  });
});

describe("bench judge (mt-bench)", () => {
  const qfile = () => path.join(tmp, "qj.jsonl");
  const afile = () => path.join(tmp, "aj.jsonl");
  beforeAll(() => {
    // Real MT-Bench questions: a writing one and a math one (reference-graded).
    const qs = readJsonl(path.join(MT, "question.jsonl")).filter((q: any) => q.question_id === 81 || q.question_id === 111);
    writeJsonl(qfile(), qs);
    writeJsonl(afile(), [
      { question_id: 81, answer_id: "a", model_id: "mx", choices: [{ index: 0, turns: ["blog NORATING", "A-only"] }], tstamp: 1 },
      { question_id: 111, answer_id: "b", model_id: "mx", choices: [{ index: 0, turns: ["area 2", "circle"] }], tstamp: 1 },
    ]);
  });
  const base = () => ["bench", "judge", "--bench", "mt-bench", "--questions", qfile(), "--references", REFERENCES, "--judge-prompts", PROMPTS,
    "--answers", afile(), "--judge", spec("gpt-4")];

  it("--dry-run sends nothing and writes the exact prompts", async () => {
    const out = path.join(tmp, "dry-judge.jsonl");
    const n0 = server.requests.length;
    const res = await runCliInProcess([...base(), "--out", out, "--dry-run"]);
    expect(res.code, res.stderr).toBe(0);
    expect(server.requests.length).toBe(n0);
    const rows = readJsonl(out);
    expect(rows.map((r: any) => [r.question_id, r.turn, r.judge[1]])).toEqual([
      [81, 1, "single-v1"],
      [111, 1, "single-math-v1"],
      [81, 2, "single-v1-multi-turn"],
      [111, 2, "single-math-v1-multi-turn"],
    ]);
    expect(rows.every((r: any) => r.dry_run === true && r.judgment === null && r.score === null && r.judge[0] === "gpt-4")).toBe(true);
    // A real run into a dry-run file is refused.
    const mixed = await runCliInProcess([...base(), "--out", out]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/--dry-run rows/);
  });

  it("sends system + user at temperature 0 / 2048 tokens, re-asks -1 a bounded number of times, keeps and counts it, resumes", async () => {
    const out = path.join(tmp, "judge.jsonl");
    const n0 = server.requests.length;
    const res = await runCliInProcess([...base(), "--out", out, "--score-retries", "2", "--concurrency", "3"]);
    expect(res.code, res.stderr).toBe(0);
    const reqs = since(n0);
    // Q81 turn 1 and turn 2 both show "blog NORATING" in the prompt: 3 attempts each; the two math rows: 1 each.
    expect(reqs).toHaveLength(8);
    for (const r of reqs) {
      expect(r.body.temperature).toBe(0);
      expect(r.body.max_tokens).toBe(2048);
      expect(r.body.messages.map((m: any) => m.role)).toEqual(["system", "user"]);
    }
    const rows = readJsonl(out);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(Object.keys(r)).toEqual(["question_id", "model", "judge", "user_prompt", "judgment", "score", "turn", "tstamp"]);
    const byKey = Object.fromEntries(rows.map((r: any) => [`${r.question_id}/${r.turn}`, r]));
    expect(byKey["81/1"].score).toBe(-1);
    expect(byKey["81/2"].score).toBe(-1);
    expect(byKey["111/1"].score).toBe(2); // "[2]" via the backup pattern
    expect(byKey["111/1"].judge).toEqual(["gpt-4", "single-math-v1"]);
    expect(byKey["111/1"].user_prompt).toContain("[The Start of Reference Answer]\n");
    expect(res.stderr).toMatch(/2 re-asked for a missing rating, 2 kept with score -1 after 2 retries/);

    const n1 = server.requests.length;
    const again = await runCliInProcess([...base(), "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests.length).toBe(n1);
    expect(readJsonl(out)).toHaveLength(4);

    const show = await runCliInProcess(["bench", "show", "--judgments", out, "--json"]);
    expect(JSON.parse(show.stdout).groups[0].models.mx).toMatchObject({ overall: 2, turn_1: 2, turn_2: 2, n: 2, failed: 2 });
  });

  it("judges only what is missing after a partial run", async () => {
    const out = path.join(tmp, "partial.jsonl");
    const full = readJsonl(path.join(tmp, "judge.jsonl"));
    writeJsonl(out, full.filter((r: any) => r.question_id === 111));
    fs.appendFileSync(out, '{"question_id": 81, "model": "mx", "ju'); // torn last line from a crash
    const n0 = server.requests.length;
    const res = await runCliInProcess([...base(), "--out", out, "--score-retries", "0"]);
    expect(res.code, res.stderr).toBe(0);
    expect(since(n0)).toHaveLength(2);
    const rows = readJsonl(out);
    expect(rows.map((r: any) => `${r.question_id}/${r.turn}`).sort()).toEqual(["111/1", "111/2", "81/1", "81/2"]);
  });
});

describe("pairwise grading (pair-v2, position swap)", () => {
  it("plays both games per pair, maps winners like FastChat, and shows win rates", async () => {
    const qs = readJsonl(path.join(MT, "question.jsonl")).filter((q: any) => q.question_id === 81 || q.question_id === 111);
    const qfile = path.join(tmp, "pq.jsonl");
    writeJsonl(qfile, qs);
    const ans = (model: string, text: string) => {
      const f = path.join(tmp, `pa-${model}.jsonl`);
      writeJsonl(f, qs.map((q: any) => ({ question_id: q.question_id, answer_id: "x", model_id: model, choices: [{ index: 0, turns: [text, text] }], tstamp: 0 })));
      return f;
    };
    const files = [ans("good", "GOOD"), ans("bad", "BAD"), ans("mute", "NOVERDICT")];
    const out = path.join(tmp, "pairs.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--mode", "pairwise-baseline", "--baseline", "bad", "--questions", qfile, "--references", REFERENCES,
      "--judge-prompts", PROMPTS, "--answers", ...files, "--judge", spec("gpt-4"), "--out", out, "--score-retries", "0"];
    const n0 = server.requests.length;
    const res = await runCliInProcess(args);
    expect(res.code, res.stderr).toBe(0);
    expect(since(n0)).toHaveLength(16); // 2 questions x 2 turns x 2 pairs x 2 games
    const rows = readJsonl(out);
    expect(rows).toHaveLength(8);
    const r = rows.find((x: any) => x.model_1 === "good" && x.question_id === 111 && x.turn === 2);
    expect(r.judge).toEqual(["gpt-4", "pair-math-v1-multi-turn"]);
    expect([r.g1_winner, r.g2_winner]).toEqual(["model_1", "model_1"]);
    expect(r.g1_user_prompt).toContain("### Assistant A:\nGOOD");
    expect(r.g2_user_prompt).toContain("### Assistant A:\nBAD");
    const m = rows.find((x: any) => x.model_1 === "mute" && x.turn === 1);
    expect(m.model_2).toBe("bad");
    expect(rows.find((x: any) => x.model_1 === "good" && x.turn === 1).judge[1]).toMatch(/^pair-(v2|math-v1)$/);

    expect(m.g1_winner).toBe("error"); // no [[A]]/[[B]]/[[C]] in the judgment
    expect(res.stderr).toMatch(/4 kept with an "error" verdict/);
    const again = await runCliInProcess(args);
    expect(again.stderr).toMatch(/judged 0 pairs/);
    const show = await runCliInProcess(["bench", "show", "--judgments", out, "--json", "--baseline", "bad"]);
    const p = JSON.parse(show.stdout).pairwise;
    expect(p.good).toEqual({ win: 4, loss: 0, tie: 0, win_rate: 1, loss_rate: 0, win_rate_adjusted: 1 });
    expect(p.mute).toBeUndefined(); // rows with an "error" game are dropped, as show_result.py drops them
    expect(p.bad).toBeUndefined();
  });
});

describe("MT-Bench++ through the CLI", () => {
  it("answers (model and reference), judges every turn with Figure 4, and shows the turn buckets", async () => {
    const merged = path.join(tmp, "pp-questions.jsonl");
    const q = await runCliInProcess(["bench", "questions", "--bench", "mt-bench-pp", "--questions", path.join(MT, "question.jsonl"), "--out", merged]);
    expect(q.code, q.stderr).toBe(0);
    const all = readJsonl(merged);
    expect(all).toHaveLength(80);
    expect(all.every((r: any) => r.turns.length === 8)).toBe(true);
    const sub = path.join(tmp, "pp-sub.jsonl");
    writeJsonl(sub, [all[0], all[70]]);

    const ans = path.join(tmp, "pp-model.jsonl");
    const ref = path.join(tmp, "pp-ref.jsonl");
    const n0 = server.requests.length;
    for (const [m, out] of [["small", ans], ["big", ref]]) {
      const r = await runCliInProcess(["bench", "answer", "--bench", "mt-bench-pp", "--questions", sub, "--model", spec(m), "--model-id", m, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(since(n0)).toHaveLength(32);
    const judged = path.join(tmp, "pp-judgments.jsonl");
    const j = await runCliInProcess(["bench", "judge", "--bench", "mt-bench-pp", "--questions", sub, "--references", ref, "--answers", ans,
      "--judge", spec("judge-model"), "--out", judged]);
    expect(j.code, j.stderr).toBe(0);
    const rows = readJsonl(judged);
    expect(rows).toHaveLength(16);
    const r5 = rows.find((r: any) => r.question_id === all[70].question_id && r.turn === 5);
    expect(r5.judge).toEqual(["judge-model", "mt-bench-pp-fig4"]);
    expect(r5.user_prompt).toContain(`Now, please judge the response to the fifth user question: ${all[70].turns[4]},\n`);
    expect(r5.user_prompt).toContain(`The high-quality reference answer to this question is: big says: ${all[70].turns[4].slice(0, 30)}.\n`);
    expect(r5.user_prompt).toContain(`### User:${all[70].turns[7]}\n### Assistant A:small says: `);
    expect(r5.score).toBe(6);

    const show = await runCliInProcess(["bench", "show", "--judgments", judged, "--json", "--questions", sub]);
    expect(show.code, show.stderr).toBe(0);
    const s = JSON.parse(show.stdout).groups[0].models.small;
    // The fake judge rates turn k with k+1.
    expect(s).toMatchObject({ turn_1: 2, turn_2: 3, turns_3_5: 5, turns_6_8: 8, n: 16, failed: 0 });
    expect(s.overall).toBeCloseTo(5.5, 12);
    expect(Object.keys(s.categories)).toEqual([all[0].category, all[70].category].sort());
    const table = await runCliInProcess(["bench", "show", "--judgments", judged]);
    expect(table.stdout).toMatch(/^small\s+5\.5000\s+2\.0000\s+3\.0000\s+5\.0000\s+8\.0000\s/m);
  });
});

describe("bad input", () => {
  it("names file, line and field, exits non-zero, writes nothing", async () => {
    const qfile = path.join(tmp, "bad-q.jsonl");
    fs.writeFileSync(qfile, '{"question_id": 1, "category": "writing", "turns": ["a"]}\n{"question_id": 2, "category": "writing", "turns": "oops"}\n');
    const out = path.join(tmp, "never.jsonl");
    const r = await runCliInProcess(["bench", "answer", "--bench", "mt-bench", "--questions", qfile, "--model", spec("m"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-q\.jsonl:2: field "turns"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);

    const good = path.join(tmp, "good-q.jsonl");
    writeJsonl(good, [{ question_id: 111, category: "math", turns: ["x", "y"] }]);
    const ans = path.join(tmp, "good-a.jsonl");
    writeJsonl(ans, [{ question_id: 111, answer_id: "a", model_id: "m", choices: [{ index: 0, turns: ["1", "2"] }], tstamp: 0 }]);
    const j = await runCliInProcess(["bench", "judge", "--bench", "mt-bench", "--questions", good, "--judge-prompts", PROMPTS, "--answers", ans, "--judge", spec("j"), "--out", out]);
    expect(j.code).toBe(1);
    expect(j.stderr).toMatch(/missing reference answer to question 111/);
    expect(fs.existsSync(out)).toBe(false);

    const noPrompts = await runCliInProcess(["bench", "judge", "--bench", "mt-bench", "--questions", good, "--references", REFERENCES, "--answers", ans, "--judge", spec("j"), "--out", out]);
    expect(noPrompts.stderr).toMatch(/needs --judge-prompts/);
    const badBench = await runCliInProcess(["bench", "show", "--judgments", path.join(tmp, "nope.jsonl")]);
    expect(badBench.code).toBe(1);
    expect(badBench.stderr).toMatch(/nope\.jsonl: no such file/);
    const bench = await runCliInProcess(["bench", "questions", "--bench", "mt-bench-9", "--questions", good, "--out", out]);
    expect(bench.stderr).toMatch(/expected one of mt-bench, mt-bench-pp, custom/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
