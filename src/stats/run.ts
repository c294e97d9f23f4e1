/**
 * `parrot stats FILE...`: Table 1 statistics (stats.ts) of each file, as a table or JSON on stdout.
 */
import { fileStats, type DatasetStats } from "./stats.js";

export interface StatsFlags {
  json?: boolean;
}

function fmt(v: number | null, digits: number): string {
  return v === null ? "n/a" : v.toFixed(digits);
}

/** Render stats rows as a fixed-width table (Table 1 columns). */
export function statsTable(rows: ReadonlyArray<{ file: string; stats: DatasetStats }>): string {
  const header = ["file", "sessions", "avg_turns", "avg_ctx_queries", "self_rouge"];
  const body = rows.map(({ file, stats }) => [
    file,
    String(stats.sessions),
    fmt(stats.avg_turns, 2),
    fmt(stats.avg_ctx_queries, 2),
    fmt(stats.self_rouge, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Print the statistics of `files` (each streamed, fileStats): a table, or with --json one object for one file, else {FILE: {...}}. */
export function runStats(files: string[], flags: StatsFlags): void {
  const rows = files.map((file) => ({ file, stats: fileStats(file) }));
  if (flags.json) {
    const value = rows.length === 1 ? rows[0].stats : Object.fromEntries(rows.map((r) => [r.file, r.stats]));
    process.stdout.write(JSON.stringify(value) + "\n");
  } else {
    process.stdout.write(statsTable(rows) + "\n");
  }
}
