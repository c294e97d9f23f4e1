/**
 * `parrot train setup` and `parrot train ask|chat|capo`: write the engine's dataset (through `parrot export`; TRL SFT
 * data pre-tokenized with the base model's tokenizer), its config with the paper's hyperparameters (config.ts),
 * run.sh, README.md (readme.ts), and for TRL parrot_train.py + parrot.json; `--launch` trains.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { stringify } from "yaml";
import { UserError } from "../io/errors.js";
import { writeFileAtomic, writeJsonlStreamed } from "../io/jsonl.js";
import { parseStrategies } from "../records/pair.js";
import { buildExport } from "../export/export.js";
import { engineRecords, type ExportFormat } from "../export/formats.js";
import { endOfTurnToken, loadTokenizer, tokenizerDigest } from "../export/tokenizer.js";
import { commitTokenizer, dropTokenizer, resolveBaseModel, resolveTokenizer } from "./base-model.js";
import { axolotlConfig, batchPlan, hyperparameters, KIND_TO_EXPORT, LORA, runScript, trlConfig, type TrainKind } from "./config.js";
import { engineInstalled, ensureLlamaCpp, findTrainPython, setupHint, setupTrainEnv, TRAIN_SCRIPT, trainEnvDir } from "./env.js";
import { trainReadme } from "./readme.js";

/** The options of `parrot train setup`. */
export interface SetupFlags {
  engine: string;
  dir?: string;
}

/** The options of `parrot train ask|chat|capo`, parsed. */
export interface TrainFlags {
  data: string;
  engine: string;
  baseModel: string;
  out: string;
  launch?: boolean;
  python?: string;
  gpus?: number;
  nodes?: number;
  tokenizer?: string;
  maxTurns?: number;
  strategies?: string;
  maxSteps?: number;
  maxSamples?: number;
  maxLength?: number;
  lora?: boolean;
  lr?: number;
  epochs?: number;
  beta?: number;
  /** false with --no-gguf. */
  gguf: boolean;
}

/** The folders of `dir` that do not exist yet, deepest first (removed again when the data turns out bad). */
function missingAncestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) break;
  }
  return out;
}

/** Spawn a command with inherited stdio; resolves with its exit code. */
function runInherited(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env });
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
}

/** Make (or verify) the Python environment of an engine; prints its python on stdout. */
export async function runSetup(o: SetupFlags): Promise<void> {
  if (o.engine !== "trl") {
    throw new UserError(`--engine: only trl has a managed environment (axolotl does not install for the CPU here: it pulls CUDA-only packages); got "${o.engine}"`);
  }
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const r = await setupTrainEnv("trl", { dir: o.dir, log });
  log(`${r.created ? "created" : "verified"} ${r.dir} in ${r.seconds.toFixed(0)} s: ${r.torch}`);
  log(`llama.cpp converter: ${r.llamaCpp}/convert_hf_to_gguf.py`);
  process.stdout.write(`${r.python}\n`);
}

/**
 * Write the training folder of `kind` (and with --launch, train). The data is validated before DIR is written.
 * @throws UserError on bad flags or data, a missing engine, or a training that exits non-zero (its exit code).
 */
