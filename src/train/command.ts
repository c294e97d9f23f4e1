/**
 * CLI: `parrot train setup [--engine trl]` and `parrot train ask|chat|capo --data FILE --engine trl|axolotl
 * --base-model MODEL --out DIR [--launch] [--python PATH] [--gpus N] [--nodes M] [--tokenizer DIR] [--max-turns N]
 * [--strategies ...] [--max-steps N] [--max-samples N] [--max-length N] [--lora] [--lr X] [--epochs N] [--beta X]`.
 *
 * Writes into DIR: the engine's dataset (through `parrot export`; TRL SFT data pre-tokenized with the base model's
 * tokenizer), its config with the paper's hyperparameters (config.ts), run.sh, README.md, and for TRL
 * parrot_train.py + parrot.json. `--launch` trains: TRL in the Python of `parrot train setup` (python/), writing
 * DIR/metrics.jsonl, DIR/checkpoint/ and DIR/model.gguf (llama.cpp's convert_hf_to_gguf.py from the source
 * node-llama-cpp ships, env.ts).
 *
 * MODEL: a Hugging Face id or folder, a registered parrot model (`default`, `smollm2-135m`) or `gguf:PATH`; a GGUF
 * is loaded with transformers' GGUF support (dequantized).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import type { Command } from "commander";
import { stringify } from "yaml";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { parsePositiveInt } from "../export/data.js";
import { parseStrategies } from "../records/pair.js";
import { buildExport, toJsonl } from "../export/export.js";
import type { ExportFormat, ExportKind } from "../export/formats.js";
import { endOfTurnToken, IGNORE_INDEX, loadTokenizer, tokenizerDigest } from "../export/tokenizer.js";
import { isRegisteredModelName, resolveRegisteredGguf } from "../models/registry.js";
import { axolotlConfig, batchPlan, hyperparameters, runScript, trlConfig, type Engine, type TrainKind } from "./config.js";
import { ensureLlamaCpp, findTrainPython, setupHint, setupTrainEnv, TRAIN_SCRIPT, trainEnvDir } from "./env.js";

const KIND_TO_EXPORT: Record<TrainKind, ExportKind> = { ask: "sft-ask", chat: "sft-chat", capo: "dpo" };

/** LoRA settings of `--lora` (PEFT, all linear layers). */
export const LORA = { r: 16, alpha: 32, dropout: 0.05 } as const;

/**
 * A `--base-model` value as the engines take it: HF id/folder as is; `gguf:PATH` resolved to an absolute path;
 * a registered parrot model name resolved to its cached GGUF (`gguf:PATH`).
 */
export async function resolveBaseModel(spec: string): Promise<{ spec: string; gguf?: string; folder?: string }> {
  if (spec.startsWith("gguf:")) {
    const file = path.resolve(spec.slice(5));
    if (!fs.existsSync(file)) throw new UserError(`--base-model ${spec}: no such file`);
    return { spec: `gguf:${file}`, gguf: file };
  }
  if (isRegisteredModelName(spec)) {
    const file = await resolveRegisteredGguf(spec, { log: (l) => process.stderr.write(`${l}\n`) });
    return { spec: `gguf:${file}`, gguf: file };
  }
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) return { spec: path.resolve(spec), folder: path.resolve(spec) };
  return { spec };
}

/** A tokenizer folder, and where it still has to be moved once the data has been validated. */
interface TokenizerChoice {
  /** The folder to tokenize with now. */
  dir: string;
  /** Set when `dir` is a temporary folder that becomes `final` (DIR/base-tokenizer) through `commitTokenizer`. */
  pending?: { final: string };
}

/**
 * The tokenizer folder parrot tokenizes with: `--tokenizer`, else the base model folder, else the base model's
 * tokenizer saved by the training Python (GGUF or Hugging Face id). That one is read into a temporary folder and
 * only becomes DIR/base-tokenizer through `commitTokenizer`, after the data has been validated, so bad data leaves
 * nothing in DIR (an existing DIR/base-tokenizer is reused as is). Warns when `--tokenizer` differs from the base
 * model folder's own tokenizer.json.
 * @throws UserError when none can be had (no Python environment and no folder), or the Python cannot read it.
 */
