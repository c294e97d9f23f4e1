/**
 * The Python environment `parrot train --engine trl` runs in, and the llama.cpp source its GGUF conversion uses.
 *
 * - `parrot train setup --engine trl` makes a venv at `trainEnvDir()` (`$PARROT_CACHE_DIR/train/trl-venv`, else
 *   `$XDG_CACHE_HOME/parrot/train/trl-venv`, else `~/.cache/parrot/train/trl-venv`; `--dir` overrides) with the
 *   versions pinned in `python/requirements-trl.txt`: torch first, on its own (`pip install torch==X`, so pip's own
 *   configuration picks the build: a local CPU wheel through find-links, or a CPU index named in PIP_INDEX_URL /
 *   PIP_EXTRA_INDEX_URL), then everything else with torch held at that version by a constraint, so no other package
 *   can swap it for another (CUDA) build. A marker file records the requirements' sha256; setup is idempotent.
 * - llama.cpp: node-llama-cpp ships the source of the llama.cpp it runs as a git bundle
 *   (`node_modules/node-llama-cpp/llama/gitRelease.bundle`, release tag in `llama.cpp.info.json`). It is cloned once
 *   into `<cache>/train/llama.cpp-<tag>` (clone to a temporary folder, then rename), and its `convert_hf_to_gguf.py`
 *   (with the `gguf-py` beside it) turns checkpoints into GGUF files that node-llama-cpp loads.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { UserError } from "../io/errors.js";
import { modelCacheDir } from "../models/pull.js";
import type { Engine } from "./config.js";

/** Root of the repository / installed package (holds `python/`). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REQUIREMENTS_TRL = path.join(PACKAGE_ROOT, "python", "requirements-trl.txt");
export const TRAIN_SCRIPT = path.join(PACKAGE_ROOT, "python", "parrot_train.py");
const MARKER = "parrot-setup.json";

/** `<cache>/train`, the parent of the venv and the llama.cpp clone. */
export function trainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // The same cache root as the models (src/models/pull.ts modelCacheDir): PARROT_CACHE, PARROT_CACHE_DIR, XDG.
  return path.join(path.dirname(modelCacheDir(env)), "train");
}

/** Default venv folder of an engine. */
export function trainEnvDir(engine: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(trainCacheDir(env), `${engine}-venv`);
}

function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The pinned torch requirement line (`torch==X`) of a requirements file. */
export function torchRequirement(requirementsFile: string): string {
  const line = fs
    .readFileSync(requirementsFile, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /^torch==/.test(l));
  if (!line) throw new UserError(`${requirementsFile}: no pinned torch==VERSION line`);
  return line;
}

/**
 * The Python to train with: `--python PATH` if given (must exist), else the venv of `parrot train setup` when its
 * marker matches the current requirements file.
 * @returns the interpreter path, or undefined when there is none.
 * @throws UserError when an explicit `--python` does not exist.
 */
