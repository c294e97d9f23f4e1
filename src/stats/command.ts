/**
 * `parrot stats FILE... [--json]`: Table 1 statistics of session files.
 */
import type { Command } from "commander";
import { readConversations } from "../conversations/readers.js";
import { datasetStats, type DatasetStats } from "./stats.js";

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

export function register(program: Command): void {
  program
    .command("stats")
    .description("Table 1 statistics: sessions, avg_turns, avg_ctx_queries, self_rouge (x100)")
    .argument("<files...>", "session files (parrot sessions, ShareGPT, OpenAI messages, OpenAssistant trees)")
    .option("--json", "print JSON: one object for one file, else {FILE: {...}}")
    .action((files: string[], flags: { json?: boolean }) => {
      const rows = files.map((file) => ({ file, stats: datasetStats(readConversations(file)) }));
      if (flags.json) {
        const value = rows.length === 1 ? rows[0].stats : Object.fromEntries(rows.map((r) => [r.file, r.stats]));
        process.stdout.write(JSON.stringify(value) + "\n");
      } else {
        process.stdout.write(statsTable(rows) + "\n");
      }
    });
}
