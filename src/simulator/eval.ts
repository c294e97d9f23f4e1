/**
 * Simulator fidelity (issue 14): how human-like is a user simulator, measured against real users on held-out
 * sessions. Two parts, each resumable through its own append-only file:
 *
 * 1. Next query on real history: for every user turn t >= 2 of the held-out sessions (the alternating prefix that
 *    starts with the user, as collect builds sessions), the simulator is given the real history through the
 *    assistant response before t (src/collect/simulators.ts, exactly as `parrot collect` calls it) and writes the
 *    next query; the real query at t is scored under the simulator (`ppl_real`, `scoreRealQuery`).
 * 2. Rollouts (with an assistant): K sessions of N turns collected from held-out first queries by the collection
 *    loop itself (src/collect/collect.ts `collectTask` on src/run/executor.ts, filters included), measured with
 *    Table 1's statistics (src/stats/stats.ts) and the query metrics of metrics.ts.
 *
 * The reference row is the same metrics over the real users' own queries of the same items (and, for rollouts,
 * of the same held-out sessions cut to N user turns).
 */
import { createHash } from "node:crypto";
import type { Message, Session } from "../conversations/session.js";
import { alternationError, userTurns } from "../conversations/session.js";
import { renderParrotAskPrompt, renderPromptedUserPrompt } from "../collect/prompts.js";
import type { SimulatorMode } from "../collect/simulators.js";
import { CONTEXT_LENGTH, ModelCallError, SCORING_UNAVAILABLE } from "../llm/errors.js";
import type { ChatMessage, ContinuationScore } from "../llm/types.js";
import { seededShuffle } from "../run/rng.js";
import { datasetStats, type DatasetStats } from "../stats/stats.js";
import { queryMetrics, wordCount, type QueryMetrics, type ScoredQuery } from "./metrics.js";

/** One next-query item: a real history ending with an assistant response, and the real query that followed. */
export interface NextQueryItem {
  /** `SESSION_ID/TURN`, the resume key. */
  key: string;
  session_id: string;
  /** 1-based user turn of `real` (>= 2). */
  turn: number;
  history: Message[];
  real: string;
}

/** The alternating user/assistant prefix of a session that starts with the user (empty when it does not). */
export function alternatingPrefix(messages: ReadonlyArray<Message>): Message[] {
  const bad = alternationError(messages);
  return (bad < 0 ? messages : messages.slice(0, bad)).slice();
}

/**
 * Every (history, real query) pair at user turns >= 2 of `sessions`, in file order. Pairs repeating an earlier
 * one exactly (OpenAssistant trees: paths to different leaves share their prefixes) are kept once; empty queries
 * are left out.
 */
export function nextQueryItems(sessions: Iterable<Pick<Session, "id" | "messages">>): NextQueryItem[] {
  const out: NextQueryItem[] = [];
  const seen = new Set<string>();
  for (const s of sessions) {
    const msgs = alternatingPrefix(s.messages);
    for (let i = 2; i < msgs.length; i += 2) {
      const real = msgs[i].content.trim();
      if (real === "") continue;
      const history = msgs.slice(0, i);
      const h = createHash("sha256").update(JSON.stringify([history, real])).digest("hex");
      if (seen.has(h)) continue;
      seen.add(h);
      out.push({ key: `${s.id}/${i / 2 + 1}`, session_id: s.id, turn: i / 2 + 1, history, real });
    }
  }
  return out;
}

/** `limit` items sampled reproducibly (seeded shuffle, then the first `limit`); all when no limit. */
export function sampleItems<T>(items: ReadonlyArray<T>, limit: number | undefined, seed: number): T[] {
  return seededShuffle(items, seed).slice(0, limit ?? items.length);
}

/**
 * The text the simulator is scored on for `ppl_real`, in the format it is prompted with:
 * - `parrot-ask`: prompt = the B.1 prompt of the history (`renderParrotAskPrompt`, ending in `[USER]`),
 *   continuation = " " + the real query: the query's own tokens with the separating space the prompt leaves to the
 *   model, without the closing ` [ASSISTANT]` (so both simulators are scored on the query's tokens alone);
 * - `prompted`: prompt = the model's chat template applied to the B.2 prompt as one user message, with the
 *   generation prompt (`renderChatPrompt` of the local engine), continuation = the real query as the reply (no
 *   end-of-turn token). Undefined when the engine does not expose its template (HTTP endpoints apply it out of sight).
 */
export function scoredText(mode: SimulatorMode, history: ReadonlyArray<Message>, real: string, renderChatPrompt?: (m: ChatMessage[]) => string): { prompt: string; continuation: string } | undefined {
  if (mode === "parrot-ask") return { prompt: renderParrotAskPrompt(history), continuation: " " + real };
  if (!renderChatPrompt) return undefined;
  return { prompt: renderChatPrompt([{ role: "user", content: renderPromptedUserPrompt(history) }]), continuation: real };
}

/** ppl of one item: the score, or why there is none (`context-length`, `not-available: ...`). */
export type PplOutcome = { score: ContinuationScore } | { none: string };

/** Error reasons of a scoring call that mean "this endpoint cannot score" rather than a failed run. */
const UNAVAILABLE_REASONS = new Set([SCORING_UNAVAILABLE, "400", "404", "422", "501"]);

