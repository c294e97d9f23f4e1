/**
 * `parrot train`: configs parse as YAML with the paper's hyperparameters (section 4.1.3), datasets match
 * `parrot export`, run.sh calls the engine's CLI, and --launch without the engine fails with a clear message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, runCliInProcess, SHARED } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { batchPlan, warmupSteps } from "../src/train/config.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
let dir: string;
let sessionsFile: string;
let pairsFile: string;
const readJsonl = (f: string) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));

beforeAll(() => {
  dir = tempDir("parrot-train-");
  sessionsFile = path.join(dir, "sessions.jsonl");
  fs.writeFileSync(sessionsFile, fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(1, 9).join("\n") + "\n");
  const s = readJsonl(sessionsFile)[0].conversations;
  const prompt = [
    { role: "user", content: s[0].value },
    { role: "assistant", content: s[1].value },
    { role: "user", content: s[2].value },
  ];
  pairsFile = path.join(dir, "pairs.jsonl");
  fs.writeFileSync(
    pairsFile,
    ["context-neglect", "context-hallucination"]
      .map((strategy, i) => JSON.stringify({ id: `p${i}`, session_id: "x", turn: 2, strategy, prompt, chosen: s[3].value, rejected: "Unrelated.", meta: {} }))
      .join("\n") + "\n",
  );
});

describe("batch and warm-up arithmetic", () => {
  it("keeps the total batch at 32, with accumulation 8 where the device count allows", () => {
    expect(batchPlan(1)).toEqual({ devices: 1, perDevice: 4, accumulation: 8, total: 32 });
    expect(batchPlan(4)).toEqual({ devices: 4, perDevice: 1, accumulation: 8, total: 32 });
    expect(batchPlan(8)).toEqual({ devices: 8, perDevice: 1, accumulation: 4, total: 32 });
    expect(() => batchPlan(3)).toThrow(/cannot share a total batch of 32/);
  });
  it("warm-up is 0.1 epoch in optimizer steps", () => {
    expect(warmupSteps(40_000)).toBe(125); // 1250 steps per epoch
    expect(warmupSteps(70_000)).toBe(219); // ceil(0.1 x 2188)
    expect(warmupSteps(10)).toBe(1);
  });
});

describe("parrot train", () => {
  it("trl chat: YAML config with section 4.1.3 values and the trl export as dataset", async () => {
    const out = path.join(dir, "trl-chat");
    const r = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "trl", "--base-model", "HuggingFaceTB/SmolLM2-135M-Instruct", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "config.yaml"), "utf8"));
    expect(cfg).toMatchObject({
      model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct",
      datasets: [{ path: "json", data_files: path.join(out, "train.jsonl"), split: "train" }],
      num_train_epochs: 3,
      learning_rate: 3e-5,
      optim: "adamw_torch",
      lr_scheduler_type: "cosine",
      warmup_steps: 1,
      per_device_train_batch_size: 4,
      gradient_accumulation_steps: 8,
      max_length: 4096,
      assistant_only_loss: true,
      packing: false,
    });
    const exported = path.join(dir, "chat-export.jsonl");
    expect((await runCliInProcess(["export", "sft-chat", sessionsFile, "--format", "trl", "--out", exported])).code).toBe(0);
    expect(fs.readFileSync(path.join(out, "train.jsonl"), "utf8")).toBe(fs.readFileSync(exported, "utf8"));
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain("exec trl sft --config config.yaml");
    expect(fs.readFileSync(path.join(out, "README.md"), "utf8")).toContain("0.1 epoch = 1 optimizer steps");
  });

  it("trl ask with --tokenizer: pre-tokenized labels plus assistant_masks, no template mask", async () => {
    const out = path.join(dir, "trl-ask");
    const r = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", "m", "--out", out, "--tokenizer", TOKENIZER, "--gpus", "8"]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "config.yaml"), "utf8"));
    expect(cfg.assistant_only_loss).toBe(false);
    expect([cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps]).toEqual([1, 4]);
    for (const rec of readJsonl(path.join(out, "train.jsonl"))) {
      expect(rec.assistant_masks).toEqual(rec.labels.map((l: number) => (l === -100 ? 0 : 1)));
    }
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain('NUM_PROCESSES="${NUM_PROCESSES:-8}"');
  });

  it("axolotl capo: rl dpo, chat_template.default dataset, lr 1e-5", async () => {
    const out = path.join(dir, "axo-capo");
    const r = await runCliInProcess(["train", "capo", "--data", pairsFile, "--engine", "axolotl", "--base-model", "m", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "axolotl.yaml"), "utf8"));
    expect(cfg).toMatchObject({
      rl: "dpo",
      learning_rate: 1e-5,
      num_epochs: 3,
      sequence_len: 4096,
      micro_batch_size: 4,
      gradient_accumulation_steps: 8,
      lr_scheduler: "cosine",
      optimizer: "adamw_torch",
      datasets: [{ type: "chat_template.default", field_messages: "messages", field_chosen: "chosen", field_rejected: "rejected" }],
    });
    expect(readJsonl(path.join(out, "train.jsonl"))[0].chosen.role).toBe("assistant");
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain("axolotl train axolotl.yaml");
  });

  it("axolotl chat: chat_template dataset with per-message train flags", async () => {
    const out = path.join(dir, "axo-chat");
    const r = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "axolotl", "--base-model", "m", "--out", out, "--max-turns", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "axolotl.yaml"), "utf8"));
    expect(cfg.datasets[0]).toMatchObject({ type: "chat_template", message_field_training: "train", roles_to_train: [], train_on_eos: "turn" });
    for (const rec of readJsonl(path.join(out, "train.jsonl"))) expect(rec.messages.filter((m: { role: string }) => m.role === "user").length).toBeLessThanOrEqual(3);
  });

  // The --launch cases run the real binary: run.sh's child inherits the process's stdio, which an in-process run
  // could not capture.
  it("--launch without the engine says so clearly and exits non-zero", async () => {
    const empty = tempDir("parrot-nopath-");
    const out = path.join(dir, "launch-missing");
    const r = await runCli(["train", "chat", "--data", sessionsFile, "--engine", "trl", "--base-model", "m", "--out", out, "--launch"], { env: { PATH: empty } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--launch: trl is not installed/);
    expect(r.stderr).toContain(`bash ${path.join(out, "run.sh")}`);
    expect(fs.existsSync(path.join(out, "config.yaml"))).toBe(true);
  });

  it("--launch with the engine on PATH runs run.sh, which calls the engine CLI with the config", async () => {
    const bin = tempDir("parrot-fakebin-");
    const log = path.join(bin, "calls.txt");
    fs.writeFileSync(path.join(bin, "trl"), `#!/bin/sh\necho "$PWD $*" > ${log}\n`, { mode: 0o755 });
    const out = path.join(dir, "launch-ok");
    const r = await runCli(["train", "capo", "--data", pairsFile, "--engine", "trl", "--base-model", "m", "--out", out, "--launch"], {
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(log, "utf8").trim()).toBe(`${out} dpo --config config.yaml`);
  });

  it("bad flags fail before anything is written", async () => {
    const out = path.join(dir, "never");
    const r = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "deepspeed", "--base-model", "m", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--engine: expected trl or axolotl/);
    const r2 = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "trl", "--base-model", "m", "--out", out, "--gpus", "3"]);
    expect(r2.stderr).toMatch(/cannot share a total batch of 32/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
