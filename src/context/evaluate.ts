/**
 * Evaluation of the context-dependency detector on a labelled set of user turns.
 *
 * Labelled set format (test/fixtures/context/labelled.jsonl, holdout2.jsonl and holdout3.jsonl, one object per line;
 * ours):
 *   {source, id, turn (1-based user turn, >= 2), label: boolean, split: "dev"|"test"|"holdout2"|"holdout3", reason: string,
 *    query?: string (only when short)}
 * The conversations themselves are read from the shared data folder (never copied), only for the sources a file uses:
 *   mtbench101 -> <shared>/data/benchmarks/mtbench101.jsonl ({task, id, history:[{user, bot}]})
 *   sharegpt_v3_sample -> <shared>/data/dialogues/sharegpt_v3_sample.jsonl (ShareGPT; id = conversation id)
 *   mt-eval -> <shared>/data/benchmarks/mt-eval_mt-bench_extended.jsonl ({question_id, conversation:[{user, sys}]};
 *     id = question_id)
 *   memochat -> <shared>/data/benchmarks/memochat_mtbenchplus.json (MemoChat MT-Bench+, a JSON array of
 *     {id, conversations:[{from: "human"|"chatbot", value}]}; the chatbot values are empty, so histories hold the
 *     user turns and empty assistant turns)
 *   oasst -> <shared>/data/dialogues/oasst_en_100_tree.jsonl (OpenAssistant trees; id = the path id
 *     `<message_tree_id>/<n>` produced by readConversations)
 * Splits: dev (tuning), test (held out from tuning), holdout2 (second held-out set, labelled before any tuning on it),
 * holdout3 (third held-out set: 201 turns drawn by bench/context-sample-holdout3.mjs from conversations not in the other
 * files, labelled blind to the detector).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { readJsonl, validateRecord } from "../io/jsonl.js";
import { InputError } from "../io/errors.js";
import { readConversations } from "../conversations/readers.js";
import { userTurns, type Message } from "../conversations/session.js";
import { detectContextDependency, type ContextDecision } from "./detect.js";

export const LabelledTurnSchema = z.object({
  source: z.enum(["mtbench101", "sharegpt_v3_sample", "mt-eval", "memochat", "oasst"]),
  id: z.union([z.string(), z.number()]),
  turn: z.number().int().min(2),
  label: z.boolean(),
  split: z.enum(["dev", "test", "holdout2", "holdout3"]),
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
  for (const t of userTurns({ messages }, { from: turn })) return { history: t.history, query: t.query };
  return undefined;
}

/**
 * Load the labelled set and join every row with its conversation from `sharedDataDir` (the folder holding
 * benchmarks/ and dialogues/).
 * @throws InputError naming the labelled file and line when a row does not validate or its turn does not exist.
 */
export function loadLabelledSet(file: string, sharedDataDir: string): LabelledExample[] {
  const rows = readJsonl(file).map((r) => ({ line: r.line, row: validateRecord(LabelledTurnSchema, r, file) }));
  const needed = new Set(rows.map((r) => r.row.source));
  const bySource = new Map<LabelledTurn["source"], Map<string, Message[]>>();
  for (const source of needed) bySource.set(source, loadSource(source, sharedDataDir));
  return rows.map(({ line, row }) => {
    const messages = bySource.get(row.source)?.get(String(row.id));
    if (!messages) throw new InputError(file, line, "id", `no ${row.source} conversation with id ${row.id}`);
    const at = splitAtTurn(messages, row.turn);
    if (!at) throw new InputError(file, line, "turn", `conversation ${row.id} has no user turn ${row.turn}`);
    return { ...row, history: at.history, queryText: at.query };
  });
}

/** Conversations of one labelled-set source, by id (see the module comment for files and id schemes). */
function loadSource(source: LabelledTurn["source"], sharedDataDir: string): Map<string, Message[]> {
  const out = new Map<string, Message[]>();
  const pair = (user: string, assistant: string): Message[] => [{ role: "user", content: user }, { role: "assistant", content: assistant }];
  switch (source) {
    case "mtbench101":
      for (const r of readJsonl(path.join(sharedDataDir, "benchmarks/mtbench101.jsonl"))) {
        const v = r.value as { id: number; history: Array<{ user: string; bot: string }> };
        out.set(String(v.id), v.history.flatMap((h) => pair(h.user, h.bot)));
      }
      break;
    case "mt-eval":
      for (const r of readJsonl(path.join(sharedDataDir, "benchmarks/mt-eval_mt-bench_extended.jsonl"))) {
        const v = r.value as { question_id: number; conversation: Array<{ user: string; sys: string }> };
        out.set(String(v.question_id), v.conversation.flatMap((t) => pair(t.user, t.sys)));
      }
      break;
    case "memochat": {
      const file = path.join(sharedDataDir, "benchmarks/memochat_mtbenchplus.json");
      let data: Array<{ id: string; conversations: Array<{ from: string; value: string }> }>;
      try {
        data = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (e) {
        throw new InputError(file, undefined, undefined, `cannot read MemoChat JSON: ${(e as Error).message}`);
      }
      for (const s of data) out.set(String(s.id), s.conversations.map((m) => ({ role: m.from === "human" ? "user" as const : "assistant" as const, content: m.value })));
      break;
    }
    case "sharegpt_v3_sample":
    case "oasst": {
      const file = source === "oasst" ? "dialogues/oasst_en_100_tree.jsonl" : "dialogues/sharegpt_v3_sample.jsonl";
      for (const s of readConversations(path.join(sharedDataDir, file))) out.set(s.id, s.messages);
      break;
    }
  }
  return out;
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
