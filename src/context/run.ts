/**
 * `parrot context detect`: for every user turn after the first of every session, `{id, turn, context_dependent,
 * score, cues}`. Heuristic only: sessions streamed, rows written as decided, the file replaced atomically. With
 * `--judge`: one query per item of the shared run loop (src/run/executor.ts), append-only and resumable (key: id/turn); replies without a parseable verdict are counted
 * over the whole output, and above MAX_UNPARSED_SHARE of its rows the run warns and exits 3.
 */
import { iterateConversations, readConversations } from "../conversations/readers.js";
import { UserError } from "../io/errors.js";
import { writeJsonlStreamed } from "../io/jsonl.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { execute, planTasks } from "../run/executor.js";
import { EXIT_INCOMPLETE } from "../run/failures.js";
import { digestValues } from "../run/manifest.js";
import type { ModelRunOptions } from "../run/flags.js";
import { openResumable } from "../run/output.js";
import { readPrices } from "../run/prices.js";
import { inShard, parseShard } from "../run/shard.js";
import { JUDGE_ATTEMPTS, MAX_UNPARSED_SHARE, judgeQuery } from "./judge.js";
import { JUDGE_PROMPT_VERSION } from "./prompts.js";
import { type QueryAt, heuristicRow, queriesAfterFirst, queryKey } from "./queries.js";
import { contextLabelKeyOf, type ContextLabel } from "../records/context-label.js";

/** The options of `context detect` (its commander table: src/context/command.ts); the sessions file is the argument. */
export interface ContextDetectOptions extends Omit<ModelRunOptions, "dryRun"> {
  out: string;
  judge?: string;
}

/**
 * Run `parrot context detect FILE` (heuristic, or with `--judge`).
 * @throws UserError on bad flags or input, or (exit 3) when too many judged rows have no verdict; IncompleteRunError
 *   (exit 3) when queries failed after transient errors or the token budget was reached.
 */
export async function runContextDetect(file: string, o: ContextDetectOptions): Promise<void> {
  const shard = parseShard(o.shard);
  const prices = readPrices(o.prices);
  if (!o.judge) {
    // Heuristic: sessions are streamed, each row written as it is decided (temp file renamed over --out at the end;
    // a bad record part-way aborts it, so nothing is half written).
    refuseOutputIsInput(o.out, { sessions: file });
    let sessionCount = 0;
    let queryCount = 0;
    let dep = 0;
    const rows = (function* () {
      for (const session of iterateConversations(file)) {
        sessionCount++;
        for (const q of queriesAfterFirst([session])) {
          if (!inShard(queryKey(q), shard)) continue;
          const row = heuristicRow(q);
          queryCount++;
          if (row.context_dependent) dep++;
          yield row;
        }
      }
    })();
    writeJsonlStreamed(o.out, rows);
    process.stderr.write(`context detect: ${queryCount} queries, ${dep} context-dependent, ${sessionCount} sessions (${(dep / Math.max(1, sessionCount)).toFixed(2)} per session)\n`);
    return;
  }
  // --judge: the manifest's settings hold a digest of all sessions and the run loop plans over all queries, so the
  // sessions are read whole here (model calls, not memory, bound this mode).
  const sessions = readConversations(file);
  const queries = queriesAfterFirst(sessions);
  const out = openResumable<ContextLabel>(o.out, contextLabelKeyOf, {
    inputs: { sessions: file },
    maxTotalTokens: o.maxTotalTokens,
    run: { command: "context detect --judge", settings: { judge: o.judge, prompt_version: JUDGE_PROMPT_VERSION, attempts: JUDGE_ATTEMPTS, sessions: digestValues(sessions) } },
  });
  const plan = planTasks({ key: queryKey }, queries, out.done, shard);
  const earlierNoVerdict = out.existing.filter((r) => r.judge && r.judge.context_dependent === null).length;
  let noVerdict = 0;
  const result = await execute(
    {
      command: "parrot context detect",
      label: "context detect",
      unit: "queries",
      key: queryKey,
      describe: (q: QueryAt) => `query ${queryKey(q)}`,
      play: async ([judge], q) => {
        const { row, verdict } = await judgeQuery(judge, q);
        if (verdict === undefined) noVerdict++;
        return row;
      },
    },
    plan,
    { output: out, models: [{ spec: o.judge, flag: "judge", role: "judge" }], concurrency: o.concurrency, requestTimeout: o.requestTimeout, prices },
  );
  if (noVerdict) process.stderr.write(`context detect: ${noVerdict} queries without a judge verdict (heuristic decision kept)\n`);
  // Queries skipped after transient model failures: one line, exit 3 (src/run/failures.ts).
  result.finish();
  // Unparsed verdicts over the whole output (earlier runs included): above the share, warn and exit 3.
  const judged = out.existing.filter((r) => r.judge).length + result.written;
  const unparsed = earlierNoVerdict + noVerdict;
  if (judged > 0 && unparsed / judged > MAX_UNPARSED_SHARE) {
    throw new UserError(
      `warning: ${unparsed} of ${judged} judged queries in ${o.out} (${((100 * unparsed) / judged).toFixed(1)}%) have no parseable judge verdict ` +
        `(more than ${MAX_UNPARSED_SHARE * 100}%), so they keep the heuristic decision; check that the --judge model answers "VERDICT: DEPENDENT|INDEPENDENT"`,
      { exitCode: EXIT_INCOMPLETE },
    );
  }
}