function resolveTokenizer(o: { tokenizer?: string; base: Awaited<ReturnType<typeof resolveBaseModel>>; out: string; python?: string; engine: Engine }): TokenizerChoice {
  const own = o.base.folder && fs.existsSync(path.join(o.base.folder, "tokenizer.json")) ? o.base.folder : undefined;
  if (o.tokenizer) {
    const dir = path.resolve(o.tokenizer);
    if (own && fs.existsSync(path.join(dir, "tokenizer.json")) && tokenizerDigest(dir) !== tokenizerDigest(own)) {
      process.stderr.write(`warning: --tokenizer ${o.tokenizer} differs from the base model's own tokenizer.json (${own}); the data will not match the model\n`);
    }
    return { dir };
  }
  if (own) return { dir: own };
  const py = o.python;
  if (!py) {
    throw new UserError(`the base model's tokenizer is needed to tokenize the data: give --tokenizer DIR, or ${setupHint("trl")} so parrot can read it from ${o.base.spec}`);
  }
  const final = path.join(o.out, "base-tokenizer");
  if (fs.existsSync(path.join(final, "tokenizer.json"))) return { dir: final };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-base-tokenizer-"));
  process.stderr.write(`reading the tokenizer of ${o.base.spec}\n`);
  const r = spawnSync(py, [TRAIN_SCRIPT, "tokenizer", "--base-model", o.base.spec, "--out", tmp], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new UserError(`cannot read the tokenizer of ${o.base.spec}: ${(r.stderr ?? "").trim().split("\n").slice(-1)[0]}`);
  }
  return { dir: tmp, pending: { final } };
}

/** Moves a temporary tokenizer folder to its place in DIR (after validation); returns the folder to record. */
function commitTokenizer(t: TokenizerChoice): string {
  if (!t.pending) return t.dir;
  const { final } = t.pending;
  fs.mkdirSync(path.dirname(final), { recursive: true });
  fs.rmSync(final, { recursive: true, force: true });
  try {
    fs.renameSync(t.dir, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    fs.cpSync(t.dir, final, { recursive: true });
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
  fs.chmodSync(final, 0o755); // mkdtemp made it 0700
  return final;
}

/** Removes a temporary tokenizer folder that was not committed (bad data). */
function dropTokenizer(t: TokenizerChoice | undefined): void {
  if (t?.pending) fs.rmSync(t.dir, { recursive: true, force: true });
}

function parsePositiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new UserError(`${flag}: expected a positive number, got "${v}"`);
  return x;
}

/**
 * Is the engine installed? Its CLI on PATH (`trl`, `axolotl`; launching also needs `accelerate` for several
 * devices), else `python3 -c "import <module>"`.
 */
export function engineInstalled(engine: Engine, env: NodeJS.ProcessEnv = process.env): { ok: boolean; how: string } {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, engine);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return { ok: true, how: p };
    } catch {
      /* not here */
    }
  }
  const py = spawnSync("python3", ["-c", `import ${engine}`], { env, stdio: "ignore", timeout: 120_000 });
  if (py.status === 0) return { ok: true, how: `python3 -c "import ${engine}"` };
  return { ok: false, how: py.error ? "python3 not found" : `python3 cannot import ${engine}` };
}

interface ReadmeInput {
  baseModel: string;
  data: string;
  configFile: string;
  records: number;
  h: ReturnType<typeof hyperparameters>;
  tokenized: boolean;
  devices: number;
  tokenizer?: { dir: string; sha256: string };
  lora: boolean;
}

