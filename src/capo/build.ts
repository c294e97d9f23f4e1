/**
 * CaPO preference pairs (paper section 3.3): for each context-dependent query (turn >= 2), the session's own
 * response is `chosen` and each strategy's negative is `rejected`.
 *
 * Pair rows: src/records/pair.ts (`parrot export dpo` reads exactly those).
 */
import { isContextLengthError } from "../llm/errors.js";
import type { Message, Session } from "../conversations/session.js";
import type { LanguageModel } from "../llm/types.js";
import { detectContextDependency } from "../context/detect.js";
import { queriesAfterFirst } from "../context/queries.js";
import { seededShuffle } from "../run/rng.js";
import type { EstimateBuilder, TokenCounter } from "../run/estimate.js";
import { pairKey, type PreferencePair, type Strategy } from "../records/pair.js";
import {
  CAPO_PROMPT_VERSION,
  hallucinationAnswerMessages,
  hallucinationGuessMessages,
  misunderstandingMessages,
  neglectMessages,
} from "./prompts.js";

/** A context-dependent query with its history and the session's response. */
export interface CapoQuery {
  session: Session;
  turn: number;
  /** index of the query in session.messages */
  index: number;
  history: Message[];
  query: string;
  chosen: string;
  /** The decision's score and cues; `decided_by` when it came from a `context detect` file ("judge" | "heuristic"). */
  detector: { score: number; cues: string[]; decided_by?: string };
}

/** A context-dependency decision for one query, as `decide` gives it (undefined: no decision, the query is skipped). */
export interface QueryDecision {
  context_dependent: boolean;
  score: number;
  cues: string[];
  decided_by?: string;
}

/**
 * Context-dependent queries (turn >= 2) that have a non-empty response, in session order; then, with `max`, the
 * first `max` of a seeded shuffle (reproducible with the same seed). The decision is the heuristic detector's, or
 * `opts.decide(sessionId, turn)` when given (rows of `parrot context detect`, see context-file.ts).
 */
export function selectQueries(
  sessions: ReadonlyArray<Session>,
  opts: { max?: number; seed?: number; decide?: (sessionId: string, turn: number) => QueryDecision | undefined } = {},
): CapoQuery[] {
  const out: CapoQuery[] = [];
  for (const { session: s, turn, index } of queriesAfterFirst(sessions)) {
    const m = s.messages[index];
    const next = s.messages[index + 1];
    if (!next || next.role !== "assistant" || next.content.trim() === "") continue;
    const history = s.messages.slice(0, index);
    const d: QueryDecision | undefined = opts.decide ? opts.decide(s.id, turn) : detectContextDependency(history, m.content);
    if (!d?.context_dependent) continue;
    const detector = { score: d.score, cues: d.cues, ...(d.decided_by ? { decided_by: d.decided_by } : {}) };
    out.push({ session: s, turn, index, history, query: m.content, chosen: next.content, detector });
  }
  if (opts.max === undefined || opts.max >= out.length) return out;
  return seededShuffle(out, opts.seed ?? 0).slice(0, opts.max);
}

/** Whether a negative is usable: non-empty and different from the chosen response (whitespace-insensitive). */
export function usableNegative(rejected: string, chosen: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  return norm(rejected) !== "" && norm(rejected) !== norm(chosen);
}

export interface NegativeResult {
  rejected?: string;
  attempts: number;
  guess?: string;
  /** Why no negative was built: `context-length` (a prompt over the model's context); else empty/equal to chosen. */
  dropReason?: "context-length";
}

/**
 * Generate one strategy's negative, regenerating up to `maxAttempts` times while it is empty or equal to the chosen
 * response; `rejected` is undefined when every attempt failed (the caller drops and counts it).
 * Requests: neglect 1, hallucination 2 (guess, answer), misunderstanding 1, per attempt.
 */
export async function generateNegative(
  model: LanguageModel,
  q: CapoQuery,
  strategy: Strategy,
  opts: { maxAttempts: number; temperature?: number; maxTokens?: number; seed?: number },
): Promise<NegativeResult> {
  let guess: string | undefined;
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    const gen = { temperature: opts.temperature, maxTokens: opts.maxTokens, seed: opts.seed === undefined ? undefined : opts.seed + attempt - 1 };
    const tag = (stage: string) => ({ ...gen, tag: { stage, turn: q.turn } });
    let text: string;
    try {
      if (strategy === "context-neglect") {
        text = (await model.chat(neglectMessages(q.query), tag(strategy))).text;
      } else if (strategy === "context-hallucination") {
        guess = (await model.chat(hallucinationGuessMessages(q.query), tag("context-hallucination:guess"))).text.trim();
        text = (await model.chat(hallucinationAnswerMessages(q.query, guess), tag("context-hallucination:answer"))).text;
      } else {
        text = (await model.chat(misunderstandingMessages(q.history, q.query), tag(strategy))).text;
      }
    } catch (err) {
      // A prompt over the model's context: no negative for this query and strategy (dropped and counted).
      if (isContextLengthError(err)) return { attempts: attempt, guess, dropReason: "context-length" };
      throw err;
    }
    if (usableNegative(text, q.chosen)) return { rejected: text.trim(), attempts: attempt, guess };
  }
  return { attempts: opts.maxAttempts, guess };
}

/** Assemble a pair row. */
export function pairRow(q: CapoQuery, strategy: Strategy, neg: NegativeResult & { rejected: string }, assistantId: string): PreferencePair {
  const meta: Record<string, unknown> = {
    assistant: assistantId,
    prompt_version: CAPO_PROMPT_VERSION,
    attempts: neg.attempts,
    detector: q.detector,
  };
  if (neg.guess !== undefined) meta.guess = neg.guess;
  if (q.session.system !== undefined) meta.system = q.session.system;
  if (q.session.meta?.source !== undefined) meta.source = q.session.meta.source;
  return {
    id: pairKey(q.session.id, q.turn, strategy),
    session_id: q.session.id,
    turn: q.turn,
    strategy,
    prompt: q.session.messages.slice(0, q.index + 1).map((m) => ({ role: m.role, content: m.content })),
    chosen: q.chosen,
    rejected: neg.rejected,
    meta,
  } satisfies PreferencePair;
}

/**
 * `capo --dry-run`: the calls `generateNegative` will make for these items, one attempt each, into `into`
 * (estimator: src/run/estimate.ts). Prompts are capo's own, counted with `counter`; a negative is expected to be as
 * long as the session's chosen response (capo sets no max tokens), a hallucination guess as long as the query.
 */
export function estimateCapo(
  items: ReadonlyArray<{ q: CapoQuery; strategy: Strategy }>,
  model: { id: string; counter: TokenCounter },
  into: EstimateBuilder,
): void {
  for (const { q, strategy } of items) {
    const chosen = model.counter.text(q.chosen);
    const tag = (stage: string) => ({ role: "negative", model: model.id, stage, turn: q.turn });
    if (strategy === "context-neglect") into.add(tag(strategy), model.counter.chat(neglectMessages(q.query)), chosen);
    else if (strategy === "context-hallucination") {
      const guess = model.counter.text(q.query);
      into.add(tag("context-hallucination:guess"), model.counter.chat(hallucinationGuessMessages(q.query)), guess);
      into.add(tag("context-hallucination:answer"), model.counter.chat(hallucinationAnswerMessages(q.query, "")) + guess, chosen);
    } else into.add(tag(strategy), model.counter.chat(misunderstandingMessages(q.history, q.query)), chosen);
  }
}
