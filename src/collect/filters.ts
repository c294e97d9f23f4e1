/**
 * Query filters of section 3.2 ("we have filtered out some repetitive questions, short questions, or sensitive
 * information"), applied to every simulated query before the assistant sees it.
 *
 * - too short: fewer than `minWords` words or `minChars` characters (defaults 3 and 8), or empty.
 * - repetitive: ROUGE-L F1 (rouge-score tokenization) >= `maxRougeL` (default 0.7) against any earlier query of the
 *   session. 0.7 follows the self-instruct / UltraChat practice of discarding near-duplicates at ROUGE-L 0.7.
 * - sensitive: an e-mail address; a phone number (10-15 digits in international or grouped form); a
 *   credit-card-like number (13-19 digits, optional spaces/dashes, passing the Luhn check); or a blocklisted term
 *   (whole-word, case-insensitive; DEFAULT_BLOCKLIST plus any user list).
 * - role leak: the query reads as an assistant reply, not a user turn (src/metrics/role-leak.ts detectRoleLeak: a
 *   role marker such as `[ASSISTANT]`, speaking as an AI, a compliance opener such as "Sure, here is", an offer of
 *   further help, or a long structured answer with no question); on real turns it flags 2.3% of ShareGPT and 0.4% of
 *   OASST user turns (each costs one regeneration), 51% and 29% of assistant turns (bench/README.md).
 * - truncated: generation hit the max-tokens cap before the simulator closed the turn (B.1: before it wrote
 *   `[ASSISTANT]`); a query cut mid-way is not a user turn. Real models in the B.1 format run on into an answer of
 *   their own ("What does the internet do? The internet is ...") until the cap: that is this rule's main catch.
 * - echo: the query copies the assistant response it follows: a run of at least `minEchoWords` consecutive
 *   (rouge-score) tokens of the response that is also at least 40% of the query. Real models prompted as the user
 *   (an untrained model in the B.1 format above all) often continue the response instead of asking; a user quoting a
 *   phrase back to ask about it stays under these bounds.
 */
import { detectRoleLeak } from "../metrics/role-leak.js";
import { rougeL, rougeTokenize } from "../metrics/rouge.js";

export type FilterReason = "empty" | "truncated" | "too-short" | "repetitive" | "echo" | "sensitive-email" | "sensitive-phone" | "sensitive-card" | "sensitive-term" | "role-leak";

export interface FilterConfig {
  minWords: number;
  minChars: number;
  maxRougeL: number;
  /** Echo: the shortest run of the previous response's tokens copied into the query that rejects it (0: off). */
  minEchoWords: number;
  blocklist: string[];
}

/**
 * Terms whose presence marks a query as sensitive: requests for personal identifiers and credentials. Kept short
 * on purpose (false positives cost a regeneration); extend with `--blocklist FILE`.
 */
export const DEFAULT_BLOCKLIST = [
  "social security number",
  "ssn",
  "passport number",
  "credit card number",
  "cvv",
  "bank account number",
  "routing number",
  "home address of",
  "password is",
  "my password",
];

export const DEFAULT_FILTER_CONFIG: FilterConfig = { minWords: 3, minChars: 8, maxRougeL: 0.7, minEchoWords: 10, blocklist: DEFAULT_BLOCKLIST };

/** Share of the query that a copied run must also cover to count as an echo. */
export const ECHO_QUERY_SHARE = 0.4;

/**
 * Length of the longest run of consecutive tokens shared by `a` and `b` (longest common substring over tokens).
 * O(|a|·|b|) time, O(|b|) memory.
 */
export function longestCommonRun(a: ReadonlyArray<string>, b: ReadonlyArray<string>): number {
  let best = 0;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : 0;
      if (cur[j] > best) best = cur[j];
    }
    [prev, cur] = [cur, prev];
    cur.fill(0);
  }
  return best;
}

export interface FilterDecision {
  ok: boolean;
  reason?: FilterReason;
  /** Extra detail: the matched term, the ROUGE-L value, the earlier query index. */
  detail?: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?/g;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;

/** Luhn checksum over the digits of `s`. */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/\D/g, "");
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Which sensitive-information rule a text breaks, if any. */
export function sensitiveReason(text: string, blocklist: ReadonlyArray<string>): FilterDecision {
  if (EMAIL.test(text)) return { ok: false, reason: "sensitive-email" };
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return { ok: false, reason: "sensitive-card" };
  }
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, "");
    // Grouped digits of phone length; a bare year range like "1990-2000" has only 8 digits.
    if (digits.length >= 10 && digits.length <= 15) return { ok: false, reason: "sensitive-phone", detail: m[0] };
  }
  const lower = text.toLowerCase();
  for (const term of blocklist) {
    if (new RegExp(`(^|[^a-z0-9])${escapeRegExp(term.toLowerCase())}($|[^a-z0-9])`).test(lower)) {
      return { ok: false, reason: "sensitive-term", detail: term };
    }
  }
  return { ok: true };
}

/**
 * Decide whether a simulated query may enter the session.
 * @param query the candidate query (already trimmed).
 * @param earlierQueries the session's earlier user queries.
 * @param previousResponse the assistant response the query follows (for the echo rule), when known.
 */
export function filterQuery(query: string, earlierQueries: ReadonlyArray<string>, cfg: FilterConfig = DEFAULT_FILTER_CONFIG, previousResponse?: string): FilterDecision {
  const q = query.trim();
  if (q === "") return { ok: false, reason: "empty" };
  const leak = detectRoleLeak(q);
  if (leak.leak) return { ok: false, reason: "role-leak", detail: leak.cue };
  const words = q.split(/\s+/).filter(Boolean).length;
  if (words < cfg.minWords || q.length < cfg.minChars) return { ok: false, reason: "too-short", detail: `${words} words` };
  for (let i = 0; i < earlierQueries.length; i++) {
    const f = rougeL(earlierQueries[i], q).fmeasure;
    if (f >= cfg.maxRougeL) return { ok: false, reason: "repetitive", detail: `ROUGE-L ${f.toFixed(3)} vs query ${i + 1}` };
  }
  if (previousResponse && cfg.minEchoWords > 0) {
    const qt = rougeTokenize(q);
    const run = longestCommonRun(qt, rougeTokenize(previousResponse));
    if (run >= cfg.minEchoWords && run >= ECHO_QUERY_SHARE * qt.length) {
      return { ok: false, reason: "echo", detail: `${run} of ${qt.length} tokens copied from the response` };
    }
  }
  return sensitiveReason(q, cfg.blocklist);
}
