#!/usr/bin/env node
/**
 * parrot's command line: a thin shell over the stages. Each stage folder exports `register(program)` from its
 * `command.ts`; this file only wires them together and turns UserErrors into one clean line and an exit code.
 */
import { Command, CommanderError } from "commander";
import { UserError } from "./io/errors.js";
import { fileSystemError } from "./io/paths.js";
import { redactSecrets } from "./llm/redact.js";
import { releaseAllLocks } from "./run/lock.js";
import { register as registerCollect } from "./collect/command.js";
import { register as registerStats } from "./stats/command.js";
import { register as registerModels } from "./models/command.js";
import { register as registerContext } from "./context/command.js";
import { register as registerCapo } from "./capo/command.js";
import { register as registerExport } from "./export/command.js";
import { register as registerTrain } from "./train/command.js";
import { register as registerBench } from "./bench/command.js";
import { register as registerReport } from "./report/command.js";
import { register as registerMerge } from "./merge/command.js";
import { register as registerSimulator } from "./simulator/command.js";

export function buildProgram(): Command {
  const program = new Command("parrot")
    .description(
      "Parrot (Sun et al., 2024): simulate users to collect multi-turn data, build CaPO preference pairs, " +
        "export training data for TRL/axolotl/LLaMA-Factory/OpenAI, and run MT-Bench / MT-Bench++.",
    )
    .addHelpText(
      "after",
      [
        "",
        "Models are named by one spec string:",
        "  URL#MODEL     an OpenAI-compatible endpoint, base URL ending in /v1 (vLLM, SGLang, llama.cpp, Ollama)",
        "  openai:MODEL  the official OpenAI endpoint",
        "  gguf:PATH     a local GGUF file run in-process (node-llama-cpp, CPU)",
        "  default       a small instruct GGUF downloaded on first use",
        "HTTP keys come from PARROT_API_KEY, else OPENAI_API_KEY.",
      ].join("\n"),
    )
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerCollect(program);
  registerStats(program);
  registerContext(program);
  registerCapo(program);
  registerExport(program);
  registerTrain(program);
  registerBench(program);
  registerReport(program);
  registerMerge(program);
  registerSimulator(program);
  registerModels(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help/version or the usage error.
      return err.exitCode;
    }
    const sys = err as NodeJS.ErrnoException;
    if (!(err instanceof UserError) && typeof sys?.code === "string" && typeof sys.syscall === "string") {
      // A file-system error no command turned into a message (issue 12 item 13): one line, exit 1, no stack.
      const e = fileSystemError(err, sys.path ?? "parrot", `cannot ${sys.syscall}`);
      process.stderr.write(`parrot: error: ${redactSecrets(e.message)}\n`);
      return 1;
    }
    if (err instanceof UserError) {
      process.stderr.write(`parrot: error: ${redactSecrets(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`parrot: internal error: ${redactSecrets(String((err as Error)?.stack ?? err))}\n`);
    return 70;
  } finally {
    // Output locks (src/run/lock.ts) end with the command, also when it failed before closing its output.
    releaseAllLocks();
  }
}

/** Exit codes of a run stopped by a signal: 128 + the signal number, as shells report them. */
export const SIGNAL_EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Ctrl-C (SIGINT) and SIGTERM: say what happened to the output and exit 130 / 143. Every finished row was written by
 * one synchronous write when it finished (src/io/jsonl.ts), so nothing finished is lost; the exit handlers release
 * the output's lock. A command with its own handler (`parrot models serve` stops its server first) takes precedence.
 */
export function installInterruptHandlers(): void {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      if (process.listenerCount(sig) > 1) return;
      process.stderr.write(
        `\nparrot: interrupted (${sig}): every finished row is kept in the output; rerun the same command to resume\n`,
      );
      process.exit(SIGNAL_EXIT[sig]);
    };
    process.on(sig, handler);
  }
}

const invokedDirectly = process.argv[1] && /(?:^|[\\/])(?:cli\.js|parrot)$/.test(process.argv[1]);
if (invokedDirectly) {
  installInterruptHandlers();
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
