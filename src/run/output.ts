/**
 * Resumable append-only outputs: load what a previous run finished, skip it, append the rest. Every model-calling
 * command (collect, capo, context detect --judge, bench answer, bench judge) opens its `--out` here, and gets in one
 * place, before its first model call:
 *
 * - `--out` refused when it is one of the inputs (same device and inode, or same real path) (src/io/paths.ts);
 * - the path checked for writing (folder creatable, not a directory, writable); file-system errors are one line;
 * - an exclusive lock `OUT.lock` (src/run/lock.ts): a second process on the same OUT exits 1 naming the first PID;
 * - the run manifest `OUT.manifest.json` (src/run/manifest.ts): a rerun with other settings is refused, naming each
 *   difference; it is written just before the first row, so a run that writes nothing leaves no file behind;
 * - appends that fail for lack of space (ENOSPC, EDQUOT) or any other file-system error end the run with one line
 *   saying what was kept (whole rows only: a torn last line is cut) and to rerun.
 *
 * An OUT that exists and is not a regular file (`/dev/null`, a FIFO) is a sink: nothing is read back, locked or
 * recorded beside it.
 */
import * as fs from "node:fs";
import { InputError } from "../io/errors.js";
import { JsonlAppender, iterateExistingOutput, repairTornTail } from "../io/jsonl.js";
import { checkWritableOutput, fileSystemError, refuseOutputIsInput, type InputFiles } from "../io/paths.js";
import { acquireOutputLock, type OutputLock } from "./lock.js";
import { reconcileManifest, writeManifest, type RunManifest, type RunSpec } from "./manifest.js";
import { UsageMeter } from "./usage.js";

/** The `--help` paragraph of every command that writes through openResumable: lock, manifest, checks. */
export const RESUMABLE_OUTPUT_HELP = [
  "Output: append-only JSONL; rerunning the same command resumes. Before the first model call parrot refuses an",
  "--out that is one of the inputs, checks it can be written, and takes an exclusive lock OUT.lock (a second process",
  "on the same --out exits 1 naming the first one's PID; a lock left by a crashed process is taken over). The",
  "settings that define the rows (command, models, simulator, turns, prompt versions, bench, judge, digests of the",
  "inputs) are kept in OUT.manifest.json; a rerun with other settings is refused, naming each difference",
  "(--concurrency, --request-timeout and --shard may differ).",
].join("\n");

export interface ResumableOutput<Row> {
  /** Rows already in the file from earlier runs, in order (empty when opened with keepRows: false). */
  existing: Row[];
  /** Keys of finished work. */
  done: Set<string>;
  /** Appends rows; `close()` also releases the lock. */
  appender: JsonlAppender;
  /**
   * The manifest this run writes before its first row (undefined without `run`, or for a sink). Keys other than
   * `settings` may be changed through `updateManifest` (e.g. usage counters); `run_id` is stable across resumes.
   */
  manifest: RunManifest | undefined;
  /** Change the manifest (not its settings) and, once rows have been written, rewrite it atomically. */
  updateManifest(change: (m: RunManifest) => void): void;
  /**
   * The run's token meter (src/run/usage.ts), seeded with the manifest's `usage` of earlier runs: give it to
   * `createLimitedModel({usage})`, wrap the runPool worker in `usage.scoped`, and the calls behind every appended row
   * are committed and kept in the manifest's `usage` (rewritten at most once a second, and on close).
   */
  usage: UsageMeter;
}

export interface OpenResumableOptions {
  /** Keep the existing rows in memory (default true); false keeps only the keys (collect at 50K sessions). */
  keepRows?: boolean;
  /** The settings that define the run, recorded in `OUT.manifest.json` and checked on every rerun. */
  run?: RunSpec;
  /** The command's input files by flag: refused as OUT. */
  inputs?: InputFiles;
  /** Where notes go (stale lock taken over, manifest adopted); default stderr. */
  note?: (line: string) => void;
  /** `--max-total-tokens`: tokens this invocation may use (not a setting: never recorded in or compared with `settings`). */
  maxTotalTokens?: number;
}

/** Minimum time between two manifest rewrites for usage counts, ms. */
const USAGE_FLUSH_MS = 1000;

/** The appender of a resumable output: writes the manifest before the first row, releases the lock on close. */
class ResumableAppender extends JsonlAppender {
  written = 0;
  manifestWritten = false;
  private lastFlush = 0;
  private closed = false;
  constructor(
    file: string,
    private readonly earlier: number,
    private readonly lock: OutputLock | undefined,
    private readonly manifest: RunManifest | undefined,
    readonly usage: UsageMeter,
  ) {
    super(file);
  }

