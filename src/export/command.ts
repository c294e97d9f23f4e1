/**
 * CLI: `parrot export sft-ask|sft-chat|dpo FILE --format F --out FILE [--tokenizer DIR] [--max-turns N]
 * [--strategies ...] [--max-length N] [--truncate]` and `parrot export preview sft-ask|sft-chat|dpo FILE
 * [--tokenizer DIR] [--index N]`. Thin layer over export.ts / preview.ts.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { parsePositiveInt } from "./data.js";
import { parseStrategies } from "../records/pair.js";
import { buildExport, DEFAULT_MAX_LENGTH, writeExport } from "./export.js";
import { FORMATS, type ExportFormat, type ExportKind } from "./formats.js";
import { renderPreview } from "./preview.js";

const KINDS: ExportKind[] = ["sft-ask", "sft-chat", "dpo"];

function parseKind(v: string): ExportKind {
  if (!(KINDS as string[]).includes(v)) throw new UserError(`unknown export kind "${v}" (expected ${KINDS.join(", ")})`);
  return v as ExportKind;
}

function parseFormat(v: string | undefined): ExportFormat {
  if (v === undefined) throw new UserError(`--format is required (${FORMATS.join(", ")})`);
  if (!(FORMATS as readonly string[]).includes(v)) throw new UserError(`--format: unknown format "${v}" (expected ${FORMATS.join(", ")})`);
  return v as ExportFormat;
}

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
      .option("--max-turns <n>", "keep the first N user turns of each session (Table 5 ablation)")
      .option("--strategies <list>", "dpo: negative types to keep, comma separated (Table 6 ablation)")
      .option("--max-length <n>", `tokens: longest record in tokens (default ${DEFAULT_MAX_LENGTH}, section 4.1.3)`)
      .option("--truncate", "tokens: cut over-long records to --max-length instead of dropping them")
      .action((file: string, o: Record<string, string | boolean | undefined>) => {
        const format = parseFormat(o.format as string | undefined);
        refuseOutputIsInput(o.out as string, { [kind === "dpo" ? "pairs" : "sessions"]: file });
        const res = buildExport(kind, file, {
          format,
          tokenizer: o.tokenizer as string | undefined,
          maxTurns: parsePositiveInt(o.maxTurns as string | undefined, "--max-turns"),
          strategies: parseStrategies(o.strategies as string | undefined),
          maxLength: parsePositiveInt(o.maxLength as string | undefined, "--max-length"),
          truncate: Boolean(o.truncate),
        });
        const written = writeExport(kind, format, o.out as string, res.records);
        for (const line of res.summary) process.stderr.write(`${line}\n`);
        process.stderr.write(`wrote ${res.records.length} records: ${written.join(", ")}\n`);
      });
  }

  exp
    .command("preview <kind> <file>")
    .description("print one example with the trained text highlighted (colour on a TTY, «...» otherwise)")
    .option("--tokenizer <dir>", "show the token-level mask of this model's tokenizer and chat template")
    .option("--index <n>", "0-based example index (default 0)")
    .option("--strategies <list>", "dpo: only pairs of these strategies")
    .action((kindArg: string, file: string, o: Record<string, string | undefined>) => {
      const kind = parseKind(kindArg);
      let index = 0;
      if (o.index !== undefined) {
        if (!/^\d+$/.test(o.index)) throw new UserError(`--index: expected a non-negative integer, got "${o.index}"`);
        index = Number(o.index);
      }
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      process.stdout.write(
        renderPreview(kind, file, { tokenizer: o.tokenizer, index, color, strategies: parseStrategies(o.strategies) }),
      );
    });
}
