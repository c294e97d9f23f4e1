/**
 * `parrot stats FILE... [--json]`: Table 1 statistics of session files. The options table; the run is
 * src/stats/run.ts.
 */
import type { Command } from "commander";
import { runStats, type StatsFlags } from "./run.js";

export function register(program: Command): void {
  program
    .command("stats")
    .description("Table 1 statistics: sessions, avg_turns, avg_ctx_queries, self_rouge (x100)")
    .argument("<files...>", "session files (parrot sessions, ShareGPT, OpenAI messages, OpenAssistant trees)")
    .option("--json", "print JSON: one object for one file, else {FILE: {...}}")
    .action((files: string[], flags: StatsFlags) => runStats(files, flags));
}
