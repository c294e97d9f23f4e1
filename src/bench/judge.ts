/**
 * Single-answer grading: which prompt judges which (model, question, turn), the exact messages sent, and the
 * judgment rows written.
 *
 * MT-Bench follows FastChat exactly (lm-sys/FastChat `fastchat/llm_judge/gen_judgment.py` make_judge_single /
 * make_match_single and `common.py` run_judge_single / play_a_match_single): turn 1 is judged with `single-v1`, or
 * `single-math-v1` with the reference answer for NEED_REF_CATS (math, reasoning, coding); turn 2 (questions with
 * exactly 2 turns) with `single-v1-multi-turn` / `single-math-v1-multi-turn`. The user prompt is the template's
 * `prompt_template.format(...)`, the system message is its `system_prompt`; temperature 0, max tokens 2048.
 * MT-Bench++ (and `custom`) judge every turn k with the paper's Figure 4 prompt (prompts.ts) and the k-th reference.
 */
import * as path from "node:path";
import { isContextLengthError } from "../llm/errors.js";
import { parseModelSpec } from "../llm/spec.js";
import type { ChatMessage, LanguageModel } from "../llm/types.js";
import { UserError } from "../io/errors.js";
import { type BenchName, type JudgePrompt, NEED_REF_CATS } from "./data.js";
import type { Answer } from "../records/answer.js";
import { qidKey, type Question } from "../records/question.js";
import { FAILED_SCORE, parseScore, pythonFormat, TemplateError, templateFields } from "./score.js";
import { MT_BENCH_PP_PROMPT_NAME, renderMtBenchPPPrompt } from "./prompts.js";

/** The short model name recorded in `judge[0]` (FastChat writes e.g. "gpt-4"): from the spec, no model created. */
export function judgeNameFromSpec(spec: string): string {
  const p = parseModelSpec(spec, "judge");
  if (p.kind === "http") return p.model;
  if (p.kind === "gguf") return path.basename(p.path);
  return p.name;
}

/** FastChat run_judge_single: judge sampling for OpenAI judges. */
export const JUDGE_TEMPERATURE = 0;
export const JUDGE_MAX_TOKENS = 2048;
/** Extra attempts for a judgment without a rating (score -1) before it is kept as -1. */
export const DEFAULT_SCORE_RETRIES = 2;

/** The FastChat single-answer prompts, by role (gen_judgment.py make_judge_single). */
export const FASTCHAT_SINGLE_PROMPTS = {
  default: "single-v1",
  math: "single-math-v1",
  defaultMultiTurn: "single-v1-multi-turn",
  mathMultiTurn: "single-math-v1-multi-turn",
} as const;

/** One judgment to make. */
export interface JudgeTask {
  question_id: number | string;
  /** Model whose answer is judged (the answer rows' model_id). */
  model: string;
  /** 1-based turn. */
  turn: number;
  /** Judge prompt name recorded in `judge[1]`. */
  promptName: string;
  /** Exactly what is sent: optional system message, then the user prompt. */
  messages: ChatMessage[];
  userPrompt: string;
}

/** Answers grouped as FastChat's load_model_answers: model -> question -> answer row. */
export type AnswerSets = Map<string, Map<string, Answer>>;

/** Group answer rows by model_id then question id. @throws UserError when a model answers a question twice. */
export function groupAnswers(rows: ReadonlyArray<{ file: string; answers: Answer[] }>): AnswerSets {
  const out: AnswerSets = new Map();
  for (const { file, answers } of rows) {
    for (const a of answers) {
      let m = out.get(a.model_id);
      if (!m) out.set(a.model_id, (m = new Map()));
      const k = qidKey(a.question_id);
      if (m.has(k)) throw new UserError(`${file}: model ${a.model_id} answers question ${a.question_id} again (already read from another --answers file)`);
      m.set(k, a);
    }
  }
  return out;
}


function answerTurns(a: Answer | undefined, model: string, q: Question, need: number): string[] {
  if (!a) throw new UserError(`missing answer of model ${model} to question ${q.question_id}`);
  const turns = a.choices[0].turns;
  if (turns.length < need) {
    throw new UserError(`answer of model ${model} to question ${q.question_id} has ${turns.length} turns, question needs ${need}`);
  }
  return turns;
}

