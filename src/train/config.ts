/**
 * Engine configs for Parrot-Ask, Parrot-Chat and CaPO with the paper's hyperparameters (section 4.1.3):
 * 3 epochs, AdamW, learning rate 3e-5 with a cosine schedule and 0.1 epoch of warm-up, max length 4096, total batch
 * 32 with gradient accumulation 8; CaPO (DPO) with learning rate 1e-5 and effective batch 32.
 *
 * Field names checked against the engines' sources/docs:
 * - TRL CLI (`trl sft|dpo --config FILE`, trl/scripts/sft.py + dpo.py parse ScriptArguments, SFTConfig/DPOConfig,
 *   ModelConfig, DatasetMixtureConfig): `model_name_or_path`, `datasets: [{path: json, data_files, split}]`,
 *   `num_train_epochs`, `learning_rate`, `optim`, `lr_scheduler_type`, `warmup_steps`, `per_device_train_batch_size`,
 *   `gradient_accumulation_steps`, `max_length`, `assistant_only_loss`, `packing`, `bf16`.
 * - axolotl YAML (docs/config, docs/dataset-formats/conversation.qmd, docs/rlhf.qmd): `base_model`, `datasets` with
 *   `type: chat_template` + `message_field_training`/`roles_to_train`/`train_on_eos`, `rl: dpo` with
 *   `type: chat_template.default`, `sequence_len`, `micro_batch_size`, `gradient_accumulation_steps`, `num_epochs`,
 *   `optimizer`, `lr_scheduler`, `learning_rate`, `warmup_steps`.
 */
import { UserError } from "../io/errors.js";
import type { ExportKind } from "../export/formats.js";

export type TrainKind = "ask" | "chat" | "capo";
export type Engine = "trl" | "axolotl";

/** The `parrot export` kind of each training kind's data. */
export const KIND_TO_EXPORT: Record<TrainKind, ExportKind> = { ask: "sft-ask", chat: "sft-chat", capo: "dpo" };

/** LoRA settings of `--lora` (PEFT, all linear layers). */
export const LORA = { r: 16, alpha: 32, dropout: 0.05 } as const;

/** Section 4.1.3 of the paper. */
export const PAPER = {
  epochs: 3,
  sftLearningRate: 3e-5,
  dpoLearningRate: 1e-5,
  scheduler: "cosine",
  warmupEpochs: 0.1,
  maxLength: 4096,
  totalBatch: 32,
  gradientAccumulation: 8,
} as const;

/** How the total batch of 32 is split over devices. */
export interface BatchPlan {
  devices: number;
  perDevice: number;
  accumulation: number;
  total: number;
}

/**
 * Split the paper's total batch (32) over `devices` GPUs: keep gradient accumulation 8 (per device x devices = 4)
 * when `devices` divides 4, else per-device 1 and accumulation 32/devices. (The paper's "8 GPUs, total 32,
 * accumulate 8" cannot hold at once; the total batch 32 is kept.)
 * @throws UserError when 32 is not divisible by the device count.
 */
export function batchPlan(devices: number): BatchPlan {
  const { totalBatch, gradientAccumulation } = PAPER;
  const perStep = totalBatch / gradientAccumulation; // 4
  if (perStep % devices === 0) {
    return { devices, perDevice: perStep / devices, accumulation: gradientAccumulation, total: totalBatch };
  }
  if (totalBatch % devices !== 0) {
    throw new UserError(`--gpus x --nodes = ${devices} devices cannot share a total batch of ${totalBatch} evenly; use a divisor of 32`);
  }
  return { devices, perDevice: 1, accumulation: totalBatch / devices, total: totalBatch };
}

/** Warm-up of 0.1 epoch in optimizer steps: ceil(0.1 x ceil(records / total batch)), at least 1. */
export function warmupSteps(records: number, totalBatch: number = PAPER.totalBatch): number {
  const stepsPerEpoch = Math.ceil(records / totalBatch);
  return Math.max(1, Math.ceil(PAPER.warmupEpochs * stepsPerEpoch));
}

