/** Crash tests: kill the built CLI with SIGKILL at seeded moments (`rng`, `killAt`). */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { CLI } from "./cli.js";
import { mulberry32 } from "../../src/run/rng.js";

/** Seeded PRNG (mulberry32, src/run/rng.ts) for reproducible crash moments. */
export const rng = mulberry32;

/** Lines of `f` so far (0 when it does not exist yet). */
export const countLines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").length - 1 : 0);

/**
 * Run `node dist/cli.js ...args`, SIGKILL it once the output has `afterRows` lines plus `delayMs` (or at `delayMs`
 * if afterRows is 0), and wait for it to be gone. `killed` is false when it had exited by itself first.
 */
export async function killAt(args: string[], out: string, afterRows: number, delayMs: number): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: "ignore", env: { ...process.env, CI: "1" } });
  let exited = false;
  const closed = new Promise<void>((r) => child.on("close", () => ((exited = true), r())));
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (exited || countLines(out) >= afterRows) {
        clearInterval(t);
        resolve();
      }
    }, 2);
  });
  await new Promise((r) => setTimeout(r, delayMs));
  const killed = !exited;
  if (killed) child.kill("SIGKILL");
  await closed;
  return { killed };
}
