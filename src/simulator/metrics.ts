/**
 * Simulator-fidelity metrics (`parrot simulator eval`, issue 14): pure functions over queries, computed the same way
 * for a simulator's generated queries and for the real users' own queries (the reference row).
 *
 * Per query set (each query with the history it follows):
 * - `words_mean`, `words_median`: whitespace-separated words per query (Fig. 5: real users write short queries).
 * - `question_rate`: share of queries that are questions: they contain "?" or start with an interrogative or an
 *   auxiliary verb (what, how, why, ..., can, could, is, do, ...). Fig. 1/5: real follow-ups ask; prompted
 *   simulators comment and thank.
 * - `ctx_rate`: share of queries the heuristic detector (src/context/detect.ts) flags as context-dependent given
 *   their history (anaphora, ellipsis, back-references; section 3.3, Table 1's context-dependent queries).
 * - `role_leak`: share of queries that read as an assistant reply (src/metrics/role-leak.ts; UserLM-8b's role
 *   adherence is 1 - role_leak).
 * - `distinct_2`: distinct word bigrams / all word bigrams over the set's queries (Li et al., 2016, "A
 *   Diversity-Promoting Objective Function for Neural Conversation Models"), rouge-score tokenization.
 * - `rouge_l_to_real`: mean ROUGE-L F1 between each generated query and the real query at the same turn
 *   (src/metrics/rouge.ts; 1 for the real row by definition).
 * - `length_w1`: 1-Wasserstein (earth mover's) distance between the word-count distributions of the set and of the
 *   real queries, in words: the area between the two empirical CDFs (0 for the real row).
 * - `ppl_real`: perplexity of the real queries under the simulator, token-weighted over the set:
 *   exp(-Σ log p / Σ tokens) (UserLM-8b reports the same quantity on WildChat); null when not available.
 * Intervals: `ci95` holds a seeded percentile bootstrap (1000 resamples of queries) for the means and rates.
 */
import type { Message } from "../conversations/session.js";
import { detectContextDependency } from "../context/detect.js";
import { detectRoleLeak } from "../metrics/role-leak.js";
import { rougeL, rougeTokenize } from "../metrics/rouge.js";
import { mulberry32 } from "../run/rng.js";

/** Words in a query: whitespace-separated pieces. */
export function wordCount(text: string): number {
  const t = text.trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}

const INTERROGATIVE =
  /^(?:what|what's|whats|how|why|who|whom|whose|where|when|which|can|could|would|should|will|shall|is|are|was|were|am|do|does|did|have|has|had|may|might|must|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|couldn't|can't)\b/i;

/** Is `text` a question: a "?" anywhere, or an interrogative / auxiliary first word (see module docs). */
export function isQuestion(text: string): boolean {
  const t = text.trim();
  return t.includes("?") || INTERROGATIVE.test(t.replace(/^[^A-Za-z]+/, ""));
}

/** Mean of numbers; NaN for none. */
export function mean(xs: ReadonlyArray<number>): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Median (mean of the two middle values for an even count); NaN for none. */
export function median(xs: ReadonlyArray<number>): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** distinct-2: distinct word bigrams / all bigrams over `texts` (bigrams never cross queries); 0 with no bigram. */
export function distinctN(texts: ReadonlyArray<string>, n = 2): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const toks = rougeTokenize(t);
    for (let i = 0; i + n <= toks.length; i++) {
      seen.add(toks.slice(i, i + n).join(" "));
      total++;
    }
  }
  return total ? seen.size / total : 0;
}

/**
 * 1-Wasserstein distance between two empirical distributions of numbers: ∫ |F_a(x) - F_b(x)| dx over the
 * merged support (for equal sizes, the mean absolute difference of the sorted samples). NaN if either is empty.
 */
