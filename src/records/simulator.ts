/**
 * The records of `parrot simulator eval` (issue 14, docs/simulator-eval.md), read back by `simulator show` and the
 * report's Simulators view:
 * - the table row (`--out FILE`, one per evaluated simulator, key `label`):
 *     {label, simulator, model, held_out: {file, digest, sessions, items_available, limit, seed}, settings_digest,
 *      next_query: {counts, metrics, reference, ppl_note?}, rollouts?: {assistant, k, turns, summary, reference}, created}
 * - the next-query row (`FILE.runs/LABEL.next.jsonl`, one per held-out item, key `key` = `SESSION_ID/TURN`):
 *     {key, session_id, turn, real, generated, ppl: {tokens, logprobSum} | null, ppl_none?, skipped?, tokens}
 * The metrics objects are src/simulator/metrics.ts QueryMetrics and RolloutSummary (checked for shape, typed from there).
 */
import * as path from "node:path";
import { z } from "zod";
import type { ContinuationScore } from "../llm/types.js";
import type { RolloutSummary } from "../simulator/eval.js";
import type { QueryMetrics } from "../simulator/metrics.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const numberOrNull = (v: unknown) => v === null || typeof v === "number";

/** QueryMetrics (metrics.ts): `n` a count, every number field a number or null. */
const QueryMetricsSchema = z.custom<QueryMetrics>(
  (v) => isObject(v) && typeof v.n === "number" && ["words_mean", "question_rate", "ctx_rate", "role_leak", "distinct_2", "rouge_l_to_real", "length_w1"].every((k) => numberOrNull(v[k] ?? null)),
  "expected query metrics {n, words_mean, question_rate, ...}",
);

/** RolloutSummary (eval.ts): Table 1 statistics, stop reasons and query metrics. */
const RolloutSummarySchema = z.custom<RolloutSummary>((v) => isObject(v) && isObject(v.stats) && isObject(v.stop_reasons) && isObject(v.queries), "expected a rollout summary {stats, stop_reasons, queries}");

export const SimulatorRowSchema = z.object({
  label: z.string().min(1),
  simulator: z.enum(["parrot-ask", "prompted"]),
  model: z.string(),
  held_out: z.object({
    file: z.string(),
    digest: z.string(),
    sessions: z.number().int(),
    items_available: z.number().int(),
    limit: z.number().int().nullable(),
    seed: z.number().int(),
  }),
  settings_digest: z.string(),
  next_query: z.object({
    counts: z.object({ items: z.number().int(), empty: z.number().int(), ppl_scored: z.number().int(), ppl_none: z.record(z.string(), z.number()), skipped: z.record(z.string(), z.number()) }),
    metrics: QueryMetricsSchema,
    reference: QueryMetricsSchema,
    ppl_note: z.string().optional(),
  }),
  rollouts: z.object({ assistant: z.string(), k: z.number().int(), turns: z.number().int(), summary: RolloutSummarySchema, reference: RolloutSummarySchema }).optional(),
  created: z.string(),
});
/** One row of `parrot simulator eval --out FILE`: a simulator evaluated on a held-out set. */
export type SimulatorRow = z.infer<typeof SimulatorRowSchema>;

export const NextQueryRowSchema = z.object({
  key: z.string(),
  session_id: z.string(),
  turn: z.number().int(),
  real: z.string(),
  generated: z.string(),
  ppl: z.custom<ContinuationScore>((v) => isObject(v) && typeof v.tokens === "number" && typeof v.logprobSum === "number", "expected {tokens, logprobSum}").nullable(),
  /** Why `ppl` is null. */
  ppl_none: z.string().optional(),
  /** Set when the item could not be run (`context-length`: the history does not fit the simulator's context). */
  skipped: z.string().optional(),
  tokens: z.number(),
});
/** A row of the next-query file (`FILE.runs/LABEL.next.jsonl`). */
export type NextQueryRow = z.infer<typeof NextQueryRowSchema>;

/** Whether a row looks like a simulator table row: `label`, `held_out` and `next_query` objects. */
export function isSimulatorRow(row: Record<string, unknown>): boolean {
  return typeof row.label === "string" && isObject(row.held_out) && isObject(row.next_query);
}

/** The run files of a simulator table (run-eval.ts writes them): `FILE.runs/LABEL.next.jsonl` and `.rollouts.jsonl`. */
export function simulatorRunFiles(file: string, label: string): { next: string; rollouts: string } {
  const dir = `${file}.runs`;
  return { next: path.join(dir, `${label}.next.jsonl`), rollouts: path.join(dir, `${label}.rollouts.jsonl`) };
}
