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
import { forEachConversation } from "../conversations/readers.js";

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
 * Table 1's per-session sums, fed one session at a time (`add`), so a file of any size is summarised without
 * holding its sessions: `parrot stats` streams a file through it (forEachConversation), `datasetStats` folds a list.
 * Sums are taken in the order sessions are added, so streaming and folding a list give the same floats.
 */
export class StatsAccumulator {
  private n = 0;
  private turns = 0;
  private ctx = 0;
  private rougeSum = 0;
  private rougeN = 0;

  /**
   * Add one session's user turns, context-dependent queries and self-ROUGE.
   * @param contextQueries its context-dependent queries, when the caller has run the detector already (the report);
   *   default: `contextQueryCount(session)`.
   */
  add(session: Pick<Session, "messages">, contextQueries: number = contextQueryCount(session)): void {
    const qs = queries(session);
    this.n++;
    this.turns += qs.length;
    this.ctx += contextQueries;
    const r = selfRouge(qs);
    if (r !== undefined) {
      this.rougeSum += r;
      this.rougeN++;
    }
  }

  /** The statistics of the sessions added so far: zeros (and self_rouge null) when none. */
  result(): DatasetStats {
    const n = this.n;
    return {
      sessions: n,
      avg_turns: n ? this.turns / n : 0,
      avg_ctx_queries: n ? this.ctx / n : 0,
      self_rouge: this.rougeN ? (100 * this.rougeSum) / this.rougeN : null,
    };
  }
}

/**
 * Table 1 statistics of a list of sessions (a `StatsAccumulator` over the list).
 * @returns zeros (and self_rouge null) for an empty list.
 */
export function datasetStats(sessions: ReadonlyArray<Pick<Session, "messages">>): DatasetStats {
  const acc = new StatsAccumulator();
  for (const s of sessions) acc.add(s);
  return acc.result();
}

/**
 * Table 1 statistics of a session file, streamed: sessions are read one record at a time (forEachConversation) and
 * only the sums are kept, so memory does not grow with the file. Same values as `datasetStats(readConversations(file))`.
 * @throws UserError/InputError naming file, line and field (the first bad record).
 */
export function fileStats(file: string): DatasetStats {
  const acc = new StatsAccumulator();
  forEachConversation(file, (s) => acc.add(s));
  return acc.result();
}