function referenceTurns(refs: Map<string, Answer> | undefined, q: Question, need: number, why: string): string[] {
  const r = refs?.get(qidKey(q.question_id));
  if (!r) throw new UserError(`missing reference answer to question ${q.question_id} (${why}); give --references`);
  const turns = r.choices[0].turns;
  if (turns.length < need) throw new UserError(`reference answer to question ${q.question_id} has ${turns.length} turns, needs ${need}`);
  return turns;
}

/**
 * The judge prompt `name` from judge_prompts.jsonl, checked to be of the kind the grading mode needs
 * (single: type "single", output "[[rating]]"; pairwise: type "pairwise", output "[[A]]") and to use only the
 * template fields FastChat fills for it.
 * @throws UserError naming the prompts file and the prompt.
 */
function requirePrompt(prompts: Map<string, JudgePrompt>, name: string, file: string, fields: string[], mode: "single" | "pairwise" = "single"): JudgePrompt {
  const p = prompts.get(name);
  if (!p) throw new UserError(`${file}: no judge prompt named "${name}" (FastChat's judge_prompts.jsonl has it)`);
  const outputFormat = mode === "single" ? "[[rating]]" : "[[A]]";
  if (p.type !== mode) throw new UserError(`${file}: judge prompt "${name}" has type "${p.type}", expected "${mode}"`);
  if (p.output_format !== outputFormat) throw new UserError(`${file}: judge prompt "${name}" has output_format "${p.output_format}", expected "${outputFormat}"`);
  for (const f of templateFields(p.prompt_template)) {
    if (!fields.includes(f)) throw new UserError(`${file}: judge prompt "${name}" uses field {${f}}, which FastChat does not fill (${fields.join(", ")})`);
  }
  return p;
}

/** What FastChat sends a judge: common.py conv.set_system_message(system_prompt); to_openai_api_messages() -> [system, user]. */
function judgeMessages(p: JudgePrompt, userPrompt: string): ChatMessage[] {
  return [
    { role: "system", content: p.system_prompt },
    { role: "user", content: userPrompt },
  ];
}

/** One match of gen_judgment.py's MT-Bench plan: a question, the prompt that grades it, its reference fields. */
interface MtBenchMatch {
  q: Question;
  prompt: JudgePrompt;
  multiTurn: boolean;
  /** ref_answer_1 / ref_answer_2 when the category is graded against a reference, else empty. */
  refValues: Record<string, string>;
}

/**
 * gen_judgment.py's match order for MT-Bench, shared by single and pairwise grading: the default, math, default-mt
 * and math-mt groups (math = NEED_REF_CATS), questions in file order within each. Multi-turn groups keep only
 * questions with exactly 2 turns (make_match*).
 * @throws UserError for a missing or short reference answer, before anything is sent.
 */
function* mtBenchMatches(
  questions: ReadonlyArray<Question>,
  references: Map<string, Answer> | undefined,
  P: { default: JudgePrompt; math: JudgePrompt; defaultMt: JudgePrompt; mathMt: JudgePrompt },
): Generator<MtBenchMatch> {
  const groups = [
    { math: false, prompt: P.default, multiTurn: false },
    { math: true, prompt: P.math, multiTurn: false },
    { math: false, prompt: P.defaultMt, multiTurn: true },
    { math: true, prompt: P.mathMt, multiTurn: true },
  ];
  for (const g of groups) {
    for (const q of questions) {
      if (NEED_REF_CATS.includes(q.category) !== g.math) continue;
      if (g.multiTurn && q.turns.length !== 2) continue;
      const refValues: Record<string, string> = {};
      if (g.math) {
        // run_judge_single / run_judge_pair pass ref_answer_1 and ref_answer_2 whenever a reference is used.
        const r = referenceTurns(references, q, g.multiTurn ? 2 : 1, `category ${q.category} is graded against a reference`);
        refValues.ref_answer_1 = r[0];
        if (r.length > 1) refValues.ref_answer_2 = r[1];
      }
      yield { q, prompt: g.prompt, multiTurn: g.multiTurn, refValues };
    }
  }
}

function render(p: JudgePrompt, values: Record<string, string>): string {
  try {
    return pythonFormat(p.prompt_template, values);
  } catch (err) {
    if (err instanceof TemplateError) throw new UserError(`judge prompt "${p.name}": ${err.message}`);
    throw err;
  }
}

