/**
 * FastChat parity on real data: the GPT-4 single-answer judgments in
 * ../shared/data/mt_bench/model_judgment_local/gpt-4_single.don-tpanic-FastChat.jsonl (5 models x 80 questions x 2
 * turns, written by FastChat's gen_judgment.py).
 * - `bench show` reproduces FastChat's show_result.py numbers (SOURCES.md table), with and without the `score` field.
 * - `bench judge --dry-run` renders user_prompts byte-identical to the file's for all 800 rows. The judged models'
 *   answers are not in ../shared, so each model's answers are recovered from the file's own user_prompts by
 *   matching them against the judge templates (read from judge_prompts.jsonl) and written to temporary answer files.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, SHARED } from "./support/cli.js";
import { readJsonl } from "./support/jsonl.js";

const MT = path.join(SHARED, "data/mt_bench");
const JUDGMENTS = path.join(MT, "model_judgment_local/gpt-4_single.don-tpanic-FastChat.jsonl");
const QUESTIONS = path.join(MT, "question.jsonl");
const REFERENCES = path.join(MT, "reference_answer_gpt-4.jsonl");
const PROMPTS = path.join(MT, "judge_prompts.jsonl");

/** FastChat show_result.py numbers for this file (../shared/data/SOURCES.md), 4 decimals. */
const EXPECTED: Record<string, { turn_1: number; turn_2: number; overall: number }> = {
  llama2_chat_7b: { turn_1: 6.7062, turn_2: 5.675, overall: 6.1906 },
  finetune_llama2_chat_7b_Attention: { turn_1: 5.8937, turn_2: 4.4, overall: 5.1469 },
  finetune_llama2_chat_7b_FFNet: { turn_1: 5.95, turn_2: 4.2625, overall: 5.1063 },
  finetune_llama2_chat_7b: { turn_1: 5.3875, turn_2: 3.8625, overall: 4.625 },
  llama2_7b: { turn_1: 4.7625, turn_2: 3.175, overall: 3.9688 },
};

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-parity-"));
});

function expectFastChatNumbers(models: Record<string, any>) {
  expect(Object.keys(models).sort()).toEqual(Object.keys(EXPECTED).sort());
  for (const [m, e] of Object.entries(EXPECTED)) {
    // SOURCES.md rounds half-way cases either way (6.70625 -> 6.7062, 3.96875 -> 3.9688): compare within 5e-5.
    expect(Math.abs(models[m].turn_1 - e.turn_1)).toBeLessThanOrEqual(5.1e-5);
    expect(Math.abs(models[m].turn_2 - e.turn_2)).toBeLessThanOrEqual(5.1e-5);
    expect(Math.abs(models[m].overall - e.overall)).toBeLessThanOrEqual(5.1e-5);
    expect(models[m].n).toBe(160);
    expect(models[m].failed).toBe(0);
    expect(models[m].turns_3_5).toBeNull();
    expect(models[m].turns_6_8).toBeNull();
  }
}

/** Exact means from the rows themselves, computed independently of the code under test. */
function exactMeans(rows: any[]) {
  const out: Record<string, { t1: number[]; t2: number[] }> = {};
  for (const r of rows) (out[r.model] ??= { t1: [], t2: [] })[r.turn === 1 ? "t1" : "t2"].push(r.score);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Object.fromEntries(Object.entries(out).map(([m, v]) => [m, { turn_1: mean(v.t1), turn_2: mean(v.t2), overall: mean([...v.t1, ...v.t2]) }]));
}