/**
 * Score the real query of an item under the simulator's model (see `scoredText`).
 * @returns `{score}`; `{none: "context-length"}` when it does not fit; `{none: "not-available: why"}` when the engine
 *   cannot score (no `scoreContinuation`, no chat template for prompted, or the server returns no prompt logprobs).
 * @throws transient ModelCallErrors (the item is then skipped and retried by a rerun) and other errors.
 */
export async function scoreRealQuery(
  model: { scoreContinuation?: (p: string, c: string) => Promise<ContinuationScore>; renderChatPrompt?: (m: ChatMessage[]) => string },
  mode: SimulatorMode,
  item: Pick<NextQueryItem, "history" | "real">,
): Promise<PplOutcome> {
  if (!model.scoreContinuation) return { none: "not-available: the engine cannot score continuations" };
  const text = scoredText(mode, item.history, item.real, model.renderChatPrompt);
  if (!text) return { none: "not-available: the chat template of an HTTP endpoint is applied server-side, so the prompted format cannot be scored" };
  try {
    return { score: await model.scoreContinuation(text.prompt, text.continuation) };
  } catch (err) {
    if (err instanceof ModelCallError && err.reason === CONTEXT_LENGTH) return { none: CONTEXT_LENGTH };
    if (err instanceof ModelCallError && !err.transient && UNAVAILABLE_REASONS.has(err.reason)) return { none: `not-available: ${err.message}` };
    throw err;
  }
}

/** A row of the next-query file (`OUT.runs/LABEL.next.jsonl`; schema and type: src/records/simulator.ts). */
export type { NextQueryRow } from "../records/simulator.js";
import type { NextQueryRow } from "../records/simulator.js";

/** Summary of the next-query part: simulator metrics and the real-users reference over the same items. */
export interface NextQuerySummary {
  counts: { items: number; empty: number; ppl_scored: number; ppl_none: Record<string, number>; skipped: Record<string, number> };
  metrics: QueryMetrics;
  reference: QueryMetrics;
  ppl_note?: string;
}

/**
 * Metrics of the next-query part from its rows (`items` gives each row's history).
 * The real-users reference: the same metrics over the real queries (rouge_l_to_real 1, length_w1 0 by definition).
 */
export function summarizeNextQueries(items: ReadonlyArray<NextQueryItem>, rows: ReadonlyArray<NextQueryRow>, seed = 0): NextQuerySummary {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const gen: ScoredQuery[] = [];
  const real: ScoredQuery[] = [];
  const none: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  let empty = 0;
  let scored = 0;
  let note: string | undefined;
  for (const it of items) {
    const r = byKey.get(it.key);
    if (!r) continue;
    if (r.skipped) {
      skipped[r.skipped] = (skipped[r.skipped] ?? 0) + 1;
      continue;
    }
    if (r.generated.trim() === "") empty++;
    if (r.ppl) scored++;
    else if (r.ppl_none) {
      const k = r.ppl_none.startsWith("not-available") ? "not-available" : r.ppl_none;
      none[k] = (none[k] ?? 0) + 1;
      if (k === "not-available") note ??= r.ppl_none;
    }
    gen.push({ query: r.generated, history: it.history, real: it.real, ppl: r.ppl });
    real.push({ query: it.real, history: it.history, real: it.real });
  }
  const realWords = real.map((q) => wordCount(q.query));
  const metrics = queryMetrics(gen, realWords, seed);
  // A run where some items could not be scored reports no perplexity rather than one over a biased subset.
  if (none["not-available"]) metrics.ppl_real = null;
  return {
    counts: { items: gen.length, empty, ppl_scored: scored, ppl_none: none, skipped },
    metrics,
    reference: queryMetrics(real, realWords, seed),
    ...(note && { ppl_note: note }),
  };
}

/** Queries at user turns >= 2 of sessions, each with its history (for rollout query metrics). */
export function laterQueries(sessions: ReadonlyArray<Pick<Session, "messages">>): ScoredQuery[] {
  const out: ScoredQuery[] = [];
  for (const s of sessions) {
    for (const t of userTurns(s, { from: 2 })) out.push({ query: t.query, history: t.history });
  }
  return out;
}

/** The first `turns` user turns of a session's alternating prefix (for the rollout reference). */
export function cutToTurns(messages: ReadonlyArray<Message>, turns: number): Message[] {
  return alternatingPrefix(messages).slice(0, 2 * turns);
}

/** Rollout summary: Table 1 statistics, early stops by reason, and query metrics of turns >= 2. */
export interface RolloutSummary {
  stats: DatasetStats;
  stop_reasons: Record<string, number>;
  queries: QueryMetrics;
}

/** Summarize collected (or real, cut) sessions; `stop_reason` is read from session meta when present. */
export function summarizeSessions(sessions: ReadonlyArray<Pick<Session, "messages" | "meta">>, realWordCounts?: ReadonlyArray<number>, seed = 0): RolloutSummary {
  const stops: Record<string, number> = {};
  for (const s of sessions) {
    const r = typeof s.meta?.stop_reason === "string" ? s.meta.stop_reason : undefined;
    if (r) stops[r] = (stops[r] ?? 0) + 1;
  }
  return { stats: datasetStats(sessions), stop_reasons: stops, queries: queryMetrics(laterQueries(sessions), realWordCounts, seed) };
}
