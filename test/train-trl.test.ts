/**
 * The engine judges our masks, and training runs for real (issue 13). Needs the Python environment of
 * `parrot train setup --engine trl` (skipped, with the reason printed, when it is missing):
 * - TRL's own SFTTrainer dataset preparation and collator on `parrot train ask|chat` data, with the real SmolLM2
 *   tokenizer: the trained tokens decode to exactly each ` q_i [ASSISTANT]` (ask) and each response plus
 *   `<|im_end|>` (chat); DPOTrainer's preparation splits our capo rows into prompt / chosen / rejected as expected.
 * - With the real SmolLM2-135M-Instruct GGUF (PARROT_REAL_MODEL, else the registry's `smollm2-135m`): 2-step
 *   `train ask`, `train chat` (real ShareGPT sessions) and `train capo` (pairs from real sessions, from the chat
 *   checkpoint) `--launch` runs each give finite losses in metrics.jsonl, a checkpoint, and a model.gguf that
 *   node-llama-cpp loads and generates with.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliInProcess, SHARED, type CliResult } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { findTrainPython } from "../src/train/env.js";
import { resolveRegisteredGguf } from "../src/models/registry.js";
import { readConversations } from "../src/conversations/readers.js";
import { cleanSession } from "../src/export/data.js";
import { ASSISTANT_MARKER } from "../src/collect/prompts.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
const python = findTrainPython("trl");
if (!python) console.warn("train-trl: skipped: no Python environment (run `parrot train setup --engine trl`)");

let dir: string;
let sessionsFile: string;
let pairsFile: string;
beforeAll(() => {
  dir = tempDir("parrot-trl-");
  sessionsFile = path.join(dir, "s.jsonl");
  fs.writeFileSync(sessionsFile, fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(0, 10).join("\n") + "\n");
  const ss = readConversations(sessionsFile).flatMap((s) => cleanSession(s).session ?? []).filter((s) => s.messages.length >= 4);
  pairsFile = path.join(dir, "pairs.jsonl");
  fs.writeFileSync(
    pairsFile,
    ss.slice(0, 3).map((s, i) => JSON.stringify({ id: `p${i}`, session_id: s.id, turn: 2, strategy: "context-neglect", prompt: [{ role: "assistant", content: "Earlier." }, ...s.messages.slice(0, 3)], chosen: s.messages[3].content, rejected: `Generic ${i}.`, meta: {} })).join("\n") + "\n",
  );
});

// TRL's preparation on our data, run in the venv: prints JSON {ask|chat: [[trained text runs]...], capo: [...]}.
const JUDGE = `
import json, sys
from datasets import load_dataset
from transformers import AutoTokenizer
from trl import SFTConfig, SFTTrainer, DPOConfig, DPOTrainer
from transformers import LlamaConfig, LlamaForCausalLM
tok = AutoTokenizer.from_pretrained(sys.argv[1])
tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
out = {}
for kind in ("ask", "chat"):
    ds = load_dataset("json", data_files=sys.argv[2 if kind == "ask" else 3], split="train")
    tr = SFTTrainer(model=tiny, args=SFTConfig(output_dir="/tmp/parrot-judge", max_length=4096, report_to="none", use_cpu=True), train_dataset=ds, processing_class=tok)
    batch = tr.data_collator([tr.train_dataset[i] for i in range(len(tr.train_dataset))])
    runs = []
    for ids, lab in zip(batch["input_ids"].tolist(), batch["labels"].tolist()):
        r, cur = [], []
        for i, l in zip(ids, lab):
            if l != -100: cur.append(i)
            elif cur: r.append(tok.decode(cur)); cur = []
        if cur: r.append(tok.decode(cur))
        runs.append(r)
    out[kind] = runs
ds = load_dataset("json", data_files=sys.argv[4], split="train")
import copy
tr = DPOTrainer(model=tiny, ref_model=copy.deepcopy(tiny), args=DPOConfig(output_dir="/tmp/parrot-judge", report_to="none", use_cpu=True), train_dataset=ds, processing_class=tok)
ex = tr.train_dataset[0]
out["capo"] = {k: tok.decode(ex[k]) for k in ("prompt_ids", "chosen_ids", "rejected_ids") if k in ex} or {k: str(v)[:200] for k, v in ex.items()}
print(json.dumps(out))
`;

describe.skipIf(!python)("TRL judges the masks (SmolLM2 tokenizer)", () => {
  it("SFTTrainer's prepared labels train exactly ' q_i [ASSISTANT]' (ask) and each response + <|im_end|> (chat); DPOTrainer splits capo rows", async () => {
    const ask = path.join(dir, "ask");
    const chat = path.join(dir, "chat");
    const capo = path.join(dir, "capo");
    for (const [k, o, d] of [["ask", ask, sessionsFile], ["chat", chat, sessionsFile]] as const) {
      const r = await runCliInProcess(["train", k, "--data", d, "--engine", "trl", "--base-model", TOKENIZER, "--out", o]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await runCliInProcess(["export", "dpo", pairsFile, "--format", "trl", "--out", path.join(dir, "capo.jsonl")])).code).toBe(0);
    fs.mkdirSync(capo, { recursive: true });
    const script = path.join(dir, "judge.py");
    fs.writeFileSync(script, JUDGE);
    const r = spawnSync(python!, [script, TOKENIZER, path.join(ask, "train.jsonl"), path.join(chat, "train.jsonl"), path.join(dir, "capo.jsonl")], { encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const got = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const sessions = readConversations(sessionsFile).flatMap((s) => cleanSession(s).session ?? []);
    expect(got.ask.length).toBe(sessions.length);
    got.ask.forEach((runs: string[], i: number) => {
      expect(runs).toEqual(sessions[i].messages.filter((m) => m.role === "user").map((m) => ` ${m.content} ${ASSISTANT_MARKER}`));
    });
    got.chat.forEach((runs: string[], i: number) => {
      expect(runs).toEqual(sessions[i].messages.filter((m) => m.role === "assistant").map((m) => `${m.content}<|im_end|>`));
    });
    const pairs = fs.readFileSync(pairsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(got.capo.prompt_ids.startsWith("<|im_start|>system")).toBe(true);
    expect(got.capo.prompt_ids).not.toContain("Earlier.");
    expect(got.capo.prompt_ids.endsWith("<|im_start|>assistant\n")).toBe(true);
    expect(got.capo.chosen_ids.startsWith(pairs[0].chosen)).toBe(true);
    expect(got.capo.rejected_ids.startsWith("Generic 0.")).toBe(true);
  }, 400_000);
});

async function realModel(): Promise<string | undefined> {
  if (process.env.PARROT_REAL_MODEL) return process.env.PARROT_REAL_MODEL;
  try {
    return await resolveRegisteredGguf("smollm2-135m");
  } catch (err) {
    console.warn(`train-trl: real-model training skipped: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Loads DIR/model.gguf with node-llama-cpp (CPU) and generates 4 tokens greedily after `prompt`.
 * @returns the decoded text of the 4 tokens.
 */
