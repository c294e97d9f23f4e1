/**
 * `parrot context detect FILE --out FILE [--judge SPEC] [--concurrency C] [--request-timeout SEC] [--shard I/N]`
 *
 * For every user turn after the first of every session: `{id, turn, context_dependent, score, cues}` (turn is the
 * 1-based user turn). With `--judge`, an LLM confirms or rejects each heuristic decision (paper section 3.3:
 * "pronoun recognition + GPT-4 judgment"); rows then also carry `heuristic` and `judge` with both decisions, and
 * `context_dependent` is the judge's verdict (the heuristic's when the judge gave no parseable verdict).
 * Heuristic-only output is written atomically; judged output is append-only and resumable (key: id/turn). A query
 * whose judge call fails for good after transient errors is skipped and counted; the run exits 3: rerun it.
 * Judge replies without a parseable verdict (after JUDGE_ATTEMPTS asks) keep the heuristic decision and are counted
 * over the whole output; when more than MAX_UNPARSED_SHARE of its rows have none, the run warns and exits 3.
 */
import { isContextLengthError } from "../llm/errors.js";
import type { Command } from "commander";
import { intOption, timeoutSecondsOption } from "../run/flags.js";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { readConversations } from "../conversations/readers.js";
import type { Session } from "../conversations/session.js";
import { EXIT_CODES_HELP, EXIT_INCOMPLETE } from "../run/failures.js";
import { digestValues } from "../run/manifest.js";
import { RESUMABLE_OUTPUT_HELP, openResumable } from "../run/output.js";
import { runModelPool } from "../run/pool.js";
import { readPrices } from "../run/prices.js";
import { costHelp } from "../run/usage.js";
import { inShard, parseShard } from "../run/shard.js";
import { contextLabelKey, contextLabelKeyOf, type ContextLabel } from "../records/context-label.js";
import { detectContextDependency, type ContextDecision } from "./detect.js";
import { JUDGE_PROMPT_VERSION, CONTEXT_JUDGE_SYSTEM, parseJudgeVerdict, renderContextJudgePrompt } from "./prompts.js";

/** One user turn (>= 2) of a session with its history. */
export interface QueryAt {
  session: Session;
  /** 1-based user turn */
  turn: number;
  /** index of the query in session.messages */
  index: number;
}

/** Every user turn after the first, in session order. */
export function queriesAfterFirst(sessions: ReadonlyArray<Session>): QueryAt[] {
  const out: QueryAt[] = [];
  for (const s of sessions) {
    let turn = 0;
    s.messages.forEach((m, index) => {
      if (m.role !== "user") return;
      turn++;
      if (turn >= 2) out.push({ session: s, turn, index });
    });
  }
  return out;
}

/** The heuristic decision for one query, from its session's earlier messages (pure). */
function decide(q: QueryAt): ContextDecision {
  return detectContextDependency(q.session.messages.slice(0, q.index), q.session.messages[q.index].content);
}

/** Heuristic rows `{id, turn, context_dependent, score, cues}` for the given queries (pure). */
function heuristicRows(queries: ReadonlyArray<QueryAt>): ContextLabel[] {
  return queries.map((q) => ({ id: q.session.id, turn: q.turn, ...decide(q) }) satisfies ContextLabel);
}

/** Heuristic rows for all sessions (pure). */
export function detectSessions(sessions: ReadonlyArray<Session>): ContextLabel[] {
  return heuristicRows(queriesAfterFirst(sessions));
}

const JUDGE_ATTEMPTS = 3;

/**
 * Largest share of judged rows without a parseable verdict (`judge.context_dependent: null`) that a run accepts:
 * above it (a judge that ignores the VERDICT format, a wrong endpoint) `context detect --judge` warns and exits 3.
 */
export const MAX_UNPARSED_SHARE = 0.05;

