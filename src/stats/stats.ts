/**
 * Dataset statistics of the paper's Table 1 for any session file:
 * - sessions: number of sessions.
 * - avg_turns: mean user turns (queries) per session.
 * - avg_ctx_queries: mean number of user turns per session that depend on the context, by the heuristic detector
 *   (src/context/detect.ts); turn 1 never depends on context.
 * - self_rouge: for each session with two or more queries, the mean ROUGE-L F1 over all pairs of its queries;
 *   the dataset value is the mean over those sessions, times 100 (rouge-score tokenization, no stemming).
 */
import { queries, userTurns, type Session, type UserTurn } from "../conversations/session.js";
import { detectContextDependency, type ContextDecision } from "../context/detect.js";
import { selfRouge } from "../metrics/rouge.js";

export interface DatasetStats {
  sessions: number;
  avg_turns: number;
  avg_ctx_queries: number;
  /** null when no session has two or more queries. */
  self_rouge: number | null;
}

/** A user turn the detector flags as context-dependent, with its decision. */
export interface ContextTurn {
  turn: UserTurn;
  decision: ContextDecision;
}

/** The context-dependent user turns of one session (turns >= 2 flagged by the detector; paper section 3.3). */
export function contextTurns(session: Pick<Session, "messages">): ContextTurn[] {
  const out: ContextTurn[] = [];
  for (const turn of userTurns(session, { from: 2 })) {
    const decision = detectContextDependency(turn.history, turn.query);
    if (decision.context_dependent) out.push({ turn, decision });
  }
  return out;
}

/** Number of context-dependent user turns of one session (`contextTurns(session).length`). */
export function contextQueryCount(session: Pick<Session, "messages">): number {
  return contextTurns(session).length;
}

/**
 * Table 1 statistics of a list of sessions.
 * @param contextCount context-dependent queries of a session (default: the detector, `contextQueryCount`; the report
 *   passes its own pass over the same sessions so the detector runs once).
 * @returns zeros (and self_rouge null) for an empty list.
 */
export function datasetStats<S extends Pick<Session, "messages">>(
  sessions: ReadonlyArray<S>,
  contextCount: (session: S) => number = contextQueryCount,
): DatasetStats {
  let turns = 0;
  let ctx = 0;
  let rougeSum = 0;
  let rougeN = 0;
  for (const s of sessions) {
    const qs = queries(s);
    turns += qs.length;
    ctx += contextCount(s);
    const r = selfRouge(qs);
    if (r !== undefined) {
      rougeSum += r;
      rougeN++;
    }
  }
  const n = sessions.length;
  return {
    sessions: n,
    avg_turns: n ? turns / n : 0,
    avg_ctx_queries: n ? ctx / n : 0,
    self_rouge: rougeN ? (100 * rougeSum) / rougeN : null,
  };
}
