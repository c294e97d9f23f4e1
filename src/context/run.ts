/**
 * `parrot context detect`: for every user turn after the first of every session, `{id, turn, context_dependent,
 * score, cues}`. Heuristic only: written atomically. With `--judge`: one query per item of the shared run loop
 * (src/run/executor.ts), append-only and resumable (key: id/turn); replies without a parseable verdict are counted
 * over the whole output, and above MAX_UNPARSED_SHARE of its rows the run warns and exits 3.
 */
import { readConversations } from "../conversations/readers.js";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { execute, planTasks } from "../run/executor.js";
import { EXIT_INCOMPLETE } from "../run/failures.js";
import { digestValues } from "../run/manifest.js";
import type { ModelRunOptions } from "../run/flags.js";
import { openResumable } from "../run/output.js";
import { readPrices } from "../run/prices.js";
import { parseShard } from "../run/shard.js";
import { JUDGE_ATTEMPTS, MAX_UNPARSED_SHARE, judgeQuery } from "./judge.js";
import { JUDGE_PROMPT_VERSION } from "./prompts.js";
import { type QueryAt, heuristicRows, queriesAfterFirst, queryKey } from "./queries.js";
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
  const sessions = readConversations(file);
  const queries = queriesAfterFirst(sessions);
  if (!o.judge) {
    refuseOutputIsInput(o.out, { sessions: file });
    const rows = heuristicRows(planTasks({ key: queryKey }, queries, new Set(), shard).mine);
    writeFileAtomic(o.out, rows.map((r) => JSON.stringify(r) + "\n").join(""));
    const dep = rows.filter((r) => r.context_dependent).length;
    process.stderr.write(`context detect: ${rows.length} queries, ${dep} context-dependent, ${sessions.length} sessions (${(dep / Math.max(1, sessions.length)).toFixed(2)} per session)\n`);
    return;
  }
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
