/**
 * CLI: `parrot export sft-ask|sft-chat|dpo FILE --format F --out FILE [--tokenizer DIR] [--max-turns N]
 * [--strategies ...] [--max-length N] [--truncate]` and `parrot export preview sft-ask|sft-chat|dpo FILE
 * [--tokenizer DIR] [--index N]`. The options table; the run is src/export/run.ts.
 */
import type { Command } from "commander";
import { intOption } from "../run/flags.js";
import { DEFAULT_MAX_LENGTH } from "./export.js";
import { FORMATS } from "./formats.js";
import { type ExportFlags, KINDS, type PreviewFlags, runExport, runPreview } from "./run.js";

export function register(program: Command): void {
  const exp = program
    .command("export")
    .description(
      "Training data with loss masks: sft-chat (loss on responses, Eq. 2), sft-ask (loss on queries, Eq. 3,\n" +
        "Parrot-Ask format), dpo (CaPO pairs), for TRL / axolotl / LLaMA-Factory / OpenAI, or as tokens.",
    );

  for (const kind of KINDS) {
    exp
      .command(`${kind} <file>`)
      .description(
        kind === "dpo"
          ? "export CaPO preference pairs (from `parrot capo`) for DPO"
          : `export sessions for ${kind === "sft-chat" ? "Parrot-Chat (assistant-only loss)" : "Parrot-Ask (query-only loss)"}`,
      )
      .option("--format <format>", `one of ${FORMATS.join(", ")}`)
      .requiredOption("--out <file>", "output JSONL (llama-factory also writes dataset_info.json beside it)")
      .option("--tokenizer <dir>", "model folder with tokenizer.json + tokenizer_config.json (needed by --format tokens)")
      .option("--max-turns <n>", "keep the first N user turns of each session (Table 5 ablation)", intOption("max-turns"))
      .option("--strategies <list>", "dpo: negative types to keep, comma separated (Table 6 ablation)")
      .option("--max-length <n>", `tokens: longest record in tokens (default ${DEFAULT_MAX_LENGTH}, section 4.1.3)`, intOption("max-length"))
      .option("--truncate", "tokens: cut over-long records to --max-length instead of dropping them")
      .action((file: string, o: ExportFlags) => runExport(kind, file, o));
  }

  exp
    .command("preview <kind> <file>")
    .description("print one example with the trained text highlighted (colour on a TTY, «...» otherwise)")
    .option("--tokenizer <dir>", "show the token-level mask of this model's tokenizer and chat template")
    .option("--index <n>", "0-based example index (default 0)", intOption("index", 0))
    .option("--strategies <list>", "dpo: only pairs of these strategies")
    .action((kindArg: string, file: string, o: PreviewFlags) => runPreview(kindArg, file, o));
}
