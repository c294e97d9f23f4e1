/**
 * `parrot capo`: CaPO preference pairs (paper section 3.3), one (query, strategy) pair per item of the shared run
 * loop (src/run/executor.ts). Queries are selected by build.ts (the heuristic detector, or `--context` rows of
 * `parrot context detect`, the judge's decision winning); the session's response is chosen, one negative per
 * strategy is rejected. Output is append-only and resumable (key: session_id/turn/strategy); a negative still empty
 * or equal to the chosen response after K attempts is dropped, counted, and tried again on a rerun.
 */
import { readConversations } from "../conversations/readers.js";
import { UserError } from "../io/errors.js";
import { printEstimate, readDoneKeys } from "../run/estimate.js";
import { execute, planTasks } from "../run/executor.js";
import { digestValues } from "../run/manifest.js";
import type { ModelRunOptions } from "../run/flags.js";
import { openResumable } from "../run/output.js";
import { readPrices } from "../run/prices.js";
import { parseShard } from "../run/shard.js";
import { type CapoQuery, estimateCapo, generateNegative, pairRow, selectQueries } from "./build.js";
import { pairKey, pairKeyOf, type PreferencePair, type Strategy } from "../records/pair.js";
import { loadContextDecisions } from "./context-file.js";
import { CAPO_PROMPT_VERSION } from "./prompts.js";

/** The options of `capo` (its commander table: src/capo/command.ts); the sessions file is the argument. */
export interface CapoOptions extends ModelRunOptions {
  assistant: string;
  out: string;
  context?: string;
  strategies: Strategy[];
  maxQueries?: number;
  seed: number;
  maxAttempts: number;
}

/** One pair to build: a context-dependent query and a strategy, keyed session_id/turn/strategy. */
interface CapoItem {
  q: CapoQuery;
  strategy: Strategy;
  key: string;
}

/** `capo`'s task kind: one negative (hence one pair) per item. */
const capoTask = {
  command: "parrot capo",
  label: "capo",
  unit: "pairs",
  key: (it: CapoItem) => it.key,
  describe: (it: CapoItem) => `pair ${it.key}`,
};

/**
 * Run `parrot capo FILE` (or its `--dry-run` estimate).
 * @throws UserError on bad flags or input (a `--context` file naming no query of FILE); IncompleteRunError (exit 3)
 *   when pairs failed after transient errors or the token budget was reached.
 */
export async function runCapo(file: string, o: CapoOptions): Promise<void> {
  const shard = parseShard(o.shard);
  const prices = readPrices(o.prices);
  const sessions = readConversations(file);
  const decisions = o.context ? loadContextDecisions(o.context) : undefined;
  const used = new Set<string>();
  const decide = decisions
    ? (id: string, turn: number) => {
        const d = decisions.get(`${id}/${turn}`);
        if (d) used.add(`${id}/${turn}`);
        return d;
      }
    : undefined;
  const queries = selectQueries(sessions, { max: o.maxQueries, seed: o.seed, decide });
  if (decisions) {
    const byJudge = [...used].filter((k) => decisions.get(k)!.decided_by === "judge").length;
    const unmatched = decisions.size - used.size;
    if (used.size === 0) throw new UserError(`--context ${o.context}: none of its ${decisions.size} rows names a query of ${file} (id/turn); was it made from these sessions?`);
    process.stderr.write(
      `capo: --context ${o.context}: ${used.size} decisions used (${byJudge} by the judge, ${used.size - byJudge} heuristic)` +
        `${unmatched ? `; ${unmatched} rows name no answered query of ${file} and are ignored` : ""}\n`,
    );
  }
  const items: CapoItem[] = queries.flatMap((q) => o.strategies.map((strategy) => ({ q, strategy, key: pairKey(q.session.id, q.turn, strategy) })));
  if (o.dryRun) {
    // Read-only look at --out: pairs already there are left out of the estimate.
    const { todo, already } = planTasks(capoTask, items, readDoneKeys(o.out, pairKeyOf), shard);
    await printEstimate(`capo --dry-run: ${todo.length} pairs to build (${already} already in ${o.out}); nothing was sent`, [{ spec: o.assistant, flag: "assistant" }], prices, (est, [m]) => estimateCapo(todo, m, est), {
      source: "a negative as long as the chosen response, one attempt each",
    });
    return;
  }
  const out = openResumable<PreferencePair>(o.out, pairKeyOf, {
    maxTotalTokens: o.maxTotalTokens,
    inputs: { sessions: file, "--context": o.context },
    run: {
      command: "capo",
      settings: {
        assistant: o.assistant,
        prompt_version: CAPO_PROMPT_VERSION,
        seed: o.seed,
        max_attempts: o.maxAttempts,
        sessions: digestValues(sessions),
        context: decisions ? digestValues([...decisions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null,
      },
    },
  });
  const plan = planTasks(capoTask, items, out.done, shard);
  process.stderr.write(`capo: ${queries.length} context-dependent queries from ${sessions.length} sessions; ${plan.mine.length} pairs planned, ${plan.already} already done\n`);
  if (plan.todo.length === 0) {
    out.appender.close();
    return;
  }
  const count = () => Object.fromEntries(o.strategies.map((s) => [s, 0])) as Record<string, number>;
  const built = count();
  const dropped = count();
  const regenerated = count();
  const overContext = count();
  const result = await execute(
    {
      ...capoTask,
      play: async ([model], { q, strategy }) => {
        const neg = await generateNegative(model, q, strategy, { maxAttempts: o.maxAttempts, seed: o.seed });
        regenerated[strategy] += neg.attempts - 1;
        if (neg.rejected === undefined) {
          if (neg.dropReason === "context-length") overContext[strategy]++;
          else dropped[strategy]++;
          return undefined;
        }
        built[strategy]++;
        return pairRow(q, strategy, { ...neg, rejected: neg.rejected }, model.id);
      },
    },
    plan,
    { output: out, models: [{ spec: o.assistant, flag: "assistant", role: "negative" }], concurrency: o.concurrency, requestTimeout: o.requestTimeout, prices },
  );
  for (const s of o.strategies) {
    process.stderr.write(
      `capo: ${s}: ${built[s]} pairs built, ${regenerated[s]} regenerations, ${dropped[s]} dropped (empty or equal to chosen)${overContext[s] ? `, ${overContext[s]} dropped (prompt over the model's context)` : ""}\n`,
    );
  }
  // Pairs skipped after transient model failures: one line, exit 3 (src/run/failures.ts).
  result.finish();
}