export function findTrainPython(engine: string, opts: { python?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  if (opts.python) {
    if (!fs.existsSync(opts.python)) throw new UserError(`--python ${opts.python}: no such file`);
    return path.resolve(opts.python);
  }
  const dir = trainEnvDir(engine, opts.env);
  const py = path.join(dir, "bin", "python");
  const marker = path.join(dir, MARKER);
  if (!fs.existsSync(py) || !fs.existsSync(marker)) return undefined;
  try {
    const m = JSON.parse(fs.readFileSync(marker, "utf8")) as { requirements_sha256?: string };
    if (m.requirements_sha256 !== sha256File(REQUIREMENTS_TRL)) return undefined;
  } catch {
    return undefined;
  }
  return py;
}

/** How to make the environment, for error messages. */
export function setupHint(engine: string): string {
  return `run \`parrot train setup --engine ${engine}\` (a venv with python/requirements-${engine}.txt) or pass --python PATH`;
}

function run(cmd: string, args: string[], log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  log(`$ ${[cmd, ...args].join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let tail = "";
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => reject(new UserError(`${cmd}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new UserError(`${path.basename(cmd)} ${args.slice(0, 3).join(" ")} exited with ${code}: ${tail.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

export interface SetupResult {
  python: string;
  dir: string;
  created: boolean;
  torch: string;
  llamaCpp: string;
  seconds: number;
}

/**
 * `parrot train setup --engine trl`: make (or verify) the venv and the llama.cpp clone.
 * @throws UserError when python3 is missing or an install fails (pip's last lines quoted).
 */
export async function setupTrainEnv(
  engine: "trl",
  opts: { dir?: string; python3?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<SetupResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const dir = path.resolve(opts.dir ?? trainEnvDir(engine, env));
  const py = path.join(dir, "bin", "python");
  const req = REQUIREMENTS_TRL;
  const reqSha = sha256File(req);
  const marker = path.join(dir, MARKER);
  let created = false;
  let current = false;
  if (fs.existsSync(marker) && fs.existsSync(py)) {
    try {
      current = (JSON.parse(fs.readFileSync(marker, "utf8")) as { requirements_sha256?: string }).requirements_sha256 === reqSha;
    } catch {
      current = false;
    }
  }
  if (!current) {
    const base = opts.python3 ?? "python3";
    const probe = spawnSync(base, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8", env });
    if (probe.status !== 0) throw new UserError(`${base} not found or not working; install Python >= 3.10 with venv`);
    if (!fs.existsSync(py)) {
      await run(base, ["-m", "venv", dir], log, env);
      created = true;
    }
    const pipEnv = { ...env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" };
    const torch = torchRequirement(req);
    await run(py, ["-m", "pip", "install", "--no-input", torch], log, pipEnv);
    // Hold torch at the installed build while the rest resolves (a constraint beside pip's own ones).
    const hold = path.join(dir, "parrot-torch-constraint.txt");
    fs.writeFileSync(hold, `${torch}\n`);
    await run(py, ["-m", "pip", "install", "--no-input", "-r", req, "-c", hold], log, pipEnv);
    fs.writeFileSync(marker, JSON.stringify({ engine, requirements: req, requirements_sha256: reqSha, at: new Date().toISOString() }, null, 2) + "\n");
  }
  const info = spawnSync(py, ["-c", "import torch, trl, transformers; print(torch.__version__, torch.version.cuda or 'cpu', trl.__version__, transformers.__version__)"], {
    encoding: "utf8",
    env,
  });
  if (info.status !== 0) throw new UserError(`${py}: cannot import torch/trl/transformers (${(info.stderr || "").trim().split("\n").pop()}); delete ${dir} and rerun setup`);
  const [tv, cuda, trlv, tfv] = info.stdout.trim().split(" ");
  const llamaCpp = await ensureLlamaCpp({ env, log });
  return { python: py, dir, created, torch: `torch ${tv} (${cuda === "cpu" ? "CPU build" : `CUDA ${cuda}`}), trl ${trlv}, transformers ${tfv}`, llamaCpp, seconds: (Date.now() - t0) / 1000 };
}

/** node-llama-cpp's shipped llama.cpp source: the git bundle and its release tag. */
export function llamaCppBundle(): { bundle: string; tag: string } {
  // package.json is not in node-llama-cpp's "exports": resolve its entry and walk up to the package folder.
  let pkg = path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!fs.existsSync(path.join(pkg, "package.json")) && path.dirname(pkg) !== pkg) pkg = path.dirname(pkg);
  const bundle = path.join(pkg, "llama", "gitRelease.bundle");
  const infoFile = path.join(pkg, "llama", "llama.cpp.info.json");
  if (!fs.existsSync(bundle)) throw new UserError(`${bundle}: missing (node-llama-cpp ships llama.cpp's source there; reinstall it)`);
  let tag = "unknown";
  try {
    tag = (JSON.parse(fs.readFileSync(infoFile, "utf8")) as { tag?: string }).tag ?? tag;
  } catch {
    /* keep unknown */
  }
  return { bundle, tag };
}

/**
 * Clone (once) the llama.cpp source that node-llama-cpp runs; returns the folder holding convert_hf_to_gguf.py.
 * @throws UserError when git is missing or the clone fails.
 */
export async function ensureLlamaCpp(opts: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const { bundle, tag } = llamaCppBundle();
  const dest = path.join(trainCacheDir(env), `llama.cpp-${tag.replace(/[^\w.-]/g, "_")}`);
  if (fs.existsSync(path.join(dest, "convert_hf_to_gguf.py"))) return dest;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await run("git", ["clone", "--quiet", bundle, tmp], opts.log ?? (() => {}), env);
  if (!fs.existsSync(path.join(tmp, "convert_hf_to_gguf.py"))) throw new UserError(`${bundle}: the clone has no convert_hf_to_gguf.py`);
  try {
    fs.renameSync(tmp, dest);
  } catch (err) {
    if (!fs.existsSync(path.join(dest, "convert_hf_to_gguf.py"))) throw err;
    fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
  }
  return dest;
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
