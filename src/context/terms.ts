/**
 * The terms of a query as the context detector reads them: compromise's part-of-speech tags per word, noun stems, the
 * stems a session's history holds, and the two pronoun tests (resolved inside the query; expletive "it").
 * Source: ours (see context/detect.ts); tagging by `compromise`.
 */
import nlp from "compromise";
import type { Message } from "../conversations/session.js";
import {
  DEMONSTRATIVES, EXPLETIVE_AFTER_IS_IT, NON_ANTECEDENTS, NOT_ANTECEDENT, PERSON_NOUNS, PLURAL_PRONOUNS, SINGULAR_NEUTER,
  SUBORDINATORS, WEATHER,
} from "./patterns.js";

/** Queries longer than this (characters) are "material-carrying": only their instruction ends are inspected. */
export const LONG_QUERY_CHARS = 500;

/** One tagged word of a query. */
export interface Term {
  /** lower-cased normal form */
  w: string;
  tags: Set<string>;
  /** index of the sentence in the query */
  sent: number;
  /** index of the term inside its sentence */
  pos: number;
  /** text after the term (punctuation) */
  post: string;
}

/** Split off fenced code blocks, so pasted material does not produce cues. */
export function stripCode(text: string): string {
  return text.replace(/```[\s\S]*?(```|$)/g, " ").replace(/`[^`\n]{0,200}`/g, " CODE ");
}

/**
 * The part of a query where an instruction lives: whole text for ordinary queries; for material-carrying queries
 * (long, or with pasted code), the first and last ~240 characters.
 */
export function instructionText(query: string): { text: string; long: boolean } {
  // ShareGPT exports carry the label of a browser translation button ("지금 번역하기", "Translate now") after queries.
  query = query.replace(/\s*(?:지금 번역하기|translate now)\s*$/i, "");
  const hadCode = /```/.test(query);
  const q = stripCode(query).replace(/\s+/g, " ").trim();
  const long = query.length > LONG_QUERY_CHARS || hadCode;
  if (q.length <= LONG_QUERY_CHARS) return { text: q, long };
  return { text: `${q.slice(0, 240)} … ${q.slice(-240)}`, long };
}

/** The words of `text`, tagged by compromise, in order (contractions expanded). */
export function tagTerms(text: string): Term[] {
  const doc = nlp(text);
  const out: Term[] = [];
  type JsonTerm = { normal: string; implicit?: string; tags: string[]; post?: string; text: string };
  const sentences = doc.json({ terms: { normal: true } }) as Array<{ terms: JsonTerm[] }>;
  sentences.forEach((s, si) => {
    let pos = 0;
    for (const t of s.terms) {
      // Contractions come split, with the expanded word in `implicit` ("it's" -> "it" + "is").
      const w = (t.implicit || t.normal || t.text || "").toLowerCase();
      if (!w) continue;
      out.push({ w, tags: new Set(t.tags), sent: si, pos: pos++, post: t.post ?? "" });
    }
  });
  return out;
}

/** A noun that can head a phrase or be an antecedent (not a pronoun, demonstrative, number or "something"). */
export const isNoun = (t: Term) =>
  t.tags.has("Noun") && !t.tags.has("Pronoun") && !DEMONSTRATIVES.has(t.w) && !NOT_ANTECEDENT.has(t.w) && !t.tags.has("Value");
/** A verb, copula, modal or auxiliary. */
export const isVerb = (t: Term) => t.tags.has("Verb") || t.tags.has("Copula") || t.tags.has("Modal") || t.tags.has("Auxiliary");
/** A plural noun (tagged, or ending in a single "s"). */
const isPlural = (t: Term) => t.tags.has("Plural") || /s$/.test(t.w) && !/ss$/.test(t.w);
/** A noun naming a person (a name, a proper noun, or a person noun such as "doctor"). */
const isPersonNoun = (t: Term) =>
  t.tags.has("Person") || t.tags.has("FirstName") || t.tags.has("ProperNoun") || PERSON_NOUNS.has(t.w);

/** Rough singular of a noun (for matching "the plans" against "plan"). */
export function stem(w: string): string {
  const x = w.replace(/[^\p{L}\p{N}-]/gu, "");
  if (x.length > 4 && x.endsWith("ies")) return x.slice(0, -3) + "y";
  if (x.length > 4 && /(ches|shes|sses|xes)$/.test(x)) return x.slice(0, -2);
  if (x.length > 3 && x.endsWith("s") && !x.endsWith("ss") && !x.endsWith("us") && !x.endsWith("is")) return x.slice(0, -1);
  return x;
}

/** Words of the history as stems (for definite noun phrase heads). */
export function historyStems(history: ReadonlyArray<Message>): Set<string> {
  const out = new Set<string>();
  for (const m of history) for (const w of messageStems(m)) out.add(w);
  return out;
}

/**
 * The distinct stems of one message, computed once per message object: every query of a session is checked against
 * the messages before it, so without this a session of n turns stems its history O(n²) times (issue 15, bench 4).
 */
