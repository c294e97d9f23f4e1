/**
 * `parrot simulator eval|show`: simulator fidelity against real users (issue 14). The options tables only; the work is
 * in run-eval.ts (the run), run-show.ts, eval.ts (items, scoring, summaries), metrics.ts (pure metrics) and show.ts
 * (the table).
 */
import type { Command } from "commander";
import { intOption, numberOption } from "../run/flags.js";
import { DEFAULT_COLLECT_OPTIONS } from "../collect/collect.js";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { RESUMABLE_OUTPUT_HELP } from "../run/output.js";
import { runSimulatorEval, type SimulatorEvalOptions } from "./run-eval.js";
import { runSimulatorShow, type SimulatorShowOptions } from "./run-show.js";

const EVAL_HELP = [
  "",
  "Part 1: for every user turn t >= 2 of the held-out sessions, the simulator gets the real history and writes the",
  "next query; the real query is scored under the simulator (ppl_real). Part 2 (with --assistant): --rollouts K",
  "sessions of --turns N collected from held-out first queries as `parrot collect` does. One summary row per run",
  "(--label) is appended to --out once every item is done; the work is kept in OUT.runs/LABEL.next.jsonl and",
  "OUT.runs/LABEL.rollouts.jsonl. Metrics and their sources: docs/simulator-eval.md.",
  "",
  RESUMABLE_OUTPUT_HELP,
].join("\n");

export function register(program: Command): void {
  const sim = program.command("simulator").description("user-simulator fidelity against real users (Table 1, Fig. 1, Fig. 5)");
  sim
    .command("eval")
    .description("score a user simulator on held-out real sessions: next query on real history, and rollouts")
    .requiredOption("--sessions <file>", "held-out real sessions (ShareGPT JSON/JSONL, OpenAI messages JSONL, OpenAssistant trees, parrot sessions)")
    .requiredOption("--out <file>", "the table: one JSON row per evaluated simulator (append-only)")
    .option("--simulator <mode>", "parrot-ask (appendix B.1 raw completion) | prompted (appendix B.2 chat prompt)", "parrot-ask")
    .option("--asker <spec>", "the simulator's model spec", "default")
    .option("--label <name>", "row name in the table (default SIMULATOR-MODEL)")
    .option("--assistant <spec>", "assistant model for rollouts (rollouts run only with it)")
    .option("--rollouts <k>", "rollout sessions (default 10 with --assistant)", intOption("rollouts"))
    .option("--turns <n>", "user turns per rollout", intOption("turns"), 4)
    .option("--limit <k>", "next-query items sampled by --seed (default: all)", intOption("limit"))
    .option("--concurrency <c>", "model requests in flight", intOption("concurrency"), 4)
    .option("--seed <s>", "sampling seed", intOption("seed", 0), 0)
    .option("--request-timeout <sec>", "per-request timeout in seconds", numberOption("request-timeout", 0.001))
    .option("--query-max-tokens <n>", "simulator max new tokens", intOption("query-max-tokens"), DEFAULT_COLLECT_OPTIONS.askerMaxTokens)
    .option("--asker-temperature <t>", "simulator temperature", numberOption("asker-temperature", 0, 2), DEFAULT_COLLECT_OPTIONS.askerTemperature)
    .option("--max-tokens <n>", "assistant max new tokens in rollouts", intOption("max-tokens"), 256)
    .addHelpText("after", EVAL_HELP + "\n" + EXIT_CODES_HELP)
    .action((flags: SimulatorEvalOptions) => runSimulatorEval(flags));
  sim
    .command("show")
    .description("print the table of `parrot simulator eval` rows, the real-users row first")
    .argument("<file>", "the --out of parrot simulator eval")
    .option("--json", "print the rows as JSON")
    .action((file: string, o: SimulatorShowOptions) => runSimulatorShow(file, o));
}
