/**
 * `parrot export KIND FILE` and `parrot export preview KIND FILE`: build each record (export.ts) as it is written
 * (streamed to a temporary file renamed over --out); or print one example with its trained text (preview.ts).
 */
import { UserError } from "../io/errors.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { parseStrategies } from "../records/pair.js";
import { buildExport, writeExport } from "./export.js";
import { FORMATS, type ExportFormat, type ExportKind } from "./formats.js";
import { renderPreview } from "./preview.js";

export const KINDS: ExportKind[] = ["sft-ask", "sft-chat", "dpo"];

/** The options of `parrot export KIND FILE`, parsed. */
export interface ExportFlags {
  format?: string;
  out: string;
  tokenizer?: string;
  maxTurns?: number;
  strategies?: string;
  maxLength?: number;
  truncate?: boolean;
}

/** The options of `parrot export preview KIND FILE`, parsed. */
export interface PreviewFlags {
  tokenizer?: string;
  index?: number;
  strategies?: string;
}

function parseKind(v: string): ExportKind {
  if (!(KINDS as string[]).includes(v)) throw new UserError(`unknown export kind "${v}" (expected ${KINDS.join(", ")})`);
  return v as ExportKind;
}

function parseFormat(v: string | undefined): ExportFormat {
  if (v === undefined) throw new UserError(`--format is required (${FORMATS.join(", ")})`);
  if (!(FORMATS as readonly string[]).includes(v)) throw new UserError(`--format: unknown format "${v}" (expected ${FORMATS.join(", ")})`);
  return v as ExportFormat;
}

/**
 * Export `file` as `kind` records: the summary lines and `wrote N records: FILES` on stderr.
 * @throws UserError/InputError on bad flags or input (nothing is written).
 */
export function runExport(kind: ExportKind, file: string, o: ExportFlags): void {
  const format = parseFormat(o.format);
  refuseOutputIsInput(o.out, { [kind === "dpo" ? "pairs" : "sessions"]: file });
  const res = buildExport(kind, file, {
    format,
    tokenizer: o.tokenizer,
    maxTurns: o.maxTurns,
    strategies: parseStrategies(o.strategies),
    maxLength: o.maxLength,
    truncate: Boolean(o.truncate),
  });
  const { written, count } = writeExport(kind, format, o.out, res.records);
  for (const line of res.result().summary) process.stderr.write(`${line}\n`);
  process.stderr.write(`wrote ${count} records: ${written.join(", ")}\n`);
}

/** Print example `o.index` (default 0) of `file` as `kind` with its trained text highlighted (colour on a TTY). */
export function runPreview(kindArg: string, file: string, o: PreviewFlags): void {
  const kind = parseKind(kindArg);
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  process.stdout.write(renderPreview(kind, file, { tokenizer: o.tokenizer, index: o.index ?? 0, color, strategies: parseStrategies(o.strategies) }));
}
