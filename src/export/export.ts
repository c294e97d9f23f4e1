/**
 * `parrot export` core: read and validate the input as each record is built and written (one pass, one session at a
 * time), to a temporary file renamed over the output at the end (nothing half written on bad input).
 * Shared with `parrot train`, which writes the engine's dataset through the same function.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { writeFileAtomic, writeJsonlStreamed } from "../io/jsonl.js";
import { emptySessionStats, formatSkips, iterateTrainingSessions, readPairs, type SessionStats } from "./data.js";
import type { Strategy } from "../records/pair.js";
import {
  dpoRecord,
  llamaFactoryDatasetInfo,
  sftRecord,
  tokensSftRecord,
  type ExportFormat,
  type ExportKind,
  type ExportRecord,
} from "./formats.js";
import { IGNORE_INDEX, loadTokenizer, rawTextBos, type ModelTokenizer } from "./tokenizer.js";

/** Paper section 4.1.3: "We adopt a max length of 4096 tokens". */
export const DEFAULT_MAX_LENGTH = 4096;

export interface ExportOptions {
  format: ExportFormat;
  tokenizer?: string;
  maxTurns?: number;
  strategies?: Strategy[];
  maxLength?: number;
  /** Over-long token records: drop (default) or cut to maxLength. */
  truncate?: boolean;
}

/** What an export did: its summary lines (stderr) and counts, known once its records have all been pulled. */
export interface ExportSummary {
  /** Human-readable summary lines (stderr). */
  summary: string[];
  sessionStats?: SessionStats;
  counts: ExportCounts;
}

/**
 * One export, streamed: `records` builds each record as it is pulled, in one pass over the input (a bad input record
 * throws when it is reached, so the writer must write to a temporary file and abort on error: openStreamedOutput);
 * `result()` gives the summary once every record has been pulled.
 */
export interface ExportStream {
  /** The records, in input order; iterate once. @throws UserError/InputError on bad input or when nothing is left. */
  records: Iterable<ExportRecord>;
  /** The summary. @throws Error when `records` has not been iterated to its end. */
  result(): ExportSummary;
}

/**
 * What happened to the records of a tokens export. Every input record is written or dropped:
 * `input = records + droppedLong + noTrained + noPromptRoom`, and `tooLong = truncatedTokens + droppedLong +
 * noTrained + noPromptRoom` (with --truncate droppedLong is 0; without it the other two are).
 */
export interface ExportCounts {
  /** Records built from the input (sessions kept, pairs selected). */
  input: number;
  /** Records written. */
  records: number;
  /** Records longer than the max length (tokens). */
  tooLong: number;
  /** Over-long records cut to the max length and written. */
  truncatedTokens: number;
  /** Over-long records dropped because --truncate was not given. */
  droppedLong: number;
  /** Over-long SFT records dropped because no trained token (label != -100) lies within the max length. */
  noTrained: number;
  straddled: number;
  trainedTokens: number;
  tokens: number;
}

/**
 * One export as a stream of records (pure apart from reading inputs). Flags and the tokenizer are checked here, before
 * any output is opened; the input file is read and validated as `records` is pulled (sessions one at a time, pairs
 * whole), so neither the sessions nor the records are held in memory.
 * @throws UserError on bad flags (here); UserError/InputError on bad input, or when every record was dropped, while
 *   `records` is iterated.
 */
