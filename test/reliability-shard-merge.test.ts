/**
 * Scale-out: `--shard I/N` splits the work of model-calling commands deterministically and disjointly, and
 * `parrot merge` joins the shard outputs without duplicates, validating every input before writing anything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, defaultHandler, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { detectKind } from "../src/merge/merge.js";
import { readStrictJsonl, writeJsonl } from "./support/jsonl.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const MT = path.join(SHARED, "data/mt_bench");
let server: FakeServer;
let dir: string;
beforeAll(async () => {
  server = await startFakeOpenAI((req, i) => {
    const text = JSON.stringify(req.body?.messages ?? "");
    if (text.includes("impartial judge")) return chatReply("ok. Rating: [[6]]");
    return defaultHandler(req, i);
  });
  dir = tempDir("parrot-shard-");
});
afterAll(async () => {
  await server?.close();
});

describe("collect --shard I/N + merge", () => {
  it("3 shards are disjoint, cover the unsharded run, are stable across reruns; merge drops duplicates", async () => {
    const spec = `${server.url}#fake`;
    const run = (out: string, shard?: string) =>
      runCliInProcess(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "1", "--limit", "15", "--out", out, "--concurrency", "4", ...(shard ? ["--shard", shard] : [])]);
    const whole = path.join(dir, "whole.jsonl");
    expect((await run(whole)).code).toBe(0);
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const f = path.join(dir, `c${i}.jsonl`);
      const r = await run(f, `${i}/3`);
      expect(r.code, r.stderr).toBe(0);
      parts.push(f);
    }
    const ids = parts.map((f) => readStrictJsonl(f).map((s) => s.id as string));
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length); // disjoint
    expect(new Set(all)).toEqual(new Set(readStrictJsonl(whole).map((s) => s.id)));
    expect(ids.every((x) => x.length > 0)).toBe(true);
    // Deterministic: the same shard again selects the same seeds.
    const again = path.join(dir, "c1-again.jsonl");
    await run(again, "1/3");
    expect(readStrictJsonl(again).map((s) => s.id).sort()).toEqual([...ids[1]].sort());

    const merged = path.join(dir, "merged.jsonl");
    // Shard 1 given twice (an overlapping rerun): its rows are kept once.
    const m = await runCliInProcess(["merge", "--out", merged, ...parts, again]);
    expect(m.code, m.stderr).toBe(0);
    const rows = readStrictJsonl(merged);
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((s) => s.id)).size).toBe(15);
    expect(m.stderr).toContain(`15 sessions -> ${merged}`);
    expect(m.stderr).toContain(`${ids[1].length} duplicates dropped (${ids[1].length} with different content; the first was kept)`);
    // Rows are kept byte for byte, in input order.
    const expected = parts.flatMap((f) => fs.readFileSync(f, "utf8").split("\n").filter(Boolean));
    expect(fs.readFileSync(merged, "utf8")).toBe(expected.join("\n") + "\n");
  });
});

describe("bench answer/judge --shard + merge", () => {
  it("answers and judgments split by shard and merge back to exactly the unsharded set", async () => {
    const q = path.join(dir, "q.jsonl");
    const rows = fs.readFileSync(path.join(MT, "question.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((x) => x.category === "writing");
    writeJsonl(q, rows);
    const answerParts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const f = path.join(dir, `a${i}.jsonl`);
      const r = await runCliInProcess(["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", f, "--shard", `${i}/2`]);
      expect(r.code, r.stderr).toBe(0);
      answerParts.push(f);
    }
    const counts = answerParts.map((f) => readStrictJsonl(f).length);
    expect(counts[0] + counts[1]).toBe(rows.length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    const answers = path.join(dir, "answers.jsonl");
    const m = await runCliInProcess(["merge", "--out", answers, ...answerParts]);
    expect(m.code, m.stderr).toBe(0);
    expect(new Set(readStrictJsonl(answers).map((a) => a.question_id)).size).toBe(rows.length);

    const judgeParts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const f = path.join(dir, `j${i}.jsonl`);
      const r = await runCliInProcess(["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", answers, "--judge", `${server.url}#judge`, "--out", f, "--shard", `${i}/3`]);
      expect(r.code, r.stderr).toBe(0);
      judgeParts.push(f);
    }
    const judged = path.join(dir, "judgments.jsonl");
    const mj = await runCliInProcess(["merge", "--out", judged, ...judgeParts, judgeParts[0]]);
    expect(mj.code, mj.stderr).toBe(0);
    const j = readStrictJsonl(judged);
    expect(j).toHaveLength(rows.length * 2);
    expect(new Set(j.map((x) => `${x.question_id}/${x.turn}`)).size).toBe(rows.length * 2);
    expect(mj.stderr).toMatch(/judgments .*; \d+ duplicates dropped\n/);
  });
});

const session = (id: string, messages = [{ role: "user", content: `Question of ${id}?` }, { role: "assistant", content: `Answer of ${id}.` }]) => ({ id, messages, meta: {} });

describe("merge validates every input before writing", () => {
  it("detects kinds from rows", () => {
    expect(detectKind({ id: "a", messages: [] })).toBe("session");
    expect(detectKind({ question_id: 1, model_id: "m", choices: [] })).toBe("answer");
    expect(detectKind({ question_id: 1, model: "m", judge: ["j", "p"], turn: 1 })).toBe("judgment");
    expect(detectKind({ id: "s/2/x", chosen: "a", rejected: "b" })).toBe("pair");
    expect(detectKind({ id: "s", turn: 2, context_dependent: true })).toBe("context");
    expect(detectKind({ foo: 1 })).toBeUndefined();
  });

  it("bad inputs: clear error naming file, line and field; exit 1; no output; no stack", async () => {
    const out = path.join(dir, "never.jsonl");
    const sess = path.join(dir, "s.jsonl");
    writeJsonl(sess, [session("a"), session("b")]);
    const ans = path.join(dir, "ans.jsonl");
    writeJsonl(ans, [{ question_id: 1, model_id: "m", choices: [{ index: 0, turns: ["an answer"] }] }]);
    const noId = path.join(dir, "noid.jsonl");
    writeJsonl(noId, [session("a"), { messages: session("x").messages }]);
    const torn = path.join(dir, "torn.jsonl");
    fs.writeFileSync(torn, JSON.stringify(session("a")) + '\n{"id":"b","mess');
    const other = path.join(dir, "other.jsonl");
    writeJsonl(other, [{ foo: 1 }]);
    const cases: Array<[string[], RegExp]> = [
      [[sess, ans], /ans\.jsonl:1: a answer row, but .*s\.jsonl:1 is a session row/],
      [[sess, noId], /noid\.jsonl:2: field "id": missing/],
      [[sess, torn], /torn\.jsonl:2: not valid JSON .*torn last line/],
      [[sess, path.join(dir, "absent.jsonl")], /absent\.jsonl: no such file/],
      [[other], /other\.jsonl:1: not a parrot session.*--key/],
      [["--key", "id", other], /other\.jsonl:1: field "id": missing/],
      [[sess, out], /is also an input/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCliInProcess(["merge", "--out", out, ...args])));
    for (const [i, [args, re]] of cases.entries()) {
      const r = results[i];
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(STACK_RE);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
    const ok = await runCliInProcess(["merge", "--key", "foo", "--out", out, other, other]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readStrictJsonl(out)).toEqual([{ foo: 1 }]);
  });
});

describe("merge reads each input once and validates rows as the readers do", () => {
  it("a file given twice (or through another path) is read and counted once, saying so", async () => {
    const a = path.join(dir, "twice-a.jsonl");
    const b = path.join(dir, "twice-b.jsonl");
    writeJsonl(a, [session("a1"), session("a2")]);
    writeJsonl(b, [session("b1")]);
    fs.symlinkSync(a, path.join(dir, "twice-link.jsonl"));
    const out = path.join(dir, "twice-out.jsonl");
    const r = await runCliInProcess(["merge", "--out", out, a, b, a, path.join(dir, "twice-link.jsonl"), path.join(dir, ".", "twice-b.jsonl")]);
    expect(r.code, r.stderr).toBe(0);
    expect(readStrictJsonl(out).map((x) => x.id)).toEqual(["a1", "a2", "b1"]);
    expect(r.stderr).toContain(`3 sessions -> ${out}`);
    expect(r.stderr).toContain(`read ${a}: 2, ${b}: 1; 0 duplicates dropped`);
    expect(r.stderr).toMatch(/3 inputs given more than once, read once: .*twice-a\.jsonl.*twice-link\.jsonl.*twice-b\.jsonl/);
  });

  it("bad contents (roles, alternation, empty content, pair prompt, answer and judgment fields) and empty inputs are refused", async () => {
    const out = path.join(dir, "checked-out.jsonl");
    const f = (name: string, rows: unknown[]) => {
      const p = path.join(dir, name);
      writeJsonl(p, rows);
      return p;
    };
    const empty = path.join(dir, "empty-shard.jsonl");
    fs.writeFileSync(empty, "\n");
    const good = f("good-shard.jsonl", [session("g1")]);
    const pair = { id: "p1", session_id: "s", turn: 2, strategy: "context-neglect", prompt: [{ role: "user", content: "q" }], chosen: "c", rejected: "r", meta: {} };
    const cases: Array<[string[], RegExp]> = [
      [[good, f("order.jsonl", [session("o1", [{ role: "assistant", content: "x" }])])], /order\.jsonl:1: field "messages\[0\]\.role": roles must alternate/],
      [[good, f("emptymsg.jsonl", [session("e1", [{ role: "user", content: "q?" }, { role: "assistant", content: "  " }])])], /emptymsg\.jsonl:1: field "messages\[1\]\.content": empty message/],
      [[good, f("robot.jsonl", [session("r1", [{ role: "robot", content: "beep" }])])], /robot\.jsonl:1: field "messages\[0\]\.role"/],
      [[good, f("nomsg.jsonl", [session("n1", [])])], /nomsg\.jsonl:1: field "messages": must hold at least one message/],
      [[f("badpair.jsonl", [pair, { ...pair, id: "p2", prompt: [{ role: "assistant", content: "a" }] }])], /badpair\.jsonl:2: field "prompt\[0\]\.role": the prompt must end with the user query/],
      [[f("badans.jsonl", [{ question_id: 1, model_id: "m", choices: [{ index: 0, turns: [3] }] }])], /badans\.jsonl:1: field "choices\[0\]\.turns\[0\]"/],
      [[f("badjudg.jsonl", [{ question_id: 1, model: "m", judge: ["gpt-4", "single-v1"], turn: 1, score: "high", judgment: "x" }])], /badjudg\.jsonl:1: field "score"/],
      [[good, empty], /empty-shard\.jsonl: no records/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliInProcess(["merge", "--out", out, ...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(re);
      expect(r.stderr).not.toMatch(STACK_RE);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((x) => x.endsWith(".tmp"))).toEqual([]);
    }
  });
});