/**
 * FastChat MT-Bench single-answer grading tasks, in gen_judgment.py's match order (default, math, default-mt,
 * math-mt; within each, questions in file order, then models in the given order).
 * @param promptsFile name for errors.
 * @throws UserError for a missing answer, a missing reference (math/reasoning/coding), or a missing/odd judge prompt,
 *   before anything is sent.
 */
export function planMtBench(
  questions: ReadonlyArray<Question>,
  answers: AnswerSets,
  models: ReadonlyArray<string>,
  references: Map<string, Answer> | undefined,
  prompts: Map<string, JudgePrompt>,
  promptsFile: string,
): JudgeTask[] {
  const single = ["question", "answer", "ref_answer_1", "ref_answer_2"];
  const multi = ["question_1", "question_2", "answer_1", "answer_2", "ref_answer_1", "ref_answer_2"];
  const P = {
    default: requirePrompt(prompts, FASTCHAT_SINGLE_PROMPTS.default, promptsFile, single),
    math: requirePrompt(prompts, FASTCHAT_SINGLE_PROMPTS.math, promptsFile, single),
    defaultMt: requirePrompt(prompts, FASTCHAT_SINGLE_PROMPTS.defaultMultiTurn, promptsFile, multi),
    mathMt: requirePrompt(prompts, FASTCHAT_SINGLE_PROMPTS.mathMultiTurn, promptsFile, multi),
  };
  const tasks: JudgeTask[] = [];
  for (const { q, prompt, multiTurn, refValues } of mtBenchMatches(questions, references, P)) {
    for (const model of models) {
      const a = answerTurns(answers.get(model)?.get(qidKey(q.question_id)), model, q, multiTurn ? 2 : 1);
      const userPrompt = multiTurn
        ? render(prompt, { ...refValues, question_1: q.turns[0], question_2: q.turns[1], answer_1: a[0], answer_2: a[1] })
        : render(prompt, { ...refValues, question: q.turns[0], answer: a[0] });
      tasks.push({ question_id: q.question_id, model, turn: multiTurn ? 2 : 1, promptName: prompt.name, userPrompt, messages: judgeMessages(prompt, userPrompt) });
    }
  }
  return tasks;
}

/**
 * MT-Bench++ grading tasks: every turn k of every question, Figure 4 prompt with the whole conversation and the k-th
 * reference answer; questions in file order, then models, then turns.
 * @throws UserError for a missing answer or reference, or one with too few turns, before anything is sent.
 */
export function planMtBenchPP(
  questions: ReadonlyArray<Question>,
  answers: AnswerSets,
  models: ReadonlyArray<string>,
  references: Map<string, Answer> | undefined,
): JudgeTask[] {
  const tasks: JudgeTask[] = [];
  for (const q of questions) {
    const T = q.turns.length;
    const ref = referenceTurns(references, q, T, "every MT-Bench++ turn is judged against a reference answer");
    for (const model of models) {
      const a = answerTurns(answers.get(model)?.get(qidKey(q.question_id)), model, q, T).slice(0, T);
      for (let k = 1; k <= T; k++) {
        const userPrompt = renderMtBenchPPPrompt(q.turns, a, k, ref[k - 1]);
        tasks.push({ question_id: q.question_id, model, turn: k, promptName: MT_BENCH_PP_PROMPT_NAME, userPrompt, messages: [{ role: "user", content: userPrompt }] });
      }
    }
  }
  return tasks;
}

/** Plan the tasks of a bench (see planMtBench, planMtBenchPP). */
export function planJudgments(
  bench: BenchName,
  questions: ReadonlyArray<Question>,
  answers: AnswerSets,
  models: ReadonlyArray<string>,
  references: Map<string, Answer> | undefined,
  prompts: Map<string, JudgePrompt> | undefined,
  promptsFile: string,
): JudgeTask[] {
  if (bench === "mt-bench") {
    if (!prompts) throw new UserError("--bench mt-bench needs --judge-prompts (FastChat's judge_prompts.jsonl)");
    return planMtBench(questions, answers, models, references, prompts, promptsFile);
  }
  return planMtBenchPP(questions, answers, models, references);
}