async function loadsAndGenerates(gguf: string, prompt: string): Promise<string> {
  const { getLlama } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never" });
  const m = await llama.loadModel({ modelPath: gguf });
  const c = await m.createContext({ contextSize: 512 });
  try {
    const got: number[] = [];
    for await (const t of c.getSequence().evaluate(m.tokenize(prompt, true), { temperature: 0 })) {
      expect(typeof t).toBe("number");
      got.push(t);
      if (got.length >= 4) break;
    }
    expect(got.length).toBe(4);
    return m.detokenize(got as never);
  } finally {
    await c.dispose();
    await m.dispose();
  }
}

/** The run's metrics rows: steps 1..n, each with a finite positive loss; train_summary.json agrees. */
type MetricsRow = { step: number; loss: number } & Record<string, number>;
function expectTrained(out: string, steps: number): MetricsRow[] {
  const rows: MetricsRow[] = fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  expect(rows.map((x) => x.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  for (const x of rows) expect(Number.isFinite(x.loss) && x.loss > 0, JSON.stringify(x)).toBe(true);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "train_summary.json"), "utf8"));
  expect(summary.steps).toBe(steps);
  expect(summary.tokens).toBeGreaterThan(0);
  expect(fs.existsSync(path.join(out, "checkpoint", "model.safetensors"))).toBe(true);
  expect(fs.statSync(path.join(out, "model.gguf")).size).toBeGreaterThan(50e6);
  return rows;
}

/** Prints a run's wall time and loss line, so CI logs show what each toy run cost. */
function report(kind: string, secs: number, rows: Array<{ loss: number }>): void {
  console.log(`train-trl: train ${kind}: ${rows.length} steps in ${secs.toFixed(0)} s wall, loss ${rows.map((r) => r.loss.toFixed(3)).join(" -> ")}`);
}

/**
 * `parrot train KIND --engine trl --launch --max-steps 2` into `dir/real-KIND`, asserting exit 0 (the stderr tail
 * shown otherwise): the CLI result, the run folder and its wall seconds.
 */
