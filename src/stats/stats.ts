/**
 * Dataset statistics of the paper's Table 1 for any session file:
 * - sessions: number of sessions.
 * - avg_turns: mean user turns (queries) per session.
 * - avg_ctx_queries: mean number of user turns per session that depend on the context, by the heuristic detector
 *   (src/context/detect.ts); turn 1 never depends on context.
 * - self_rouge: for each session with two or more queries, the mean ROUGE-L F1 over all pairs of its queries;
 *   the dataset value is the mean over those sessions, times 100 (rouge-score tokenization, no stemming).
 */
import { queries, userTurns, type Session } from "../conversations/session.js";
import { detectContextDependency } from "../context/detect.js";
import { selfRouge } from "../metrics/rouge.js";

export interface DatasetStats {
  sessions: number;
  avg_turns: number;
  avg_ctx_queries: number;
  /** null when no session has two or more queries. */
  self_rouge: number | null;
}

/** Context-dependent user turns of one session (turns >= 2 flagged by the detector). */
export function contextQueryCount(session: Pick<Session, "messages">): number {
  let n = 0;
  for (const t of userTurns(session, { from: 2 })) if (detectContextDependency(t.history, t.query).context_dependent) n++;
  return n;
}

/**
 * Table 1 statistics of a list of sessions.
 * @returns zeros (and self_rouge null) for an empty list.
 */
export function datasetStats(sessions: ReadonlyArray<Pick<Session, "messages">>): DatasetStats {
  let turns = 0;
  let ctx = 0;
  let rougeSum = 0;
  let rougeN = 0;
  for (const s of sessions) {
    const qs = queries(s);
    turns += qs.length;
    ctx += contextQueryCount(s);
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
