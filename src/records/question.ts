/**
 * The benchmark question record, FastChat's format (lm-sys/FastChat `fastchat/llm_judge/data/<bench>/question.jsonl`):
 *   {question_id, category, turns: [string, ...], reference?: [...], required_temperature?}
 * One per line; `question_id` is an int in FastChat's files, a non-empty string is accepted too. MT-Bench++ questions
 * are the same record with 8 turns. Read by src/bench/data.ts (loadQuestions), recognised by the report.
 */
import { z } from "zod";

/** A FastChat question id: an int in FastChat's files; a non-empty string is accepted too. */
export const QuestionIdSchema = z.union([z.number(), z.string().min(1)]);
export type QuestionId = z.infer<typeof QuestionIdSchema>;

export const QuestionSchema = z.looseObject({
  question_id: QuestionIdSchema,
  category: z.string(),
  turns: z.array(z.string()).min(1, "must hold at least one turn"),
  required_temperature: z.number().optional(),
});
export type Question = z.infer<typeof QuestionSchema>;

/** Fields that identify a question across files. */
export const QUESTION_KEY_FIELDS = ["question_id"] as const;

/** Key of a question id in maps and resume sets (numbers and numeric strings stay distinct). */
export function qidKey(id: QuestionId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/** Key of a question record: its question id (qidKey). */
export function questionKey(q: Pick<Question, "question_id">): string {
  return qidKey(q.question_id);
}

/** Whether a row looks like a question: `question_id`, `turns` and `category`. */
export function isQuestion(row: Record<string, unknown>): boolean {
  return "question_id" in row && "turns" in row && "category" in row;
}