describe("bench show on FastChat's real judgments", () => {
  it("does not pool: a file given twice is counted once (saying so), MT-Bench++ and another judge get their own tables", async () => {
    const rows = readJsonl(JUDGMENTS);
    // The same model's MT-Bench++ judgments (Fig. 4 prompt, 3 turns, all 3) and another judge's MT-Bench rows (all 9).
    const pp = path.join(tmp, "pp.jsonl");
    const ppRows = rows.filter((r: any) => r.model === "llama2_chat_7b" && r.turn === 1).slice(0, 10).flatMap((r: any) =>
      [1, 2, 3].map((turn) => ({ ...r, turn, judge: ["gpt-4", "mt-bench-pp-fig4"], score: 3, judgment: "Rating: [[3]]" })));
    fs.writeFileSync(pp, ppRows.map((r: any) => JSON.stringify(r)).join("\n") + "\n");
    const other = path.join(tmp, "other-judge.jsonl");
    fs.writeFileSync(other, rows.filter((r: any) => r.model === "llama2_chat_7b").map((r: any) => JSON.stringify({ ...r, judge: ["claude-3", r.judge[1]], score: 9 })).join("\n") + "\n");
    const res = await runCli(["bench", "show", "--judgments", JUDGMENTS, JUDGMENTS, pp, other, "--json"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain("800 exact duplicate judgment rows dropped");
    const { groups, duplicates_dropped } = JSON.parse(res.stdout);
    expect(duplicates_dropped).toBe(800);
    expect(groups.map((g: any) => [g.bench, g.judge, g.prompt, g.rows])).toEqual([
      ["MT-Bench", "claude-3", "single-v1", 160],
      ["MT-Bench", "gpt-4", "single-v1", 800],
      ["MT-Bench++", "gpt-4", "mt-bench-pp-fig4", 30],
    ]);
    expectFastChatNumbers(groups[1].models);
    expect(groups[0].models.llama2_chat_7b).toMatchObject({ overall: 9, n: 160 });
    expect(groups[2].models.llama2_chat_7b).toMatchObject({ overall: 3, turn_1: 3, turns_3_5: 3, n: 30 });
    const text = await runCli(["bench", "show", "--judgments", JUDGMENTS, pp]);
    expect(text.stdout).toContain("MT-Bench, judge gpt-4, prompt single-v1 (800 judgments)\nModel");
    expect(text.stdout).toContain("MT-Bench++, judge gpt-4, prompt mt-bench-pp-fig4 (30 judgments)\nModel");
  });

  it("reproduces show_result.py for all five models", async () => {
    const res = await runCli(["bench", "show", "--judgments", JUDGMENTS, "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const { groups, duplicates_dropped } = JSON.parse(res.stdout);
    expect(groups.map((g: any) => [g.bench, g.judge, g.prompt])).toEqual([["MT-Bench", "gpt-4", "single-v1"]]);
    expect(duplicates_dropped).toBe(0);
    const { models } = groups[0];
    expectFastChatNumbers(models);
    const exact = exactMeans(readJsonl(JUDGMENTS));
    for (const [m, e] of Object.entries(exact)) {
      expect(models[m].turn_1).toBeCloseTo(e.turn_1, 12);
      expect(models[m].turn_2).toBeCloseTo(e.turn_2, 12);
      expect(models[m].overall).toBeCloseTo(e.overall, 12);
      expect(models[m].ci95[0]).toBeLessThan(e.overall);
      expect(models[m].ci95[1]).toBeGreaterThan(e.overall);
    }
  });

  it("gives the same numbers when the score field is removed (judgments parsed)", async () => {
    const rows = readJsonl(JUDGMENTS);
    const noScore = path.join(tmp, "no-score.jsonl");
    fs.writeFileSync(noScore, rows.map(({ score: _s, ...r }) => JSON.stringify(r)).join("\n") + "\n");
    const a = await runCli(["bench", "show", "--judgments", noScore, "--json"]);
    const b = await runCli(["bench", "show", "--judgments", JUDGMENTS, "--json"]);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    expectFastChatNumbers(JSON.parse(a.stdout).groups[0].models);
  });

  it("prints a Table-3-like text table sorted by overall", async () => {
    const res = await runCli(["bench", "show", "--judgments", JUDGMENTS, "--questions", QUESTIONS]);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines[0]).toBe("MT-Bench, judge gpt-4, prompt single-v1 (800 judgments)");
    expect(lines[1]).toMatch(/^Model\s+Overall\s+Turn 1\s+Turn 2\s+Turn 3-5\s+Turn 6-8\s+95% CI\s+n\s+failed$/);
    expect(lines[2]).toMatch(/^llama2_chat_7b\s+6\.1906\s+6\.7062\s+5\.6750\s+-\s+-\s+\[/);
    expect(lines[6]).toMatch(/^llama2_7b\s+3\.9688\s+4\.7625\s+3\.1750\s/);
    expect(res.stdout).toMatch(/coding\s+extraction\s+humanities\s+math\s+reasoning\s+roleplay\s+stem\s+writing/);
  });
});

/** Escape a literal for a RegExp. */
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Recover the answer texts from a user_prompt rendered by FastChat's template: known fields (questions, reference
 * answers) become literals, `{answer}`, `{answer_1}`, `{answer_2}` become captures. Templates use `{{`/`}}` nowhere.
 */
function recoverAnswers(template: string, known: Record<string, string>, userPrompt: string): Record<string, string> {
  const names: string[] = [];
  let re = "^";
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    re += esc(template.slice(last, m.index));
    const f = m[1];
    if (f in known) re += esc(known[f]);
    else {
      re += "([\\s\\S]*?)";
      names.push(f);
    }
    last = m.index! + m[0].length;
  }
  re += esc(template.slice(last)) + "$";
  const m = new RegExp(re).exec(userPrompt);
  if (!m) throw new Error("user_prompt does not match its template");
  return Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
}

describe("bench judge --dry-run on the answers behind FastChat's real judgments", () => {
  it("renders all 800 user_prompts byte-identical to gen_judgment.py's", async () => {
    const rows = readJsonl(JUDGMENTS);
    const prompts = new Map(readJsonl(PROMPTS).map((p: any) => [p.name, p]));
    const questions = new Map(readJsonl(QUESTIONS).map((q: any) => [q.question_id, q]));
    const refs = new Map(readJsonl(REFERENCES).map((r: any) => [r.question_id, r.choices[0].turns]));

    // model -> question -> [turn1, turn2]
    const recovered = new Map<string, Map<number, string[]>>();
    for (const r of rows) {
      const q = questions.get(r.question_id);
      const ref = refs.get(r.question_id);
      const known: Record<string, string> =
        r.turn === 1 ? { question: q.turns[0] } : { question_1: q.turns[0], question_2: q.turns[1] };
      if (ref) Object.assign(known, { ref_answer_1: ref[0], ref_answer_2: ref[1] });
      const got = recoverAnswers(prompts.get(r.judge[1]).prompt_template, known, r.user_prompt);
      let m = recovered.get(r.model);
      if (!m) recovered.set(r.model, (m = new Map()));
      const turns = m.get(r.question_id) ?? [];
      if (r.turn === 1) turns[0] = got.answer;
      else {
        turns[1] = got.answer_2;
        // The turn-2 prompt repeats answer 1: it must agree with the turn-1 prompt's answer.
        if (turns[0] !== undefined) expect(got.answer_1).toBe(turns[0]);
        else turns[0] = got.answer_1;
      }
      m.set(r.question_id, turns);
    }
    expect(recovered.size).toBe(5);

    const answerFiles: string[] = [];
    for (const [model, byQ] of recovered) {
      expect(byQ.size).toBe(80);
      const file = path.join(tmp, `${model}.jsonl`);
      const lines = [...byQ].map(([qid, turns]) =>
        JSON.stringify({ question_id: qid, answer_id: `recovered-${qid}`, model_id: model, choices: [{ index: 0, turns }], tstamp: 0 }),
      );
      fs.writeFileSync(file, lines.join("\n") + "\n");
      answerFiles.push(file);
    }

    const out = path.join(tmp, "dry.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--questions", QUESTIONS, "--references", REFERENCES, "--judge-prompts", PROMPTS,
      "--answers", ...answerFiles, "--judge", "openai:gpt-4", "--out", out, "--dry-run"];
    const res = await runCli(args, { env: { OPENAI_API_KEY: "", PARROT_API_KEY: "" } });
    expect(res.code, res.stderr).toBe(0);
    const dry = readJsonl(out);
    expect(dry).toHaveLength(800);
    const key = (r: any) => `${r.model}/${r.question_id}/${r.turn}`;
    const expected = new Map(rows.map((r: any) => [key(r), r]));
    let identical = 0;
    for (const d of dry) {
      const e = expected.get(key(d));
      expect(e, key(d)).toBeDefined();
      expect(d.judge).toEqual(e.judge); // ["gpt-4", prompt name]: FastChat's choice of prompt for the row
      expect(Buffer.from(d.user_prompt, "utf8").equals(Buffer.from(e.user_prompt, "utf8")), key(d)).toBe(true);
      expect(d.judgment).toBeNull();
      expect(d.dry_run).toBe(true);
      identical++;
    }
    expect(identical).toBe(800);
    expect(new Set(dry.map(key)).size).toBe(800);

    // Rerunning the dry run adds nothing (resume, no duplicates).
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(readJsonl(out)).toHaveLength(800);
  });
});
