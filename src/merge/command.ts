/**
 * `parrot merge --out FILE [--key FIELDS] IN...`: join the outputs of `--shard I/N` workers (or of several runs) into
 * one JSONL file without duplicates. The options table; the run is src/merge/run.ts.
 */
import type { Command } from "commander";
import { type MergeFlags, runMerge } from "./run.js";

export function register(program: Command): void {
  program
    .command("merge")
    .description("join shard outputs (sessions, answers, judgments, pairs, context labels) into one JSONL without duplicates")
    .argument("<inputs...>", "JSONL files written by --shard I/N workers (or by several runs), merged in this order")
    .requiredOption("--out <file>", "merged JSONL (written atomically; replaced if it exists)")
    .option("--key <fields>", "key fields, comma-separated (dotted paths allowed); default: from the kind of rows")
    .action((inputs: string[], opts: MergeFlags) => runMerge(inputs, opts));
}
