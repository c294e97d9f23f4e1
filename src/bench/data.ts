/**
 * Benchmark files in FastChat's formats (lm-sys/FastChat `fastchat/llm_judge/data/`), read and validated:
 * - questions:    `{question_id, category, turns: [string, ...], reference?: [...]}` (one per line)
 * - answers:      `{question_id, answer_id, model_id, choices: [{index, turns: [string, ...]}], tstamp}`
 *                 (gen_model_answer.py / gen_api_answer.py; reference answers use the same format)
 * - judge prompts:`{name, type, system_prompt, prompt_template, description, category, output_format}`
 * - judgments:    `{question_id, model, judge: [judge_model, prompt_name], user_prompt, judgment, score, turn, tstamp}`
 * plus our MT-Bench++ authored turns `{question_id, category, turns: [6 strings], source}` (data/mt-bench-pp/).
 * The question, answer and judgment records are defined in src/records/ (question.ts, answer.ts, judgment.ts).
 * Every loader validates the whole file and throws InputError naming file, line and field.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { InputError, UserError } from "../io/errors.js";
import { readJsonl, validateRecord } from "../io/jsonl.js";
import { AnswerSchema, type Answer } from "../records/answer.js";
import { JudgmentSchema, PairJudgmentSchema, isPairJudgment, type Judgment, type PairJudgment } from "../records/judgment.js";
import { QuestionIdSchema, QuestionSchema, qidKey, type Question } from "../records/question.js";

/** The benchmarks `parrot bench` knows. `custom`: any question file, any number of turns, judged like mt-bench-pp. */
export const BENCHES = ["mt-bench", "mt-bench-pp", "custom"] as const;
export type BenchName = (typeof BENCHES)[number];

/** FastChat `common.py` NEED_REF_CATS: categories graded against a reference answer. */
export const NEED_REF_CATS: ReadonlyArray<string> = ["math", "reasoning", "coding"];

/**
 * FastChat `common.py` temperature_config: sampling temperature per category when answering; other categories
 * get 0.7 (gen_api_answer.py).
 */
export const TEMPERATURE_CONFIG: Readonly<Record<string, number>> = {
  writing: 0.7,
  roleplay: 0.7,
  extraction: 0.0,
  math: 0.0,
  coding: 0.0,
  reasoning: 0.0,
  stem: 0.1,
  humanities: 0.1,
};
export const DEFAULT_TEMPERATURE = 0.7;

/** Number of turns of an MT-Bench++ session (paper section 4.1.1). */
export const MT_BENCH_PP_TURNS = 8;

/** Where our authored MT-Bench++ turns 3-8 live (repo/package `data/mt-bench-pp/turns.jsonl`). */
export const DEFAULT_PP_TURNS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../data/mt-bench-pp/turns.jsonl");

export const JudgePromptSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string(),
  system_prompt: z.string(),
  prompt_template: z.string(),
  output_format: z.string(),
});
export type JudgePrompt = z.infer<typeof JudgePromptSchema>;

export const AuthoredTurnsSchema = z.looseObject({
  question_id: QuestionIdSchema,
  category: z.string().optional(),
  turns: z
    .array(z.string().trim().min(1, "must be a non-empty query"))
    .length(MT_BENCH_PP_TURNS - 2, `must hold exactly ${MT_BENCH_PP_TURNS - 2} queries (turns 3-8)`),
  source: z.string().optional(),
});
export type AuthoredTurns = z.infer<typeof AuthoredTurnsSchema>;

function loadUnique<T extends { question_id: number | string }>(file: string, schema: z.ZodType<T>, what: string): T[] {
  const seen = new Map<string, number>();
  return readJsonl(file).map((rec) => {
    const row = validateRecord(schema, rec, file);
    const k = qidKey(row.question_id);
    const prev = seen.get(k);
    if (prev !== undefined) throw new InputError(file, rec.line, "question_id", `duplicate ${what} for question ${row.question_id} (first on line ${prev})`);
    seen.set(k, rec.line);
    return row;
  });
}

/**
 * Read a FastChat question file. @throws InputError on a bad line, a duplicate question_id, or an empty file.
 */
export function loadQuestions(file: string): Question[] {
  const qs = loadUnique(file, QuestionSchema, "question");
  if (qs.length === 0) throw new InputError(file, undefined, undefined, "no questions");
  return qs;
}

/**
 * Read a FastChat answer file (also reference answers). Rows are keyed by question_id, like FastChat's
 * load_model_answers; a repeated question_id for the same model is an error (FastChat would keep the last silently).
 * @returns rows in file order.
 */
export function loadAnswers(file: string): Answer[] {
  const seen = new Map<string, number>();
  return readJsonl(file).map((rec) => {
    const row = validateRecord(AnswerSchema, rec, file);
    const k = `${row.model_id}\u0000${qidKey(row.question_id)}`;
    const prev = seen.get(k);
    if (prev !== undefined) throw new InputError(file, rec.line, "question_id", `duplicate answer of ${row.model_id} to question ${row.question_id} (first on line ${prev})`);
    seen.set(k, rec.line);
    return row;
  });
}

