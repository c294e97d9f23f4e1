/**
 * `parrot capo FILE --assistant SPEC --out FILE [--context FILE] [--strategies ...] [--max-queries N] [--concurrency C]
 *  [--seed S] [--request-timeout SEC] [--shard I/N] [--max-attempts K]`
 *
 * Builds CaPO preference pairs (paper section 3.3): context-dependent queries (turn >= 2; heuristic detector, or the
 * rows of `parrot context detect` given with --context, the judge's decision winning where present), the
 * session's own response as chosen, one negative per strategy as rejected. Output is append-only and resumable
 * (key: session_id/turn/strategy); a negative still empty or equal to the chosen response after K attempts is
 * dropped, counted, and tried again on a rerun. A pair whose model call fails for good after transient errors
 * (5xx, 429, timeouts, ...) is skipped and counted; the run goes on and exits 3 (src/run/failures.ts): rerun it.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { readConversations } from "../conversations/readers.js";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { digestValues } from "../run/manifest.js";
import { RESUMABLE_OUTPUT_HELP, openResumable } from "../run/output.js";
import { loadContextDecisions } from "./context-file.js";
import { CAPO_PROMPT_VERSION } from "./prompts.js";
import { runModelPool } from "../run/pool.js";
import { inShard, parseShard } from "../run/shard.js";
import { intOption, timeoutSecondsOption } from "../run/flags.js";
import { STRATEGIES, pairKey, pairKeyOf, parseStrategies, type PreferencePair, type Strategy } from "../records/pair.js";
import { estimateCapo, generateNegative, pairRow, selectQueries } from "./build.js";
import { EstimateBuilder, doneKeysIn, estimateNotes, ratesOf, tokenCounterOf } from "../run/estimate.js";
import { readPrices } from "../run/prices.js";
import { COST_HELP, breakdownLines } from "../run/usage.js";
import { createModel } from "../llm/index.js";

export function register(program: Command): void {
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
    .option("--max-attempts <k>", "generations per negative before it is dropped", intOption("max-attempts"), 3)
    .option("--concurrency <n>", "requests in flight", intOption("concurrency"), 4)
    .option("--request-timeout <sec>", "per-request timeout, seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <i/n>", "only the pairs whose session_id/turn/strategy hashes to shard I of N")
    .option("--dry-run", "estimate requests and tokens (and cost with --prices) of the pairs still to build; call no model, write nothing")
    .option("--max-total-tokens <n>", "stop starting calls once this run has used N tokens; exit 3, rerun to continue", intOption("max-total-tokens"))
    .option("--prices <file>", "price table (JSON, per million tokens) for the cost lines")
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + "\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action(async (file: string, opts: { assistant: string; out: string; context?: string; strategies: Strategy[]; maxQueries?: number; seed: number; maxAttempts: number; concurrency: number; requestTimeout?: number; shard?: string; dryRun?: boolean; maxTotalTokens?: number; prices?: string }) => {
      const shard = parseShard(opts.shard);
      const prices = readPrices(opts.prices);
      const sessions = readConversations(file);
      const decisions = opts.context ? loadContextDecisions(opts.context) : undefined;
      const used = new Set<string>();
      const decide = decisions
        ? (id: string, turn: number) => {
            const d = decisions.get(`${id}/${turn}`);
            if (d) used.add(`${id}/${turn}`);
            return d;
          }
        : undefined;
      const queries = selectQueries(sessions, { max: opts.maxQueries, seed: opts.seed, decide });
      if (decisions) {
        const byJudge = [...used].filter((k) => decisions.get(k)!.decided_by === "judge").length;
        const unmatched = decisions.size - used.size;
        if (used.size === 0) throw new UserError(`--context ${opts.context}: none of its ${decisions.size} rows names a query of ${file} (id/turn); was it made from these sessions?`);
        process.stderr.write(
          `capo: --context ${opts.context}: ${used.size} decisions used (${byJudge} by the judge, ${used.size - byJudge} heuristic)` +
            `${unmatched ? `; ${unmatched} rows name no answered query of ${file} and are ignored` : ""}\n`,
        );
      }
      const items = queries.flatMap((q) => opts.strategies.map((strategy) => ({ q, strategy, key: pairKey(q.session.id, q.turn, strategy) }))).filter((it) => inShard(it.key, shard));
      if (opts.dryRun) {
        // Read-only look at --out: pairs already there are left out of the estimate.
        const done = doneKeysIn(opts.out, pairKeyOf);
        const todo = items.filter((it) => !done.has(it.key));
        const model = await createModel(opts.assistant, { flag: "assistant", parallel: 1 });
        try {
          const m = { id: model.id, counter: tokenCounterOf(model), rates: ratesOf(model.id) };
          const est = new EstimateBuilder();
          estimateCapo(todo, m, est);
          process.stderr.write(`capo --dry-run: ${todo.length} pairs to build (${items.length - todo.length} already in ${opts.out}); nothing was sent\n`);
          for (const line of breakdownLines("  estimate", est.result(), prices)) process.stderr.write(line + "\n");
          for (const line of estimateNotes([{ ...m, rates: { ...m.rates, source: "a negative as long as the chosen response, one attempt each" } }])) process.stderr.write(line + "\n");
        } finally {
          await model.close();
        }
        return;
      }
      const out = openResumable<PreferencePair>(opts.out, pairKeyOf, {
        maxTotalTokens: opts.maxTotalTokens,
        inputs: { sessions: file, "--context": opts.context },
        run: {
          command: "capo",
          settings: {
            assistant: opts.assistant,
            prompt_version: CAPO_PROMPT_VERSION,
            seed: opts.seed,
            max_attempts: opts.maxAttempts,
            sessions: digestValues(sessions),
            context: decisions ? digestValues([...decisions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null,
          },
        },
      });
      const todo = items.filter((it) => !out.done.has(it.key));
      process.stderr.write(`capo: ${queries.length} context-dependent queries from ${sessions.length} sessions; ${items.length} pairs planned, ${items.length - todo.length} already done\n`);
      if (todo.length === 0) {
        out.appender.close();
        return;
      }
      const built: Record<string, number> = Object.fromEntries(opts.strategies.map((s) => [s, 0]));
      const dropped: Record<string, number> = Object.fromEntries(opts.strategies.map((s) => [s, 0]));
      const regenerated: Record<string, number> = Object.fromEntries(opts.strategies.map((s) => [s, 0]));
      const overContext: Record<string, number> = Object.fromEntries(opts.strategies.map((s) => [s, 0]));
      const { failures } = await runModelPool({
        spec: opts.assistant,
        flag: "assistant",
        command: "parrot capo",
        label: "capo",
        unit: "pairs",
        total: items.length,
        todo,
        concurrency: opts.concurrency,
        requestTimeout: opts.requestTimeout,
        appender: out.appender,
        describe: (it) => `pair ${it.key}`,
        usage: out.usage,
        role: "negative",
        prices,
        work: async (model, { q, strategy }) => {
          const neg = await generateNegative(model, q, strategy, { maxAttempts: opts.maxAttempts, seed: opts.seed });
          regenerated[strategy] += neg.attempts - 1;
          if (neg.rejected === undefined) {
            if (neg.dropReason === "context-length") overContext[strategy]++;
            else dropped[strategy]++;
          }
          else {
            out.appender.append(pairRow(q, strategy, { ...neg, rejected: neg.rejected }, model.id));
            built[strategy]++;
          }
        },
      });
      for (const s of opts.strategies) {
        process.stderr.write(`capo: ${s}: ${built[s]} pairs built, ${regenerated[s]} regenerations, ${dropped[s]} dropped (empty or equal to chosen)${overContext[s] ? `, ${overContext[s]} dropped (prompt over the model's context)` : ""}\n`);
      }
      // Pairs skipped after transient model failures: one line, exit 3 (src/run/failures.ts).
      const incomplete = failures.incomplete(out.usage);
      if (incomplete) throw incomplete;
    });
}