/** The options of a judge call (`judgeWithRetries`, `judgePair`: both take model, task, options). */
export interface JudgeCallOptions {
  /** Re-asks of a judgment without a rating (single) or verdict (pairwise); default DEFAULT_SCORE_RETRIES. */
  scoreRetries?: number;
  /** Max tokens of a judgment; default JUDGE_MAX_TOKENS (FastChat: 2048). */
  maxTokens?: number;
  /** Per-request timeout, ms (default: the model's). */
  timeoutMs?: number;
}

/** Outcome of one judgment with -1 retries. */
export interface JudgeOutcome {
  judgment: string;
  score: number;
  /** Requests made (1 + retries). */
  attempts: number;
}

/**
 * Ask the judge, and while the judgment holds no rating (score -1) ask again, at most `options.scoreRetries` more times;
 * the last judgment is kept (still -1 when every attempt failed).
 * Sampling: temperature 0, max tokens 2048 unless `maxTokens` is given (FastChat run_judge_single for OpenAI judges).
 * @throws whatever the model throws after its own transport retries (UserError for HTTP).
 */
export async function judgeWithRetries(judge: LanguageModel, task: JudgeTask, options: JudgeCallOptions = {}): Promise<JudgeOutcome> {
  const { scoreRetries = DEFAULT_SCORE_RETRIES, maxTokens = JUDGE_MAX_TOKENS, timeoutMs } = options;
  let attempts = 0;
  for (;;) {
    attempts++;
    let c: { text: string };
    try {
      c = await judge.chat(task.messages, { temperature: JUDGE_TEMPERATURE, maxTokens, timeoutMs, tag: { stage: attempts === 1 ? "judge" : "judge-retry", turn: task.turn } });
    } catch (err) {
      // The judge prompt does not fit the judge's context: marked as a failed judgment (score -1), run goes on.
      if (isContextLengthError(err)) return { judgment: `$ERROR$ context-length: ${err.message}`, score: FAILED_SCORE, attempts };
      throw err;
    }
    const score = parseScore(c.text);
    if (score !== FAILED_SCORE || attempts > scoreRetries) return { judgment: c.text, score, attempts };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pairwise grading (FastChat gen_judgment.py --mode pairwise-baseline | pairwise-all; common.py run_judge_pair,
// play_a_match_pair): each pair is judged twice, with the answers in both positions (game 1: A = model_1,
// game 2: A = model_2).

/** The FastChat pairwise prompts, by role (gen_judgment.py make_judge_pairwise). */
export const FASTCHAT_PAIR_PROMPTS = {
  default: "pair-v2",
  math: "pair-math-v1",
  defaultMultiTurn: "pair-v2-multi-turn",
  mathMultiTurn: "pair-math-v1-multi-turn",
} as const;

/** One rendered game: exactly what is sent. */
export interface PairGame {
  userPrompt: string;
  messages: ChatMessage[];
}

export interface PairTask {
  question_id: number | string;
  model_1: string;
  model_2: string;
  turn: number;
  promptName: string;
  /** Game 1: A = model_1, B = model_2. */
  g1: PairGame;
  /** Game 2: A = model_2, B = model_1. */
  g2: PairGame;
}

/** Verdict of one game: FastChat's "[[A]]" output format ("[[A]]", else "[[B]]", else "[[C]]" = tie, else error). */
export function parseVerdict(judgment: string): "A" | "B" | "tie" | "error" {
  if (judgment.includes("[[A]]")) return "A";
  if (judgment.includes("[[B]]")) return "B";
  if (judgment.includes("[[C]]")) return "tie";
  return "error";
}


/**
 * FastChat pairwise tasks for MT-Bench, in gen_judgment.py's match order (default, math, default-mt, math-mt; then
 * questions, then pairs). `pairs` are [model_1, model_2] as FastChat builds them (make_match: [model, baseline] for
 * every other model; make_match_all_pairs: every i < j).
 * @throws UserError for a missing answer, reference or prompt, before anything is sent.
 */
export function planMtBenchPairwise(
  questions: ReadonlyArray<Question>,
  answers: AnswerSets,
  pairs: ReadonlyArray<[string, string]>,
  references: Map<string, Answer> | undefined,
  prompts: Map<string, JudgePrompt>,
  promptsFile: string,
): PairTask[] {
  const single = ["question", "answer_a", "answer_b", "ref_answer_1", "ref_answer_2"];
  const multi = ["question_1", "question_2", "answer_a_1", "answer_b_1", "answer_a_2", "answer_b_2", "ref_answer_1", "ref_answer_2"];
  const P = {
    default: requirePrompt(prompts, FASTCHAT_PAIR_PROMPTS.default, promptsFile, single, "pairwise"),
    math: requirePrompt(prompts, FASTCHAT_PAIR_PROMPTS.math, promptsFile, single, "pairwise"),
    defaultMt: requirePrompt(prompts, FASTCHAT_PAIR_PROMPTS.defaultMultiTurn, promptsFile, multi, "pairwise"),
    mathMt: requirePrompt(prompts, FASTCHAT_PAIR_PROMPTS.mathMultiTurn, promptsFile, multi, "pairwise"),
  };
  const tasks: PairTask[] = [];
  for (const { q, prompt, multiTurn, refValues } of mtBenchMatches(questions, references, P)) {
    const need = multiTurn ? 2 : 1;
    for (const [m1, m2] of pairs) {
      const a1 = answerTurns(answers.get(m1)?.get(qidKey(q.question_id)), m1, q, need);
      const a2 = answerTurns(answers.get(m2)?.get(qidKey(q.question_id)), m2, q, need);
      const game = (a: string[], b: string[]): PairGame => {
        const userPrompt = multiTurn
          ? render(prompt, { ...refValues, question_1: q.turns[0], question_2: q.turns[1], answer_a_1: a[0], answer_b_1: b[0], answer_a_2: a[1], answer_b_2: b[1] })
          : render(prompt, { ...refValues, question: q.turns[0], answer_a: a[0], answer_b: b[0] });
        return { userPrompt, messages: judgeMessages(prompt, userPrompt) };
      };
      tasks.push({ question_id: q.question_id, model_1: m1, model_2: m2, turn: need, promptName: prompt.name, g1: game(a1, a2), g2: game(a2, a1) });
    }
  }
  return tasks;
}

/**
 * Play both games of a pair; a game whose judgment has no verdict is asked again up to `scoreRetries` times (FastChat
 * keeps "error" at once). Winners are mapped as play_a_match_pair does: game 1 A -> model_1, game 2 A -> model_2.
 */
export async function judgePair(
  judge: LanguageModel,
  task: PairTask,
  options: JudgeCallOptions = {},
): Promise<{ g1_winner: string; g2_winner: string; g1_judgment: string; g2_judgment: string; attempts: number }> {
  const { scoreRetries: retries = DEFAULT_SCORE_RETRIES, maxTokens = JUDGE_MAX_TOKENS, timeoutMs } = options;
  let attempts = 0;
  const play = async (g: PairGame) => {
    for (let i = 0; ; i++) {
      attempts++;
      let c: { text: string };
      try {
        c = await judge.chat(g.messages, { temperature: JUDGE_TEMPERATURE, maxTokens, timeoutMs, tag: { stage: i === 0 ? "judge-pair" : "judge-pair-retry", turn: task.turn } });
      } catch (err) {
        if (isContextLengthError(err)) return { v: "error", text: `$ERROR$ context-length: ${err.message}` };
        throw err;
      }
      const v = parseVerdict(c.text);
      if (v !== "error" || i >= retries) return { v, text: c.text };
    }
  };
  const g1 = await play(task.g1);
  const g2 = await play(task.g2);
  const map1: Record<string, string> = { A: "model_1", B: "model_2" };
  const map2: Record<string, string> = { A: "model_2", B: "model_1" };
  return { g1_winner: map1[g1.v] ?? g1.v, g2_winner: map2[g2.v] ?? g2.v, g1_judgment: g1.text, g2_judgment: g2.text, attempts };
}

/** FastChat's pairs: pairwise-baseline = [model, baseline] for every other model; pairwise-all = every i < j. */
export function makePairs(models: ReadonlyArray<string>, baseline: string | undefined): Array<[string, string]> {
  if (baseline !== undefined) {
    if (!models.includes(baseline)) throw new UserError(`--baseline ${baseline}: no answers of that model in --answers`);
    return models.filter((m) => m !== baseline).map((m) => [m, baseline]);
  }
  const out: Array<[string, string]> = [];
  for (let i = 0; i < models.length; i++) for (let j = i + 1; j < models.length; j++) out.push([models[i], models[j]]);
  return out;
}