/**
 * Read FastChat's judge_prompts.jsonl into a map by name (common.py load_judge_prompts).
 * @throws InputError on a bad line or a repeated name.
 */
export function loadJudgePrompts(file: string): Map<string, JudgePrompt> {
  const out = new Map<string, JudgePrompt>();
  for (const rec of readJsonl(file)) {
    const p = validateRecord(JudgePromptSchema, rec, file);
    if (out.has(p.name)) throw new InputError(file, rec.line, "name", `duplicate judge prompt "${p.name}"`);
    out.set(p.name, p);
  }
  return out;
}

/** Read the MT-Bench++ authored turns (6 per question). @throws InputError on a bad line or a duplicate id. */
export function loadAuthoredTurns(file: string): AuthoredTurns[] {
  return loadUnique(file, AuthoredTurnsSchema, "authored turns");
}

/**
 * MT-Bench++ questions: MT-Bench's two turns followed by our six authored turns, in FastChat question format with
 * `turns` of length 8. Rows that already have 8 turns are kept as they are (an already merged file).
 * @param questionsFile name for error messages.
 * @throws InputError when a 2-turn question has no authored turns, a question has neither 2 nor 8 turns, or the
 *   authored category disagrees with the question's; UserError when authored turns name an unknown question.
 */
export function mergeMtBenchPP(questions: Question[], authored: AuthoredTurns[], questionsFile: string, turnsFile: string): Question[] {
  const byId = new Map(authored.map((a) => [qidKey(a.question_id), a]));
  const known = new Set(questions.map((q) => qidKey(q.question_id)));
  for (const a of authored) {
    if (!known.has(qidKey(a.question_id))) throw new UserError(`${turnsFile}: question ${a.question_id} is not in ${questionsFile}`);
  }
  return questions.map((q, i) => {
    if (q.turns.length === MT_BENCH_PP_TURNS) return q;
    if (q.turns.length !== 2) {
      throw new InputError(questionsFile, i + 1, "turns", `MT-Bench++ needs 2 turns (to merge) or ${MT_BENCH_PP_TURNS}, got ${q.turns.length}`);
    }
    const a = byId.get(qidKey(q.question_id));
    if (!a) throw new InputError(turnsFile, undefined, undefined, `no authored turns 3-${MT_BENCH_PP_TURNS} for question ${q.question_id}`);
    if (a.category !== undefined && a.category !== q.category) {
      throw new InputError(turnsFile, undefined, "category", `question ${q.question_id}: "${a.category}" but ${questionsFile} says "${q.category}"`);
    }
    return { ...q, turns: [...q.turns, ...a.turns] };
  });
}

/**
 * The questions a bench runs on: `mt-bench` and `custom` use the file as is; `mt-bench-pp` merges 2-turn rows with
 * the authored turns (mergeMtBenchPP).
 */
export function loadBenchQuestions(bench: BenchName, file: string, turnsFile = DEFAULT_PP_TURNS_FILE): Question[] {
  const qs = loadQuestions(file);
  if (bench !== "mt-bench-pp") return qs;
  if (qs.every((q) => q.turns.length === MT_BENCH_PP_TURNS)) return qs;
  return mergeMtBenchPP(qs, loadAuthoredTurns(turnsFile), file, turnsFile);
}

/** Parse and check a `--bench` value. @throws UserError listing the accepted names. */
export function parseBench(value: string): BenchName {
  if ((BENCHES as ReadonlyArray<string>).includes(value)) return value as BenchName;
  throw new UserError(`--bench "${value}": expected one of ${BENCHES.join(", ")}`);
}

/** FastChat's answering temperature for a question: `required_temperature`, else per category, else 0.7. */
export function temperatureFor(q: Question): number {
  if (q.required_temperature !== undefined) return q.required_temperature;
  return TEMPERATURE_CONFIG[q.category] ?? DEFAULT_TEMPERATURE;
}

/**
 * Read judgment files (FastChat single rows and pairwise rows, told apart by `model_1`), validating every line.
 * Used by `bench show` and the report. @throws InputError naming file, line and field.
 */
export function loadJudgments(files: ReadonlyArray<string>): { single: Judgment[]; pairwise: PairJudgment[] } {
  const single: Judgment[] = [];
  const pairwise: PairJudgment[] = [];
  for (const file of files) {
    for (const rec of readJsonl(file)) {
      if (rec.value !== null && typeof rec.value === "object" && isPairJudgment(rec.value as Record<string, unknown>)) pairwise.push(validateRecord(PairJudgmentSchema, rec, file));
      else single.push(validateRecord(JudgmentSchema, rec, file));
    }
  }
  return { single, pairwise };
}
