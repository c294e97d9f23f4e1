/** `parrot bench show`: the score tables (or JSON) of judgment files; the summaries are in show.ts. */
import { loadJudgments, loadQuestions } from "./data.js";
import type { Judgment, PairJudgment } from "../records/judgment.js";
import { formatPairwiseTable, formatSummaryTable, groupTitle, summarizeJudgmentGroups, summarizePairwise } from "./show.js";

/** The options of `bench show` (its commander table: src/bench/command.ts). */
export interface ShowOptions {
  judgments: string[];
  json?: boolean;
  questions?: string;
  bootstrap: number;
  seed: number;
  baseline?: string;
}

/** Print the per-model tables of `o.judgments` on stdout (one per benchmark, judge and prompt set; pairwise last). */
export function runShow(o: ShowOptions): void {
  // Per file, so that an error can name the files of two conflicting judgments.
  const single: Array<{ file: string; row: Judgment }> = [];
  const pairRows: PairJudgment[] = [];
  for (const file of o.judgments) {
    const { single: rows, pairwise } = loadJudgments([file]);
    for (const row of rows) single.push({ file, row });
    pairRows.push(...pairwise);
  }
  let categories: Map<number | string, string> | undefined;
  if (o.questions) categories = new Map(loadQuestions(o.questions).map((q) => [q.question_id, q.category]));
  const fileOf = new Map(single.map((x) => [x.row, x.file]));
  const grouped = summarizeJudgmentGroups(single.map((x) => x.row), { categories, resamples: o.bootstrap, seed: o.seed, where: (r) => fileOf.get(r) ?? "" });
  if (grouped.duplicates > 0) {
    process.stderr.write(`parrot bench show: ${grouped.duplicates} exact duplicate judgment rows dropped (the same judgment given twice, e.g. a file named twice)\n`);
  }
  const pairwise = pairRows.length > 0 ? summarizePairwise(pairRows, o.baseline) : undefined;
  if (o.json) {
    const value: Record<string, unknown> = { groups: grouped.groups, duplicates_dropped: grouped.duplicates };
    if (pairwise) value.pairwise = pairwise;
    process.stdout.write(JSON.stringify(value, null, 2) + "\n");
    return;
  }
  const parts: string[] = grouped.groups.map((g) => `${groupTitle(g)}\n${formatSummaryTable(g)}`);
  if (parts.length === 0 && !pairwise) parts.push(formatSummaryTable({ models: {} }));
  if (pairwise) parts.push(formatPairwiseTable(pairwise));
  process.stdout.write(parts.join("\n"));
}