function readme(kind: TrainKind, engine: Engine, o: ReadmeInput): string {
  const what = { ask: "Parrot-Ask (loss on user queries, Eq. 3)", chat: "Parrot-Chat (loss on assistant responses, Eq. 2)", capo: "CaPO (DPO on context-aware preference pairs, section 3.3)" }[kind];
  const mask =
    kind === "capo"
      ? `DPO scores the chosen/rejected responses only (TRL splits prompt/chosen/rejected itself; leading assistant messages of a prompt are dropped).`
      : o.tokenized
        ? `pre-tokenized by parrot (\`labels\` = -100 outside the trained spans; TRL keeps given labels), exactly as \`parrot export --format tokens\` checks it${kind === "ask" ? ": the B.1 text \`collect --simulator parrot-ask\` sends, loss on each \` q_i [ASSISTANT]\`" : ": each response plus its end-of-turn token"}.`
        : kind === "ask"
          ? "axolotl `type: input_output` segments (B.1 text, loss on each ` q_i [ASSISTANT]`, `train_on_inputs: false`)."
          : "per-message `train` flags (`message_field_training: train`, `train_on_eos: turn` with `eot_tokens` from the tokenizer).";
  return `# ${what}: ${engine}

Generated by \`parrot train ${kind}\` from \`${o.data}\` (${o.records} training records) for base model \`${o.baseModel}\`.
${kind === "capo" ? "\nThe base model of CaPO is the Parrot-Chat SFT checkpoint (`parrot train chat ... --out DIR`, then `--base-model DIR/checkpoint`); TRL copies it as the frozen reference model.\n" : ""}
Run it: \`bash run.sh\` (${engine === "trl" ? "PYTHON=<the venv's python> bash run.sh: `parrot_train.py` runs TRL's trainer" : `\`axolotl train ${o.configFile}\``};
several GPUs or nodes: \`accelerate launch\`, NUM_MACHINES, MACHINE_RANK and MAIN_PROCESS_IP; run.sh refuses a NUM_PROCESSES other than ${o.devices}, the device count the batch split was made for).

Hyperparameters (paper section 4.1.3${o.h.maxSteps !== undefined ? `; this is a toy run of ${o.h.maxSteps} optimizer steps` : ""}):

| | value |
|---|---|
| epochs | ${o.h.epochs} |
| optimizer | AdamW (adamw_torch) |
| learning rate | ${o.h.learningRate} |
| schedule | ${o.h.scheduler} |
| warm-up | 0.1 epoch = ${o.h.warmupSteps} optimizer steps (${o.h.stepsPerEpoch} steps per epoch) |
| max length | ${o.h.maxLength} tokens |
| batch | ${o.h.perDevice} per device x ${o.h.accumulation} accumulation x ${o.devices} device(s) = 32 |
${kind === "capo" ? `| DPO beta | ${o.h.beta} (the paper gives none; TRL's and axolotl's default, pinned) |\n` : ""}${o.lora ? `| LoRA | r ${LORA.r}, alpha ${LORA.alpha}, dropout ${LORA.dropout}, all linear layers (merged into checkpoint/) |\n` : ""}${kind === "capo" ? "\nThe paper gives no number of DPO epochs (3, as for SFT, is assumed).\n" : ""}
Loss mask: ${mask}
${o.tokenizer ? `\nTokenizer: \`${o.tokenizer.dir}\`, tokenizer.json sha256 \`${o.tokenizer.sha256}\`.\n` : ""}
Check it before training: \`parrot export preview ${KIND_TO_EXPORT[kind]} ${o.data} --tokenizer <model folder>\`.
`;
}

/** Spawn a command with inherited stdio; resolves with its exit code. */
function runInherited(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env });
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
}