const STEMS = new WeakMap<Message, { content: string; stems: string[] }>();
export function messageStems(m: Message): string[] {
  const cached = STEMS.get(m);
  // Keyed by the object, checked against its content (a message edited in place is stemmed again).
  if (cached && cached.content === m.content) return cached.stems;
  const set = new Set<string>();
  const text = stripCode(m.content).toLowerCase().slice(0, 20000);
  for (const w of text.split(/[^\p{L}\p{N}'-]+/u)) if (w.length > 2) set.add(stem(w));
  const stems = [...set];
  STEMS.set(m, { content: m.content, stems });
  return stems;
}

/** Nouns that never serve as the antecedent of a later pronoun. */

/** Whether the pronoun at index i has a compatible antecedent earlier in the query, or a cataphoric one. */
export function resolvedInQuery(terms: Term[], i: number): boolean {
  const p = terms[i].w;
  const compatible = (t: Term) => {
    if (!isNoun(t)) return false;
    if (SINGULAR_NEUTER.has(p)) return !isPersonNoun(t) || t.tags.has("Organization") || t.tags.has("Place");
    if (PLURAL_PRONOUNS.has(p)) return isPlural(t) || t.w === "and" || t.tags.has("Organization") || t.tags.has("Uncountable");
    return isPersonNoun(t);
  };
  // Generic "they say", "they call it".
  if (PLURAL_PRONOUNS.has(p) && /^(say|said|call|called)$/.test(terms[i + 1]?.w ?? "")) return true;
  for (let j = 0; j < i; j++) {
    // "what tools they use": the noun right before a subject pronoun is its object, not its antecedent.
    if (j === i - 1 && /^(they|he|she|it)$/.test(p)) continue;
    // "improve things with them": a noun separated from an object pronoun by one preposition is its co-argument
    // (English would say "themselves"), and "things"/"stuff" name nothing.
    if (j === i - 2 && terms[i - 1].tags.has("Preposition") && /^(it|them|him|her)$/.test(p)) continue;
    if (NON_ANTECEDENTS.has(terms[j].w)) continue;
    if (compatible(terms[j])) return true;
    // singular "they" for a person ("a person ... they")
    const someone = /^(someone|somebody|anyone|anybody|everyone|everybody)$/.test(terms[j].w);
    if (PLURAL_PRONOUNS.has(p) && isNoun(terms[j]) && (isPersonNoun(terms[j]) || someone)) return true;
    // "A and B ... they"
    if (PLURAL_PRONOUNS.has(p) && terms[j].w === "and" && j > 0 && isNoun(terms[j - 1])) return true;
  }
  // Cataphora: a subordinate clause that opens the sentence ("When he arrived, John ...") resolved after its comma.
  const first = terms.find((t) => t.sent === terms[i].sent);
  if (first && SUBORDINATORS.has(first.w)) {
    let seenComma = false;
    for (let j = i + 1; j < terms.length && terms[j].sent === terms[i].sent; j++) {
      if (terms[j - 1].post.includes(",")) seenComma = true;
      if (seenComma && compatible(terms[j])) return true;
    }
    // Clause antecedent: "If we say that a person is hardy, does it mean ..."
    for (let j = 0; j < i; j++) if (terms[j].sent === terms[i].sent && terms[j].post.includes(",")) return true;
  }
  return false;
}

/** Expletive (non-referential) "it": "it is raining", "is it possible to", "it takes", "it is hard to". */
export function isExpletiveIt(terms: Term[], i: number): boolean {
  const t = terms[i];
  if (t.w !== "it") return false;
  const next = terms[i + 1]?.w ?? "";
  const next2 = terms[i + 2]?.w ?? "";
  const next3 = terms[i + 3]?.w ?? "";
  const prev = terms[i - 1]?.w ?? "";
  // how long does it (typically) take
  if (/^(take|takes|took)$/.test(next) || (/^(take|takes|took)$/.test(next2) && terms[i + 1]?.tags.has("Adverb"))) return true;
  if (/^(seems|seemed|appears|appeared|looks|happens|turns|occurs)$/.test(next) && /^(that|like|to|as|out)$/.test(next2)) return true;
  if (/^(rains|snows|rained|snowed)$/.test(next)) return true;
  const beLike = (w: string) => /^(is|'s|s|was|be|will|would|could|might|may|should|can)$/.test(w);
  // is it possible / is it true / would it be better
  const expletiveNext = EXPLETIVE_AFTER_IS_IT.has(next) || (next === "be" && EXPLETIVE_AFTER_IS_IT.has(next2)) ||
    /^(a good idea|worth)/.test(`${next} ${next2} ${next3}`);
  if (beLike(prev) && expletiveNext) return true;
  if (beLike(next)) {
    const rest = [next2, next3, terms[i + 4]?.w ?? ""];
    if (rest.some((w) => WEATHER.has(w))) return true;
    // it is (very) hard to / it's important that / it would be better if
    for (let k = i + 2; k < Math.min(terms.length, i + 6); k++) {
      const adjectiveBefore = terms.slice(i + 2, k).some((x) => x.tags.has("Adjective") || EXPLETIVE_AFTER_IS_IT.has(x.w));
      if (/^(to|that|if|whether|when)$/.test(terms[k].w) && adjectiveBefore) return true;
    }
  }
  // make it easy to / find it hard to
  if (/^(make|makes|find|finds|made|found|consider)$/.test(prev) && terms[i + 1]?.tags.has("Adjective") && next2 === "to") return true;
  return false;
}

/**
 * Decide whether `query` depends on `history` (the messages before it in the session).
 * @param history messages preceding the query (user and assistant, in order); empty for turn 1, which is never
 *   context-dependent.
 * @param query the user query text.
 * @returns `{context_dependent, score in [0,1], cues}`; cues are unique, in discovery order.
 * Source: paper section 3.3 and Table 1 (context-dependent queries); cue lists are ours.
 */
