/**
 * Pure parts of `parrot bench`: FastChat's score parser and str.format, the Figure 4 prompt, FastChat's judge choice,
 * and the aggregation (turn buckets, -1 exclusion, categories, bootstrap).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseScore, pythonFormat, TemplateError } from "../src/bench/score.js";
import { FIG4_INSTRUCTION, ordinal, renderMtBenchPPPrompt } from "../src/bench/prompts.js";
import { bootstrapMeanCI, percentile, summarizeJudgmentGroups, summarizeJudgments, summarizePairwise, type JudgmentLike } from "../src/bench/show.js";
import { groupAnswers, judgeWithRetries, makePairs, parseVerdict, planMtBench, planMtBenchPP } from "../src/bench/judge.js";
import { loadJudgePrompts, loadQuestions } from "../src/bench/data.js";
import type { Answer } from "../src/records/answer.js";
import type { Question } from "../src/records/question.js";
import type { LanguageModel } from "../src/llm/types.js";
import { SHARED } from "./support/cli.js";

describe("parseScore (FastChat run_judge_single)", () => {
  it.each([
    ["Rating: [[5]]", 5],
    ["Rating: [[10]]", 10],
    ["[[8.5]]", 8.5],
    ["[[8.]]", 8],
    ["first [[3]] then [[9]]", 3], // first match
    ["[7] and later [[2]]", 2], // [[n]] wins over an earlier [n]
    ["Rating: [6]", 6], // backup pattern
    ["see [1] and [4]", 1],
    ["[[ 5 ]]", -1],
    ["Rating: 7/10", -1],
    ["[[-3]]", -1],
    ["[[five]]", -1],
    ["", -1],
    ["[[0]]", 0],
    ["[[11]]", 11], // no range check, like FastChat
    ["[[5]] [[6]]", 5],
    ["[[[9]]]", 9],
    ["[2.5.1]", -1],
    ["Rating: [[07]]", 7],
  ])("%j -> %d", (text, score) => {
    expect(parseScore(text)).toBe(score);
  });
});

describe("pythonFormat (str.format)", () => {
  it("fills fields, keeps values verbatim and ignores unused values", () => {
    expect(pythonFormat("[Q]\n{question}\n[A]\n{answer}", { question: "a {b} $1 $&", answer: "{{x}}", extra: "z" })).toBe(
      "[Q]\na {b} $1 $&\n[A]\n{{x}}",
    );
  });
  it("turns {{ and }} into braces", () => {
    expect(pythonFormat("{{lit}} {x}}}", { x: "1" })).toBe("{lit} 1}");
  });
  it("rejects what Python rejects", () => {
    expect(() => pythonFormat("a } b", {})).toThrow(TemplateError);
    expect(() => pythonFormat("a { b", {})).toThrow(TemplateError);
    expect(() => pythonFormat("{missing}", {})).toThrow(/has no value/);
    expect(() => pythonFormat("{x!r}", { x: "1" })).toThrow(/unsupported/);
  });
});

describe("Figure 4 prompt", () => {
  const qs = ["Q1?", "Q2?", "Q3?"];
  const as = ["A1.", "A2 with $& and {braces}.", "A3."];
  it("renders the whole conversation, the k-th question and reference, and the ordinal", () => {
    const p = renderMtBenchPPPrompt(qs, as, 3, "R3 $1");
    expect(p).toBe(
      FIG4_INSTRUCTION.replace("the second user question", "the third user question") +
        "\n\n<|The Start of Assistant A's Conversation with User|>\n\n" +
        "### User:Q1?\n### Assistant A:A1.\n### User:Q2?\n### Assistant A:A2 with $& and {braces}.\n### User:Q3?\n### Assistant A:A3.\n\n" +
        "<|The End of Assistant A's Conversation with User|>.\n\n" +
        "Now, please judge the response to the third user question: Q3?,\nThe high-quality reference answer to this question is: R3 $1.\nYour judgment:",
    );
    expect(p).not.toContain("second");
  });
  it("keeps the figure's own wording for the second turn", () => {
    const p = renderMtBenchPPPrompt(qs, as, 2, "R2");
    expect(p.startsWith(FIG4_INSTRUCTION)).toBe(true);
    expect(p).toContain('"[rating]", for example: "Rating: [5]"');
    expect(p).toContain("Now, please judge the response to the second user question: Q2?,\n");
  });
  it("has ordinals first..eighth and rejects bad turns", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(ordinal)).toEqual(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]);
    expect([11, 12, 21, 22, 23, 101].map(ordinal)).toEqual(["11th", "12th", "21st", "22nd", "23rd", "101st"]);
    expect(() => renderMtBenchPPPrompt(qs, as, 4, "r")).toThrow(RangeError);
    expect(() => renderMtBenchPPPrompt(qs, as.slice(0, 2), 1, "r")).toThrow(RangeError);
  });
});

const answer = (qid: number, model: string, turns: string[]): Answer => ({ question_id: qid, model_id: model, answer_id: "x", choices: [{ index: 0, turns }], tstamp: 0 });

describe("FastChat judge choice (gen_judgment.py make_judge_single)", () => {
  const prompts = loadJudgePrompts(path.join(SHARED, "data/mt_bench/judge_prompts.jsonl"));
  const questions: Question[] = [
    { question_id: 1, category: "writing", turns: ["w1", "w2"] },
    { question_id: 2, category: "math", turns: ["m1", "m2"] },
    { question_id: 3, category: "coding", turns: ["c1"] },
  ];
  const answers = groupAnswers([{ file: "a.jsonl", answers: [answer(1, "m", ["a1", "a2"]), answer(2, "m", ["b1", "b2"]), answer(3, "m", ["c"])] }]);
  const refs = new Map([
    ["n:2", answer(2, "gpt-4", ["R1", "R2"])],
    ["n:3", answer(3, "gpt-4", ["S1"])],
  ]);

  it("uses single-v1 / single-math-v1 for turn 1 and the multi-turn prompts for turn 2, references for math/coding", () => {
    const tasks = planMtBench(questions, answers, ["m"], refs, prompts, "p");
    expect(tasks.map((t) => [t.question_id, t.turn, t.promptName])).toEqual([
      [1, 1, "single-v1"],
      [2, 1, "single-math-v1"],
      [3, 1, "single-math-v1"],
      [1, 2, "single-v1-multi-turn"],
      [2, 2, "single-math-v1-multi-turn"], // question 3 has one turn: no turn-2 judgment
    ]);
    const t = tasks[4];
    expect(t.messages[0]).toEqual({ role: "system", content: prompts.get("single-math-v1-multi-turn")!.system_prompt });
    expect(t.messages[1].content).toContain("### Reference answer:\nR2");
    expect(t.messages[1].content).toContain("### Assistant A:\nb2");
    expect(tasks[0].messages[0].content).toBe("You are a helpful assistant.");
  });

  it("refuses to plan without a needed reference or answer", () => {
    expect(() => planMtBench(questions, answers, ["m"], undefined, prompts, "p")).toThrow(/missing reference answer to question 2/);
    expect(() => planMtBench(questions, answers, ["m", "other"], refs, prompts, "p")).toThrow(/missing answer of model other to question 1/);
    const noPrompt = new Map(prompts);
    noPrompt.delete("single-v1");
    expect(() => planMtBench(questions, answers, ["m"], refs, noPrompt, "p.jsonl")).toThrow(/no judge prompt named "single-v1"/);
  });

  it("MT-Bench++ plans every turn with the k-th reference", () => {
    const q8: Question[] = [{ question_id: 7, category: "stem", turns: ["q1", "q2", "q3"] }];
    const ans = groupAnswers([{ file: "a", answers: [answer(7, "m", ["a1", "a2", "a3"])] }]);
    const tasks = planMtBenchPP(q8, ans, ["m"], new Map([["n:7", answer(7, "ref", ["r1", "r2", "r3"])]]));
    expect(tasks.map((t) => t.turn)).toEqual([1, 2, 3]);
    expect(tasks[1].messages).toHaveLength(1);
    expect(tasks[1].userPrompt).toContain("this question is: r2.\n");
    expect(() => planMtBenchPP(q8, ans, ["m"], new Map([["n:7", answer(7, "ref", ["r1"])]]))).toThrow(/has 1 turns, needs 3/);
  });
});

describe("-1 retries", () => {
  function scripted(texts: string[]): LanguageModel & { calls: number } {
    const m = {
      calls: 0,
      id: "fake",
      name: "fake",
      async chat() {
        const t = texts[Math.min(m.calls, texts.length - 1)];
        m.calls++;
        return { text: t, usage: { promptTokens: 1, completionTokens: 1 } };
      },
      async complete(): Promise<never> {
        throw new Error("unused");
      },
      stats: () => ({ requests: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0 }),
      close: async () => {},
    };
    return m;
  }
  const task = { question_id: 1, model: "m", turn: 1, promptName: "p", userPrompt: "u", messages: [{ role: "user" as const, content: "u" }] };
  it("re-asks until a rating appears", async () => {
    const m = scripted(["no rating", "still none", "Rating: [[6]]"]);
    expect(await judgeWithRetries(m, task, { scoreRetries: 2 })).toEqual({ judgment: "Rating: [[6]]", score: 6, attempts: 3 });
  });
  it("keeps -1 after the bounded retries", async () => {
    const m = scripted(["no rating"]);
    expect(await judgeWithRetries(m, task, { scoreRetries: 2 })).toEqual({ judgment: "no rating", score: -1, attempts: 3 });
    const once = scripted(["no rating"]);
    expect((await judgeWithRetries(once, task, { scoreRetries: 0 })).attempts).toBe(1);
  });
});

describe("summarizeJudgments", () => {
  const rows: JudgmentLike[] = [];
  // Model a: turn t scores t (questions 1 and 2), one failed row at turn 8.
  for (const q of [1, 2]) for (let t = 1; t <= 8; t++) rows.push({ question_id: q, model: "a", turn: t, score: t });
  rows.push({ question_id: 3, model: "a", turn: 8, score: -1 });
  rows.push({ question_id: 3, model: "a", turn: 7, judgment: "Rating: [[9]]" }); // no score field: parsed
  rows.push({ question_id: 3, model: "a", turn: 6, score: null, judgment: "nothing" }); // parsed -> -1
  rows.push({ question_id: 3, model: "a", turn: 5, score: null, judgment: null, dry_run: true }); // skipped
  rows.push({ question_id: 1, model: "b", turn: 1, score: 4 }, { question_id: 1, model: "b", turn: 2, score: 6 });

  it("buckets turns 1, 2, 3-5, 6-8 and excludes -1 from every mean", () => {
    const s = summarizeJudgments(rows).models;
    expect(s.a.turn_1).toBe(1);
    expect(s.a.turn_2).toBe(2);
    expect(s.a.turns_3_5).toBe(4);
    expect(s.a.turns_6_8).toBeCloseTo((6 + 7 + 8 + 6 + 7 + 8 + 9) / 7, 12);
    expect(s.a.overall).toBeCloseTo((2 * 36 + 9) / 17, 12);
    expect(s.a.n).toBe(17);
    expect(s.a.failed).toBe(2);
    expect(s.a.per_turn["7"]).toBeCloseTo(23 / 3, 12);
    expect(s.b).toMatchObject({ overall: 5, turn_1: 4, turn_2: 6, turns_3_5: null, turns_6_8: null, n: 2, failed: 0 });
  });

  it("gives per-category means when categories are known", () => {
    const s = summarizeJudgments(rows, { categories: new Map<number | string, string>([[1, "math"], [2, "stem"]]) }).models;
    expect(s.a.categories).toEqual({ math: 4.5, stem: 4.5, unknown: 9 });
    expect(summarizeJudgments(rows).models.a.categories).toEqual({});
  });

  it("a model whose rows all failed has null means and no interval", () => {
    const s = summarizeJudgments([{ question_id: 1, model: "z", turn: 1, score: -1 }]).models.z;
    expect(s).toMatchObject({ overall: null, turn_1: null, n: 0, failed: 1, ci95: null });
  });

  it("bootstrap interval is seeded, brackets the mean and widens with spread", () => {
    const clusters = [[1, 2], [9, 10], [5], [6, 7, 8], [3]];
    const a = bootstrapMeanCI(clusters, 500, 7)!;
    expect(bootstrapMeanCI(clusters, 500, 7)).toEqual(a);
    expect(bootstrapMeanCI(clusters, 500, 8)).not.toEqual(a);
    expect(a[0]).toBeLessThan(5.5);
    expect(a[1]).toBeGreaterThan(5.5);
    expect(bootstrapMeanCI([[5, 5], [5]], 100, 0)).toEqual([5, 5]);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe("real question file", () => {
  it("loads MT-Bench's 80 questions in 8 categories", () => {
    const qs = loadQuestions(path.join(SHARED, "data/mt_bench/question.jsonl"));
    expect(qs).toHaveLength(80);
    expect(new Set(qs.map((q) => q.category)).size).toBe(8);
  });
});

describe("pairwise (FastChat run_judge_pair, show_result.py display_result_pairwise)", () => {
  it("parses verdicts in FastChat's order", () => {
    expect(parseVerdict("[[B]] but also [[A]]")).toBe("A");
    expect(parseVerdict("[[B]]")).toBe("B");
    expect(parseVerdict("[[C]]")).toBe("tie");
    expect(parseVerdict("[A]")).toBe("error");
  });
  it("builds baseline pairs and all pairs", () => {
    expect(makePairs(["a", "b", "c"], "b")).toEqual([["a", "b"], ["c", "b"]]);
    expect(makePairs(["a", "b", "c"], undefined)).toEqual([["a", "b"], ["a", "c"], ["b", "c"]]);
    expect(() => makePairs(["a"], "z")).toThrow(/--baseline z/);
  });
  it("counts agreed wins, ties for disagreement or a game-1 tie, and drops errors", () => {
    const p = summarizePairwise([
      { model_1: "x", model_2: "y", g1_winner: "model_1", g2_winner: "model_1" },
      { model_1: "x", model_2: "y", g1_winner: "model_1", g2_winner: "model_2" },
      { model_1: "x", model_2: "y", g1_winner: "tie", g2_winner: "tie" },
      { model_1: "x", model_2: "y", g1_winner: "model_2", g2_winner: "model_2" },
      { model_1: "x", model_2: "y", g1_winner: "error", g2_winner: "model_1" },
    ]);
    expect(p.x).toEqual({ win: 1, loss: 1, tie: 2, win_rate: 0.25, loss_rate: 0.25, win_rate_adjusted: 0.5 });
    expect(p.y.win).toBe(1);
    expect(summarizePairwise([{ model_1: "x", model_2: "y", g1_winner: "model_1", g2_winner: "model_1" }], "y")).toEqual({
      x: { win: 1, loss: 0, tie: 0, win_rate: 1, loss_rate: 0, win_rate_adjusted: 1 },
    });
  });
});

describe("summarizeJudgmentGroups: one table per benchmark, judge model and prompt set", () => {
  const j = (model: string, q: number, turn: number, score: number, judge: [string, string]): JudgmentLike & { judge: [string, string]; judgment: string } =>
    ({ question_id: q, model, turn, score, judge, judgment: `Rating: [[${score}]]` });
  const rows = [
    // MT-Bench by gpt-4: FastChat's four prompts (general and math, turn 1 and multi-turn) are one prompt set.
    j("m", 81, 1, 8, ["gpt-4", "single-v1"]),
    j("m", 81, 2, 6, ["gpt-4", "single-v1-multi-turn"]),
    j("m", 111, 1, 10, ["gpt-4", "single-math-v1"]),
    j("m", 111, 2, 4, ["gpt-4", "single-math-v1-multi-turn"]),
    j("other", 81, 1, 9, ["gpt-4", "single-v1"]),
    // MT-Bench++ of the same model by the same judge: its own table.
    j("m", 81, 1, 2, ["gpt-4", "mt-bench-pp-fig4"]),
    j("m", 81, 3, 3, ["gpt-4", "mt-bench-pp-fig4"]),
    // Another judge: its own table.
    j("m", 81, 1, 5, ["claude", "single-v1"]),
  ];

  it("never pools benchmarks, judges or prompt sets", () => {
    const { groups, duplicates } = summarizeJudgmentGroups(rows);
    expect(duplicates).toBe(0);
    expect(groups.map((g) => [g.bench, g.judge, g.prompt])).toEqual([
      ["MT-Bench", "claude", "single-v1"],
      ["MT-Bench", "gpt-4", "single-v1"],
      ["MT-Bench++", "gpt-4", "mt-bench-pp-fig4"],
    ]);
    const [claude, mt, pp] = groups;
    expect(mt.models.m).toMatchObject({ turn_1: 9, turn_2: 5, overall: 7, n: 4 });
    expect(mt.models.other).toMatchObject({ turn_1: 9, n: 1 });
    expect(pp.models.m).toMatchObject({ turn_1: 2, turns_3_5: 3, n: 2 });
    expect(Object.keys(pp.models)).toEqual(["m"]);
    expect(claude.models.m).toMatchObject({ turn_1: 5, n: 1 });
    expect(mt.rows).toBe(5);
  });

  it("drops exact duplicate rows (a file given twice) and counts them; refuses two different judgments of one turn", () => {
    const { groups, duplicates } = summarizeJudgmentGroups([...rows, ...rows.map((r) => ({ ...r }))]);
    expect(duplicates).toBe(rows.length);
    expect(groups[1].models.m).toMatchObject({ turn_1: 9, turn_2: 5, n: 4 });
    expect(() => summarizeJudgmentGroups([...rows, { ...rows[0], score: 1, judgment: "Rating: [[1]]" }])).toThrow(
      /model m, question 81, turn 1 is judged twice by gpt-4 \(prompt single-v1\) with different results/,
    );
  });
});
