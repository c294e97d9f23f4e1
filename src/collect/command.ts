/**
 * `parrot collect`: multi-turn data collection with a user simulator (section 3.2).
 */
import * as os from "node:os";
import type { Command } from "commander";
import { intOption, numberOption, timeoutSecondsOption } from "../run/flags.js";
import { forEachConversation, seedQuery } from "../conversations/readers.js";
import type { Session } from "../conversations/session.js";
import { sessionSeedKey } from "../records/session.js";
import { UserError } from "../io/errors.js";
import { readTextFile } from "../io/jsonl.js";
import { describeModel } from "../models/registry.js";
import { EXIT_CODES_HELP, ItemFailures } from "../run/failures.js";
import { RequestLimiter } from "../run/limiter.js";
import { createLimitedModel, summarizeModels, type LimitedModel } from "../run/models.js";
import { digestValues } from "../run/manifest.js";
import { EstimateBuilder, estimateNotes, ratesOf, tokenCounterOf } from "../run/estimate.js";
import { readPrices } from "../run/prices.js";
import { COST_HELP, breakdownLines } from "../run/usage.js";
import { readDoneKeys } from "../run/estimate.js";
import { createModel } from "../llm/index.js";
import { estimateCollect } from "./estimate.js";
import { RESUMABLE_OUTPUT_HELP, openResumable } from "../run/output.js";
import { Progress } from "../run/progress.js";
import { seededShuffle } from "../run/rng.js";
import { inShard, parseShard } from "../run/shard.js";
import { DEFAULT_COLLECT_OPTIONS, type Seed, collectSessions } from "./collect.js";
import { DEFAULT_BLOCKLIST, DEFAULT_FILTER_CONFIG, type FilterConfig, filterQuery, sensitiveReason } from "./filters.js";
import { PROMPT_VERSION } from "./prompts.js";
import { createSimulator, type SimulatorMode } from "./simulators.js";

interface CollectFlags {
  seeds: string;
  simulator: SimulatorMode;
  asker?: string;
  assistant?: string;
  turns: number;
  limit?: number;
  out: string;
  concurrency: number;
  seed: number;
  requestTimeout?: number;
  shard?: string;
  maxTokens: number;
  queryMaxTokens: number;
  temperature: number;
  askerTemperature: number;
  maxQueryRetries: number;
  minWords: number;
  maxRouge: number;
  minEchoWords: number;
  blocklist?: string;
  seedFilter: boolean;
  dryRun?: boolean;
  maxTotalTokens?: number;
  prices?: string;
}

/**
 * Collects usable seeds from sessions fed one at a time: first user queries of sessions that start with the user,
 * de-duplicated by query text (OpenAssistant trees give one path per leaf, all sharing the root query). Only the
 * seed query is kept, never the whole session.
 *
 * With a `filter` (collect's default, issue 12 item 22), a seed query must also pass the query filters of section 3.2
 * (filters.ts: too short, role leak, e-mail, phone, card number, blocklisted term) that every simulated query
 * passes; rejected seeds are counted by reason in `rejected`. `read`, `notUser` and `duplicates` count the sessions
 * seen, those without a non-empty first user query, and those repeating an earlier seed query.
 */
