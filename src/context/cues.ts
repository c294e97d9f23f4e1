/**
 * The cues of the context-dependency detector (context/detect.ts), one small named function each, in a weighted
 * registry: `CUES` is an ordered list of `{name, weight, test}`; a test reads one query (with its history) and returns
 * the cue labels it finds (`family:detail`), each of which counts with the entry's weight. `TOKEN_CUES` are tried per
 * word of the query, the first one that fires claims the word. Order matters: it is the order in which cues are
 * reported. Weights were tuned on the dev split of test/fixtures/context/labelled.jsonl (bench/context-detect-eval.mjs).
 * Source: paper section 3.3 (pronoun recognition; anaphora and ellipsis, Table 1); the cues themselves are ours.
 */
import type { Message } from "../conversations/session.js";
import {
  ACK_START, ADDITIVE_END, ANNOUNCES_INPUT, BACKREF_PATTERNS, BARE, BEFORE_SUBSTITUTE_ONE, BEFORE_VERB, COMMAND_STARTS,
  COMPARATIVE, CONTINUE, COUNTED_NP, CURIOSITY_PHRASE, DEFINING_AFTER_HEAD, DEMONSTRATIVES, DIFFERENT_MANNER,
  ELLIPSIS_OPENERS, EVALUATIVE, EXISTENTIAL_THERE_NEXT, EXPLETIVE_AFTER_IS_IT, GENERIC_HEADS, LETTERED_ITEM,
  LOCATIVE_THERE_PREV, MORE_OF_THE_SAME, NO_OBJECT_NEXT, NOT_BEFORE_SUBSTITUTE_ONE, NOT_COUNTED_ITEM, NOT_ORDINAL_ITEM,
  OBJECT_VERBS, ORDINAL_WORDS, PERSON_NOUNS, PRESUPPOSING_MODIFIERS, REPLY_START, REQUEST_PHRASE, REQUEST_START,
  RESPONSE_NOUNS, SELF_MATERIAL_NOUNS, THAT_COMPLEMENT_HEADS, THAT_COMPLEMENT_VERBS, THAT_COPULA_NEXT, THAT_PRONOUN_NEXT,
  THAT_SENTENCE_START, THIRD_PERSON, TIME_NOUNS, TRANSFORM_VERBS, YOUR_PERSONAL, type BackrefPattern,
} from "./patterns.js";
import {
  historyStems, isExpletiveIt, isNoun, isVerb, resolvedInQuery, stem, stripCode, instructionText, tagTerms, type Term,
} from "./terms.js";

/** Cue weights, tuned on the dev split of test/fixtures/context/labelled.jsonl. */
export const W = {
  transformObject: 0.65,
  presupposingNp: 0.7,
  yourNp: 0.7,
  ordinalNp: 0.7,
  compare: 0.7,
  instead: 0.6,
  other: 0.55,
  overlap: 0.35,
  backref: 0.9,
  ellipsisOpener: 0.8,
  bare: 0.85,
  reply: 0.6,
  fragment: 0.6,
  pronoun: 0.75,
  demonstrative: 0.75,
  definiteNp: 0.55,
  definiteNpEarlier: 0.45,
  there: 0.6,
  one: 0.6,
  ordinal: 0.7,
  imperativeNoObject: 0.7,
  weak: 0.25,
  challenge: 0.55,
  more: 0.65,
  again: 0.4,
  userAlso: 0.5,
  input: 0.65,
  statement: 0.55,
  dataFollowUp: 0.6,
} as const;

/** One query as the cues read it, computed once per query. */
export interface Query {
  /** messages before the query */
  history: ReadonlyArray<Message>;
  /** the instruction part of the query (whole query unless material-carrying), whitespace collapsed */
  text: string;
  /** material-carrying: long or with pasted code; most cues skip such queries */
  long: boolean;
  /** every term of `text`, and those that hold a letter or digit */
  terms: Term[];
  words: Term[];
  /** the words of the first sentence */
  firstSent: Term[];
  /** stems of the whole history, and of the last exchange (previous user query and the reply to it) */
  stems: Set<string>;
  recentStems: Set<string>;
  /** per-query memo of the definite noun phrase at a "the" (index -> analysis) */
  definites: Map<number, DefiniteNp | undefined>;
}

/** Build the `Query` view of `query` after `history`. */
export function readQuery(history: ReadonlyArray<Message>, query: string): Query {
  const { text, long } = instructionText(query);
  const terms = tagTerms(text);
  const words = terms.filter((t) => /[\p{L}\p{N}]/u.test(t.w));
  const lastUserIdx = history.map((m) => m.role).lastIndexOf("user");
  return {
    history,
    text,
    long,
    terms,
    words,
    firstSent: words.filter((t) => t.sent === words[0]?.sent),
    stems: historyStems(history),
    recentStems: historyStems(lastUserIdx >= 0 ? history.slice(lastUserIdx) : history),
    definites: new Map(),
  };
}

