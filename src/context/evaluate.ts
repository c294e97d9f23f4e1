/**
 * Evaluation of the context-dependency detector on a labelled set of user turns.
 *
 * Labelled set format (test/fixtures/context/labelled.jsonl, one object per line; ours):
 *   {source: "mtbench101"|"sharegpt_v3_sample", id, turn (1-based user turn, >= 2), label: boolean,
 *    split: "dev"|"test", reason: string, query?: string (only when short)}
 * The conversations themselves are read from the shared data folder (never copied):
 *   mtbench101 -> <shared>/data/benchmarks/mtbench101.jsonl ({task, id, history:[{user, bot}]})
 *   sharegpt_v3_sample -> <shared>/data/dialogues/sharegpt_v3_sample.jsonl (ShareGPT)
 */
import * as path from "node:path";
import { z } from "zod";
import { readJsonl, validateRecord } from "../io/jsonl.js";
import { InputError } from "../io/errors.js";
import { readConversations } from "../conversations/readers.js";
import type { Message } from "../conversations/session.js";
import { detectContextDependency, type ContextDecision } from "./detect.js";

export const LabelledTurnSchema = z.object({
  source: z.enum(["mtbench101", "sharegpt_v3_sample"]),
  id: z.union([z.string(), z.number()]),
  turn: z.number().int().min(2),
  label: z.boolean(),
  split: z.enum(["dev", "test"]),
  reason: z.string(),
  query: z.string().optional(),
});
export type LabelledTurn = z.infer<typeof LabelledTurnSchema>;

/** A labelled turn joined with its conversation. */
export interface LabelledExample extends LabelledTurn {
  history: Message[];
  queryText: string;
}

/** Messages of a session up to (excluding) its `turn`-th user message, and that message. */
export function splitAtTurn(messages: ReadonlyArray<Message>, turn: number): { history: Message[]; query: string } | undefined {
  let seen = 0;
  for (let i = 0; i < messages.length; i++) {
    if (messages[i].role !== "user") continue;
    seen++;
    if (seen === turn) return { history: messages.slice(0, i), query: messages[i].content };
  }
  return undefined;
}

/**
 * Load the labelled set and join every row with its conversation from `sharedDataDir` (the folder holding
 * benchmarks/ and dialogues/).
 * @throws InputError naming the labelled file and line when a row does not validate or its turn does not exist.
 */
export function loadLabelledSet(file: string, sharedDataDir: string): LabelledExample[] {
  const rows = readJsonl(file).map((r) => ({ line: r.line, row: validateRecord(LabelledTurnSchema, r, file) }));
  const mt = new Map<string, Message[]>();
  for (const r of readJsonl(path.join(sharedDataDir, "benchmarks/mtbench101.jsonl"))) {
    const v = r.value as { id: number; history: Array<{ user: string; bot: string }> };
    mt.set(String(v.id), v.history.flatMap((h) => [{ role: "user" as const, content: h.user }, { role: "assistant" as const, content: h.bot }]));
  }
  const sg = new Map<string, Message[]>();
  for (const s of readConversations(path.join(sharedDataDir, "dialogues/sharegpt_v3_sample.jsonl"))) sg.set(s.id, s.messages);
  return rows.map(({ line, row }) => {
    const messages = (row.source === "mtbench101" ? mt : sg).get(String(row.id));
    if (!messages) throw new InputError(file, line, "id", `no ${row.source} conversation with id ${row.id}`);
    const at = splitAtTurn(messages, row.turn);
    if (!at) throw new InputError(file, line, "turn", `conversation ${row.id} has no user turn ${row.turn}`);
    return { ...row, history: at.history, queryText: at.query };
  });
}

/** Precision, recall, F1 and counts of binary decisions against gold labels (positive = context-dependent). */
export interface BinaryScores {
  n: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** Score predictions against gold labels. Empty denominators give 0. */
export function binaryScores(pairs: ReadonlyArray<{ gold: boolean; predicted: boolean }>): BinaryScores {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const p of pairs) {
    if (p.gold && p.predicted) tp++;
    else if (!p.gold && p.predicted) fp++;
    else if (p.gold && !p.predicted) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { n: pairs.length, tp, fp, fn, tn, precision, recall, f1, accuracy: pairs.length ? (tp + tn) / pairs.length : 0 };
}

/** Run the heuristic detector over examples; returns decisions aligned with the input. */
export function detectAll(examples: ReadonlyArray<LabelledExample>): ContextDecision[] {
  return examples.map((e) => detectContextDependency(e.history, e.queryText));
}
