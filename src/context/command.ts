/**
 * `parrot context detect FILE --out FILE [--judge SPEC] [--concurrency C] [--request-timeout SEC] [--shard I/N]`
 *
 * The options table; the run is run.ts. For every user turn after the first of every session:
 * `{id, turn, context_dependent, score, cues}` (turn is the 1-based user turn). With `--judge`, an LLM confirms or
 * rejects each heuristic decision (paper section 3.3: "pronoun recognition + GPT-4 judgment"; judge.ts); rows then
 * also carry `heuristic` and `judge` with both decisions, and `context_dependent` is the judge's verdict (the
 * heuristic's when the judge gave no parseable verdict). Heuristic-only output is written atomically; judged output
 * is append-only and resumable (key: id/turn). A query whose judge call fails for good after transient errors is
 * skipped and counted; the run exits 3: rerun it.
 */
import type { Command } from "commander";
import { EXIT_CODES_HELP, EXIT_INCOMPLETE } from "../run/failures.js";
import { addModelRunOptions } from "../run/flags.js";
import { RESUMABLE_OUTPUT_HELP } from "../run/output.js";
import { costHelp } from "../run/usage.js";
import { MAX_UNPARSED_SHARE } from "./judge.js";
import { type ContextDetectOptions, runContextDetect } from "./run.js";

export function register(program: Command): void {
  const context = program.command("context").description("context-dependent queries (paper 3.3)");
  addModelRunOptions(
    context
      .command("detect")
      .description("mark every user turn after the first as context-dependent or not (heuristic; --judge adds an LLM check)")
      .argument("<file>", "sessions: parrot records, ShareGPT, OpenAI messages or OpenAssistant trees")
      .requiredOption("--out <file>", "output JSONL: {id, turn, context_dependent, score, cues}")
      .option("--judge <spec>", "LLM that confirms or rejects each heuristic decision (URL#MODEL, openai:MODEL, gguf:PATH)"),
    {
      concurrency: "requests in flight",
      concurrencyDefault: 4,
      shard: "only the queries whose id/turn hashes to shard I of N",
      costPrefix: "with --judge: ",
    },
  )
    .addHelpText(
      "after",
      [
        "",
        `With --judge, replies without a parseable verdict keep the heuristic decision (judge.context_dependent: null);`,
        `when more than ${MAX_UNPARSED_SHARE * 100}% of the output's rows have none, the run warns and exits ${EXIT_INCOMPLETE}.`,
        "",
        RESUMABLE_OUTPUT_HELP + " (with --judge; without it OUT is rewritten whole)",
        costHelp(false),
        EXIT_CODES_HELP,
      ].join("\n"),
    )
    .action((file: string, o: ContextDetectOptions) => runContextDetect(file, o));
}