  /** Put the usage counts into the manifest and rewrite it (when it is on disk), at most once a second unless `force`. */
  flushUsage(force: boolean): void {
    if (!this.manifest || !this.manifestWritten) return;
    const now = Date.now();
    if (!force && now - this.lastFlush < USAGE_FLUSH_MS) return;
    this.lastFlush = now;
    this.manifest.usage = this.usage.total();
    writeManifest(this.file, this.manifest);
  }

  override append(record: unknown): void {
    // The calls of the item appending this row are behind a row of OUT from now on (usage.ts).
    this.usage.commit();
    if (this.manifest && !this.manifestWritten) {
      this.manifest.usage = this.usage.total();
      this.manifest.runs += 1;
      writeManifest(this.file, this.manifest);
      this.manifestWritten = true;
      this.lastFlush = Date.now();
    }
    try {
      super.append(record);
    } catch (err) {
      this.close();
      // A short write may have left part of a line: cut it so the file holds whole rows only.
      try {
        repairTornTail(this.file);
      } catch {
        // the rerun repairs it on open
      }
      const kept = `${this.written} rows written by this run${this.earlier ? ` and ${this.earlier} from earlier runs` : ""} are kept`;
      throw fileSystemError(err, this.file, `cannot append to the output (${kept}, whole rows only; fix that and rerun the same command to resume)`);
    }
    this.written++;
    this.flushUsage(false);
  }

  override close(): void {
    if (!this.closed) {
      this.closed = true;
      this.usage.finish();
      // An output that already held rows keeps its manifest on disk: record this run's calls even if it wrote none.
      if (this.manifest && !this.manifestWritten && this.earlier > 0 && this.usage.madeCalls()) this.manifestWritten = true;
      try {
        this.flushUsage(true);
      } catch {
        // the rows are what matters; a manifest that cannot be rewritten keeps its earlier counts
      }
    }
    super.close();
    this.lock?.release();
  }
}

/**
 * Open `file` for resume. `keyOf` gives the work key of a row (e.g. session id, `${question_id}/${turn}`);
 * rows for which it returns undefined are kept but not counted as done. The file is streamed: with
 * `keepRows: false` only the keys stay in memory (collect at 50K sessions). See the module comment for the checks
 * (inputs, writability, lock, manifest) done before anything is read or written; close the appender when done.
 * @throws InputError when the existing file holds a line that is not a JSON object; UserError (exit 1, one line) when
 *   OUT is an input, is not writable, is locked by a live process, or holds rows of a run with other settings.
 */
export function openResumable<Row>(file: string, keyOf: (row: Row) => string | undefined, options: OpenResumableOptions = {}): ResumableOutput<Row> {
  const keep = options.keepRows ?? true;
  const note = options.note ?? ((l: string) => process.stderr.write(l + "\n"));
  refuseOutputIsInput(file, options.inputs ?? {});
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fileSystemError(err, file, "cannot use the output");
  }
  const sink = st !== undefined && !st.isFile() && !st.isDirectory();
  checkWritableOutput(file);
  const rows: Row[] = [];
  const done = new Set<string>();
  let count = 0;
  let lock: OutputLock | undefined;
  let manifest: RunManifest | undefined;
  if (!sink) {
    lock = acquireOutputLock(file, `parrot ${options.run?.command ?? "run"}`, note);
    try {
      for (const rec of iterateExistingOutput(file)) {
        const r = rec.value;
        if (!r || typeof r !== "object") throw new InputError(file, rec.line, undefined, "existing output line is not a JSON object");
        count++;
        const k = keyOf(r as Row);
        if (k !== undefined) done.add(k);
        if (keep) rows.push(r as Row);
      }
      if (options.run) manifest = reconcileManifest(file, options.run, count > 0, note);
    } catch (err) {
      lock.release();
      throw fileSystemError(err, file, "cannot read the existing output");
    }
  }
  const usage = new UsageMeter({ previous: manifest?.usage, budget: options.maxTotalTokens });
  const appender = new ResumableAppender(file, count, lock, manifest, usage);
  return {
    existing: rows,
    done,
    appender,
    manifest,
    usage,
    updateManifest(change) {
      if (!manifest) return;
      change(manifest);
      if (appender.manifestWritten) writeManifest(file, manifest);
    },
  };
}