export function register(program: Command): void {
  const context = program.command("context").description("context-dependent queries (paper 3.3)");
  context
    .command("detect")
    .description("mark every user turn after the first as context-dependent or not (heuristic; --judge adds an LLM check)")
    .argument("<file>", "sessions: parrot records, ShareGPT, OpenAI messages or OpenAssistant trees")
    .requiredOption("--out <file>", "output JSONL: {id, turn, context_dependent, score, cues}")
    .option("--judge <spec>", "LLM that confirms or rejects each heuristic decision (URL#MODEL, openai:MODEL, gguf:PATH)")
    .option("--concurrency <n>", "requests in flight", intOption("concurrency"), 4)
    .option("--request-timeout <sec>", "per-request timeout, seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <i/n>", "only the queries whose id/turn hashes to shard I of N")
    .option("--max-total-tokens <n>", "with --judge: stop starting calls once this run has used N tokens; exit 3, rerun to continue", intOption("max-total-tokens"))
    .option("--prices <file>", "with --judge: price table (JSON, per million tokens) for the cost lines")
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
    .action(async (file: string, opts: { out: string; judge?: string; concurrency: number; requestTimeout?: number; shard?: string; maxTotalTokens?: number; prices?: string }) => {
      const shard = parseShard(opts.shard);
      const prices = readPrices(opts.prices);
      const sessions = readConversations(file);
      const queries = queriesAfterFirst(sessions).filter((q) => inShard(`${q.session.id}/${q.turn}`, shard));
      if (!opts.judge) {
        refuseOutputIsInput(opts.out, { sessions: file });
        const rows = heuristicRows(queries);
        writeFileAtomic(opts.out, rows.map((r) => JSON.stringify(r) + "\n").join(""));
        const dep = rows.filter((r) => r.context_dependent).length;
        process.stderr.write(`context detect: ${rows.length} queries, ${dep} context-dependent, ${sessions.length} sessions (${(dep / Math.max(1, sessions.length)).toFixed(2)} per session)\n`);
        return;
      }
      const out = openResumable<ContextLabel>(opts.out, contextLabelKeyOf, {
        inputs: { sessions: file },
        maxTotalTokens: opts.maxTotalTokens,
        run: { command: "context detect --judge", settings: { judge: opts.judge, prompt_version: JUDGE_PROMPT_VERSION, attempts: JUDGE_ATTEMPTS, sessions: digestValues(sessions) } },
      });
      const todo = queries.filter((q) => !out.done.has(contextLabelKey(q.session.id, q.turn)));
      const earlierNoVerdict = out.existing.filter((r) => r.judge && r.judge.context_dependent === null).length;
      let noVerdict = 0;
      const { failures, written } = await runModelPool({
        spec: opts.judge,
        flag: "judge",
        command: "parrot context detect",
        label: "context detect",
        unit: "queries",
        total: queries.length,
        todo,
        concurrency: opts.concurrency,
        requestTimeout: opts.requestTimeout,
        appender: out.appender,
        describe: (q) => `query ${q.session.id}/${q.turn}`,
        usage: out.usage,
        role: "judge",
        prices,
        work: async (judge, q) => {
          const heuristic = decide(q);
          const prompt = renderContextJudgePrompt(q.session.messages.slice(0, q.index), q.session.messages[q.index].content, heuristic);
          let verdict: boolean | undefined;
          let rationale = "";
          for (let a = 0; a < JUDGE_ATTEMPTS && verdict === undefined; a++) {
            let c: { text: string };
            try {
              c = await judge.chat([{ role: "system", content: CONTEXT_JUDGE_SYSTEM }, { role: "user", content: prompt }], { temperature: 0, maxTokens: 256, tag: { stage: a === 0 ? "context-judge" : "context-judge-retry", turn: q.turn } });
            } catch (err) {
              // Over the judge's context: no verdict (the heuristic decision stands), marked in the rationale.
              if (!isContextLengthError(err)) throw err;
              rationale = "context-length";
              break;
            }
            rationale = c.text.trim();
            verdict = parseJudgeVerdict(c.text);
          }
          if (verdict === undefined) noVerdict++;
          const row = {
            id: q.session.id,
            turn: q.turn,
            context_dependent: verdict ?? heuristic.context_dependent,
            score: heuristic.score,
            cues: heuristic.cues,
            heuristic,
            judge: { context_dependent: verdict ?? null, model: judge.id, prompt_version: JUDGE_PROMPT_VERSION, rationale },
          } satisfies ContextLabel;
          out.appender.append(row);
        },
      });
      if (noVerdict) process.stderr.write(`context detect: ${noVerdict} queries without a judge verdict (heuristic decision kept)\n`);
      // Queries skipped after transient model failures: one line, exit 3 (src/run/failures.ts).
      const incomplete = failures.incomplete(out.usage);
      if (incomplete) throw incomplete;
      // Unparsed verdicts over the whole output (earlier runs included): above the share, warn and exit 3.
      const judged = out.existing.filter((r) => r.judge).length + written;
      const unparsed = earlierNoVerdict + noVerdict;
      if (judged > 0 && unparsed / judged > MAX_UNPARSED_SHARE) {
        throw new UserError(
          `warning: ${unparsed} of ${judged} judged queries in ${opts.out} (${((100 * unparsed) / judged).toFixed(1)}%) have no parseable judge verdict ` +
            `(more than ${MAX_UNPARSED_SHARE * 100}%), so they keep the heuristic decision; check that the --judge model answers "VERDICT: DEPENDENT|INDEPENDENT"`,
          { exitCode: EXIT_INCOMPLETE },
        );
      }
    });
}
