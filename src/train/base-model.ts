/**
 * The base model of `parrot train` as the engines take it, and the tokenizer folder its data is tokenized with.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { UserError } from "../io/errors.js";
import { tokenizerDigest } from "../export/tokenizer.js";
import { isRegisteredModelName, resolveRegisteredGguf } from "../models/registry.js";
import type { Engine } from "./config.js";
import { setupHint, TRAIN_SCRIPT } from "./env.js";

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
export interface TokenizerChoice {
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
export function resolveTokenizer(o: { tokenizer?: string; base: Awaited<ReturnType<typeof resolveBaseModel>>; out: string; python?: string; engine: Engine }): TokenizerChoice {
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
export function commitTokenizer(t: TokenizerChoice): string {
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
export function dropTokenizer(t: TokenizerChoice | undefined): void {
  if (t?.pending) fs.rmSync(t.dir, { recursive: true, force: true });
}
