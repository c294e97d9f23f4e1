/**
 * `parrot train`: configs parse as YAML with the paper's hyperparameters (section 4.1.3), datasets match
 * `parrot export`, run.sh calls the engine's CLI, and --launch without the engine fails with a clear message.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, runCliInProcess, SHARED } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { batchPlan, warmupSteps } from "../src/train/config.js";
import { readJsonl } from "./support/jsonl.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
let dir: string;
let sessionsFile: string;
let pairsFile: string;

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
  // No managed Python here: an empty cache, so `parrot train` never finds a real venv in these config tests.
  const NOENV = () => {
    const d = tempDir("parrot-noenv-");
    return { PARROT_CACHE: d, PARROT_CACHE_DIR: d };
  };

  it("trl chat: section 4.1.3 values, data pre-tokenized with the tokenizer (finding 6), its digest in the README (finding 7)", async () => {
    const out = path.join(dir, "trl-chat");
    const r = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "trl", "--base-model", "HuggingFaceTB/SmolLM2-135M-Instruct", "--tokenizer", TOKENIZER, "--out", out], { env: NOENV() });
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
      assistant_only_loss: false,
      packing: false,
      save_strategy: "epoch",
    });
    expect(cfg.max_steps).toBeUndefined();
    const exported = path.join(dir, "chat-export.jsonl");
    expect((await runCliInProcess(["export", "sft-chat", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", exported])).code).toBe(0);
    expect(fs.readFileSync(path.join(out, "train.jsonl"), "utf8")).toBe(fs.readFileSync(exported, "utf8"));
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain('exec "$PYTHON" parrot_train.py train --config config.yaml --parrot parrot.json');
    const readmeText = fs.readFileSync(path.join(out, "README.md"), "utf8");
    expect(readmeText).toContain("0.1 epoch = 1 optimizer steps");
    expect(readmeText).toContain(`tokenizer.json sha256 \`${createHash("sha256").update(fs.readFileSync(path.join(TOKENIZER, "tokenizer.json"))).digest("hex")}\``);
    expect(readmeText).not.toContain("generation %}");
    expect(fs.readFileSync(path.join(out, "parrot_train.py"), "utf8")).toBe(fs.readFileSync(path.join(__dirname, "../python/parrot_train.py"), "utf8"));
  });

  it("finding 7: the tokenizer defaults to the base model folder's; a different --tokenizer warns; none at all is a clear error", async () => {
    const own = path.join(dir, "trl-own");
    const r = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", TOKENIZER, "--out", own], { env: NOENV() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    const other = tempDir("parrot-tok-");
    for (const f of fs.readdirSync(TOKENIZER)) fs.copyFileSync(path.join(TOKENIZER, f), path.join(other, f));
    fs.writeFileSync(path.join(other, "tokenizer.json"), JSON.stringify(JSON.parse(fs.readFileSync(path.join(TOKENIZER, "tokenizer.json"), "utf8"))));
    const r2 = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", TOKENIZER, "--tokenizer", other, "--out", path.join(dir, "trl-other")], { env: NOENV() });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/warning: --tokenizer .* differs from the base model's own tokenizer\.json/);
    const none = path.join(dir, "trl-none");
    const r3 = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", "HuggingFaceTB/SmolLM2-135M-Instruct", "--out", none], { env: NOENV() });
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/the base model's tokenizer is needed.*--tokenizer DIR, or run `parrot train setup --engine trl`/);
    expect(fs.existsSync(path.join(none, "train.jsonl"))).toBe(false);
  });

  it("trl ask: pre-tokenized {input_ids, labels} in the B.1 format (finding 1), toy overrides in config and README", async () => {
    const out = path.join(dir, "trl-ask");
    const r = await runCliInProcess(
      ["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", "m", "--out", out, "--tokenizer", TOKENIZER, "--gpus", "8", "--max-steps", "3", "--max-samples", "2", "--lr", "1e-4", "--max-length", "512", "--lora"],
      { env: NOENV() },
    );
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "config.yaml"), "utf8"));
    expect(cfg).toMatchObject({ assistant_only_loss: false, max_steps: 3, learning_rate: 1e-4, max_length: 512, logging_steps: 1, save_strategy: "no" });
    expect([cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps]).toEqual([1, 4]);
    const recs = readJsonl(path.join(out, "train.jsonl"));
    expect(recs.length).toBe(2);
    const exported = path.join(dir, "ask-export.jsonl");
    expect((await runCliInProcess(["export", "sft-ask", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--max-length", "512", "--out", exported])).code).toBe(0);
    expect(recs).toEqual(readJsonl(exported).slice(0, 2));
    const pj = JSON.parse(fs.readFileSync(path.join(out, "parrot.json"), "utf8"));
    expect(pj).toMatchObject({ kind: "ask", tokenizer_dir: TOKENIZER, lora: { r: 16, alpha: 32 }, metrics: path.join(out, "metrics.jsonl"), gguf: path.join(out, "model.gguf") });
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain('NUM_PROCESSES="${NUM_PROCESSES:-8}"');
    expect(fs.readFileSync(path.join(out, "README.md"), "utf8")).toContain("toy run of 3 optimizer steps");
  });

  it("finding 10: run.sh refuses a NUM_PROCESSES the batch split was not made for", async () => {
    const out = path.join(dir, "trl-ask"); // made for 8 devices above
    const bin = tempDir("parrot-fakepy-");
    fs.writeFileSync(path.join(bin, "py"), `#!/bin/sh\necho called > ${bin}/called\n`, { mode: 0o755 });
    const r = spawnSync("bash", [path.join(out, "run.sh")], { env: { ...process.env, NUM_PROCESSES: "2", PYTHON: path.join(bin, "py") }, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NUM_PROCESSES=2, but config\.yaml splits the total batch of 32 over 8 device\(s\)/);
    expect(fs.existsSync(path.join(bin, "called"))).toBe(false);
  });

  it("capo: DPO beta pinned (trl beta, axolotl rl_beta 0.1), axolotl dataset without ignored keys (finding 8)", async () => {
    const out = path.join(dir, "axo-capo");
    const r = await runCliInProcess(["train", "capo", "--data", pairsFile, "--engine", "axolotl", "--base-model", "m", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "axolotl.yaml"), "utf8"));
    expect(cfg).toMatchObject({
      rl: "dpo",
      rl_beta: 0.1,
      learning_rate: 1e-5,
      num_epochs: 3,
      sequence_len: 4096,
      micro_batch_size: 4,
      gradient_accumulation_steps: 8,
      lr_scheduler: "cosine",
      optimizer: "adamw_torch",
    });
    expect(cfg.datasets[0]).toEqual({ path: path.join(out, "train.jsonl"), split: "train", type: "chat_template.default", field_messages: "messages", field_chosen: "chosen", field_rejected: "rejected" });
    expect(readJsonl(path.join(out, "train.jsonl"))[0].chosen.role).toBe("assistant");
    expect(fs.readFileSync(path.join(out, "run.sh"), "utf8")).toContain("axolotl train axolotl.yaml");
    expect(fs.readFileSync(path.join(out, "README.md"), "utf8")).toMatch(/base model of CaPO is the Parrot-Chat SFT checkpoint.*TRL copies it as the frozen reference model/s);
    const trl = path.join(dir, "trl-capo");
    const r2 = await runCliInProcess(["train", "capo", "--data", pairsFile, "--engine", "trl", "--base-model", "m", "--out", trl, "--beta", "0.2"], { env: NOENV() });
    expect(r2.code, r2.stderr).toBe(0);
    expect(parse(fs.readFileSync(path.join(trl, "config.yaml"), "utf8")).beta).toBe(0.2);
    const r3 = await runCliInProcess(["train", "capo", "--data", pairsFile, "--engine", "trl", "--base-model", "m", "--out", path.join(dir, "trl-capo2")], { env: NOENV() });
    expect(r3.code, r3.stderr).toBe(0);
    expect(parse(fs.readFileSync(path.join(dir, "trl-capo2", "config.yaml"), "utf8")).beta).toBe(0.1);
  });

  it("axolotl chat: per-message train flags and eot_tokens from the tokenizer (finding 5)", async () => {
    const out = path.join(dir, "axo-chat");
    const r = await runCliInProcess(["train", "chat", "--data", sessionsFile, "--engine", "axolotl", "--base-model", TOKENIZER, "--out", out, "--max-turns", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "axolotl.yaml"), "utf8"));
    expect(cfg.datasets[0]).toMatchObject({ type: "chat_template", message_field_training: "train", roles_to_train: [], train_on_eos: "turn" });
    expect(cfg.eot_tokens).toEqual(["<|im_end|>"]);
    for (const rec of readJsonl(path.join(out, "train.jsonl"))) expect(rec.messages.filter((m: { role: string }) => m.role === "user").length).toBeLessThanOrEqual(3);
  });

  it("axolotl ask: input_output segments in the B.1 format, train_on_inputs false, last response dropped (findings 1, 9)", async () => {
    const out = path.join(dir, "axo-ask");
    const r = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "axolotl", "--base-model", TOKENIZER, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parse(fs.readFileSync(path.join(out, "axolotl.yaml"), "utf8"));
    expect(cfg.datasets[0]).toMatchObject({ type: "input_output" });
    expect(cfg.train_on_inputs).toBe(false);
    expect(cfg.chat_template).toBeUndefined();
    for (const rec of readJsonl(path.join(out, "train.jsonl"))) {
      const last = rec.segments[rec.segments.length - 1];
      expect(last.label).toBe(true);
      expect(last.text.endsWith(" [ASSISTANT]")).toBe(true);
    }
  });

  // The --launch cases run the real binary: run.sh's child inherits the process's stdio, which an in-process run
  // could not capture.
  it("--launch without a Python environment says how to make one and exits non-zero", async () => {
    const out = path.join(dir, "launch-missing");
    const r = await runCli(["train", "chat", "--data", sessionsFile, "--engine", "trl", "--base-model", TOKENIZER, "--out", out, "--launch", "--no-gguf"], { env: NOENV() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--launch: no Python environment for trl; run `parrot train setup --engine trl`/);
    expect(fs.existsSync(path.join(out, "config.yaml"))).toBe(true);
  });

  it("--launch --python runs run.sh, which runs parrot_train.py with the config and parrot.json", async () => {
    const bin = tempDir("parrot-fakebin-");
    const log = path.join(bin, "calls.txt");
    fs.writeFileSync(path.join(bin, "python"), `#!/bin/sh\necho "$PWD $*" > ${log}\n`, { mode: 0o755 });
    const out = path.join(dir, "launch-ok");
    const r = await runCli(["train", "capo", "--data", pairsFile, "--engine", "trl", "--base-model", TOKENIZER, "--out", out, "--launch", "--no-gguf", "--python", path.join(bin, "python")], { env: NOENV() });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(log, "utf8").trim()).toBe(`${out} parrot_train.py train --config config.yaml --parrot parrot.json`);
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

  it("bad data with a GGUF base model leaves no DIR/base-tokenizer (nothing half written); good data moves it into DIR", async () => {
    // A stand-in for the venv's Python: `python parrot_train.py tokenizer --base-model SPEC --out TMP` copies the
    // real SmolLM2 tokenizer into TMP, as parrot_train.py does with the GGUF's.
    const bin = tempDir("parrot-fakebin-");
    const calls = path.join(bin, "calls.txt");
    fs.writeFileSync(path.join(bin, "python"), `#!/bin/sh\necho "$6" >> ${calls}\nmkdir -p "$6" && cp ${TOKENIZER}/* "$6"/\n`, { mode: 0o755 });
    const gguf = path.join(dir, "base.gguf");
    fs.writeFileSync(gguf, "GGUF");
    const bad = path.join(dir, "bad-sessions.jsonl");
    fs.writeFileSync(bad, `{"id": "a", "messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "x"}]}\n`);
    const out = path.join(dir, "bad-data");
    const r = await runCliInProcess(["train", "ask", "--data", bad, "--engine", "trl", "--base-model", `gguf:${gguf}`, "--out", out, "--python", path.join(bin, "python")], { env: NOENV() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-sessions\.jsonl:1/);
    const tmpTok = fs.readFileSync(calls, "utf8").trim();
    expect(tmpTok).not.toContain(out); // read outside DIR ...
    expect(fs.existsSync(tmpTok)).toBe(false); // ... and removed
    expect(fs.existsSync(out)).toBe(false);

    const good = path.join(dir, "good-data");
    const r2 = await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", `gguf:${gguf}`, "--out", good, "--python", path.join(bin, "python")], { env: NOENV() });
    expect(r2.code, r2.stderr).toBe(0);
    const tok = path.join(good, "base-tokenizer");
    expect(fs.readFileSync(path.join(tok, "tokenizer.json"))).toEqual(fs.readFileSync(path.join(TOKENIZER, "tokenizer.json")));
    expect(JSON.parse(fs.readFileSync(path.join(good, "parrot.json"), "utf8")).tokenizer_dir).toBe(tok);
    expect(fs.readFileSync(path.join(good, "README.md"), "utf8")).toContain(`Tokenizer: \`${tok}\``);
    // A second run reuses DIR/base-tokenizer without calling the Python again.
    const before = fs.readFileSync(calls, "utf8");
    expect((await runCliInProcess(["train", "ask", "--data", sessionsFile, "--engine", "trl", "--base-model", `gguf:${gguf}`, "--out", good, "--python", path.join(bin, "python")], { env: NOENV() })).code).toBe(0);
    expect(fs.readFileSync(calls, "utf8")).toBe(before);
  });
});