export function wasserstein1(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number {
  if (!a.length || !b.length) return NaN;
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  const points = [...new Set([...sa, ...sb])].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let area = 0;
  for (let k = 0; k < points.length - 1; k++) {
    while (i < sa.length && sa[i] <= points[k]) i++;
    while (j < sb.length && sb[j] <= points[k]) j++;
    area += Math.abs(i / sa.length - j / sb.length) * (points[k + 1] - points[k]);
  }
  return area;
}

/**
 * Seeded percentile bootstrap interval of `stat` over resamples (with replacement) of `items`.
 * @returns [low, high] at 2.5% and 97.5%, or null for fewer than 2 items.
 */
export function bootstrapCI<T>(items: ReadonlyArray<T>, stat: (xs: T[]) => number, resamples = 1000, seed = 0): [number, number] | null {
  if (items.length < 2) return null;
  const rand = mulberry32(seed);
  const vals: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const xs: T[] = [];
    for (let k = 0; k < items.length; k++) xs.push(items[Math.floor(rand() * items.length)]);
    vals.push(stat(xs));
  }
  vals.sort((x, y) => x - y);
  return [vals[Math.floor(0.025 * (resamples - 1))], vals[Math.ceil(0.975 * (resamples - 1))]];
}

/** One query to score: the text, the history it follows, and the real query at that point (when known). */
export interface ScoredQuery {
  query: string;
  history: ReadonlyArray<Message>;
  real?: string;
  /** Continuation score of the real query under the simulator (ppl), when computed. */
  ppl?: { tokens: number; logprobSum: number } | null;
}

/** Per-query facts, computed once. */
interface QueryFacts {
  words: number;
  question: boolean;
  ctx: boolean;
  leak: boolean;
  rouge: number | null;
}

function facts(q: ScoredQuery): QueryFacts {
  return {
    words: wordCount(q.query),
    question: isQuestion(q.query),
    ctx: q.history.length > 0 && detectContextDependency(q.history, q.query).context_dependent,
    leak: detectRoleLeak(q.query).leak,
    rouge: q.real === undefined ? null : rougeL(q.real, q.query).fmeasure,
  };
}

export interface QueryMetrics {
  n: number;
  words_mean: number;
  words_median: number;
  question_rate: number;
  ctx_rate: number;
  role_leak: number;
  distinct_2: number;
  /** null when no query has a real counterpart. */
  rouge_l_to_real: number | null;
  /** null without real queries to compare with. */
  length_w1: number | null;
  /** null when no query carries a ppl score (not computed or not available). */
  ppl_real: number | null;
  ppl_tokens: number;
  ci95: { words_mean: [number, number] | null; question_rate: [number, number] | null; ctx_rate: [number, number] | null; role_leak: [number, number] | null };
}

const rate = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);

/**
 * The metrics of the module docs over a set of queries.
 * @param realWordCounts word counts of the real queries for `length_w1` (omit for none).
 * @param seed bootstrap seed.
 */
export function queryMetrics(queries: ReadonlyArray<ScoredQuery>, realWordCounts?: ReadonlyArray<number>, seed = 0): QueryMetrics {
  const f = queries.map(facts);
  const words = f.map((x) => x.words);
  const rouges = f.map((x) => x.rouge).filter((x): x is number => x !== null);
  let tokens = 0;
  let lp = 0;
  for (const q of queries) {
    if (q.ppl && q.ppl.tokens > 0) {
      tokens += q.ppl.tokens;
      lp += q.ppl.logprobSum;
    }
  }
  return {
    n: queries.length,
    words_mean: mean(words),
    words_median: median(words),
    question_rate: rate(f.map((x) => x.question)),
    ctx_rate: rate(f.map((x) => x.ctx)),
    role_leak: rate(f.map((x) => x.leak)),
    distinct_2: distinctN(queries.map((q) => q.query)),
    rouge_l_to_real: rouges.length ? mean(rouges) : null,
    length_w1: realWordCounts && realWordCounts.length && words.length ? wasserstein1(words, realWordCounts) : null,
    ppl_real: tokens > 0 ? Math.exp(-lp / tokens) : null,
    ppl_tokens: tokens,
    ci95: {
      words_mean: bootstrapCI(f, (xs) => mean(xs.map((x) => x.words)), 1000, seed),
      question_rate: bootstrapCI(f, (xs) => rate(xs.map((x) => x.question)), 1000, seed + 1),
      ctx_rate: bootstrapCI(f, (xs) => rate(xs.map((x) => x.ctx)), 1000, seed + 2),
      role_leak: bootstrapCI(f, (xs) => rate(xs.map((x) => x.leak)), 1000, seed + 3),
    },
  };
}
