/**
 * Context-dependent query detection (paper section 3.1 / 3.3: queries whose meaning needs the earlier turns,
 * via anaphora or ellipsis). Heuristic, no LLM. First version: word-list cues; refined below.
 */
import type { Message } from "../conversations/session.js";

/** The detector's decision for one query. */
export interface ContextDecision {
  /** true when the query cannot be understood without the earlier turns. */
  context_dependent: boolean;
  /** Evidence strength in [0, 1]; `context_dependent` is `score >= 0.5`. */
  score: number;
  /** Cue labels found, e.g. "anaphora:it", "ellipsis:what-about", "backref:you mentioned". */
  cues: string[];
}

const BACKREF = /\b(you (just )?(mentioned|said|wrote|suggested|listed|gave|provided)|above|previous(ly)?|earlier|last (answer|response|one))\b/i;
const ELLIPSIS_START = /^\s*(what about|how about|and (for|what|how|if|the)|what if|same (for|with)|also|more|another( one)?|continue|go on|again|why\??$|how\??$|examples?\??$)/i;
const PRONOUN = /\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his)\b/i;

/**
 * Decide whether `query` depends on `history` (the messages before it).
 * @param history messages preceding the query in the session; empty for turn 1 (never dependent).
 * @param query the user query text.
 * @returns {context_dependent, score in [0,1], cues}.
 */
export function detectContextDependency(history: ReadonlyArray<Message>, query: string): ContextDecision {
  if (history.length === 0) return { context_dependent: false, score: 0, cues: [] };
  const cues: string[] = [];
  const m1 = BACKREF.exec(query);
  if (m1) cues.push(`backref:${m1[0].toLowerCase()}`);
  const m2 = ELLIPSIS_START.exec(query);
  if (m2) cues.push(`ellipsis:${m2[0].trim().toLowerCase()}`);
  const m3 = PRONOUN.exec(query);
  if (m3 && query.length < 300) cues.push(`anaphora:${m3[0].toLowerCase()}`);
  const score = cues.length === 0 ? 0 : Math.min(1, 0.6 + 0.2 * (cues.length - 1));
  return { context_dependent: score >= 0.5, score, cues };
}