export class SeedCollector {
  readonly seeds: Seed[] = [];
  /** Every usable seed before the seed filter (for the run manifest's digest). */
  readonly unfiltered: Seed[] = [];
  readonly rejected: Record<string, number> = {};
  read = 0;
  notUser = 0;
  duplicates = 0;
  private readonly queries = new Set<string>();
  private readonly ids = new Set<string>();
  constructor(private readonly filter?: FilterConfig) {}
  add(s: Session): void {
    this.read++;
    const q = seedQuery(s);
    if (q === undefined) {
      this.notUser++;
      return;
    }
    if (this.queries.has(q)) {
      this.duplicates++;
      return;
    }
    this.queries.add(q);
    let id = s.id;
    for (let k = 2; this.ids.has(id); k++) id = `${s.id}~${k}`;
    this.ids.add(id);
    const seed = { id, query: q, source: { ...(s.meta.source as Record<string, unknown>) } };
    this.unfiltered.push(seed);
    if (this.filter) {
      // A seed is a real user's turn: the role-leak rule (does a *generated* query read as an assistant's?) does not
      // apply to it (it flagged 34 of 655 real ShareGPT first queries, e.g. pasted replies the user asks about).
      let d = filterQuery(q, [], this.filter);
      if (!d.ok && d.reason === "role-leak") d = sensitiveReason(q, this.filter.blocklist);
      if (!d.ok) {
        this.rejected[d.reason!] = (this.rejected[d.reason!] ?? 0) + 1;
        return;
      }
    }
    this.seeds.push(seed);
  }
  /** Seeds rejected by the filter, in all. */
  rejectedCount(): number {
    return Object.values(this.rejected).reduce((a, b) => a + b, 0);
  }
  /** `sensitive-phone: 1, too-short: 4` */
  rejectedReasons(): string {
    return Object.entries(this.rejected).map(([k, v]) => `${k}: ${v}`).join(", ");
  }
  /**
   * Throw when no seed is usable, saying why (issue 12 item 5).
   * @throws UserError `FILE: no usable seed: N sessions read; N do not start with a non-empty user query; ...`.
   */
  requireSome(file: string): void {
    if (this.seeds.length > 0) return;
    const why = [
      `${this.read} sessions read`,
      ...(this.notUser ? [`${this.notUser} do not start with a non-empty user query`] : []),
      ...(this.duplicates ? [`${this.duplicates} repeat an earlier seed query`] : []),
      ...(this.rejectedCount() ? [`${this.rejectedCount()} rejected by the seed filter (${this.rejectedReasons()}; --no-seed-filter keeps them)`] : []),
    ];
    throw new UserError(`${file}: no usable seed: ${why.join("; ")}`);
  }
}

/** Usable seeds of a list of sessions (see SeedCollector). */
export function usableSeeds(sessions: Iterable<Session>): Seed[] {
  const c = new SeedCollector();
  for (const s of sessions) c.add(s);
  return c.seeds;
}

/** Sample `limit` seeds reproducibly: a seeded shuffle, then the first `limit` (so a larger limit extends a smaller). */
export function sampleSeeds(seeds: ReadonlyArray<Seed>, limit: number | undefined, seed: number, file: string): Seed[] {
  const n = limit ?? seeds.length;
  if (n > seeds.length) {
    throw new UserError(`--limit ${n}: ${file} has only ${seeds.length} usable seed sessions (sessions that start with a user query)`);
  }
  return seededShuffle(seeds, seed).slice(0, n);
}

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

/**
 * `collect --dry-run`: print the estimated requests and tokens of the sessions still to collect (seeds already in
 * --out are left out) and exit 0; nothing is written and no model is called (a local model is loaded for its
 * tokenizer). Estimator: src/collect/estimate.ts, src/run/estimate.ts.
 */