export interface ConfigInput {
  kind: TrainKind;
  engine: Engine;
  baseModel: string;
  /** Absolute path of the dataset file. */
  dataFile: string;
  /** Absolute path of the model output folder. */
  outputDir: string;
  records: number;
  batch: BatchPlan;
  /** The dataset is pre-tokenized ({input_ids, labels, ...}). */
  tokenized: boolean;
  /** Overrides of the paper's values (toy runs): optimizer steps, learning rate, epochs, DPO beta, max length. */
  overrides?: { maxSteps?: number; lr?: number; epochs?: number; beta?: number; maxLength?: number };
  /** The chat template's end-of-turn token (axolotl `eot_tokens`), from the tokenizer. */
  eotToken?: string;
}

/** DPO beta: the paper gives none; 0.1 is TRL's and axolotl's default, pinned so an engine upgrade cannot move it. */
export const DPO_BETA = 0.1;

/** Hyperparameters shared by both engines, for README and tests. */
export function hyperparameters(c: Pick<ConfigInput, "kind" | "records" | "batch" | "overrides">) {
  const o = c.overrides ?? {};
  return {
    epochs: o.epochs ?? PAPER.epochs,
    learningRate: o.lr ?? (c.kind === "capo" ? PAPER.dpoLearningRate : PAPER.sftLearningRate),
    scheduler: PAPER.scheduler,
    // A toy run of N steps (--max-steps) warms up over 0.1 x N steps, rounded down: a 2-4 step run has no warm-up
    // step at learning rate 0.
    warmupSteps: o.maxSteps !== undefined ? Math.floor(PAPER.warmupEpochs * o.maxSteps) : warmupSteps(c.records, c.batch.total),
    stepsPerEpoch: Math.ceil(c.records / c.batch.total),
    maxLength: o.maxLength ?? PAPER.maxLength,
    maxSteps: o.maxSteps,
    beta: o.beta ?? DPO_BETA,
    perDevice: c.batch.perDevice,
    accumulation: c.batch.accumulation,
  };
}

/** TRL CLI config (YAML object) for `trl sft` (ask/chat) or `trl dpo` (capo). */
export function trlConfig(c: ConfigInput): Record<string, unknown> {
  const h = hyperparameters(c);
  const cfg: Record<string, unknown> = {
    model_name_or_path: c.baseModel,
    datasets: [{ path: "json", data_files: c.dataFile, split: "train" }],
    output_dir: c.outputDir,
    num_train_epochs: h.epochs,
    learning_rate: h.learningRate,
    optim: "adamw_torch",
    lr_scheduler_type: h.scheduler,
    warmup_steps: h.warmupSteps,
    per_device_train_batch_size: h.perDevice,
    gradient_accumulation_steps: h.accumulation,
    max_length: h.maxLength,
    bf16: true,
    gradient_checkpointing: true,
    logging_steps: h.maxSteps !== undefined && h.maxSteps <= 100 ? 1 : 10,
    save_strategy: h.maxSteps !== undefined ? "no" : "epoch",
    report_to: "none",
  };
  if (h.maxSteps !== undefined) cfg.max_steps = h.maxSteps;
  if (c.kind !== "capo") {
    cfg.packing = false;
    // Conversational data needs `{% generation %}` markers (or TRL's patched template) for assistant_only_loss;
    // parrot pre-tokenizes SFT data instead ({input_ids, labels}, which TRL keeps as given), so TRL builds no mask.
    cfg.assistant_only_loss = !c.tokenized;
  } else {
    cfg.beta = h.beta;
  }
  return cfg;
}

