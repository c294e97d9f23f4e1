/**
 * `parrot context detect FILE --out FILE [--judge SPEC] [--concurrency C] [--request-timeout SEC] [--shard I/N]`
 *
 * For every user turn after the first of every session: `{id, turn, context_dependent, score, cues}` (turn is the
 * 1-based user turn). With `--judge`, an LLM confirms or rejects each heuristic decision (paper section 3.3:
 * "pronoun recognition + GPT-4 judgment"); rows then also carry `heuristic` and `judge` with both decisions, and
 * `context_dependent` is the judge's verdict (the heuristic's when the judge gave no parseable verdict).
 * Heuristic-only output is written atomically; judged output is append-only and resumable (key: id/turn). A query
 * whose judge call fails for good after transient errors is skipped and counted; the run exits 3: rerun it.
 */
import type { Command } from "commander";
import { intOption, positiveNumberOption } from "../cli/options.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { readConversations } from "../conversations/readers.js";
import type { Session } from "../conversations/session.js";
import { EXIT_CODES_HELP, ItemFailures } from "../run/failures.js";
import { RequestLimiter, runPool } from "../run/limiter.js";
import { createLimitedModel, summarizeModels } from "../run/models.js";
import { openResumable } from "../run/output.js";
import { Progress } from "../run/progress.js";
import { inShard, parseShard } from "../run/shard.js";
import { detectContextDependency, type ContextDecision } from "./detect.js";
import { JUDGE_PROMPT_VERSION, CONTEXT_JUDGE_SYSTEM, parseJudgeVerdict, renderContextJudgePrompt } from "./prompts.js";

/** One output row. */
export interface ContextRow extends ContextDecision {
  id: string;
  turn: number;
  heuristic?: ContextDecision;
  judge?: { context_dependent: boolean | null; model: string; prompt_version: string; rationale: string };
}

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

/** Heuristic rows for all sessions (pure). */
export function detectSessions(sessions: ReadonlyArray<Session>): ContextRow[] {
  return queriesAfterFirst(sessions).map((q) => ({
    id: q.session.id,
    turn: q.turn,
    ...detectContextDependency(q.session.messages.slice(0, q.index), q.session.messages[q.index].content),
  }));
}


const JUDGE_ATTEMPTS = 3;

export function register(program: Command): void {
  const context = program.command("context").description("context-dependent queries (paper 3.3)");
  context
    .command("detect")
    .description("mark every user turn after the first as context-dependent or not (heuristic; --judge adds an LLM check)")
    .argument("<file>", "sessions: parrot records, ShareGPT, OpenAI messages or OpenAssistant trees")
    .requiredOption("--out <file>", "output JSONL: {id, turn, context_dependent, score, cues}")
    .option("--judge <spec>", "LLM that confirms or rejects each heuristic decision (URL#MODEL, openai:MODEL, gguf:PATH)")
    .option("--concurrency <n>", "requests in flight", intOption("concurrency"), 4)
    .option("--request-timeout <sec>", "per-request timeout, seconds", positiveNumberOption("request-timeout"))
    .option("--shard <i/n>", "only the queries whose id/turn hashes to shard I of N")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, opts: { out: string; judge?: string; concurrency: number; requestTimeout?: number; shard?: string }) => {
      const shard = parseShard(opts.shard);
      const sessions = readConversations(file);
      const queries = queriesAfterFirst(sessions).filter((q) => inShard(`${q.session.id}/${q.turn}`, shard));
      if (!opts.judge) {
        const rows = queries.map((q) => ({
          id: q.session.id,
          turn: q.turn,
          ...detectContextDependency(q.session.messages.slice(0, q.index), q.session.messages[q.index].content),
        }));
        writeFileAtomic(opts.out, rows.map((r) => JSON.stringify(r) + "\n").join(""));
        const dep = rows.filter((r) => r.context_dependent).length;
        process.stderr.write(`context detect: ${rows.length} queries, ${dep} context-dependent, ${sessions.length} sessions (${(dep / Math.max(1, sessions.length)).toFixed(2)} per session)\n`);
        return;
      }
      const limiter = new RequestLimiter(opts.concurrency);
      const out = openResumable<ContextRow>(opts.out, (r) => (r && typeof r.id === "string" && typeof r.turn === "number" ? `${r.id}/${r.turn}` : undefined));
      const todo = queries.filter((q) => !out.done.has(`${q.session.id}/${q.turn}`));
      const progress = new Progress({ label: "context detect", total: queries.length, unit: "queries", initial: queries.length - todo.length });
      const judge = await createLimitedModel(opts.judge, {
        flag: "judge",
        limiter,
        requestTimeoutSec: opts.requestTimeout,
        parallel: opts.concurrency,
        progress,
      });
      let noVerdict = 0;
      const failures = new ItemFailures({ command: "parrot context detect", unit: "queries", log: (line) => progress.log(line) });
      try {
        await runPool(todo, opts.concurrency, failures.wrap((q) => `query ${q.session.id}/${q.turn}`, async (q) => {
          const history = q.session.messages.slice(0, q.index);
          const query = q.session.messages[q.index].content;
          const heuristic = detectContextDependency(history, query);
          const prompt = renderContextJudgePrompt(history, query, heuristic);
          let verdict: boolean | undefined;
          let rationale = "";
          for (let a = 0; a < JUDGE_ATTEMPTS && verdict === undefined; a++) {
            const c = await judge.chat([{ role: "system", content: CONTEXT_JUDGE_SYSTEM }, { role: "user", content: prompt }], { temperature: 0, maxTokens: 256 });
            rationale = c.text.trim();
            verdict = parseJudgeVerdict(c.text);
          }
          if (verdict === undefined) noVerdict++;
          const row: ContextRow = {
            id: q.session.id,
            turn: q.turn,
            context_dependent: verdict ?? heuristic.context_dependent,
            score: heuristic.score,
            cues: heuristic.cues,
            heuristic,
            judge: { context_dependent: verdict ?? null, model: judge.id, prompt_version: JUDGE_PROMPT_VERSION, rationale },
          };
          out.appender.append(row);
          progress.tick();
        }));
      } finally {
        out.appender.close();
        progress.stop();
        // Retries and failures are reported even when the run stops on an error.
        for (const l of summarizeModels([judge])) process.stderr.write(l + "\n");
        await judge.close();
      }
      if (noVerdict) process.stderr.write(`context detect: ${noVerdict} queries without a judge verdict (heuristic decision kept)\n`);
      // Queries skipped after transient model failures: one line, exit 3 (src/run/failures.ts).
      const incomplete = failures.incomplete();
      if (incomplete) throw incomplete;
    });
}
