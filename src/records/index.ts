/**
 * The record kinds parrot writes and reads, one module each (schema, type, key, recognition):
 *
 * | kind     | module           | written by              | recognised by                                 | key fields (merge)                      |
 * |----------|------------------|-------------------------|-----------------------------------------------|-----------------------------------------|
 * | judgment | judgment.ts      | bench judge (FastChat)  | `model`, `turn`, a `judge` array or `judgment` | `question_id`, `model`, `judge`, `turn` |
 * | answer   | answer.ts        | bench answer (FastChat) | `model_id` and a `choices` array              | `question_id`, `model_id`               |
 * | pair     | pair.ts          | capo                    | `chosen` and `rejected`                       | `id`                                    |
 * | context  | context-label.ts | context detect          | `context_dependent` and `turn`                | `id`, `turn`                            |
 * | question | question.ts      | (FastChat input)        | `question_id`, `turns` and `category`         | `question_id`                           |
 * | session  | session.ts       | collect                 | a `messages` array                            | `id`                                    |
 *
 * `recordKind` is what `parrot merge` (src/merge/merge.ts) and the report's file sorting (src/report/inputs.ts)
 * use to tell files apart; the resume keys of the commands (`openResumable`) are in the same modules.
 * Two more modules hold records that are not merged, so they are not in this table: simulator.ts (`parrot simulator
 * eval`'s table and next-query rows; `isSimulatorRow`) and training.ts (a `parrot train` folder's metrics.jsonl and
 * train_summary.json; `isTrainMetricsRow`); the report's file sorting recognises them too.
 */
import { ANSWER_KEY_FIELDS, isAnswer } from "./answer.js";
import { CONTEXT_LABEL_KEY_FIELDS, isContextLabel } from "./context-label.js";
import { JUDGMENT_KEY_FIELDS, isJudgment } from "./judgment.js";
import { PAIR_KEY_FIELDS, isPair } from "./pair.js";
import { QUESTION_KEY_FIELDS, isQuestion } from "./question.js";
import { SESSION_KEY_FIELDS, isSession } from "./session.js";

export const RECORD_KINDS = ["judgment", "answer", "pair", "context", "question", "session"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** One record kind: the fields that identify a row across files, and how a row of it is recognised. */
export interface RecordKindInfo {
  keyFields: ReadonlyArray<string>;
  recognise(row: Record<string, unknown>): boolean;
}

/** Every record kind, in the order rows are tested (the first that recognises a row names its kind). */
export const recordKinds: Readonly<Record<RecordKind, RecordKindInfo>> = {
  judgment: { keyFields: JUDGMENT_KEY_FIELDS, recognise: isJudgment },
  answer: { keyFields: ANSWER_KEY_FIELDS, recognise: isAnswer },
  pair: { keyFields: PAIR_KEY_FIELDS, recognise: isPair },
  context: { keyFields: CONTEXT_LABEL_KEY_FIELDS, recognise: isContextLabel },
  question: { keyFields: QUESTION_KEY_FIELDS, recognise: isQuestion },
  session: { keyFields: SESSION_KEY_FIELDS, recognise: isSession },
};

/** Whether `v` is a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The kind of one row (RECORD_KINDS order), or undefined when it is not an object or matches none. */
export function recordKind(row: unknown): RecordKind | undefined {
  if (!isJsonObject(row)) return undefined;
  return RECORD_KINDS.find((k) => recordKinds[k].recognise(row));
}
