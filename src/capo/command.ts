/**
 * `parrot capo FILE --assistant SPEC --out FILE [--context FILE] [--strategies ...] [--max-queries N] [--concurrency C]
 *  [--seed S] [--request-timeout SEC] [--shard I/N] [--max-attempts K]`
 *
 * The options table of CaPO preference pairs (paper section 3.3); the run is run.ts. A pair whose model call
 * fails for good after transient errors (5xx, 429, timeouts, ...) is skipped and counted; the run goes on and exits
 * 3 (src/run/failures.ts): rerun it.
 */
import type { Command } from "commander";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { addModelRunOptions, intOption } from "../run/flags.js";
import { RESUMABLE_OUTPUT_HELP } from "../run/output.js";
import { COST_HELP } from "../run/usage.js";
import { STRATEGIES, parseStrategies } from "../records/pair.js";
import { type CapoOptions, runCapo } from "./run.js";

export function register(program: Command): void {
  addModelRunOptions(
    program
      .command("capo")
      .description("CaPO preference pairs: context-neglect / -hallucination / -misunderstanding negatives (paper 3.3)")
      .argument("<file>", "sessions: parrot records, ShareGPT, OpenAI messages or OpenAssistant trees")
      .option("--assistant <spec>", "model that writes the negatives (URL#MODEL, openai:MODEL, gguf:PATH or a registered name)", "default")
      .requiredOption("--out <file>", "output JSONL of pairs {id, session_id, turn, strategy, prompt, chosen, rejected, meta}")
      .option("--context <file>", "use these rows of `parrot context detect` (with or without --judge; the judge's decision wins) instead of the heuristic detector")
      .option("--strategies <list>", "comma-separated strategies", parseStrategies, [...STRATEGIES])
      .option("--max-queries <n>", "use at most N context-dependent queries (seeded sample)", intOption("max-queries"))
      .option("--seed <s>", "seed for the query sample and generation", intOption("seed", 0), 0)
      .option("--max-attempts <k>", "generations per negative before it is dropped", intOption("max-attempts"), 3),
    {
      concurrency: "requests in flight",
      concurrencyDefault: 4,
      shard: "only the pairs whose session_id/turn/strategy hashes to shard I of N",
      dryRun: "estimate requests and tokens (and cost with --prices) of the pairs still to build; call no model, write nothing",
    },
  )
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + "\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((file: string, o: CapoOptions) => runCapo(file, o));
}
