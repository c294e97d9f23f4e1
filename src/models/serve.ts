/**
 * llama.cpp's OpenAI-compatible server (`llama-server`) for a registered model or a GGUF file, on 127.0.0.1.
 *
 * The binary is llama.cpp at exactly the version node-llama-cpp runs: built once from the source node-llama-cpp
 * ships (`node_modules/node-llama-cpp/llama/gitRelease.bundle`, tag in `llama.cpp.info.json`) by
 * `scripts/build-llama-server.sh` (CPU only, no network, one static binary; about 6 minutes of 2 cores), and cached
 * under `<cache>/llama-server/<node-llama-cpp version>-<tag>/`. `PARROT_LLAMA_SERVER=PATH` names another binary.
 * (No PyPI wheel ships a llama-server executable for this version; bench/README.md, "Models", says what was checked.)
 *
 * Slots: `--parallel N` slots of `--context C` tokens each (`-np N -c N*C --no-kv-unified`), so a request over C
 * tokens gets llama-server's 400 `exceed_context_size_error`, which the HTTP engine reports as `context-length`,
 * exactly as the local engine does for a sequence of C tokens.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../io/errors.js";
import { modelCacheDir } from "./pull.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository (or installed package) root: dist/models -> .. -> .. */
const PACKAGE_ROOT = path.resolve(HERE, "../..");
export const BUILD_SCRIPT = path.join(PACKAGE_ROOT, "scripts/build-llama-server.sh");

/** Where node-llama-cpp keeps llama.cpp's source, and which version that is. */
export function llamaCppSource(): { bundle: string; tag: string; nodeLlamaCpp: string } {
  const req = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    // The package's exports map hides package.json: walk up from its entry point.
    pkgDir = path.dirname(req.resolve("node-llama-cpp"));
    while (!fs.existsSync(path.join(pkgDir, "llama/llama.cpp.info.json")) && path.dirname(pkgDir) !== pkgDir) pkgDir = path.dirname(pkgDir);
  } catch {
    throw new UserError("node-llama-cpp is not installed (npm install): its llama.cpp source is what llama-server is built from");
  }
  const info = JSON.parse(fs.readFileSync(path.join(pkgDir, "llama/llama.cpp.info.json"), "utf8")) as { tag: string };
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string }).version;
  return { bundle: path.join(pkgDir, "llama/gitRelease.bundle"), tag: info.tag, nodeLlamaCpp: version };
}

/** The cache folder of the llama-server build for this node-llama-cpp: `<cache>/llama-server/<version>-<tag>`. */
export function llamaServerDir(env: NodeJS.ProcessEnv = process.env): string {
  const src = llamaCppSource();
  return path.join(path.dirname(modelCacheDir(env)), "llama-server", `${src.nodeLlamaCpp}-${src.tag}`);
}

/**
 * The llama-server binary: `$PARROT_LLAMA_SERVER`, else the cached build, else (when `build` is true) built now
 * from node-llama-cpp's llama.cpp source, its output going to `log`.
 * @throws UserError when there is none and building is off, or the build fails (with the tail of its output).
 */