export function register(program: Command): void {
  const train = program.command("train").description("train Parrot-Ask / Parrot-Chat / CaPO (TRL; configs for axolotl) with the paper's hyperparameters");
  train
    .command("setup")
    .description("make the Python environment for an engine (a venv with python/requirements-<engine>.txt) and the llama.cpp converter; idempotent")
    .option("--engine <engine>", "trl", "trl")
    .option("--dir <dir>", "venv folder (default: the user cache, where `parrot train` finds it)")
    .action(async (o: { engine: string; dir?: string }) => {
      if (o.engine !== "trl") {
        throw new UserError(`--engine: only trl has a managed environment (axolotl does not install for the CPU here: it pulls CUDA-only packages); got "${o.engine}"`);
      }
      const log = (l: string) => process.stderr.write(`${l}\n`);
      const r = await setupTrainEnv("trl", { dir: o.dir, log });
      log(`${r.created ? "created" : "verified"} ${r.dir} in ${r.seconds.toFixed(0)} s: ${r.torch}`);
      log(`llama.cpp converter: ${r.llamaCpp}/convert_hf_to_gguf.py`);
      process.stdout.write(`${r.python}\n`);
    });
  for (const kind of ["ask", "chat", "capo"] as TrainKind[]) {
    train
      .command(kind)
      .description(
        { ask: "Parrot-Ask: SFT on user queries (Eq. 3)", chat: "Parrot-Chat: SFT on assistant responses (Eq. 2)", capo: "CaPO: DPO on preference pairs from `parrot capo`" }[kind],
      )
      .requiredOption("--data <file>", kind === "capo" ? "preference pairs JSONL" : "sessions (ShareGPT, OpenAI messages, OpenAssistant or parrot records)")
      .requiredOption("--engine <engine>", "trl or axolotl")
      .requiredOption(
        "--base-model <model>",
        kind === "capo"
          ? "the Parrot-Chat SFT checkpoint (DIR/checkpoint of `train chat`), a Hugging Face id or folder, a registered model or gguf:PATH"
          : "Hugging Face id or folder, a registered parrot model (default, smollm2-135m) or gguf:PATH",
      )
      .requiredOption("--out <dir>", "folder for dataset, config, run.sh, README.md (and metrics.jsonl, checkpoint/, model.gguf)")
      .option("--launch", "train now (trl: in the environment of `parrot train setup`)")
      .option("--python <path>", "the Python to train with (default: the venv of `parrot train setup`)")
      .option("--gpus <n>", "GPUs per node (default 1)")
      .option("--nodes <n>", "nodes (default 1)")
      .option("--tokenizer <dir>", "tokenizer folder to tokenize the data with (default: the base model's own)")
      .option("--max-turns <n>", "keep the first N user turns (Table 5)")
      .option("--strategies <list>", "capo: negative types to keep (Table 6)")
      .option("--max-steps <n>", "stop after N optimizer steps (toy runs)")
      .option("--max-samples <n>", "train on the first N records only")
      .option("--max-length <n>", "longest record in tokens (default 4096, section 4.1.3); longer SFT records are dropped")
      .option("--lora", `train a LoRA adapter (PEFT, r ${LORA.r}) and merge it into the checkpoint`)
      .option("--lr <x>", "learning rate (default 3e-5 SFT, 1e-5 DPO)")
      .option("--epochs <n>", "epochs (default 3)")
      .option("--beta <x>", `capo: DPO beta (default ${0.1})`)
      .option("--no-gguf", "trl: skip the conversion to DIR/model.gguf")
      .action(async (o: Record<string, string | boolean | undefined>) => {
        const engine = o.engine as string;
        if (engine !== "trl" && engine !== "axolotl") throw new UserError(`--engine: expected trl or axolotl, got "${engine}"`);
        const gpus = parsePositiveInt(o.gpus as string | undefined, "--gpus") ?? 1;
        const nodes = parsePositiveInt(o.nodes as string | undefined, "--nodes") ?? 1;
        const batch = batchPlan(gpus * nodes);
        const overrides = {
          maxSteps: parsePositiveInt(o.maxSteps as string | undefined, "--max-steps"),
          lr: parsePositiveNumber(o.lr as string | undefined, "--lr"),
          epochs: parsePositiveInt(o.epochs as string | undefined, "--epochs"),
          beta: parsePositiveNumber(o.beta as string | undefined, "--beta"),
          maxLength: parsePositiveInt(o.maxLength as string | undefined, "--max-length"),
        };
        const maxSamples = parsePositiveInt(o.maxSamples as string | undefined, "--max-samples");
        if (overrides.beta !== undefined && kind !== "capo") throw new UserError("--beta is the DPO beta of `train capo`");
        if (o.tokenizer && kind === "capo") throw new UserError("--tokenizer pre-tokenizes SFT data; DPO engines tokenize pairs themselves");
        if (o.lora && engine !== "trl") throw new UserError("--lora is applied by parrot_train.py (trl); for axolotl set `adapter: lora` in its config");
        const exportKind = KIND_TO_EXPORT[kind];
        const out = path.resolve(o.out as string);
        const base = await resolveBaseModel(o.baseModel as string);
        const python = engine === "trl" ? findTrainPython("trl", { python: o.python as string | undefined }) : undefined;
        // TRL SFT is always pre-tokenized; axolotl needs the tokenizer for Parrot-Ask's BOS and chat's eot_tokens.
        const needsTokenizer = kind !== "capo" || (engine === "trl" && Boolean(o.launch));
        const tok = needsTokenizer ? resolveTokenizer({ tokenizer: o.tokenizer as string | undefined, base, out, python, engine }) : undefined;
        const tokenized = engine === "trl" && kind !== "capo";
        const format: ExportFormat = tokenized ? "tokens" : engine;
        const data = o.data as string;
        let res: ReturnType<typeof buildExport>;
        try {
          res = buildExport(exportKind, data, {
            format,
            tokenizer: kind === "capo" ? undefined : tok?.dir,
            maxTurns: parsePositiveInt(o.maxTurns as string | undefined, "--max-turns"),
            strategies: parseStrategies(o.strategies as string | undefined),
            maxLength: overrides.maxLength,
          });
        } catch (err) {
          dropTokenizer(tok);
          throw err;
        }
        // The data is valid: from here on DIR is written.
        const tokDir = tok ? commitTokenizer(tok) : undefined;
        let records = res.records;
        if (maxSamples !== undefined) records = records.slice(0, maxSamples);
        if (tokenized) records = records.map((r) => ({ input_ids: r.input_ids, labels: r.labels }));
        const tokInfo = tokDir ? { dir: tokDir, sha256: tokenizerDigest(tokDir) } : undefined;
        const eotToken = engine === "axolotl" && kind === "chat" && tokDir ? endOfTurnToken(loadTokenizer(tokDir)) : undefined;
        const dataFile = path.join(out, "train.jsonl");
        const configFile = engine === "trl" ? "config.yaml" : "axolotl.yaml";
        const input = { kind, engine, baseModel: base.spec, dataFile, outputDir: path.join(out, "model"), records: records.length, batch, tokenized, overrides, eotToken } as const;
        const cfg = engine === "trl" ? trlConfig(input) : axolotlConfig(input);
        const header = `# parrot train ${kind} --engine ${engine}: paper section 4.1.3 hyperparameters\n`;
        writeFileAtomic(dataFile, toJsonl(records));
        // YAML 1.1 quoting: PyYAML (TRL, axolotl) reads a bare `no` as false.
        writeFileAtomic(path.join(out, configFile), header + stringify(cfg, { version: "1.1" }));
        writeFileAtomic(path.join(out, "run.sh"), runScript(engine, kind, configFile, batch));
        fs.chmodSync(path.join(out, "run.sh"), 0o755);
        const h = hyperparameters(input);
        writeFileAtomic(
          path.join(out, "README.md"),
          readme(kind, engine, { baseModel: base.spec, data, configFile, records: records.length, h, tokenized, devices: batch.devices, tokenizer: tokInfo, lora: Boolean(o.lora) }),
        );
        const written = ["train.jsonl", configFile, "run.sh", "README.md"];
        let llamaCpp: string | undefined;
        if (engine === "trl") {
          if (o.launch && o.gguf !== false) llamaCpp = await ensureLlamaCpp({ log: (l) => process.stderr.write(`${l}\n`) });
          const parrotJson = {
            kind,
            base_model: base.spec,
            tokenizer_dir: tokDir ?? (base.folder ?? base.spec),
            out_dir: out,
            metrics: path.join(out, "metrics.jsonl"),
            checkpoint: path.join(out, "checkpoint"),
            gguf: o.gguf === false ? null : path.join(out, "model.gguf"),
            gguf_type: "f16",
            llama_cpp_dir: llamaCpp ?? null,
            lora: o.lora ? LORA : null,
            max_samples: maxSamples ?? null,
          };
          writeFileAtomic(path.join(out, "parrot.json"), JSON.stringify(parrotJson, null, 2) + "\n");
          fs.copyFileSync(TRAIN_SCRIPT, path.join(out, "parrot_train.py"));
          written.push("parrot.json", "parrot_train.py");
        }
        for (const line of res.summary) process.stderr.write(`${line}\n`);
        if (maxSamples !== undefined) process.stderr.write(`--max-samples: ${records.length} of ${res.records.length} records kept\n`);
        process.stderr.write(`wrote ${out}/{${written.join(", ")}}\n`);
        if (!o.launch) {
          process.stderr.write(`run it with: ${engine === "trl" ? `PYTHON=${python ?? "<python>"} ` : ""}bash ${path.join(out, "run.sh")}\n`);
          return;
        }
        if (engine === "trl") {
          if (!python) throw new UserError(`--launch: no Python environment for trl; ${setupHint("trl")}; then: PYTHON=${trainEnvDir("trl")}/bin/python bash ${path.join(out, "run.sh")}`);
          process.stderr.write(`launching trl (${python}): bash ${path.join(out, "run.sh")}\n`);
          const code = await runInherited("bash", [path.join(out, "run.sh")], { ...process.env, PYTHON: python });
          if (code !== 0) throw new UserError(`training exited with code ${code}`, { exitCode: code });
          process.stderr.write(`done: ${out}/metrics.jsonl, ${out}/checkpoint/${o.gguf === false ? "" : `, ${out}/model.gguf (use it with --asker gguf:${out}/model.gguf)`}\n`);
          return;
        }
        const found = engineInstalled(engine);
        if (!found.ok) {
          throw new UserError(
            `--launch: ${engine} is not installed (no \`${engine}\` on PATH; ${found.how}). ` +
              `Install it (pip install axolotl; it needs a CUDA GPU) and run: bash ${path.join(out, "run.sh")}`,
          );
        }
        process.stderr.write(`launching ${engine} (${found.how}): bash ${path.join(out, "run.sh")}\n`);
        const code = await runInherited("bash", [path.join(out, "run.sh")], process.env);
        if (code !== 0) throw new UserError(`${engine} exited with code ${code}`, { exitCode: code });
      });
  }
}
