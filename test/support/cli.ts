/**
 * Run the built CLI (`dist/cli.js`) as a child process, the way users run it (`runCli`), or in this process through
 * the same `main` (`runCliInProcess`: no Node start-up per case, for the many-case bad-input and secrets tests).
 */
import { execFileSync, spawn } from "node:child_process";
import { Console } from "node:console";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED = path.resolve(REPO_ROOT, "../shared");
export const CLI = path.join(REPO_ROOT, "dist/cli.js");

/** Stderr must not hold a JS stack trace. */
export const STACK_RE = /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at .+:\d+:\d+/;

/** Build dist/ (`tsc -p .`) when dist/cli.js is missing, for a test file that runs the CLI (call in beforeAll). */
export function ensureBuilt(): void {
  if (!fs.existsSync(CLI)) execFileSync("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `node dist/cli.js ...args`; resolves when it exits. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, CI: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export interface InProcessOptions {
  /** Variables set (or, with `undefined`, removed) in process.env for the duration of the run; CI=1 as in runCli. */
  env?: Record<string, string | undefined>;
  /** Working directory for the run (process.chdir; vitest's default forks pool allows it). */
  cwd?: string;
  /** Text offered on process.stdin for the run. */
  input?: string;
}

let cliMain: ((argv: string[]) => Promise<number>) | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `parrot ...args` inside this process, through the same `main` as `dist/cli.js` (the built CLI: build first),
 * and return what a user would see: exit code, stdout and stderr, without a Node start-up per case (the first call
 * loads the CLI's modules once, about as long as one spawned run).
 *
 * For the duration of the run: process.stdout.write and process.stderr.write are captured (commander's help and
 * usage errors and Progress lines go through them; console.* through a plain Console on them) and their isTTY reads
 * false, as on a pipe; process.env gets `env` plus CI=1 (like runCli); cwd and stdin are swapped if asked;
 * process.exitCode is cleared. All of it is restored afterwards. These are process-wide, so runs are serialized:
 * concurrent calls queue, one after the other.
 *
 * Not for commands whose child processes inherit stdio (`train --launch`): their output bypasses the capture.
 * `signal` is always null; a command calling process.exit would fail the test in vitest rather than give a code.
 */
export function runCliInProcess(args: string[], opts: InProcessOptions = {}): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, opts));
  queue = run.catch(() => undefined);
  return run;
}

type CliModule = { main: (argv: string[]) => Promise<number> };

/**
 * Load dist/cli.js with Node's own loader (require of an ES module, Node >= 20.19): the very modules the binary runs,
 * in about half the time of vitest's module runner, which transforms every file. Falls back to import() where Node
 * refuses (an older Node, or top-level await somewhere in the graph).
 */
async function loadCli(): Promise<CliModule> {
  try {
    return createRequire(import.meta.url)(CLI) as CliModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw err;
    return (await import(/* @vite-ignore */ pathToFileURL(CLI).href)) as CliModule;
  }
}

async function runOnce(args: string[], opts: InProcessOptions): Promise<CliResult> {
  cliMain ??= (await loadCli()).main;
  const env: Record<string, string | undefined> = { CI: "1", ...opts.env };
  const savedEnv = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    savedEnv.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const savedCwd = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  const savedStdin = Object.getOwnPropertyDescriptor(process, "stdin");
  if (opts.input !== undefined) {
    const stdin = Readable.from([opts.input]);
    Object.defineProperty(process, "stdin", { configurable: true, enumerable: true, get: () => stdin });
  }
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  let stdout = "";
  let stderr = "";
  const capture = (stream: NodeJS.WriteStream, append: (s: string) => void) => {
    const ownWrite = Object.getOwnPropertyDescriptor(stream, "write");
    const isTTY = Object.getOwnPropertyDescriptor(stream, "isTTY");
    Object.defineProperty(stream, "isTTY", { configurable: true, writable: true, value: false });
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
    return () => {
      if (ownWrite) Object.defineProperty(stream, "write", ownWrite);
      else delete (stream as { write?: unknown }).write;
      if (isTTY) Object.defineProperty(stream, "isTTY", isTTY);
      else delete (stream as { isTTY?: boolean }).isTTY;
    };
  };
  const restoreOut = capture(process.stdout, (s) => (stdout += s));
  const restoreErr = capture(process.stderr, (s) => (stderr += s));
  // vitest swaps in its own console; a plain one writes through the captured streams, as in the real process.
  const savedConsole = globalThis.console;
  globalThis.console = new Console(process.stdout, process.stderr);
  try {
    const code = await cliMain(["node", CLI, ...args]);
    return { code, signal: null, stdout, stderr };
  } finally {
    globalThis.console = savedConsole;
    restoreOut();
    restoreErr();
    process.exitCode = savedExitCode;
    if (savedStdin) Object.defineProperty(process, "stdin", savedStdin);
    if (opts.cwd) process.chdir(savedCwd);
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
