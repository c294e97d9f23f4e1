/**
 * Reading the report's input files: named by flag (`parrot report`) or found and sorted by content (`parrot view
 * DIR|FILES`). Every file is validated in full by its own stage's reader before anything is written:
 * FastChat judgments/answers/questions (src/bench/data.ts), sessions in any supported format
 * (src/conversations/readers.ts readConversations), CaPO pairs (src/export/data.ts readPairs), simulator tables and
 * their run files (src/records/simulator.ts), training folders (src/records/training.ts), and the run manifests
 * (`FILE.manifest.json`, src/run/manifest.ts) beside every input, for the Cost view.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadAnswers, loadQuestions } from "../bench/data.js";
import { detectFormat, iterateConversations, readConversations } from "../conversations/readers.js";
import { readPairs } from "../export/data.js";
import { UserError } from "../io/errors.js";
import { readJsonl, readLines, validateRecord } from "../io/jsonl.js";
import { isJsonObject, recordKind } from "../records/index.js";
import { JudgmentSchema } from "../records/judgment.js";
import { isSimulatorRow, NextQueryRowSchema, SimulatorRowSchema, simulatorRunFiles, type NextQueryRow } from "../records/simulator.js";
import { isTrainMetricsRow, TRAIN_METRICS_FILE, TRAIN_SUMMARY_FILE, TrainMetricsRowSchema, TrainSummarySchema } from "../records/training.js";
import { InputError } from "../io/errors.js";
import { digestValues, readManifest } from "../run/manifest.js";
import { readManifestUsage } from "../run/usage.js";
import { nextQueryItems } from "../simulator/eval.js";
import type { LoadedInputs, LoadedManifest, LoadedSimulators, LoadedTraining } from "./data.js";

/** Input files by kind. */
export interface ReportFiles {
  judgments: string[];
  answers: string[];
  questions: string[];
  references: string[];
  sessions: string[];
  pairs: string[];
  /** `parrot simulator eval --out FILE` tables (their run files `FILE.runs/` are read beside them). */
  simulators?: string[];
  /** `parrot train --out DIR` folders (metrics.jsonl, train_summary.json). */
  training?: string[];
}

/** Number of files named in `files`. */
export function countFiles(files: ReportFiles): number {
  return Object.values(files).reduce((n, xs: string[] | undefined) => n + (xs?.length ?? 0), 0);
}

/**
 * Read and validate every input file.
 * @throws UserError when no file is given; InputError naming file, line and field for a bad record.
 */
export function loadInputs(files: ReportFiles): LoadedInputs {
  if (countFiles(files) === 0) throw new UserError("nothing to report: give --judgments, --answers, --questions, --references, --sessions, --pairs, --simulators or --training");
  const simulators = (files.simulators ?? []).map(loadSimulators);
  const training = (files.training ?? []).map(loadTraining);
  const manifests: LoadedManifest[] = [];
  const addManifest = (kind: string, file: string) => {
    const m = readManifest(file);
    if (m && m.usage !== undefined) manifests.push({ kind, file, command: m.command, usage: readManifestUsage(m.usage) });
  };
  for (const k of ["judgments", "answers", "sessions", "pairs"] as const) for (const f of files[k]) addManifest(k, f);
  for (const s of simulators) for (const f of s.runFiles) addManifest("simulator runs", f);
  return {
    simulators,
    training,
    manifests,
    judgments: files.judgments.map((file) => ({ file, rows: readJsonl(file).map((rec) => validateRecord(JudgmentSchema, rec, file)) })),
    answers: files.answers.map((file) => ({ file, rows: loadAnswers(file) })),
    questions: files.questions.map((file) => ({ file, rows: loadQuestions(file) })),
    references: files.references.map((file) => ({ file, rows: loadAnswers(file) })),
    // Streamed: read once, by buildReportData (report/data.ts datasetView), never held whole.
    sessions: files.sessions.map((file) => ({ file, sessions: iterateConversations(file) })),
    pairs: files.pairs.map((file) => ({ file, pairs: readPairs(file).pairs })),
  };
}

/** The kind of a file from its first record, or the reason it is not a report input. */
export type FileKind = keyof ReportFiles | { ignored: string };

function emptyFiles(): Required<ReportFiles> {
  return { judgments: [], answers: [], questions: [], references: [], sessions: [], pairs: [], simulators: [], training: [] };
}

/**
 * Classify one data file by its first record (recordKind, src/records/index.ts): judgments, answers (reference
 * answers when the file name contains "reference"), pairs and questions, simulator tables, a training folder's
 * metrics.jsonl; FastChat judge prompts
 * `{name, prompt_template}` are ignored; anything readConversations recognises is sessions.
 */
function classifyRecord(first: unknown, file: string): FileKind {
  if (!isJsonObject(first)) return { ignored: "first record is not a JSON object" };
  const kind = recordKind(first);
  if (kind === "judgment") return "judgments";
  if (kind === "answer") return /reference/i.test(path.basename(file)) ? "references" : "answers";
  if (kind === "pair") return "pairs";
  if (kind === "question") return "questions";
  if (isSimulatorRow(first)) return "simulators";
  if (isTrainMetricsRow(first) && path.basename(file) === TRAIN_METRICS_FILE) return "training";
  if ("prompt_template" in first && "name" in first) return { ignored: "judge prompts" };
  try {
    detectFormat(first, file);
    return "sessions";
  } catch {
    return { ignored: "not a judgment, answer, question, session or pair record" };
  }
}