async function dryRunCollect(flags: CollectFlags, seeds: Seed[], askerSpec: string, assistantSpec: string, prices: ReturnType<typeof readPrices>): Promise<void> {
  // Read-only (another run may be writing --out): whole lines that parse; nothing is repaired or locked.
  const done = readDoneKeys(flags.out, sessionSeedKey);
  const todo = seeds.filter((s) => !done.has(s.id));
  const assistantModel = await createModel(assistantSpec, { flag: "assistant", parallel: 1 });
  const askerModel = askerSpec === assistantSpec ? assistantModel : await createModel(askerSpec, { flag: "asker", parallel: 1 });
  try {
    const assistant = { id: assistantModel.id, counter: tokenCounterOf(assistantModel), rates: ratesOf(assistantModel.id) };
    const asker = { id: askerModel.id, counter: tokenCounterOf(askerModel), rates: ratesOf(askerModel.id) };
    const est = new EstimateBuilder();
    estimateCollect(todo, { assistant, asker }, { turns: flags.turns, simulator: flags.simulator, assistantMaxTokens: flags.maxTokens, askerMaxTokens: flags.queryMaxTokens }, est);
    const err = (line: string) => process.stderr.write(line + "\n");
    err(`parrot collect --dry-run: ${todo.length} sessions of ${flags.turns} turns to collect (${seeds.length - todo.length} already in ${flags.out}); nothing was sent`);
    for (const line of breakdownLines("  estimate", est.result(), prices)) err(line);
    for (const line of estimateNotes([assistant, asker])) err(line);
  } finally {
    await assistantModel.close();
    if (askerModel !== assistantModel) await askerModel.close();
  }
}

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
    .action(async (flags: CollectFlags) => {
      if (flags.simulator !== "parrot-ask" && flags.simulator !== "prompted") {
        throw new UserError(`--simulator "${flags.simulator}": expected parrot-ask or prompted`);
      }
      const shard = parseShard(flags.shard);
      // Validate every input before touching the output.
      const blocklist = flags.blocklist
        ? readTextFile(flags.blocklist).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
        : [];
      const filter: FilterConfig = {
        ...DEFAULT_FILTER_CONFIG,
        minWords: flags.minWords,
        maxRougeL: flags.maxRouge,
        blocklist: [...DEFAULT_BLOCKLIST, ...blocklist],
      };
      const collector = new SeedCollector(flags.seedFilter ? filter : undefined);
      forEachConversation(flags.seeds, (s) => collector.add(s));
      const err = (line: string) => process.stderr.write(line + "\n");
      collector.requireSome(flags.seeds);
      if (collector.rejectedCount() > 0) {
        err(`parrot collect: ${collector.rejectedCount()} of ${collector.unfiltered.length} seed queries rejected by the seed filter (${collector.rejectedReasons()}); --no-seed-filter keeps them`);
      }
      const sample = sampleSeeds(collector.seeds, flags.limit, flags.seed, flags.seeds);
      const indexed = sample.map((seed, index) => ({ seed, index })).filter((s) => inShard(s.seed.id, shard));
      const askerSpec = flags.asker ?? "default";
      const assistantSpec = flags.assistant ?? "default";
      const prices = readPrices(flags.prices);
      if (flags.dryRun) {
        await dryRunCollect(flags, indexed.map((s) => s.seed), askerSpec, assistantSpec, prices);
        return;
      }
      // Resume key: the seed id (meta.seed.id; older outputs used it as the session id too).
      const output = openResumable(flags.out, sessionSeedKey, {
        keepRows: false,
        maxTotalTokens: flags.maxTotalTokens,
        inputs: { "--seeds": flags.seeds, "--blocklist": flags.blocklist },
        run: {
          command: "collect",
          settings: {
            simulator: flags.simulator,
            turns: flags.turns,
            models: { asker: askerSpec, assistant: assistantSpec },
            prompt_version: PROMPT_VERSION,
            seeds: { digest: digestValues(collector.unfiltered), filter: flags.seedFilter, sampling_seed: flags.seed },
            generation: {
              max_tokens: flags.maxTokens,
              query_max_tokens: flags.queryMaxTokens,
              temperature: flags.temperature,
              asker_temperature: flags.askerTemperature,
              max_query_retries: flags.maxQueryRetries,
            },
            filter: { min_words: flags.minWords, max_rouge: flags.maxRouge, blocklist: digestValues(blocklist) },
          },
        },
      });
      const todo = indexed.filter((s) => !output.done.has(s.seed.id));
      const already = indexed.length - todo.length;
      if (todo.length === 0) {
        output.appender.close();
        err(`parrot collect: all ${indexed.length} sessions are already in ${flags.out}; nothing to do`);
        return;
      }
      // Each collected session has its own id (issue 12 item 8): the seed id and this output's run id.
      const runId = output.manifest?.run_id;

      if (!flags.asker || !flags.assistant) {
        err(
          `parrot collect: no ${!flags.asker && !flags.assistant ? "--asker/--assistant" : !flags.asker ? "--asker" : "--assistant"} given: ` +
            `using the default model ${describeModel("default")}, run in-process (pulled once into the user cache).\n` +
            `  Point parrot at a larger model with --assistant URL#MODEL (OpenAI-compatible /v1 endpoint), openai:MODEL, gguf:PATH or a registered name,\n` +
            `  and at a trained Parrot-Ask model with --asker (or use --simulator prompted with a chat model).`,
        );
      }
      const limiter = new RequestLimiter(flags.concurrency);
      const progress = new Progress({ label: "collect", total: indexed.length, unit: "sessions", initial: already });
      const modelOpts = {
        limiter,
        requestTimeoutSec: flags.requestTimeout,
        parallel: Math.min(flags.concurrency, os.availableParallelism() * 4),
        progress,
        usage: output.usage,
      };
      const assistant = await createLimitedModel(assistantSpec, { ...modelOpts, flag: "assistant" });
      const asker: LimitedModel = askerSpec === assistantSpec ? assistant : await createLimitedModel(askerSpec, { ...modelOpts, flag: "asker" });
      progress.log(`parrot collect: ${todo.length} sessions to collect (${already} already done) -> ${flags.out}; assistant ${assistant.id}, ${flags.simulator} simulator ${asker.id}`);
      const started = Date.now();
      const failures = new ItemFailures({ command: "parrot collect", unit: "sessions", log: (line) => progress.log(line) });
      try {
        const counters = await collectSessions(
          todo,
          {
            assistant,
            simulator: createSimulator(flags.simulator, asker),
            askerId: asker.id,
            out: output.appender,
            sessionId: (seed) => (runId ? `${seed.id}@${runId}` : seed.id),
            onSession: (_id, ok) => ok && progress.tick(),
            log: (line) => progress.log(line),
            failures,
            usage: output.usage,
          },
          {
            ...DEFAULT_COLLECT_OPTIONS,
            turns: flags.turns,
            concurrency: flags.concurrency,
            seed: flags.seed,
            assistantMaxTokens: flags.maxTokens,
            askerMaxTokens: flags.queryMaxTokens,
            assistantTemperature: flags.temperature,
            askerTemperature: flags.askerTemperature,
            maxQueryRetries: flags.maxQueryRetries,
            filter,
          },
        );
        progress.stop();
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const early = Object.entries(counters.stoppedEarly).map(([k, v]) => `${k}: ${v}`).join(", ");
        const rejected = Object.entries(counters.rejectedQueries).map(([k, v]) => `${k}: ${v}`).join(", ");
        const skipped = Object.entries(counters.skippedSeeds).map(([k, v]) => `${k}: ${v}`).join(", ");
        err(
          `parrot collect: wrote ${counters.sessions} sessions in ${secs}s${early ? `; stopped early: ${early}` : ""}` +
            `${rejected ? `; rejected queries: ${rejected}` : ""}${skipped ? `; seeds skipped (${skipped})` : ""}` +
            `${counters.truncatedResponses ? `; ${counters.truncatedResponses} responses cut at --max-tokens ${flags.maxTokens} (meta.responses)` : ""}`,
        );
        for (const line of summarizeModels([assistant, asker])) err(`  ${line}`);
        for (const line of output.usage.summaryLines("parrot collect", prices)) err(line);
        // Sessions skipped after transient failures or cut by the token budget: one line, exit 3 (src/run/failures.ts).
        const incomplete = failures.incomplete(output.usage);
        if (incomplete) throw incomplete;
      } finally {
        progress.stop();
        output.appender.close();
        await assistant.close();
        if (asker !== assistant) await asker.close();
      }
    });
}
