/**
 * The benchmark answer record, FastChat's format (lm-sys/FastChat `fastchat/llm_judge/data/<bench>/model_answer/
 * <model>.jsonl`, written by gen_model_answer.py / gen_api_answer.py; reference answers in `reference_answer/` use
 * the same format):
 *   {question_id, answer_id, model_id, choices: [{index, turns: [string, ...]}], tstamp}
 * `parrot bench answer` writes every field; readers accept FastChat files where answer_id, index or tstamp is
 * missing.
 */
import { z } from "zod";
import { QuestionIdSchema, qidKey } from "./question.js";

export const AnswerSchema = z.looseObject({
  question_id: QuestionIdSchema,
  answer_id: z.string().optional(),
  model_id: z.string(),
  choices: z.array(z.looseObject({ index: z.number().optional(), turns: z.array(z.string()) })).min(1, "must hold at least one choice"),
  /** Seconds since the epoch (Python time.time()). */
  tstamp: z.number().optional(),
});
export type Answer = z.infer<typeof AnswerSchema>;

/** Fields that identify an answer across files (merge): question and answering model. */
export const ANSWER_KEY_FIELDS = ["question_id", "model_id"] as const;

/**
 * Resume key of an answer within one output file (one model per file, checked by `bench answer`): the question
 * (qidKey); undefined for a row without a question id.
 */
export function answerKey(row: Partial<Pick<Answer, "question_id">>): string | undefined {
  return row.question_id === undefined ? undefined : qidKey(row.question_id);
}

/** Whether a row looks like an answer: `model_id` and a `choices` array. */
export function isAnswer(row: Record<string, unknown>): boolean {
  return "model_id" in row && Array.isArray(row.choices);
}