async function launchTwoSteps(kind: "ask" | "chat" | "capo", args: string[]): Promise<{ r: CliResult; out: string; secs: number }> {
  const out = path.join(dir, `real-${kind}`);
  const t0 = performance.now();
  const r = await runCli(["train", kind, ...args, "--engine", "trl", "--out", out, "--launch", "--max-steps", "2"], { timeoutMs: 900_000 });
  expect(r.code, r.stderr.slice(-3000)).toBe(0);
  return { r, out, secs: (performance.now() - t0) / 1000 };
}

// CI's real-model runs (issue 13): each of ask, chat and capo trains 2 steps on a tiny slice (2 records, short max
// length) of the real default model and yields a GGUF that node-llama-cpp loads and generates with. CaPO starts from
// the chat run's checkpoint, as in the paper (and skips a second GGUF dequantization), or from the GGUF if that
// run failed.
describe.skipIf(!python)("train ask|chat|capo --launch on the real SmolLM2-135M-Instruct GGUF", () => {
  it("ask, 2 steps: finite losses in metrics.jsonl, a checkpoint, a GGUF that node-llama-cpp loads and generates with", async (ctx) => {
    const model = await realModel();
    if (!model) return ctx.skip();
    const { out, secs } = await launchTwoSteps("ask", ["--data", sessionsFile, "--base-model", `gguf:${model}`, "--max-samples", "2", "--max-length", "192"]);
    report("ask", secs, expectTrained(out, 2));
    await loadsAndGenerates(path.join(out, "model.gguf"), "You are a helpful user. [USER]");
  }, 900_000);

  it("chat, 2 steps on real ShareGPT sessions (first turn, <= 128 tokens): finite losses, a checkpoint, a GGUF that generates", async (ctx) => {
    const model = await realModel();
    if (!model) return ctx.skip();
    const { r, out, secs } = await launchTwoSteps("chat", ["--data", SHAREGPT, "--base-model", `gguf:${model}`, "--max-samples", "2", "--max-turns", "1", "--max-length", "128"]);
    expect(r.stderr).toMatch(/--max-samples: 2 of \d+ records kept/);
    const records = fs.readFileSync(path.join(out, "train.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(records.length).toBe(2);
    for (const rec of records) expect(rec.input_ids.length).toBeLessThanOrEqual(128);
    report("chat", secs, expectTrained(out, 2));
    await loadsAndGenerates(path.join(out, "model.gguf"), "<|im_start|>user\nHow to say good night in French?<|im_end|>\n<|im_start|>assistant\n");
  }, 900_000);

  it("capo, 2 DPO steps on pairs from real ShareGPT sessions, from the chat checkpoint: finite losses, rewards logged, a GGUF that generates", async (ctx) => {
    const model = await realModel();
    if (!model) return ctx.skip();
    // Pairs (src/records/pair.ts PreferencePair) from the shortest real two-turn sessions: the session's own second
    // response is chosen, a context-neglecting answer is rejected (what `parrot capo` writes, without a model call here).
    const short = readConversations(SHAREGPT)
      .flatMap((s) => cleanSession(s).session ?? [])
      .filter((s) => s.messages.length >= 4 && s.messages.slice(0, 4).reduce((n, m) => n + m.content.length, 0) < 600)
      .slice(0, 2);
    expect(short.length).toBe(2);
    const pairs = path.join(dir, "real-pairs.jsonl");
    fs.writeFileSync(
      pairs,
      short
        .map((s, i) => JSON.stringify({ id: `${s.id}#2#context-neglect`, session_id: s.id, turn: 2, strategy: "context-neglect", prompt: s.messages.slice(0, 3), chosen: s.messages[3].content, rejected: `I am not sure what you are referring to; could you give me more details? (${i})`, meta: {} }))
        .join("\n") + "\n",
    );
    const chatCkpt = path.join(dir, "real-chat", "checkpoint");
    const base = fs.existsSync(path.join(chatCkpt, "model.safetensors")) ? chatCkpt : `gguf:${model}`;
    const { out, secs } = await launchTwoSteps("capo", ["--data", pairs, "--base-model", base, "--max-length", "128"]);
    const rows = expectTrained(out, 2);
    for (const x of rows) expect(Number.isFinite(x["rewards/chosen"]) && Number.isFinite(x["rewards/rejected"]), JSON.stringify(x)).toBe(true);
    // Step 1 runs at learning rate 0 (warm-up), so policy = reference and the DPO loss is exactly log 2.
    expect(rows[0].loss).toBeCloseTo(Math.log(2), 3);
    report(`capo (from ${base === chatCkpt ? "the chat checkpoint" : "the GGUF"})`, secs, rows);
    await loadsAndGenerates(path.join(out, "model.gguf"), "<|im_start|>user\nHow to say thank you in French?<|im_end|>\n<|im_start|>assistant\n");
  }, 900_000);
});