export function buildExport(kind: ExportKind, file: string, opts: ExportOptions): ExportStream {
  if (opts.format === "tokens" && !opts.tokenizer) throw new UserError("--format tokens needs --tokenizer DIR (a model folder with tokenizer.json)");
  if (kind === "dpo" && opts.format === "tokens") {
    throw new UserError(
      "--format tokens: no DPO engine reads pre-tokenized pairs (TRL >= 1.0 tokenizes {prompt, chosen, rejected} itself); use --format trl, axolotl, llama-factory or openai",
    );
  }
  // Parrot-Ask for TRL is pre-tokenized: the B.1 transcript is raw text, which no chat template produces.
  const tokens = opts.format === "tokens" || (kind === "sft-ask" && opts.format === "trl");
  if (tokens && !opts.tokenizer) {
    throw new UserError(
      "sft-ask --format trl is pre-tokenized in the B.1 text format that `collect --simulator parrot-ask` sends; give --tokenizer DIR (the base model's tokenizer folder)",
    );
  }
  if (kind === "dpo" && opts.maxTurns !== undefined) throw new UserError("--max-turns applies to sft-chat/sft-ask sessions, not to dpo pairs");
  if (kind !== "dpo" && opts.strategies !== undefined) throw new UserError("--strategies applies to dpo pairs only");
  const tok: ModelTokenizer | undefined = opts.tokenizer ? loadTokenizer(opts.tokenizer) : undefined;
  const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
  const counts: ExportCounts = { input: 0, records: 0, tooLong: 0, truncatedTokens: 0, droppedLong: 0, noTrained: 0, straddled: 0, trainedTokens: 0, tokens: 0 };
  const summary: string[] = [];
  let sessionStats: SessionStats | undefined;
  let done = false;

  /** The record of one tokenized session, or undefined when it is dropped (counted). */
  const tokensRecord = (input_ids: number[], labels: number[]): ExportRecord | undefined => {
    counts.input++;
    if (input_ids.length > maxLength) {
      counts.tooLong++;
      if (!opts.truncate) {
        counts.droppedLong++;
        return undefined;
      }
      input_ids = input_ids.slice(0, maxLength);
      labels = labels.slice(0, maxLength);
      if (!labels.some((l) => l !== IGNORE_INDEX)) {
        counts.noTrained++;
        return undefined;
      }
      counts.truncatedTokens++;
    }
    counts.tokens += input_ids.length;
    counts.trainedTokens += labels.filter((l) => l !== IGNORE_INDEX).length;
    return { input_ids, labels };
  };

  function* records(): Generator<ExportRecord, void, undefined> {
    if (kind === "dpo") {
      const { pairs, dropped } = readPairs(file, opts.strategies);
      if (pairs.length === 0) throw new UserError(`${file}: no pair left after --strategies ${opts.strategies?.join(",")}`);
      summary.push(`pairs: ${pairs.length} selected${dropped ? `, ${dropped} of other strategies left out` : ""}`);
      const per = new Map<string, number>();
      for (const p of pairs) per.set(p.strategy, (per.get(p.strategy) ?? 0) + 1);
      summary.push(`per strategy: ${[...per].map(([k, v]) => `${k} ${v}`).join(", ")}`);
      const stripped = pairs.filter((p) => p.prompt.findIndex((m) => m.role !== "system") !== p.prompt.findIndex((m) => m.role === "user")).length;
      if (stripped) summary.push(`prompts starting with an assistant message: ${stripped} (leading assistant messages dropped)`);
      for (const p of pairs) {
        counts.records++;
        yield dpoRecord(opts.format, p);
      }
    } else {
      const stats = emptySessionStats();
      const bos = tok ? rawTextBos(tok) : "";
      for (const s of iterateTrainingSessions(file, opts.maxTurns, stats)) {
        if (tokens) {
          const r = tokensSftRecord(kind, tok!, s);
          counts.straddled += r.straddled;
          const rec = tokensRecord(r.input_ids, r.labels);
          if (rec === undefined) continue;
          counts.records++;
          yield rec;
        } else {
          counts.records++;
          yield sftRecord(kind, opts.format, s, { bos });
        }
      }
      sessionStats = stats;
      summary.push(
        `sessions: ${stats.read} read, ${stats.kept} kept (${formatSkips(stats.skipped)})` +
          (opts.maxTurns !== undefined ? `, ${stats.truncated} truncated to ${opts.maxTurns} turns` : ""),
      );
      if (kind === "sft-ask" && opts.format === "openai") {
        summary.push(
          "openai sft-ask: a chat fine-tune cannot serve `collect --simulator parrot-ask`, which sends the B.1 transcript as a raw completion; the roles-swapped chat model it trains is usable only as a chat model (e.g. behind --simulator prompted)",
        );
      }
    }
    if (tokens) {
      const reasons = [
        counts.noTrained ? `${counts.noTrained} no trained token within the first ${maxLength}` : "",
      ].filter(Boolean);
      const dropped = counts.noTrained;
      summary.push(
        `tokens: ${counts.input} in, ${counts.records} written; max length ${maxLength}: ${counts.tooLong} too long` +
          (opts.truncate ? `: ${counts.truncatedTokens} truncated, ${dropped} dropped (${reasons.join(", ") || "none"})` : " (dropped)"),
      );
      if (kind !== "dpo") {
        summary.push(`trained tokens: ${counts.trainedTokens} of ${counts.tokens}; span boundaries inside a token: ${counts.straddled}`);
      }
    }
    if (counts.records === 0) throw new UserError(`${file}: nothing to export (every record was dropped)`);
    done = true;
  }
  return {
    records: records(),
    result: () => {
      if (!done) throw new Error("buildExport: result() before every record was pulled");
      return { summary, sessionStats, counts };
    },
  };
}

/** Serialize records as JSONL. */
export function toJsonl(records: ReadonlyArray<unknown>): string {
  return records.map((r) => JSON.stringify(r)).join("\n") + "\n";
}
/**
 * Write an export: the JSONL file atomically as its records are pulled (writeJsonlStreamed: temp file renamed over
 * `out`; an error from `records`, e.g. bad input, aborts it and is rethrown), and for llama-factory the dataset_info.json next to it (an existing
 * dataset_info.json is kept and our entry added/replaced; none when `out` is a FIFO or device such as /dev/null).
 * @returns paths written and the number of records.
 */
export function writeExport(kind: ExportKind, format: ExportFormat, out: string, records: Iterable<unknown>): { written: string[]; count: number } {
  let infoText: string | undefined;
  const infoPath = path.join(path.dirname(path.resolve(out)), "dataset_info.json");
  // A sink (--out /dev/null, a FIFO) has no folder of datasets to describe: no dataset_info.json is written for it.
  const sink = fs.existsSync(out) && !fs.statSync(out).isFile();
  if (format === "llama-factory" && !sink) {
    let info: Record<string, unknown> = {};
    if (fs.existsSync(infoPath)) {
      try {
        info = JSON.parse(fs.readFileSync(infoPath, "utf8")) as Record<string, unknown>;
      } catch (err) {
        throw new UserError(`${infoPath}: exists but is not valid JSON (${(err as Error).message}); not overwriting it`);
      }
    }
    const name = path.basename(out).replace(/\.(jsonl|json)$/i, "");
    info[name] = llamaFactoryDatasetInfo(kind, path.basename(out));
    infoText = JSON.stringify(info, null, 2) + "\n";
  }
  const count = writeJsonlStreamed(out, records);
  const written = [out];
  if (infoText !== undefined) {
    writeFileAtomic(infoPath, infoText);
    written.push(infoPath);
  }
  return { written, count };
}
