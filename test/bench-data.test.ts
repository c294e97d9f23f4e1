/**
 * Benchmark files: FastChat's 31 original answer files and its reference answers load unchanged, MT-Bench++ merging
 * of MT-Bench's turns 1-2 with our authored turns 3-8, and precise errors for bad files.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAnswers, loadAuthoredTurns, loadBenchQuestions, loadJudgePrompts, loadQuestions, mergeMtBenchPP, DEFAULT_PP_TURNS_FILE } from "../src/bench/data.js";
import { groupAnswers, planMtBench } from "../src/bench/judge.js";
import { InputError, UserError } from "../src/io/errors.js";
import { SHARED } from "./support/cli.js";

const MT = path.join(SHARED, "data/mt_bench");
const ANSWER_DIR = path.join(MT, "model_answer");

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-data-"));
});

describe("FastChat's original answer files", () => {
  const files = fs.readdirSync(ANSWER_DIR).filter((f) => f.endsWith(".jsonl")).sort();

  it("all 31 load unchanged: 80 rows, 2 turns, every field kept", () => {
    expect(files).toHaveLength(31);
    for (const f of files) {
      const file = path.join(ANSWER_DIR, f);
      const rows = loadAnswers(file);
      expect(rows, f).toHaveLength(80);
      const raw = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
      expect(rows).toEqual(raw); // nothing dropped, renamed or coerced
      expect(rows.every((r) => r.choices[0].turns.length === 2)).toBe(true);
    }
  });

  it("are ready to be judged with FastChat's prompts (all 31 models planned: 31 x 160 judgments)", () => {
    const questions = loadQuestions(path.join(MT, "question.jsonl"));
    const answers = groupAnswers(files.map((f) => ({ file: f, answers: loadAnswers(path.join(ANSWER_DIR, f)) })));
    expect(answers.size).toBe(31);
    expect(answers.has("RWKV-4-Raven-14B")).toBe(true); // models are named by model_id
    const refs = new Map(loadAnswers(path.join(MT, "reference_answer_gpt-4.jsonl")).map((r) => [`n:${r.question_id}`, r]));
    const tasks = planMtBench(questions, answers, [...answers.keys()], refs, loadJudgePrompts(path.join(MT, "judge_prompts.jsonl")), "p");
    expect(tasks).toHaveLength(31 * 160);
  });
});

describe("MT-Bench++ questions", () => {
  const questions = () => loadQuestions(path.join(MT, "question.jsonl"));

  it("merges turns 1-2 with the authored turns 3-8, keeping the other fields", () => {
    const authored = [{ question_id: 81, category: "writing", turns: ["a", "b", "c", "d", "e", "f"], source: "ours" }];
    const qs = questions().filter((q) => q.question_id === 81 || q.question_id === 101);
    const merged = mergeMtBenchPP(qs.slice(0, 1), authored, "q.jsonl", "t.jsonl");
    expect(merged[0].turns).toEqual([...qs[0].turns, "a", "b", "c", "d", "e", "f"]);
    expect(merged[0].category).toBe("writing");
    expect(() => mergeMtBenchPP(qs, authored, "q.jsonl", "t.jsonl")).toThrow(/t\.jsonl: no authored turns 3-8 for question 101/);
    expect(() => mergeMtBenchPP(qs.slice(0, 1), [{ ...authored[0], category: "math" }], "q.jsonl", "t.jsonl")).toThrow(/"math" but q\.jsonl says "writing"/);
    expect(() => mergeMtBenchPP(qs.slice(0, 1), [...authored, { ...authored[0], question_id: 999 }], "q.jsonl", "t.jsonl")).toThrow(UserError);
  });

  it("validates authored turns: exactly 6 non-empty queries per question, no duplicate ids", () => {
    const bad = path.join(tmp, "turns-bad.jsonl");
    fs.writeFileSync(bad, JSON.stringify({ question_id: 81, turns: ["a", "b", "c", "d", "e"] }) + "\n");
    expect(() => loadAuthoredTurns(bad)).toThrow(/turns-bad\.jsonl:1: field "turns": must hold exactly 6 queries/);
    fs.writeFileSync(bad, JSON.stringify({ question_id: 81, turns: ["a", "b", "c", " ", "e", "f"] }) + "\n");
    expect(() => loadAuthoredTurns(bad)).toThrow(/turns-bad\.jsonl:1: field "turns\[3\]"/);
    const row = JSON.stringify({ question_id: 81, turns: ["a", "b", "c", "d", "e", "f"] });
    fs.writeFileSync(bad, `${row}\n${row}\n`);
    expect(() => loadAuthoredTurns(bad)).toThrow(/turns-bad\.jsonl:2: field "question_id": duplicate/);
  });

  it("the repo's authored turns give 80 sessions of 8 turns with the MT-Bench turns first", () => {
    const merged = loadBenchQuestions("mt-bench-pp", path.join(MT, "question.jsonl"), DEFAULT_PP_TURNS_FILE);
    expect(merged).toHaveLength(80);
    const orig = questions();
    merged.forEach((q, i) => {
      expect(q.turns).toHaveLength(8);
      expect(q.turns.slice(0, 2)).toEqual(orig[i].turns);
    });
    expect(new Set(merged.flatMap((q) => q.turns.slice(2))).size).toBe(480);
    // An already merged file is taken as is.
    const file = path.join(tmp, "merged.jsonl");
    fs.writeFileSync(file, merged.map((q) => JSON.stringify(q)).join("\n") + "\n");
    expect(loadBenchQuestions("mt-bench-pp", file, path.join(tmp, "no-such-turns.jsonl"))).toEqual(merged);
  });
});

describe("errors name file, line and field", () => {
  it("questions, answers and judge prompts", () => {
    const f = path.join(tmp, "bad.jsonl");
    fs.writeFileSync(f, '{"question_id": 1, "category": "x", "turns": ["a"]}\n{"question_id": 1, "category": "x", "turns": ["b"]}\n');
    expect(() => loadQuestions(f)).toThrow(/bad\.jsonl:2: field "question_id": duplicate question/);
    fs.writeFileSync(f, '{"question_id": 1, "model_id": "m", "choices": [{"index": 0, "turns": [1]}]}\n');
    expect(() => loadAnswers(f)).toThrow(/bad\.jsonl:1: field "choices\[0\]\.turns\[0\]"/);
    fs.writeFileSync(f, '{"question_id": 1, "model_id": "m", "choices": []}\n');
    expect(() => loadAnswers(f)).toThrow(InputError);
    fs.writeFileSync(f, '{"name": "single-v1", "type": "single", "system_prompt": "s", "prompt_template": "t", "output_format": "[[rating]]"}\nnot json\n');
    expect(() => loadJudgePrompts(f)).toThrow(/bad\.jsonl:2: not valid JSON/);
    fs.writeFileSync(f, "");
    expect(() => loadQuestions(f)).toThrow(/no questions/);
  });
});
