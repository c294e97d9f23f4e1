/**
 * The queries `context detect` decides on: every user turn after the first, with its history, and their heuristic
 * rows `{id, turn, context_dependent, score, cues}` (detect.ts decides).
 */
import { userTurns, type Session } from "../conversations/session.js";
import { contextLabelKey, type ContextLabel } from "../records/context-label.js";
import { detectContextDependency, type ContextDecision } from "./detect.js";

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
  for (const s of sessions) for (const t of userTurns(s, { from: 2 })) out.push({ session: s, turn: t.turn, index: t.index });
  return out;
}

/** The key of a query (and of its row): `id/turn`. */
export function queryKey(q: QueryAt): string {
  return contextLabelKey(q.session.id, q.turn);
}

/** The heuristic decision for one query, from its session's earlier messages (pure). */
export function heuristicDecision(q: QueryAt): ContextDecision {
  return detectContextDependency(q.session.messages.slice(0, q.index), q.session.messages[q.index].content);
}

/** The heuristic row `{id, turn, context_dependent, score, cues}` of one query (pure). */
export function heuristicRow(q: QueryAt): ContextLabel {
  return { id: q.session.id, turn: q.turn, ...heuristicDecision(q) } satisfies ContextLabel;
}

/** Heuristic rows `{id, turn, context_dependent, score, cues}` for all sessions, in memory (pure; bench/context-speed.mjs). */
export function detectSessions(sessions: ReadonlyArray<Session>): ContextLabel[] {
  return queriesAfterFirst(sessions).map(heuristicRow);
}
