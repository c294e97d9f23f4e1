/**
 * `parrot collect` (section 3.2): read and filter the seeds, sample them, then collect one session per seed through
 * the shared executor (src/run/executor.ts) with two models, the assistant and the asker behind the user simulator.
 */
import * as os from "node:os";
import { forEachConversation } from "../conversations/readers.js";
import type { Session } from "../conversations/session.js";
import { UserError } from "../io/errors.js";
import { readTextFile } from "../io/jsonl.js";
import { describeModel } from "../models/registry.js";
import { printEstimate, readDoneKeys } from "../run/estimate.js";
import { sessionSeedKey } from "../records/session.js";
import { execute, planTasks, type TaskPlan } from "../run/executor.js";
import { digestValues } from "../run/manifest.js";
import { openResumable } from "../run/output.js";
import { readPrices, type PriceTable } from "../run/prices.js";
import { parseShard } from "../run/shard.js";
import { DEFAULT_COLLECT_OPTIONS, type CollectOptions, type SeedItem, collectTask, countSession, newCollectCounters, seedItemKey } from "./collect.js";
import { estimateCollect } from "./estimate.js";
import { DEFAULT_BLOCKLIST, DEFAULT_FILTER_CONFIG, type FilterConfig } from "./filters.js";
import { PROMPT_VERSION } from "./prompts.js";
import { SeedCollector, sampleSeeds } from "./seeds.js";
import type { SimulatorMode } from "./simulators.js";

/** The options of `parrot collect` (src/collect/command.ts), parsed. */
export interface CollectFlags {
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

function err(line: string): void {
  process.stderr.write(line + "\n");
}

/**
 * `collect --dry-run`: print the estimated requests and tokens of the sessions still to collect (`plan.todo`: seeds
 * already in --out are left out, as a real run leaves them) and exit 0; nothing is written and no model is called (a
 * local model is loaded for its tokenizer). Estimator: src/collect/estimate.ts, src/run/estimate.ts.
 */
async function dryRunCollect(flags: CollectFlags, plan: TaskPlan<SeedItem>, askerSpec: string, assistantSpec: string, prices: PriceTable | undefined): Promise<void> {
  const todo = plan.todo.map((s) => s.seed);
  await printEstimate(
    `parrot collect --dry-run: ${todo.length} sessions of ${flags.turns} turns to collect (${plan.already} already in ${flags.out}); nothing was sent`,
    [
      { spec: assistantSpec, flag: "assistant" },
      { spec: askerSpec, flag: "asker" },
    ],
    prices,
    (est, [assistant, asker]) =>
      estimateCollect(todo, { assistant, asker }, { turns: flags.turns, simulator: flags.simulator, assistantMaxTokens: flags.maxTokens, askerMaxTokens: flags.queryMaxTokens }, est),
  );
}

/**
 * Run `parrot collect`: every input is validated before the output is touched; then the sampled seeds of this shard
 * not yet in --out are collected (or, with --dry-run, estimated). Ends with the "wrote N sessions" line, the model
 * and token lines, and exit 3 when sessions were skipped after transient failures or the token budget was reached.
 * @throws UserError on bad flags or inputs; IncompleteRunError (exit 3).
 */
export async function runCollect(flags: CollectFlags): Promise<void> {
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
  collector.requireSome(flags.seeds);
  if (collector.rejectedCount() > 0) {
    err(`parrot collect: ${collector.rejectedCount()} of ${collector.unfiltered.length} seed queries rejected by the seed filter (${collector.rejectedReasons()}); --no-seed-filter keeps them`);
  }
  const sample: SeedItem[] = sampleSeeds(collector.seeds, flags.limit, flags.seed, flags.seeds).map((seed, index) => ({ seed, index }));
  const askerSpec = flags.asker ?? "default";
  const assistantSpec = flags.assistant ?? "default";
  const prices = readPrices(flags.prices);
  if (flags.dryRun) {
    await dryRunCollect(flags, planTasks({ key: seedItemKey }, sample, readDoneKeys(flags.out, sessionSeedKey), shard), askerSpec, assistantSpec, prices);
    return;
  }
  const output = openResumable<Session>(flags.out, sessionSeedKey, {
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
  const plan = planTasks({ key: seedItemKey }, sample, output.done, shard);
  if (plan.todo.length === 0) {
    output.appender.close();
    err(`parrot collect: all ${plan.mine.length} sessions are already in ${flags.out}; nothing to do`);
    return;
  }
  if (!flags.asker || !flags.assistant) {
    err(
      `parrot collect: no ${!flags.asker && !flags.assistant ? "--asker/--assistant" : !flags.asker ? "--asker" : "--assistant"} given: ` +
        `using the default model ${describeModel("default")}, run in-process (pulled once into the user cache).\n` +
        `  Point parrot at a larger model with --assistant URL#MODEL (OpenAI-compatible /v1 endpoint), openai:MODEL, gguf:PATH or a registered name,\n` +
        `  and at a trained Parrot-Ask model with --asker (or use --simulator prompted with a chat model).`,
    );
  }
  const opts: CollectOptions = {
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
  };
  const counters = newCollectCounters();
  // Each collected session has its own id (issue 12 item 8): the seed id and this output's run id.
  const runId = output.manifest?.run_id;
  const task = collectTask({ mode: flags.simulator, opts, counters, sessionId: (seed) => (runId ? `${seed.id}@${runId}` : seed.id) });
  const result = await execute(task, plan, {
    output,
    models: [
      { spec: assistantSpec, flag: "assistant" },
      { spec: askerSpec, flag: "asker" },
    ],
    concurrency: flags.concurrency,
    requestTimeout: flags.requestTimeout,
    parallel: Math.min(flags.concurrency, os.availableParallelism() * 4),
    prices,
    modelLineIndent: "  ",
    onStart: ([assistant, asker], log) =>
      log(`parrot collect: ${plan.todo.length} sessions to collect (${plan.already} already done) -> ${flags.out}; assistant ${assistant.id}, ${flags.simulator} simulator ${asker.id}`),
    onRow: (session) => countSession(counters, session),
  });
  const list = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(", ");
  const early = list(counters.stoppedEarly);
  const rejected = list(counters.rejectedQueries);
  const skipped = list(counters.skippedSeeds);
  err(
    `parrot collect: wrote ${counters.sessions} sessions in ${result.seconds.toFixed(1)}s${early ? `; stopped early: ${early}` : ""}` +
      `${rejected ? `; rejected queries: ${rejected}` : ""}${skipped ? `; seeds skipped (${skipped})` : ""}` +
      `${counters.truncatedResponses ? `; ${counters.truncatedResponses} responses cut at --max-tokens ${flags.maxTokens} (meta.responses)` : ""}`,
  );
  // Model and token lines, then the incomplete line (exit 3) when sessions were skipped or the budget reached.
  result.finish();
}