export function findLlamaServer(opts: { env?: NodeJS.ProcessEnv; build?: boolean; log?: (line: string) => void; tty?: boolean } = {}): { file: string; source: "env" | "cache" | "built" } {
  const env = opts.env ?? process.env;
  if (env.PARROT_LLAMA_SERVER) {
    try {
      fs.accessSync(env.PARROT_LLAMA_SERVER, fs.constants.X_OK);
    } catch {
      throw new UserError(`PARROT_LLAMA_SERVER=${env.PARROT_LLAMA_SERVER}: not an executable file`);
    }
    return { file: env.PARROT_LLAMA_SERVER, source: "env" };
  }
  const dir = llamaServerDir(env);
  const file = path.join(dir, "llama-server");
  if (fs.existsSync(file)) return { file, source: "cache" };
  if (!opts.build) {
    throw new UserError(`llama-server is not built yet (${file}); run \`parrot models serve --build-only\` once (about 6 minutes on 2 cores), or set PARROT_LLAMA_SERVER`);
  }
  const src = llamaCppSource();
  opts.log?.(`building llama-server from llama.cpp ${src.tag} (node-llama-cpp ${src.nodeLlamaCpp}'s source) into ${dir}; once only, several minutes`);
  const t0 = Date.now();
  const r = spawnSync("bash", [BUILD_SCRIPT, src.bundle, dir, path.join(dir, ".build")], {
    env: { ...env, GGML_NATIVE: env.GGML_NATIVE ?? "ON" },
    stdio: ["ignore", opts.tty ? "inherit" : "pipe", opts.tty ? "inherit" : "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0 || !fs.existsSync(file)) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n").filter(Boolean).slice(-8).join(" | ");
    throw new UserError(`building llama-server failed (${r.error ? r.error.message : `exit ${r.status}`}): ${tail}`);
  }
  // The object files are not needed once the binary is there (about 300 MB).
  fs.rmSync(path.join(dir, ".build"), { recursive: true, force: true });
  opts.log?.(`built llama-server in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { file, source: "built" };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, "127.0.0.1", resolve);
  });
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface ServeOptions {
  /** GGUF file to serve. */
  file: string;
  /** Model name the server reports and the spec carries (`--alias`). */
  name: string;
  /** Port; default a free one. */
  port?: number;
  /** Slots (parallel sequences). Default 4. */
  parallel?: number;
  /** Tokens of context per slot. Default 4096. */
  context?: number;
  /** CPU threads. Default: one less than the core count (at least 1). */
  threads?: number;
  /** The llama-server binary (findLlamaServer). */
  binary: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for /health, ms. Default 120 s. */
  readyTimeoutMs?: number;
  /** Server log lines (llama-server's own stdout/stderr). Default: kept, shown only on failure. */
  onLog?: (line: string) => void;
}

export interface RunningServer {
  /** Base URL ending in /v1. */
  url: string;
  /** The model spec to use: `http://127.0.0.1:PORT/v1#NAME`. */
  spec: string;
  port: number;
  child: ChildProcess;
  /** Resolves when the server process has exited (code or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stop the server (SIGTERM, then SIGKILL after 5 s) and wait for it. */
  close(): Promise<void>;
}

/**
 * Start llama-server for one GGUF and wait until `/health` answers 200.
 * @throws UserError when the process exits before it is ready or is not ready in time (with its last log lines).
 */
export async function startLlamaServer(o: ServeOptions): Promise<RunningServer> {
  const port = o.port ?? (await freePort());
  const parallel = o.parallel ?? 4;
  const context = o.context ?? 4096;
  // As the in-process engine (src/llm/gguf.ts defaultThreads): one core left free, or ggml's spinning threads stall.
  const threads = o.threads ?? Math.max(1, os.availableParallelism() - 1);
  const args = [
    "-m", o.file,
    "--host", "127.0.0.1",
    "--port", String(port),
    "--alias", o.name,
    "-np", String(parallel),
    "-c", String(parallel * context),
    "--no-kv-unified",
    "-t", String(threads),
    "--jinja",
    "--no-webui",
  ];
  const child = spawn(o.binary, args, { env: o.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  const tail: string[] = [];
  const onData = (b: Buffer) => {
    for (const line of b.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      o.onLog?.(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: null, signal: null }));
  });
  let spawnError: Error | undefined;
  child.on("error", (err) => (spawnError = err));
  // Never leave a server behind: if this process exits first (a second Ctrl-C), the server goes with it.
  const killOnExit = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));
  const url = `http://127.0.0.1:${port}/v1`;
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 120_000);
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline) {
    if (done || spawnError) {
      const why = spawnError ? spawnError.message : `exit ${child.exitCode ?? child.signalCode}`;
      throw new UserError(`llama-server stopped before it was ready (${why}): ${tail.slice(-6).join(" | ")}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { url, spec: `${url}#${o.name}`, port, child, exited, close };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await close();
  throw new UserError(`llama-server was not ready within ${Math.round((o.readyTimeoutMs ?? 120_000) / 1000)} s: ${tail.slice(-6).join(" | ")}`);
}
