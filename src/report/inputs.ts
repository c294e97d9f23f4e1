/**
 * Reading the report's input files: named by flag (`parrot report`) or found and sorted by content (`parrot view
 * DIR|FILES`). Every file is validated in full by its own stage's reader before anything is written:
 * FastChat judgments/answers/questions (src/bench/data.ts), sessions in any supported format
 * (src/conversations/readers.ts readConversations), CaPO pairs (src/export/data.ts readPairs).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadAnswers, loadQuestions } from "../bench/data.js";
import { detectFormat, readConversations } from "../conversations/readers.js";
import { readPairs } from "../export/data.js";
import { UserError } from "../io/errors.js";
import { readJsonl, readLines, validateRecord } from "../io/jsonl.js";
import { isJsonObject, recordKind } from "../records/index.js";
import { JudgmentSchema } from "../records/judgment.js";
import type { LoadedInputs } from "./data.js";

/** Input files by kind. */
export interface ReportFiles {
  judgments: string[];
  answers: string[];
  questions: string[];
  references: string[];
  sessions: string[];
  pairs: string[];
}

/** Number of files named in `files`. */
export function countFiles(files: ReportFiles): number {
  return Object.values(files).reduce((n, xs: string[]) => n + xs.length, 0);
}

/**
 * Read and validate every input file.
 * @throws UserError when no file is given; InputError naming file, line and field for a bad record.
 */
export function loadInputs(files: ReportFiles): LoadedInputs {
  if (countFiles(files) === 0) throw new UserError("nothing to report: give --judgments, --answers, --questions, --references, --sessions or --pairs");
  return {
    judgments: files.judgments.map((file) => ({ file, rows: readJsonl(file).map((rec) => validateRecord(JudgmentSchema, rec, file)) })),
    answers: files.answers.map((file) => ({ file, rows: loadAnswers(file) })),
    questions: files.questions.map((file) => ({ file, rows: loadQuestions(file) })),
    references: files.references.map((file) => ({ file, rows: loadAnswers(file) })),
    sessions: files.sessions.map((file) => ({ file, sessions: readConversations(file) })),
    pairs: files.pairs.map((file) => ({ file, pairs: readPairs(file).pairs })),
  };
}

/** The kind of a file from its first record, or the reason it is not a report input. */
export type FileKind = keyof ReportFiles | { ignored: string };

/**
 * Classify one data file by its first record (recordKind, src/records/index.ts): judgments, answers (reference
 * answers when the file name contains "reference"), pairs and questions; FastChat judge prompts
 * `{name, prompt_template}` are ignored; anything readConversations recognises is sessions.
 */
function classifyRecord(first: unknown, file: string): FileKind {
  if (!isJsonObject(first)) return { ignored: "first record is not a JSON object" };
  const kind = recordKind(first);
  if (kind === "judgment") return "judgments";
  if (kind === "answer") return /reference/i.test(path.basename(file)) ? "references" : "answers";
  if (kind === "pair") return "pairs";
  if (kind === "question") return "questions";
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
export function classifyPaths(paths: ReadonlyArray<string>): { files: ReportFiles; ignored: Array<{ file: string; why: string }> } {
  const files: ReportFiles = { judgments: [], answers: [], questions: [], references: [], sessions: [], pairs: [] };
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
      if (typeof kind === "string") files[kind].push(file);
      else ignored.push({ file, why: kind.ignored });
    }
  }
  return { files, ignored };
}
