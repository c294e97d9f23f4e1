/**
 * The records of a training run folder (`parrot train ... --out DIR`, written by python/parrot_train.py), read by the
 * report's Training view:
 * - `DIR/metrics.jsonl`: one row per logged step (the trainer's on_log callback):
 *     {step, loss, learning_rate?, grad_norm?, epoch?, tokens, elapsed_s, "rewards/*"?, "logps/*"?}
 *   (`rewards/chosen|rejected|accuracies|margins` and `logps/chosen|rejected` are TRL DPOTrainer's, CaPO runs only);
 * - `DIR/train_summary.json`: {kind, steps, train_loss?, train_s, tokens, tokens_per_s, device?, torch_threads?,
 *   gguf?, gguf_bytes?, convert_s?}, written when the run ends.
 */
import { z } from "zod";

export const TRAIN_METRICS_FILE = "metrics.jsonl";
export const TRAIN_SUMMARY_FILE = "train_summary.json";

export const TrainMetricsRowSchema = z.looseObject({
  step: z.number().int().min(0),
  loss: z.number(),
  learning_rate: z.number().optional(),
  grad_norm: z.number().nullable().optional(),
  epoch: z.number().optional(),
  /** Input tokens seen so far (the trainer's num_input_tokens_seen). */
  tokens: z.number().optional(),
  /** Seconds since training started. */
  elapsed_s: z.number().optional(),
});
/** One logged training step. */
export type TrainMetricsRow = z.infer<typeof TrainMetricsRowSchema>;

export const TrainSummarySchema = z.looseObject({
  /** `ask` (Parrot-Ask SFT), `chat` (assistant SFT) or `capo` (DPO on CaPO pairs). */
  kind: z.string(),
  steps: z.number().int(),
  train_loss: z.number().optional(),
  /** Wall-clock seconds of training (conversion excluded). */
  train_s: z.number(),
  tokens: z.number(),
  tokens_per_s: z.number(),
  device: z.string().optional(),
});
/** The end-of-run summary of a training folder. */
export type TrainSummary = z.infer<typeof TrainSummarySchema>;

/** Whether a row looks like a training metrics row: numeric `step` and `loss`, no messages. */
export function isTrainMetricsRow(row: Record<string, unknown>): boolean {
  return typeof row.step === "number" && typeof row.loss === "number" && !("messages" in row);
}
