/**
 * `parrot collect`: multi-turn data collection with a user simulator (section 3.2). The options table; the run is
 * src/collect/run.ts.
 */
import type { Command } from "commander";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { intOption, numberOption, timeoutSecondsOption } from "../run/flags.js";
import { RESUMABLE_OUTPUT_HELP } from "../run/output.js";
import { COST_HELP } from "../run/usage.js";
import { DEFAULT_COLLECT_OPTIONS } from "./collect.js";
import { DEFAULT_FILTER_CONFIG } from "./filters.js";
import { type CollectFlags, runCollect } from "./run.js";

/** `parrot collect --help`: the output's sidecar files and the seed filter. */
export const COLLECT_OUTPUT_HELP = [
  "",
  "Seeds: the first user query of every session of --seeds that starts with the user, de-duplicated; by default a",
  "seed must also pass the query filters (too short, role markers, e-mail, phone, card number, blocklisted term),",
  "rejected seeds are counted on stderr (--no-seed-filter keeps them). No usable seed at all exits 1 saying why.",
  "Each session gets its own id, SEED_ID@RUN_ID (the seed id stays in meta.seed.id).",
  "",
  RESUMABLE_OUTPUT_HELP,
].join("\n");

export function register(program: Command): void {
  program
    .command("collect")
    .description("collect multi-turn sessions: seed query -> assistant -> simulated user -> ... (paper section 3.2)")
    .requiredOption("--seeds <file>", "seed conversations (ShareGPT JSON/JSONL, OpenAI messages JSONL, OpenAssistant trees, parrot sessions)")
    .requiredOption("--out <file>", "output sessions JSONL (append-only; rerun to resume)")
    .option("--simulator <mode>", "user simulator: parrot-ask (appendix B.1 raw completion) | prompted (appendix B.2 chat prompt)", "parrot-ask")
    .option("--asker <spec>", "user-simulator model spec (default: the default model)")
    .option("--assistant <spec>", "assistant model spec (default: the default model)")
    .option("--turns <n>", "target user turns per session", intOption("turns"), 8)
    .option("--limit <k>", "sessions to produce (default: all usable seeds)", intOption("limit"))
    .option("--concurrency <c>", "model requests in flight (sessions run in parallel)", intOption("concurrency"), 8)
    .option("--seed <s>", "sampling seed for seed selection and generation", intOption("seed", 0), 0)
    .option("--request-timeout <sec>", "per-request timeout in seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <i/n>", "process only shard I of N (0-based) of the sampled seeds")
    .option("--max-tokens <n>", "assistant max new tokens", intOption("max-tokens"), DEFAULT_COLLECT_OPTIONS.assistantMaxTokens)
    .option("--query-max-tokens <n>", "simulator max new tokens", intOption("query-max-tokens"), DEFAULT_COLLECT_OPTIONS.askerMaxTokens)
    .option("--temperature <t>", "assistant temperature", numberOption("temperature", 0, 2), DEFAULT_COLLECT_OPTIONS.assistantTemperature)
    .option("--asker-temperature <t>", "simulator temperature", numberOption("asker-temperature", 0, 2), DEFAULT_COLLECT_OPTIONS.askerTemperature)
    .option("--max-query-retries <n>", "regenerations of a rejected query before the session stops", intOption("max-query-retries", 0), DEFAULT_COLLECT_OPTIONS.maxQueryRetries)
    .option("--min-words <n>", "filter: minimum words in a query", intOption("min-words", 0), DEFAULT_FILTER_CONFIG.minWords)
    .option("--max-rouge <f>", "filter: reject a query whose ROUGE-L F1 with an earlier query is >= this", numberOption("max-rouge", 0, 1), DEFAULT_FILTER_CONFIG.maxRougeL)
    .option("--min-echo-words <n>", "filter: reject a query that copies this many consecutive words of the response it follows (0: off)", intOption("min-echo-words", 0), DEFAULT_FILTER_CONFIG.minEchoWords)
    .option("--blocklist <file>", "filter: extra sensitive terms, one per line")
    .option("--no-seed-filter", "do not apply the query filters to the seed queries (by default seeds must pass them too; rejected seeds are counted)")
    .option("--dry-run", "estimate requests and tokens (and cost with --prices) from the seeds and settings; call no model, write nothing")
    .option("--max-total-tokens <n>", "stop starting calls once this run has used N tokens (prompt + completion); exit 3, rerun to continue", intOption("max-total-tokens"))
    .option("--prices <file>", "price table (JSON: {\"models\": {MODEL: {\"input\": N, \"output\": N}}}, per million tokens) for the cost lines")
    .addHelpText("after", COLLECT_OUTPUT_HELP + "\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((flags: CollectFlags) => runCollect(flags));
}
