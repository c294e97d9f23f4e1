/**
 * Benchmark judgment records, FastChat's formats (lm-sys/FastChat `fastchat/llm_judge/data/<bench>/model_judgment/
 * <judge>_single.jsonl` and `<judge>_pair.jsonl`, written by gen_judgment.py through common.py play_a_match_single /
 * play_a_match_pair):
 *   single:   {question_id, model, judge: [judge_model, prompt_name], user_prompt, judgment, score, turn, tstamp}
 *   pairwise: {question_id, model_1, model_2, g1_winner, g2_winner, judge: [judge_model, prompt_name],
 *              g1_user_prompt, g1_judgment, g2_user_prompt, g2_judgment, turn, tstamp}
 * plus `dry_run: true` on rows `parrot bench judge --dry-run` writes (prompts only, judgment and score null).
 */
import { z } from "zod";
import { QuestionIdSchema, qidKey, type QuestionId } from "./question.js";

export const JudgmentSchema = z.looseObject({
  question_id: QuestionIdSchema,
  model: z.string(),
  judge: z.array(z.string()).min(1).optional(),
  user_prompt: z.string().nullable().optional(),
  judgment: z.string().nullable().optional(),
  score: z.number().nullable().optional(),
  turn: z.number().int().positive(),
  tstamp: z.number().optional(),
  dry_run: z.boolean().optional(),
});
export type Judgment = z.infer<typeof JudgmentSchema>;

/** A FastChat pairwise judgment row (common.py play_a_match_pair). */
export const PairJudgmentSchema = z.looseObject({
  question_id: QuestionIdSchema,
  model_1: z.string(),
  model_2: z.string(),
  g1_winner: z.string().nullable().optional(),
  g2_winner: z.string().nullable().optional(),
  judge: z.array(z.string()).min(1).optional(),
  g1_user_prompt: z.string().optional(),
  g1_judgment: z.string().nullable().optional(),
  g2_user_prompt: z.string().optional(),
  g2_judgment: z.string().nullable().optional(),
  turn: z.number().int().positive().optional(),
  tstamp: z.number().optional(),
  dry_run: z.boolean().optional(),
});
export type PairJudgment = z.infer<typeof PairJudgmentSchema>;

/** Fields that identify a single-answer judgment across files (merge). */
export const JUDGMENT_KEY_FIELDS = ["question_id", "model", "judge", "turn"] as const;

/** Resume key of a single-answer judgment: judge model, answering model, question, turn. */
export function judgmentKey(judgeModel: string, model: string, questionId: QuestionId, turn: number): string {
  return `${judgeModel}\u0000${model}\u0000${qidKey(questionId)}\u0000${turn}`;
}

/** Resume key of a pairwise judgment: judge model, the two models in order, question, turn. */
export function pairJudgmentKey(judgeModel: string, model1: string, model2: string, questionId: QuestionId, turn: number): string {
  return `${judgeModel}\u0000${model1}\u0000${model2}\u0000${qidKey(questionId)}\u0000${turn}`;
}

/**
 * The resume key function of a `bench judge` output: judgmentKey of rows of the same sort (dry-run rows for a dry
 * run, real rows otherwise); undefined for any other row.
 */
export function judgmentKeyOf(dryRun: boolean): (row: Judgment) => string | undefined {
  return (r) => (Boolean(r.dry_run) === dryRun && r.model !== undefined && r.turn !== undefined ? judgmentKey(r.judge?.[0] ?? "", r.model, r.question_id, r.turn) : undefined);
}

/** The resume key function of a pairwise `bench judge` output (see judgmentKeyOf). */
export function pairJudgmentKeyOf(dryRun: boolean): (row: PairJudgment) => string | undefined {
  return (r) =>
    Boolean(r.dry_run) === dryRun && r.model_1 !== undefined ? pairJudgmentKey(r.judge?.[0] ?? "", r.model_1, r.model_2, r.question_id, r.turn as number) : undefined;
}

/** Whether a row looks like a single-answer judgment: `model`, `turn`, and a `judge` array or a `judgment`. */
export function isJudgment(row: Record<string, unknown>): boolean {
  return "model" in row && "turn" in row && (Array.isArray(row.judge) || "judgment" in row);
}

/** Whether a row is a pairwise judgment (FastChat tells them apart by `model_1`). */
export function isPairJudgment(row: Record<string, unknown>): boolean {
  return "model_1" in row;
}