export async function runTrain(kind: TrainKind, o: TrainFlags): Promise<void> {
  const engine = o.engine;
  if (engine !== "trl" && engine !== "axolotl") throw new UserError(`--engine: expected trl or axolotl, got "${engine}"`);
  const gpus = o.gpus ?? 1;
  const nodes = o.nodes ?? 1;
  const batch = batchPlan(gpus * nodes);
  const overrides = {
    maxSteps: o.maxSteps,
    lr: o.lr,
    epochs: o.epochs,
    beta: o.beta,
    maxLength: o.maxLength,
  };
  const maxSamples = o.maxSamples;
  if (overrides.beta !== undefined && kind !== "capo") throw new UserError("--beta is the DPO beta of `train capo`");
  if (o.tokenizer && kind === "capo") throw new UserError("--tokenizer pre-tokenizes SFT data; DPO engines tokenize pairs themselves");
  if (o.lora && engine !== "trl") throw new UserError("--lora is applied by parrot_train.py (trl); for axolotl set `adapter: lora` in its config");
  const exportKind = KIND_TO_EXPORT[kind];
  const out = path.resolve(o.out);
  const base = await resolveBaseModel(o.baseModel);
  const python = engine === "trl" ? findTrainPython("trl", { python: o.python }) : undefined;
  // TRL SFT is always pre-tokenized; axolotl needs the tokenizer for Parrot-Ask's BOS and chat's eot_tokens.
  const needsTokenizer = kind !== "capo" || (engine === "trl" && Boolean(o.launch));
  const tok = needsTokenizer ? resolveTokenizer({ tokenizer: o.tokenizer, base, out, python, engine }) : undefined;
  const tokenized = engine === "trl" && kind !== "capo";
  const format: ExportFormat = tokenized ? "tokens" : engine;
  const data = o.data;
  let res: ReturnType<typeof buildExport>;
  try {
    res = buildExport(exportKind, data, {
      format,
      tokenizer: kind === "capo" ? undefined : tok?.dir,
      maxTurns: o.maxTurns,
      strategies: parseStrategies(o.strategies),
      maxLength: overrides.maxLength,
    });
  } catch (err) {
    dropTokenizer(tok);
    throw err;
  }
  // The data is validated as train.jsonl is written (streamed to a temporary file in DIR, renamed at the end); on bad
  // data the temporary file, the folders made for it and a pending tokenizer go, so DIR is left as it was.
  const dataFile = path.join(out, "train.jsonl");
  const made = missingAncestors(out);
  let kept: number;
  try {
    kept = writeJsonlStreamed(dataFile, engineRecords(res.records, { tokenized, maxSamples }));
  } catch (err) {
    dropTokenizer(tok);
    for (const dir of made) {
      try {
        fs.rmdirSync(dir); // only if empty
      } catch {
        break;
      }
    }
    throw err;
  }
  const exported = res.result();
  // The data is valid: from here on the rest of DIR is written.
  const tokDir = tok ? commitTokenizer(tok) : undefined;
  const tokInfo = tokDir ? { dir: tokDir, sha256: tokenizerDigest(tokDir) } : undefined;
  const eotToken = engine === "axolotl" && kind === "chat" && tokDir ? endOfTurnToken(loadTokenizer(tokDir)) : undefined;
  const configFile = engine === "trl" ? "config.yaml" : "axolotl.yaml";
  const input = { kind, engine, baseModel: base.spec, dataFile, outputDir: path.join(out, "model"), records: kept, batch, tokenized, overrides, eotToken } as const;
  const cfg = engine === "trl" ? trlConfig(input) : axolotlConfig(input);
  const header = `# parrot train ${kind} --engine ${engine}: paper section 4.1.3 hyperparameters\n`;
  // YAML 1.1 quoting: PyYAML (TRL, axolotl) reads a bare `no` as false.
  writeFileAtomic(path.join(out, configFile), header + stringify(cfg, { version: "1.1" }));
  writeFileAtomic(path.join(out, "run.sh"), runScript(engine, kind, configFile, batch));
  fs.chmodSync(path.join(out, "run.sh"), 0o755);
  const h = hyperparameters(input);
  writeFileAtomic(
    path.join(out, "README.md"),
    trainReadme(kind, engine, { baseModel: base.spec, data, configFile, records: kept, h, tokenized, devices: batch.devices, tokenizer: tokInfo, lora: Boolean(o.lora) }),
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
  for (const line of exported.summary) process.stderr.write(`${line}\n`);
  if (maxSamples !== undefined) process.stderr.write(`--max-samples: ${kept} of ${exported.counts.records} records kept\n`);
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
}
