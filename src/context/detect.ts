/**
 * Context-dependent query detection, heuristic (no LLM).
 *
 * Source: paper section 3.3, Context-Aware Preference Optimization (../shared/spec/parrot-paper.md: "we use pronoun
 * recognition and leverage the judgment capabilities of GPT-4 to identify queries that require contextual
 * information") and Table 1 ("Ctx. Queries denote queries within a session that contain anaphoras, ellipses, and other
 * elements that require context to be answered"). This module is the "pronoun recognition" half, widened to ellipsis
 * and explicit back-references; the LLM half is `parrot context detect --judge` (context/command.ts, with the judge
 * prompt in context/prompts.ts).
 *
 * Layout: context/cues.ts holds the cues (one named function each) in a weighted registry, context/words.ts their
 * word lists, context/patterns.ts the patterns compiled from those lists, context/terms.ts the tagged words.
 * Cue families (each cue is reported as `family:detail`):
 * - `anaphora:` personal/possessive pronouns without an antecedent in the query (it, they, them, their, he, she, ...),
 *   demonstratives (this, that, these, those; "this movie", "that answer"), locative "there", substitute "one"
 *   ("another one"), definite noun phrases whose head noun occurs earlier in the session ("the plan", "the curry").
 * - `ellipsis:` openers ("what about ...", "how about ...", "and for ..."), bare continuations ("more", "continue",
 *   "next", "yes", "no"), verbless fragments ("Hypertension."), imperatives without an object ("rewrite in French").
 * - `backref:` explicit references to the conversation ("you mentioned", "above", "previous", "your answer",
 *   "point 2", "the same story", "again").
 * - list items and counted sets whose noun the session used ("the first film", "situation (a)", "the 20 ideas",
 *   "your function"), presupposing modifiers ("the other roots", "the optimized version"), "what other ...",
 *   "instead ...", "compare" without a standard, transformation verbs on held material ("rewrite the story").
 * - weak cues (`particle:`, `ack:`, `comparative:`, overlap of a short query's nouns with the last exchange, a
 *   definite phrase whose head only occurs before the last exchange) add evidence but never decide alone.
 *
 * Evaluation: bench/context-detect-eval.mjs, on the labelled turns of test/fixtures/context/labelled.jsonl (splits
 * dev, for tuning, and test), holdout2.jsonl and holdout3.jsonl (held out, never tuned on); their conversations are
 * read from ../shared/data (benchmarks/ and dialogues/, described in ../shared/data/SOURCES.md).
 *
 * Not dependencies: cataphora and antecedents inside the query ("Will adding water to a battery help it ...",
 * "When keeping receipts, how long should I hold onto them?"), expletive "it" ("it is raining", "is it possible to",
 * "how long does it take"), generic "those who", time deixis ("this year"), and long self-contained queries that
 * paste their own material and say "this code" / "the above" about it.
 *
 * Tagging: `compromise` (part of speech: Noun, Verb, Pronoun, Determiner, Plural, Person...) plus word lists.
 */
import type { Message } from "../conversations/session.js";
import { CUES, TOKEN_CUES, TOKEN_WALK, readQuery } from "./cues.js";

/** The detector's decision for one query. */
export interface ContextDecision {
  /** true when the query cannot be understood (answered as meant) without the earlier turns. */
  context_dependent: boolean;
  /** Evidence strength in [0, 1] (noisy-or over cue weights); `context_dependent` is `score >= DECISION_THRESHOLD`. */
  score: number;
  /** Cues found, `family:detail`, e.g. "anaphora:it", "ellipsis:what about", "backref:you mentioned". */
  cues: string[];
}

/** Score at or above which a query is context-dependent. */
export const DECISION_THRESHOLD = 0.5;

/**
 * Decide whether `query` depends on `history` (the messages before it in the session).
 * @param history messages preceding the query (user and assistant, in order); empty for turn 1, which is never
 *   context-dependent.
 * @param query the user query text.
 * @returns `{context_dependent, score in [0,1], cues}`; cues are unique, in discovery order (the order of the cue
 *   registry, context/cues.ts); a cue found twice counts with its largest weight; the score is the noisy-or of the cue
 *   weights, rounded to 3 decimals.
 * Source: paper section 3.3 and Table 1 (context-dependent queries); cue lists are ours.
 */
export function detectContextDependency(history: ReadonlyArray<Message>, query: string): ContextDecision {
  if (history.length === 0 || query.trim() === "") return { context_dependent: false, score: 0, cues: [] };
  const q = readQuery(history, query);
  const found = new Map<string, number>();
  const add = (cue: string, weight: number) => {
    if ((found.get(cue) ?? 0) < weight) found.set(cue, weight);
  };
  for (const cue of CUES) {
    if (cue === TOKEN_WALK) {
      for (let i = 0; i < q.terms.length; i++) {
        for (const t of TOKEN_CUES) {
          const label = t.test(q, i);
          if (label === undefined) continue;
          add(label, t.weight);
          break;
        }
      }
      continue;
    }
    const labels = cue.test(q);
    if (typeof labels === "string") add(labels, cue.weight);
    else for (const label of labels ?? []) add(label, cue.weight);
  }
  const cues = [...found.keys()];
  const score = Math.round((1 - [...found.values()].reduce((acc, w) => acc * (1 - w), 1)) * 1000) / 1000;
  return { context_dependent: score >= DECISION_THRESHOLD, score, cues };
}