/** axolotl YAML config object. */
export function axolotlConfig(c: ConfigInput): Record<string, unknown> {
  const h = hyperparameters(c);
  let dataset: Record<string, unknown>;
  if (c.kind === "capo") {
    // axolotl's DPODataset reads only path/split/type and the field_* names; ds_type, message_property_mappings
    // and roles would be silently ignored, so none is written.
    dataset = {
      path: c.dataFile,
      split: "train",
      type: "chat_template.default",
      field_messages: "messages",
      field_chosen: "chosen",
      field_rejected: "rejected",
    };
  } else if (c.kind === "ask") {
    // docs/dataset-formats/template_free.qmd: {segments: [{text, label}]} tokenized as given (B.1 text format).
    dataset = { path: c.dataFile, ds_type: "json", split: "train", type: "input_output" };
  } else if (c.tokenized) {
    // docs/dataset-formats/tokenized.qmd: an empty `type` loads {input_ids, attention_mask, labels} as is.
    dataset = { path: c.dataFile, ds_type: "json", split: "train", type: null };
  } else {
    if (!c.eotToken) throw new UserError("axolotl chat: the chat template's end-of-turn token is unknown; give --tokenizer DIR");
    dataset = {
      path: c.dataFile,
      ds_type: "json",
      split: "train",
      type: "chat_template",
      field_messages: "messages",
      message_property_mappings: { role: "role", content: "content" },
      roles_to_train: [],
      message_field_training: "train",
      train_on_eos: "turn",
    };
  }
  const cfg: Record<string, unknown> = { base_model: c.baseModel };
  if (c.kind === "capo") {
    cfg.rl = "dpo";
    cfg.rl_beta = h.beta;
  }
  if (c.kind === "ask") cfg.train_on_inputs = false;
  else if (!c.tokenized) cfg.chat_template = "tokenizer_default";
  // train_on_eos: turn trains only eot_tokens (default [eos_token]); ChatML's <|im_end|> is not SmolLM2's eos.
  if (c.kind === "chat" && !c.tokenized) cfg.eot_tokens = [c.eotToken];
  Object.assign(cfg, {
    datasets: [dataset],
    dataset_prepared_path: `${c.outputDir}/prepared`,
    output_dir: c.outputDir,
    sequence_len: h.maxLength,
    sample_packing: false,
    micro_batch_size: h.perDevice,
    gradient_accumulation_steps: h.accumulation,
    num_epochs: h.epochs,
    optimizer: "adamw_torch",
    lr_scheduler: h.scheduler,
    learning_rate: h.learningRate,
    warmup_steps: h.warmupSteps,
    ...(h.maxSteps !== undefined ? { max_steps: h.maxSteps } : {}),
    bf16: "auto",
    gradient_checkpointing: true,
    logging_steps: 10,
    saves_per_epoch: 1,
  });
  return cfg;
}

/**
 * run.sh: one GPU runs the engine's CLI; several GPUs or nodes go through `accelerate launch` (TRL's script module
 * trl.scripts.sft/dpo, axolotl's axolotl.cli.train). Multi-node: set NUM_MACHINES, MACHINE_RANK, MAIN_PROCESS_IP on
 * every node.
 */
export function runScript(engine: Engine, kind: TrainKind, configFile: string, batch: BatchPlan): string {
  const trlArgs = `parrot_train.py train --config ${configFile} --parrot parrot.json`;
  const single = engine === "trl" ? `"$PYTHON" ${trlArgs}` : `axolotl train ${configFile}`;
  const module = engine === "trl" ? `${trlArgs}` : `-m axolotl.cli.train ${configFile}`;
  return `#!/usr/bin/env bash
# Generated by \`parrot train ${kind} --engine ${engine}\`. The batch split in ${configFile} was computed for
# ${batch.devices} device(s) in total (${batch.perDevice} per device x ${batch.accumulation} accumulation x ${batch.devices} = ${batch.total});
# rerun \`parrot train ... --gpus N --nodes M\` to change it.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="\${PYTHON:-python3}"
NUM_MACHINES="\${NUM_MACHINES:-1}"
NUM_PROCESSES="\${NUM_PROCESSES:-${batch.devices}}"
if [ "$NUM_PROCESSES" != "${batch.devices}" ]; then
  echo "run.sh: NUM_PROCESSES=$NUM_PROCESSES, but ${configFile} splits the total batch of ${batch.total} over ${batch.devices} device(s); rerun parrot train with --gpus/--nodes for $NUM_PROCESSES devices" >&2
  exit 2
fi
if [ "$NUM_PROCESSES" -gt 1 ] || [ "$NUM_MACHINES" -gt 1 ]; then
  exec ${engine === "trl" ? '"$PYTHON" -m accelerate.commands.launch' : "accelerate launch"} --num_processes "$NUM_PROCESSES" --num_machines "$NUM_MACHINES" \\
    --machine_rank "\${MACHINE_RANK:-0}" --main_process_ip "\${MAIN_PROCESS_IP:-127.0.0.1}" \\
    --main_process_port "\${MAIN_PROCESS_PORT:-29500}" ${module}
else
  exec ${single}
fi
`;
}