/** What a cue test returns: no label, one, or several (each counted with the cue's weight). */
export type CueLabels = string | readonly string[] | undefined;

/** A query-level cue. */
export interface Cue {
  name: string;
  weight: number;
  test: (q: Query) => CueLabels;
}

/** A cue tried at one word of the query (index `i` into `q.terms`). */
export interface TokenCue {
  name: string;
  weight: number;
  test: (q: Query, i: number) => string | undefined;
}

const noun3 = (q: Query) => q.words.filter((x) => isNoun(x) && !GENERIC_HEADS.has(x.w) && !TIME_NOUNS.has(x.w) && stem(x.w).length >= 3);

// ---------------------------------------------------------------------------------------------------------------------
// Explicit back-references

/** A back-reference pattern ("you mentioned", "above", "point 2"); in a long query, only those that say "you". */
function backref(p: BackrefPattern): (q: Query) => CueLabels {
  return (q) => {
    const m = p.re.exec(q.text);
    if (!m) return undefined;
    if (q.long && p.ownMaterial && !/\byou\b/i.test(m[0])) return undefined;
    return `backref:${p.name === "ordinal" ? m[0].toLowerCase().trim() : p.name}`;
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Ellipsis: whole-query continuations, openers, fragments, replies

/** "continue writing please": a short continuation request. */
function continuation(q: Query): CueLabels {
  return !q.long && CONTINUE.test(q.text) && q.text.split(/\s+/).length <= 8 ? "ellipsis:continue" : undefined;
}

/** "more", "yes", "rewrite it": the whole query is a continuation or a reply; the label quotes it. */
function bareQuery(q: Query): CueLabels {
  return !q.long && BARE.test(q.text) ? `ellipsis:${q.text.toLowerCase().replace(/[.!?]+$/, "").slice(0, 30)}` : undefined;
}

/** "what about ...", "and for ...": an opener whose missing part is in the previous turn; the label quotes it. */
function ellipsisOpener(q: Query): CueLabels {
  const opener = ELLIPSIS_OPENERS.exec(q.text);
  return opener ? `ellipsis:${opener[0].trim().toLowerCase().replace(/[,\s]+$/, "")}` : undefined;
}

/** "Yes, ...", "Sounds good": a reply to the assistant (when no ellipsis opener fired). */
function replyStart(q: Query): CueLabels {
  return !ELLIPSIS_OPENERS.test(q.text) && !q.long && REPLY_START.test(q.text) ? "ellipsis:reply" : undefined;
}

/** "Thanks", "Interesting": an acknowledgement (weak). */
function acknowledgement(q: Query): CueLabels {
  return !q.long && ACK_START.test(q.text) ? "ack:acknowledgement" : undefined;
}

/** "Hypertension.": a verbless fragment, or any query of one or two words (any length in a non-Latin script). */
function fragment(q: Query): CueLabels {
  const { words, text } = q;
  const hasVerb = words.some((t) => isVerb(t) && !t.tags.has("Gerund"));
  const latin = /[a-z]/i.test(text);
  const short = words.length <= 2 || ((words.length <= 5 || !latin) && (!hasVerb || !latin));
  return !q.long && words.length > 0 && short ? "ellipsis:fragment" : undefined;
}

/** "That would be perfect.": a short evaluation of the previous proposal. */
function evaluativeReply(q: Query): CueLabels {
  const hit = !q.long && q.words.length <= 8 && EVALUATIVE.test(q.text) && !/\?/.test(q.text);
  return hit ? "ellipsis:evaluative reply" : undefined;
}

/** "Don't use bullets", "Try again": a short constraint on the previous answer. */
function constraint(q: Query): CueLabels {
  const hit = !q.long && q.words.length <= 8 && /^\s*(?:just\s+)?(?:try(?: it| again)?|don'?t|do not|no need|without|not)\b/i.test(q.text);
  return hit ? "ellipsis:constraint on the previous answer" : undefined;
}

/** "Shouldn't it be ...?": a negative question challenging the previous answer. */
function challenge(q: Query): CueLabels {
  const hit = !q.long && /^\s*(?:shouldn'?t|isn'?t|wouldn'?t|doesn'?t|aren'?t|didn'?t|don'?t you)\b/i.test(q.text);
  return hit ? "ellipsis:challenge" : undefined;
}

/** "But isn't it just a principle?", "But I've heard that ...": an objection to the previous answer. */
function objection(q: Query): CueLabels {
  return !q.long && /^\s*but\b(?!\s+first\b)/i.test(q.text) ? "ellipsis:but (objection)" : undefined;
}

/** "Can you suggest an alternative?": a replacement for something earlier (not "an alternative to X"). */
function alternative(q: Query): CueLabels {
  const alt = /\b(?:an?|any|some|other|good|cheaper|better|healthier)\s+alternatives?\b(?!\s+(?:to|for|of|than)\b)/i.exec(q.text);
  return !q.long && alt ? "anaphora:alternative (no standard)" : undefined;
}

/** "Give me 3 more", "two more": more of what the previous answer gave. */
function moreOfTheSame(q: Query): CueLabels {
  return !q.long && MORE_OF_THE_SAME.test(q.text) ? "ellipsis:more" : undefined;
}

/** "I mainly track my running.": a short statement after an assistant turn that ended with a question. */
function answersAssistant(q: Query): CueLabels {
  const { text, words } = q;
  if (q.long || words.length > 30 || /\?/.test(text)) return undefined;
  const lastAssistant = [...q.history].reverse().find((m) => m.role === "assistant")?.content ?? "";
  if (!/\?\s*["')\]]*\s*$/.test(lastAssistant.trim().slice(-300))) return undefined;
  const first = words[0]?.w ?? "";
  if (OBJECT_VERBS.has(first) || words[0]?.tags.has("Imperative") || COMMAND_STARTS.has(first)) return undefined;
  if (/^\s*(?:i'?d like to know|i'?m interested in|i want to know|i would like to know|wanna|compare|tell me)\b/i.test(text)) {
    return undefined;
  }
  return "ellipsis:answers the assistant's question";
}

/** "rewrite in French", "translate into English", "make shorter": a command verb without an object. */
function imperativeNoObject(q: Query): CueLabels {
  const s = q.firstSent;
  const vIdx = s.findIndex((t, k) => OBJECT_VERBS.has(t.w) && (k === 0 || BEFORE_VERB.has(s[k - 1].w)));
  if (q.long || vIdx < 0) return undefined;
  const after = s[vIdx + 1];
  const noObject = !after || after.tags.has("Preposition") || NO_OBJECT_NEXT.has(after.w) || after.tags.has("Adverb") ||
    after.tags.has("Comparative");
  // "make it shorter": the pronoun cue reports "it" instead.
  if (!noObject || (after && /^(it|that|this|them|those|these)$/.test(after.w))) return undefined;
  return `ellipsis:${s[vIdx].w} (no object)`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Anaphora, word by word

/** "it", "they", "her": a third-person pronoun with no antecedent in the query (not expletive "it"). */
function pronoun(q: Query, i: number): string | undefined {
  const t = q.terms[i];
  if (!THIRD_PERSON.has(t.w) || q.long || isExpletiveIt(q.terms, i) || resolvedInQuery(q.terms, i)) return undefined;
  return `anaphora:${t.w}`;
}

/** Whether a "that" at `i` is a complementizer or relative pronoun, not a demonstrative. */
function isComplementizerThat(q: Query, i: number, nextIsNoun: boolean): boolean {
  const { terms } = q;
  const [t, prev, next] = [terms[i], terms[i - 1], terms[i + 1]];
  const sentenceInitial = !prev || prev.sent !== t.sent || THAT_SENTENCE_START.has(prev.w);
  const pronounUse = !next || next.sent !== t.sent || /[.?!,;:]/.test(t.post) ||
    (next && (next.tags.has("Preposition") || next.tags.has("Adverb") || THAT_PRONOUN_NEXT.has(next.w)));
  const copulaFollow = next && THAT_COPULA_NEXT.has(next.w);
  const detUse = nextIsNoun && prev && !isNoun(prev) && !(prev.tags.has("Verb") && THAT_COMPLEMENT_VERBS.has(prev.w));
  if (!(sentenceInitial && (copulaFollow || nextIsNoun)) && !pronounUse && !detUse) return true;
  if (prev && /^(so|such|than|now|given|provided|except)$/.test(prev.w)) return true;
  // "is it true that", "the probability that both ...": complementizer after an adjective or noun.
  const afterHead = (p: Term) =>
    p.tags.has("Adjective") || isNoun(p) || EXPLETIVE_AFTER_IS_IT.has(p.w) || THAT_COMPLEMENT_HEADS.has(p.w);
  if (prev && prev.sent === t.sent && afterHead(prev) && !/[.?!,;:]/.test(t.post) && next) return true;
  // Intra-query clause antecedent: "If I paint it black, will that enhance ..."
  const first = terms.find((x) => x.sent === t.sent);
  const clauseFirst = first && /^(if|when|once|after|before)$/.test(first.w) && first !== t;
  return Boolean(clauseFirst && terms.slice(terms.indexOf(first), i).some((x) => x.post.includes(",")));
}

/**
 * "this", "that movie", "those": a demonstrative pointing back; not time deixis ("this year"), generic "those who",
 * complementizer "that", or a long query's own material ("this code: ...").
 */
function demonstrative(q: Query, i: number): string | undefined {
  const { terms, text } = q;
  const [t, prev, next] = [terms[i], terms[i - 1], terms[i + 1]];
  if (!DEMONSTRATIVES.has(t.w)) return undefined;
  const nextIsNoun = Boolean(next && (isNoun(next) || next.tags.has("Adjective")) && next.sent === t.sent);
  // Time deixis ("this year"); but "at that time", "during this period" point back.
  const pointsBackInTime = (n: Term) => t.w === "that" || t.w === "those" ||
    (prev && /^(during|throughout|at|by|since|until|in)$/.test(prev.w) && /^(time|period|season|point|moment|days)$/.test(n.w));
  if (next && TIME_NOUNS.has(next.w) && !pointsBackInTime(next)) return undefined;
  if ((t.w === "those" || t.w === "that") && next && /^(who|which|whose|whom|of)$/.test(next.w)) return undefined;
  if (t.w === "that" && isComplementizerThat(q, i, nextIsNoun)) return undefined;
  // Material-carrying queries: "this code", "the following text" refer to their own material.
  if (q.long) return undefined;
  // "this sentence: ..." / "these words: ..." point forward at the query's own material.
  if (nextIsNoun && /[:]/.test(next.post)) return undefined;
  const ownMaterial = () => /:\s*\S/.test(text.slice(text.toLowerCase().indexOf(`${t.w} ${next.w}`)));
  if (nextIsNoun && SELF_MATERIAL_NOUNS.has(next.w) && ownMaterial()) return undefined;
  return `anaphora:${t.w}${nextIsNoun ? ` ${next.w}` : ""}`;
}

/** Locative "there" ("go there", "prices there"; not existential "there is/are"). */
function locativeThere(q: Query, i: number): string | undefined {
  const [t, prev, next] = [q.terms[i], q.terms[i - 1], q.terms[i + 1]];
  if (q.long || t.w !== "there") return undefined;
  const existential = next && next.sent === t.sent && EXISTENTIAL_THERE_NEXT.has(next.w);
  return !existential && prev && LOCATIVE_THERE_PREV.has(prev.w) ? "anaphora:there" : undefined;
}

/** Substitute "one" closing a phrase: "compromised by one", "can you recommend one?" */
function closingOne(q: Query, i: number): string | undefined {
  const [t, prev, next] = [q.terms[i], q.terms[i - 1], q.terms[i + 1]];
  if (q.long || t.w !== "one" || !prev || NOT_BEFORE_SUBSTITUTE_ONE.has(prev.w) || prev.tags.has("Value")) return undefined;
  const closes = !next || next.sent !== t.sent || /[?.!]/.test(t.post);
  return closes && (prev.tags.has("Preposition") || isVerb(prev)) ? `anaphora:${prev.w} one` : undefined;
}

/** Substitute "one": "another one", "the second one", "a cheaper one"; a closing "another" (not "one of ..."). */
function substituteOne(q: Query, i: number): string | undefined {
  const [t, prev, next] = [q.terms[i], q.terms[i - 1], q.terms[i + 1]];
  if (q.long) return undefined;
  const one = t.w === "one" && prev && BEFORE_SUBSTITUTE_ONE.has(prev.w);
  const another = t.w === "another" && (!next || next.sent !== t.sent || /[.?!]/.test(t.post));
  if (!one && !another) return undefined;
  return next && next.w === "of" ? undefined : `anaphora:${prev?.w ?? ""} ${t.w}`.trim();
}

/** The noun group after a "the" at `i`: its head (last noun) and the head's stem. */
interface DefiniteNp {
  /** index of the head */
  h: number;
  head: Term;
  /** stem of the head */
  hs: string;
}

/** The definite noun phrase that starts at a "the" at `i` (memoized per query), or undefined. */
function definiteNp(q: Query, i: number): DefiniteNp | undefined {
  if (q.definites.has(i)) return q.definites.get(i);
  const np = findDefiniteNp(q.terms, i);
  q.definites.set(i, np);
  return np;
}

function findDefiniteNp(terms: Term[], i: number): DefiniteNp | undefined {
  const t = terms[i];
  if (t.w !== "the") return undefined;
  let j = i + 1;
  const modifier = (x: Term, k: number) =>
    x.tags.has("Adjective") || x.tags.has("Adverb") || (x.tags.has("PastTense") && k > i && isNoun(terms[k + 1] ?? x));
  while (j < terms.length && terms[j].sent === t.sent && modifier(terms[j], j) && j - i <= 3) j++;
  // head = last noun of the noun group
  let h = -1;
  while (j < terms.length && terms[j].sent === t.sent && isNoun(terms[j]) && !terms[j].tags.has("Possessive")) {
    h = j;
    if (/[,.;:?!]/.test(terms[j].post)) break;
    j++;
  }
  if (h < 0) return undefined;
  const head = terms[h];
  if (head.tags.has("Verb") || head.tags.has("PresentTense")) return undefined;
  return { h, head, hs: stem(head.w) };
}

/**
 * "rewrite the story", "translate the paragraph", "rephrase the explanation of ...": a transformation verb whose
 * definite object is material the session already holds.
 */
function transformObject(q: Query, i: number): string | undefined {
  const np = !q.long ? definiteNp(q, i) : undefined;
  const prev = q.terms[i - 1];
  if (!np || !prev || !TRANSFORM_VERBS.has(prev.w) || /:/.test(q.text)) return undefined;
  if (q.terms.slice(i + 1, np.h).some((x) => x.w === "following")) return undefined;
  const { head, hs } = np;
  const held = SELF_MATERIAL_NOUNS.has(head.w) || SELF_MATERIAL_NOUNS.has(hs) || RESPONSE_NOUNS.has(hs) || q.stems.has(hs);
  return held ? `ellipsis:${prev.w} the ${head.w}` : undefined;
}

/** A modifier that presupposes an earlier mention: "the other roots", "the same pole", "the optimized version". */
function presupposingNp(q: Query, i: number): string | undefined {
  const np = !q.long ? definiteNp(q, i) : undefined;
  if (!np) return undefined;
  const modifiers = q.terms.slice(i + 1, np.h);
  if (!modifiers.some((x) => PRESUPPOSING_MODIFIERS.has(x.w))) return undefined;
  if (np.hs.length < 3 || !q.stems.has(np.hs) || TIME_NOUNS.has(np.head.w)) return undefined;
  return `anaphora:the ${q.terms.slice(i + 1, np.h + 1).map((x) => x.w).join(" ")}`;
}

/**
 * A definite phrase that could refer to the session: not named ("the MacBook Pro"), not defined in the query ("the
 * bottom of", "the plan that ..."), not generic, its head not introduced earlier in the query. Returns the head's
 * stem and whether every noun of a compound occurs in the session ("the rent increase").
 */
function referringDefinite(q: Query, i: number): { np: DefiniteNp; compoundSeen: boolean } | undefined {
  const np = !q.long ? definiteNp(q, i) : undefined;
  if (!np) return undefined;
  const { terms } = q;
  const { h, head, hs } = np;
  // A named modifier makes the phrase identify its referent by itself: "the InstructGPT API", "the MacBook Pro".
  if (terms.slice(i + 1, h).some((x) => x.tags.has("ProperNoun") || x.tags.has("Acronym"))) return undefined;
  // "the bottom of the stairs": the complement of "of" is defined by its container.
  if (terms[i - 1]?.w === "of") return undefined;
  const after = terms[h + 1];
  if (after && after.sent === head.sent && DEFINING_AFTER_HEAD.has(after.w)) return undefined;
  if (head.tags.has("ProperNoun") && !head.tags.has("Person")) return undefined;
  if (hs.length < 3 || GENERIC_HEADS.has(head.w) || GENERIC_HEADS.has(hs)) return undefined;
  // The head must not be introduced earlier in the query itself.
  if (terms.slice(0, i).some((x) => stem(x.w) === hs)) return undefined;
  const nouns = terms.slice(i + 1, h + 1).filter((x) => isNoun(x));
  return { np, compoundSeen: nouns.length >= 2 && nouns.every((x) => q.stems.has(stem(x.w))) };
}

/** "the plan", "the curry": a definite phrase whose head the last exchange used (or a compound the session used). */
function recentDefinite(q: Query, i: number): string | undefined {
  const d = referringDefinite(q, i);
  return d && (q.recentStems.has(d.np.hs) || d.compoundSeen) ? `anaphora:the ${d.np.head.w}` : undefined;
}

/** A definite phrase whose head only occurs before the last exchange (weaker than a recent one). */
function earlierDefinite(q: Query, i: number): string | undefined {
  const d = referringDefinite(q, i);
  return d && q.stems.has(d.np.hs) ? `anaphora:the ${d.np.head.w} (earlier)` : undefined;
}

/** Cues tried at each word, in order; the first that fires claims the word. */
export const TOKEN_CUES: readonly TokenCue[] = [
  { name: "pronoun", weight: W.pronoun, test: pronoun },
  { name: "demonstrative", weight: W.demonstrative, test: demonstrative },
  { name: "locative there", weight: W.there, test: locativeThere },
  { name: "closing one", weight: W.one, test: closingOne },
  { name: "substitute one", weight: W.one, test: substituteOne },
  { name: "transformed definite object", weight: W.transformObject, test: transformObject },
  { name: "presupposing definite", weight: W.presupposingNp, test: presupposingNp },
  { name: "recent definite", weight: W.definiteNp, test: recentDefinite },
  { name: "earlier definite", weight: W.definiteNpEarlier, test: earlierDefinite },
];

// ---------------------------------------------------------------------------------------------------------------------
// List items, sets and substitutes the session named

/** The labels `label` gives the matches of the global pattern `re` in the query, in order (undefined: no cue). */
function matchLabels(q: Query, re: RegExp, label: (m: RegExpMatchArray) => string | undefined): string[] {
  const out: string[] = [];
  for (const m of q.text.matchAll(re)) {
    const l = label(m);
    if (l !== undefined) out.push(l);
  }
  return out;
}

/** "the first film", "your 2nd option": an ordinal item of a list the session holds (in a long query, "your" only). */
function ordinalItem(q: Query): CueLabels {
  return matchLabels(q, ORDINAL_WORDS, (m) => {
    const noun = m[2].toLowerCase();
    if (TIME_NOUNS.has(noun) || NOT_ORDINAL_ITEM.has(noun)) return undefined;
    if (q.long && !/^your/i.test(m[0])) return undefined;
    return q.stems.has(stem(noun)) ? `backref:${m[0].toLowerCase().trim()}` : undefined;
  });
}

/** "the 20 ideas", "the three options": a counted set the session listed. */
function countedSet(q: Query): CueLabels {
  if (q.long) return undefined;
  return matchLabels(q, COUNTED_NP, (m) => {
    const noun = m[2].toLowerCase();
    if (TIME_NOUNS.has(noun) || NOT_COUNTED_ITEM.has(noun) || !q.stems.has(stem(noun))) return undefined;
    return `backref:the ${m[1].toLowerCase()} ${noun}`;
  });
}

/** "situation (a)": a lettered item of a list the session holds. */
function letteredItem(q: Query): CueLabels {
  if (q.long) return undefined;
  return matchLabels(q, LETTERED_ITEM, (m) => {
    const noun = m[1].toLowerCase();
    if (!q.stems.has(stem(noun)) || /^(and|for|the|with|from)$/.test(noun)) return undefined;
    return `backref:${noun} (${m[2].toLowerCase()})`;
  });
}

/** "your function", "your logic": a possessive phrase naming something the session contains (not a person). */
function yourNp(q: Query): CueLabels {
  const { terms } = q;
  const out: string[] = [];
  for (let i = 0; i < terms.length - 1; i++) {
    if (terms[i].w !== "your") continue;
    let j = i + 1;
    while (j < terms.length - 1 && j - i <= 2 && (terms[j].tags.has("Adjective") || terms[j].tags.has("Value")) && !isNoun(terms[j])) j++;
    const n = terms[j];
    if (!n || !isNoun(n) || n.sent !== terms[i].sent) continue;
    const ns = stem(n.w);
    if (ns.length >= 3 && q.stems.has(ns) && !PERSON_NOUNS.has(n.w) && !YOUR_PERSONAL.has(n.w) && !q.long) out.push(`backref:your ${n.w}`);
  }
  return out;
}

/** "How does it compare?": "compare" without a standard. */
function compareNoStandard(q: Query): CueLabels {
  const hit = !q.long && /\bcompares?\s*(?:(?:to|with)\s+(?:it|that|this|them|those|these))?\s*[?.!]*\s*$/i.test(q.text);
  return hit ? "ellipsis:compare (no standard)" : undefined;
}

/** "Instead, ...": a replacement for something the previous turn had. */
function instead(q: Query): CueLabels {
  return !q.long && /^\s*(?:but\s+|and\s+|ok(?:ay)?,?\s+)?instead\b/i.test(q.text) ? "backref:instead" : undefined;
}

/** "What other conditions ...?": a set presupposed by the previous turn (not "other than"). */
function otherNoStandard(q: Query): CueLabels {
  const hit = !q.long && /\b(?:what|which|any|some)\s+other\b(?!\s+than)/i.test(q.text) && !/\bother\b[^.?!]{0,40}\bthan\b/i.test(q.text);
  return hit ? "anaphora:other (no standard)" : undefined;
}

/** "Any more?": a short query ending in "more". */
function shortMore(q: Query): CueLabels {
  return !q.long && q.words.length <= 6 && /\bmore\s*[.!?]*\s*$/i.test(q.text) ? "ellipsis:more" : undefined;
}

const A_DIFFERENT = /\b(?:a|an|the)\s+different\s+([a-z][a-z-]{2,})\b(?!\s+(?:from|than|to)\b)/gi;

/** "a different grade": a substitute for something the session named (not "different from ...", not a manner). */
function differentNoun(q: Query): CueLabels {
  if (q.long) return undefined;
  return matchLabels(q, A_DIFFERENT, (m) => {
    const noun = m[1].toLowerCase();
    const named = q.stems.has(stem(noun)) && !GENERIC_HEADS.has(noun) && !TIME_NOUNS.has(noun) && !DIFFERENT_MANNER.has(noun);
    return named ? `anaphora:a different ${noun}` : undefined;
  });
}

/**
 * Lexical overlap: a short query with a definite article whose content nouns mostly come from the last exchange
 * ("Which day of the week had only rice taken out?" after a table of rice deliveries). Never decides alone.
 */
function overlap(q: Query): CueLabels {
  if (q.long || q.words.length > 25 || !q.terms.some((x) => x.w === "the")) return undefined;
  const content = noun3(q);
  const shared = content.filter((x) => q.recentStems.has(stem(x.w)));
  return content.length >= 2 && shared.length / content.length >= 0.6 ? "anaphora:overlap with the last exchange" : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Material an earlier turn supplied

const USER_ALSO = /\b(?:i|we)(?:'m|'ll|'d|'ve| am| are| will| would| have| do| also)?\s+(?:(?:really|now|then)\s+)?also\b/i;
const USER_TOO = /\b(?:i|we)\s+(?:\w+\s+){0,3}(?:as well|too)\s*[.?!,]/i;

/**
 * "I'm also interested in French food", "I will also be going on a boat trip": the speaker adds to facts about
 * themselves given earlier.
 */
function userAlso(q: Query): CueLabels {
  const hit = !q.long && (USER_ALSO.test(q.text) || USER_TOO.test(q.text));
  return hit ? "particle:also (about the user)" : undefined;
}

/** A pattern that finds a definition of the one-letter variable `v` ("p = 3", "let p", "p represents"). */
function definitionOf(v: string): RegExp {
  const notWord = String.raw`(?![\p{L}\p{N}'])`;
  return new RegExp(
    String.raw`(?<![\p{L}\p{N}'])${v}\s*(?:=|<|>|≤|≥|is\b|equals\b|represents\b|denotes\b|be\b)|(?:<|>|≤|≥)\s*${v}${notWord}` +
      String.raw`|\b(?:variables?|let|integers?|numbers?|values?|points?|sets?|letters?)\s+${v}${notWord}`,
    "u",
  );
}

/** "What are the values of p, q, and r?": one-letter variables an earlier turn defined and the query does not. */
function variablesDefinedEarlier(q: Query): CueLabels {
  const { text } = q;
  if (q.long || /=/.test(text)) return undefined;
  const letters = [...new Set([...text.matchAll(/(?<![\p{L}\p{N}'])([b-hj-zB-HJ-Z])(?![\p{L}\p{N}'])/gu)].map((m) => m[1]))];
  if (letters.length === 0) return undefined;
  const history = stripCode(q.history.map((m) => m.content).join("\n"));
  if (!letters.some((v) => definitionOf(v).test(history)) || letters.some((v) => definitionOf(v).test(text))) return undefined;
  return `anaphora:variables ${letters.join(", ")}`;
}

/** The user's earlier queries, joined. */
const userMaterial = (q: Query) => q.history.filter((m) => m.role === "user").map((m) => m.content).join("\n");

const WH_DATA_QUESTION = /^\s*(?:(?:so|and|now|then|ok(?:ay)?),?\s+)?(?:which|what|how (?:many|much|long|often))\b/i;

/** A short wh-question with at most one number: a candidate question about data given earlier. */
function isShortDataQuestion(q: Query): boolean {
  const wh = WH_DATA_QUESTION.test(q.text) && /\?\s*$/.test(q.text);
  return !q.long && wh && q.words.length <= 25 && (q.text.match(/\d+(?:[.,]\d+)?/g) ?? []).length <= 1;
}

/**
 * "How many days had rain in only one part of the day?": a question whose nouns come from the user's earlier
 * queries, which held numbers (a table, a list of prices).
 */
function questionAboutData(q: Query): CueLabels {
  if (!isShortDataQuestion(q)) return undefined;
  const material = userMaterial(q);
  const numbersInLastQuery = (material.replace(/^\s*\(?\d+[.)]\s/gm, " ").match(/\d+(?:[.,]\d+)?/g) ?? []).length;
  const content = noun3(q);
  const materialStems = historyStems([{ role: "user", content: material }]);
  const shared = content.filter((x) => materialStems.has(stem(x.w))).length;
  const mostWithThe = shared >= Math.min(2, content.length) && shared >= content.length * 0.5 && /\bthe\b/i.test(q.text);
  const most = shared >= 2 && shared >= content.length * 0.6;
  const hit = numbersInLastQuery >= 3 && content.length >= 1 && (mostWithThe || most);
  return hit ? "anaphora:question about the data given earlier" : undefined;
}

/** "Which plan is ...", "what kind of dish has ..." (group: the noun). */
const WHICH_NOUN = new RegExp(
  String.raw`^\s*(?:(?:so|and|now|then|ok(?:ay)?),?\s+)?(?:which|what)\s+(?:(?:[a-z-]+)\s+)?([a-z][a-z-]{2,})\s+` +
    String.raw`(?:is|was|are|were|has|had|would|will|should|do|does|did|can|could|of|in)\b`,
  "i",
);

/** "Which plan is the most cost-effective?": choosing, by a superlative, among options the last exchange listed. */
function whichOfListed(q: Query): CueLabels {
  if (!isShortDataQuestion(q)) return undefined;
  const { text } = q;
  const sel = WHICH_NOUN.exec(text);
  if (!sel || !q.recentStems.has(stem(sel[1].toLowerCase())) || GENERIC_HEADS.has(sel[1].toLowerCase())) return undefined;
  const superlative = /\b(?:most|least|best|worst|better|worse|cheapest|fastest|highest|lowest|largest|smallest|more|less|\w+est)\b/i;
  if (!superlative.test(text) || /\b(?:or|between)\b/i.test(text)) return undefined;
  return `anaphora:which ${sel[1].toLowerCase()} (of those listed)`;
}

/**
 * A bare input for a task the session set up earlier: turn 1 "Provide a summary of a historical event." / "I'll
 * give you sentences to paraphrase", then "The signing of the Magna Carta." (a statement or phrase, not a request).
 */
function inputForTask(q: Query): CueLabels {
  if (q.long || q.words.length > 30 || /\?/.test(q.text) || REQUEST_START.test(q.text)) return undefined;
  const firstUser = q.history.find((m) => m.role === "user")?.content ?? "";
  const announces = ANNOUNCES_INPUT.test(firstUser) && firstUser.split(/\s+/).length <= 40 && !/:\s*\S/.test(firstUser);
  return announces ? "ellipsis:input for the task set earlier" : undefined;
}

/**
 * A first-person statement with no request ("We're both under a lot of stress right now.", "Im going to use GPU",
 * "I have a $800 budget."): information added to the request under way.
 */
function statement(q: Query): CueLabels {
  const { text } = q;
  if (q.long || q.words.length > 30 || /\?/.test(text)) return undefined;
  if (!/^\s*(?:but\s+|and\s+|also,?\s+|well,?\s+)?(?:i|i'm|im|i've|i'd|i'll|we|we're|we've|my|our)\b/i.test(text)) return undefined;
  if (REQUEST_PHRASE.test(text) || CURIOSITY_PHRASE.test(text) || /_{2,}|\\_/.test(text)) return undefined;
  return "ellipsis:statement adding to the request";
}

// ---------------------------------------------------------------------------------------------------------------------
// Weak cues: evidence that never decides alone

/** "... too?", "Also, ...": an additive particle. */
function additiveParticle(q: Query): CueLabels {
  return !q.long && (ADDITIVE_END.test(q.text) || /^\s*(?:also|then|now|so|but|and)\b/i.test(q.text)) ? "particle:additive" : undefined;
}

/** "Do it again": a repetition of something earlier. */
function again(q: Query): CueLabels {
  return !q.long && /\bagain\b/i.test(q.text) ? "backref:again" : undefined;
}

/** "Make it simpler", "in more detail": a comparative whose standard is the previous answer (no "than"). */
function comparative(q: Query): CueLabels {
  return !q.long && COMPARATIVE.test(q.text) && !/\bthan\b/i.test(q.text) ? "comparative:no standard" : undefined;
}

/** The token walk as a registry entry: every word of the query, through `TOKEN_CUES`. */
export const TOKEN_WALK = "token walk";

/** The registry, in the order cues are reported; `TOKEN_WALK` marks where the word-by-word cues run. */
export const CUES: ReadonlyArray<Cue | typeof TOKEN_WALK> = [
  ...BACKREF_PATTERNS.map((p) => ({ name: `backref:${p.name}`, weight: p.name === "ordinal" ? W.ordinal : W.backref, test: backref(p) })),
  { name: "continuation", weight: W.bare, test: continuation },
  { name: "bare query", weight: W.bare, test: bareQuery },
  { name: "ellipsis opener", weight: W.ellipsisOpener, test: ellipsisOpener },
  { name: "reply", weight: W.reply, test: replyStart },
  { name: "acknowledgement", weight: W.weak, test: acknowledgement },
  { name: "fragment", weight: W.fragment, test: fragment },
  { name: "evaluative reply", weight: W.reply, test: evaluativeReply },
  { name: "constraint", weight: W.reply, test: constraint },
  { name: "challenge", weight: W.challenge, test: challenge },
  { name: "objection", weight: W.challenge, test: objection },
  { name: "alternative", weight: W.other, test: alternative },
  { name: "more of the same", weight: W.more, test: moreOfTheSame },
  { name: "answers the assistant", weight: W.reply, test: answersAssistant },
  { name: "imperative without object", weight: W.imperativeNoObject, test: imperativeNoObject },
  TOKEN_WALK,
  { name: "ordinal item", weight: W.ordinalNp, test: ordinalItem },
  { name: "counted set", weight: W.ordinalNp, test: countedSet },
  { name: "lettered item", weight: W.ordinalNp, test: letteredItem },
  { name: "your + session noun", weight: W.yourNp, test: yourNp },
  { name: "compare", weight: W.compare, test: compareNoStandard },
  { name: "instead", weight: W.instead, test: instead },
  { name: "what other", weight: W.other, test: otherNoStandard },
  { name: "short more", weight: W.more, test: shortMore },
  { name: "a different noun", weight: W.other, test: differentNoun },
  { name: "overlap", weight: W.overlap, test: overlap },
  { name: "user also", weight: W.userAlso, test: userAlso },
  { name: "variables defined earlier", weight: W.dataFollowUp, test: variablesDefinedEarlier },
  { name: "question about data", weight: W.dataFollowUp, test: questionAboutData },
  { name: "which of those listed", weight: W.dataFollowUp, test: whichOfListed },
  { name: "input for a task", weight: W.input, test: inputForTask },
  { name: "statement", weight: W.statement, test: statement },
  { name: "additive particle", weight: W.weak, test: additiveParticle },
  { name: "again", weight: W.again, test: again },
  { name: "comparative", weight: W.weak, test: comparative },
];