function firstRecord(file: string): unknown {
  if (file.endsWith(".json")) {
    const v: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return Array.isArray(v) ? v[0] : v;
  }
  for (const { text } of readLines(file)) {
    if (text.trim() === "") continue;
    return JSON.parse(text);
  }
  return undefined;
}

const SKIP_DIRS = new Set(["node_modules", ".git", "dist"]);

/** Data files (.jsonl, .json) under a folder, depth <= 3, sorted; hidden folders and node_modules skipped. */
export function listDataFiles(dir: string, depth = 3): string[] {
  const out: string[] = [];
  const walk = (d: string, left: number) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (left > 0 && !e.name.startsWith(".") && !SKIP_DIRS.has(e.name)) walk(p, left - 1);
      } else if (/\.jsonl?$/.test(e.name)) out.push(p);
    }
  };
  walk(dir, depth);
  return out;
}

/**
 * Sort paths (files, or folders expanded by listDataFiles) into report inputs by content (classifyRecord).
 * @returns the files by kind and the files left out with the reason.
 * @throws UserError for a path that does not exist.
 */
export function classifyPaths(paths: ReadonlyArray<string>): { files: Required<ReportFiles>; ignored: Array<{ file: string; why: string }> } {
  const files = emptyFiles();
  const ignored: Array<{ file: string; why: string }> = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new UserError(`${p}: no such file or folder`);
    }
    for (const file of st.isDirectory() ? listDataFiles(p) : [p]) {
      let kind: FileKind;
      try {
        const first = firstRecord(file);
        kind = first === undefined ? { ignored: "empty" } : classifyRecord(first, file);
      } catch (err) {
        kind = { ignored: `cannot read: ${(err as Error).message}` };
      }
      // A training run is its folder (metrics.jsonl and train_summary.json).
      if (kind === "training") files.training.push(path.dirname(file));
      else if (typeof kind === "string") files[kind].push(file);
      else ignored.push({ file, why: kind.ignored });
    }
  }
  // A training run's train_summary.json is read with its metrics.jsonl: not a skipped file.
  const runs = new Set(files.training);
  return { files, ignored: ignored.filter((x) => !(path.basename(x.file) === "train_summary.json" && runs.has(path.dirname(x.file)))) };
}

/**
 * A simulator table with its next-query run files and, when the held-out sessions file named in its rows still exists
 * and still gives the same items (its digest), each item's real history.
 * @throws InputError for a bad table row or run-file row (file, line, field); UserError for an empty table.
 */
export function loadSimulators(file: string): LoadedSimulators {
  const rows = readJsonl(file).map((rec) => validateRecord(SimulatorRowSchema, rec, file));
  if (rows.length === 0) throw new UserError(`${file}: no simulator rows (run parrot simulator eval --out ${file} first)`);
  const next: Record<string, NextQueryRow[]> = {};
  const notes: string[] = [];
  const runFiles: string[] = [];
  for (const r of rows) {
    const { next: nf, rollouts } = simulatorRunFiles(file, r.label);
    if (!fs.existsSync(nf)) {
      notes.push(`${r.label}: no run file ${nf}; its queries are not shown`);
      continue;
    }
    runFiles.push(nf);
    if (fs.existsSync(rollouts)) runFiles.push(rollouts);
    next[r.label] = readJsonl(nf).map((rec) => validateRecord(NextQueryRowSchema, rec, nf));
  }
  // Real histories: from the held-out file, when it still holds the items the rows were scored on.
  const histories: LoadedSimulators["histories"] = {};
  for (const heldOut of new Map(rows.map((r) => [r.held_out.file, r.held_out])).values()) {
    if (!fs.existsSync(heldOut.file)) {
      notes.push(`held-out file ${heldOut.file} is not there: histories are not shown`);
      continue;
    }
    const items = nextQueryItems(readConversations(heldOut.file));
    const digests = new Set(rows.filter((r) => r.held_out.file === heldOut.file).map((r) => r.held_out.digest));
    const digest = digestValues(items.map((i) => [i.key, i.history, i.real]));
    if (!digests.has(digest)) {
      notes.push(`held-out file ${heldOut.file} has changed since the evaluation (digest): histories are not shown`);
      continue;
    }
    const byKey: Record<string, NextQueryItemHistory> = {};
    for (const it of items) byKey[it.key] = it.history;
    histories[`${heldOut.file}\u0000${digest}`] = byKey;
  }
  return { file, rows, next, histories, notes, runFiles };
}

type NextQueryItemHistory = LoadedSimulators["histories"][string][string];

/**
 * A training folder: every metrics.jsonl row validated, and train_summary.json when the run has finished.
 * @throws InputError naming the file (and line, field) for a missing or bad metrics.jsonl, a bad train_summary.json.
 */
export function loadTraining(dir: string): LoadedTraining {
  const metricsFile = path.join(dir, TRAIN_METRICS_FILE);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`--training ${dir}: not a folder (give a parrot train --out folder)`);
  if (!fs.existsSync(metricsFile)) throw new InputError(metricsFile, undefined, undefined, "missing: a training folder holds metrics.jsonl (parrot train writes it while it trains)");
  const metrics = readJsonl(metricsFile).map((rec) => validateRecord(TrainMetricsRowSchema, rec, metricsFile));
  const summaryFile = path.join(dir, TRAIN_SUMMARY_FILE);
  let summary: LoadedTraining["summary"] = null;
  if (fs.existsSync(summaryFile)) {
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
    } catch (err) {
      throw new InputError(summaryFile, undefined, undefined, `not valid JSON (${(err as Error).message})`);
    }
    summary = validateRecord(TrainSummarySchema, { line: 1, value: v }, summaryFile);
  }
  return { dir, metrics, summary };
}
