/**
 * Context-dependent query detection, heuristic (no LLM).
 *
 * Source: paper section 3.3 ("we use pronoun recognition and leverage the judgment capabilities of GPT-4 to identify
 * queries that require contextual information") and Table 1 ("Ctx. Queries denote queries within a session that
 * contain anaphoras, ellipses, and other elements that require context to be answered"). This module is the
 * "pronoun recognition" half, widened to ellipsis and explicit back-references; `judge.ts` adds the LLM half.
 *
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
 * Evaluation: bench/context-detect-eval.mjs on test/fixtures/context/labelled.jsonl (dev: tuning; test) and
 * holdout2.jsonl (second held-out set, labelled before tuning, never tuned on).
 *
 * Not dependencies: cataphora and antecedents inside the query ("Will adding water to a battery help it ...",
 * "When keeping receipts, how long should I hold onto them?"), expletive "it" ("it is raining", "is it possible to",
 * "how long does it take"), generic "those who", time deixis ("this year"), and long self-contained queries that
 * paste their own material and say "this code" / "the above" about it.
 *
 * Tagging: `compromise` (part of speech: Noun, Verb, Pronoun, Determiner, Plural, Person...) plus word lists.
 */
import nlp from "compromise";
import type { Message } from "../conversations/session.js";

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

/** Queries longer than this (characters) are "material-carrying": only their instruction ends are inspected. */
const LONG_QUERY_CHARS = 500;

interface Term {
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

/** Cue weights, tuned on the dev split of test/fixtures/context/labelled.jsonl. */
const W = {
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

const THIRD_PERSON = new Set(["it", "its", "itself", "they", "them", "their", "theirs", "themselves", "he", "him", "his", "himself", "she", "her", "hers", "herself"]);
const SINGULAR_NEUTER = new Set(["it", "its", "itself"]);
const PLURAL_P = new Set(["they", "them", "their", "theirs", "themselves"]);
const DEMONSTRATIVES = new Set(["this", "that", "these", "those"]);
const EXPLETIVE_AFTER_IS_IT = new Set(["possible", "true", "safe", "okay", "ok", "normal", "better", "worth", "necessary", "legal", "bad", "good", "healthy", "wise", "common", "hard", "easy", "difficult", "important", "advisable", "recommended", "best", "appropriate", "reasonable", "ethical", "realistic", "likely", "fine", "wrong", "right", "illegal", "dangerous", "enough", "too", "harmful", "correct", "fair"]);
const WEATHER = new Set(["raining", "snowing", "sunny", "cold", "hot", "warm", "windy", "cloudy", "dark", "late", "early", "time"]);
const TIME_NOUNS = new Set(["year", "week", "month", "morning", "evening", "afternoon", "weekend", "time", "summer", "winter", "spring", "fall", "autumn", "season", "semester", "day", "days", "century", "decade", "quarter", "night", "moment", "point"]);
const SELF_MATERIAL_NOUNS = new Set(["code", "text", "article", "essay", "passage", "paragraph", "email", "letter", "sentence", "sentences", "function", "script", "program", "query", "document", "data", "table", "list", "information", "content", "story", "poem", "message", "snippet", "error", "prompt", "question", "questions", "problem", "statement", "file", "json", "class", "fragment", "review", "description", "abstract", "section", "chapter", "lyrics", "job", "resume", "post", "tweet", "word", "words", "phrase", "quote", "example", "summary", "outline", "request", "task", "website", "page", "product"]);
/** Heads too generic to signal a reference even when the session used them before. */
const GENERIC_HEADS = new Set(["way", "best", "most", "difference", "differences", "process", "role", "impact", "effect", "effects", "benefit", "benefits", "advantages", "disadvantages", "pros", "cons", "world", "time", "number", "people", "key", "main", "end", "future", "past", "government", "internet", "us", "u.s.", "uk", "earth", "sun", "moon", "body", "brain", "market", "economy", "industry", "environment", "following", "same", "rest", "latest", "current", "top", "first", "second", "last", "next", "user", "users", "world's", "country", "city", "state", "law", "day", "year", "week", "question", "answer", "case", "use", "type", "types", "kind", "kinds", "part", "parts", "name", "purpose", "importance", "meaning", "concept", "idea", "reason", "reasons", "cause", "causes", "result", "results", "value", "size", "amount", "level", "risk", "risks", "factor", "factors", "problem", "problems", "issue", "issues", "thing", "things", "lot", "something", "anything", "everything", "health", "house", "home", "morning", "evening", "night", "weather", "season", "price", "cost", "system", "site", "web", "app's", "field", "area", "areas", "term", "terms", "context", "form", "format", "style", "language", "word", "words", "text", "phone", "computer", "screen", "team", "company", "job", "work", "life", "family", "children", "kids", "basics", "fundamentals", "universe", "ocean", "sea", "sky", "air", "water", "food", "public", "media", "news", "history", "population", "majority", "average", "total", "whole", "other", "others", "importance"]);
const PERSON_NOUNS = /^(person|man|woman|boy|girl|guy|lady|friend|mother|mom|father|dad|parent|son|daughter|brother|sister|wife|husband|partner|boss|manager|patient|doctor|teacher|student|child|kid|baby|customer|client|user|player|author|writer|character|king|queen|president|ceo|employee|colleague|neighbor|neighbour|landlord|tenant|girlfriend|boyfriend|grandmother|grandfather|uncle|aunt|cousin|hero|actor|actress|singer|artist|leader|member|candidate|officer|people|men|women|kids|children|students|parents|friends)$/;

const BACKREF_PATTERNS: Array<[RegExp, string]> = [
  [/\byou(?:'ve| have)?\s+(?:just\s+|already\s+|previously\s+|earlier\s+)?(?:mentioned|said|wrote|write|forgot|missed|misspel\w*|left out|skipped|got it|suggested|listed|gave|given|provided|described|referred|recommended|explained|shared|showed|shown|used|told|proposed|outlined|created|made|generated|stated|noted|included|named|presented)\b/i, "you mentioned"],
  [/\b(?:mentioned|discussed|described|listed|stated|given|shown|provided|written|outlined)\s+(?:above|before|earlier|previously)\b/i, "mentioned above"],
  [/\b(?:the|this|that)\s+above\b|\babove\s+(?:code|text|information|info|answer|response|list|points?|steps?|example|script|story|article|essay|content|table|email|letter|idea|ideas|suggestions?|options?|query|function|program|message)\b|\bas\s+above\b|\bfrom\s+above\b/i, "above"],
  [/\b(?:previous|prior|earlier)\s+(?!(?:experience|experiences|owners?|employers?|jobs?|generations?|years?|centuries|decades|studies|research|works?|relationships?|marriages?|lives|life|president|administration|governments?)\b)[a-z]{3,}|\b(?:last|original|former)\s+(?:answer|response|reply|message|question|query|one|code|version|example|list|point|paragraph|email|letter|story|post|suggestion|explanation|output|text|draft|prompt|section|step|turn|chapter|table|solution|idea|ideas|option|options|language)\b/i, "previous"],
  [/\baforementioned\b|\bpreviously\b|\bas before\b|\bearlier\b(?!\s+(?:than|this|that|versions?|times?|years?|centur|stages?|periods?))/i, "earlier"],
  [/\byour\s+(?:answer|response|reply|explanation|list|code|example|suggestions?|recommendations?|ideas?|points?|story|solution|essay|article|draft|script|table|summary|version|output|analysis|approach|last|previous|first|second|third|message|description|advice|plan|outline|poem|text|metaphor|analogy|tips|definition|statement|claim|calculation|method|comment|argument|previous|rephrased|initial|original|own|logic|reasoning|function|implementation|program|algorithm|work|proposal|design|schedule|itinerary|routine|recipe|draft|headlines?|titles?|lyrics|email|letter|translation|edits?|corrections?|changes|estimate|numbers|figures|results?|conclusion|thoughts|opinion|assessment|review|feedback|critique|last|\d+(?:st|nd|rd|th))\b/i, "your answer"],
  [/\b(?:the\s+)?same\s+(?:story|information|info|thing|code|question|list|text|format|idea|content|way|approach|task|exercise|for|with|data|table|topic|style|one|problem|prompt)\b/i, "the same"],
  [/\b(?:going back|regarding what|as you said|like you said|you just|one more time|the original|the rest of (?:it|the))\b/i, "return"],
  [/\byou\s+(?:did(?:n'?t| not)|have(?:n'?t| not)|forgot to|failed to|never)\s+(?:provide|mention|give|include|answer|list|address|explain|finish|complete|cite|add|use|follow|consider|show|say)\b/i, "you did not"],
  [/\b(?:based on|given|considering|according to|in light of|taking into account)\s+(?:my|our|what (?:i|we|you)|your|the above|these|those|this|that|all (?:of )?(?:this|that|these))\b/i, "based on"],
  [/\b(?:the|all the|this|that)\s+(?:information|info|details|data|facts|context|preferences|requirements|constraints|criteria)\s+(?:i|we|you)(?:'ve| have| had)?\s+(?:just\s+|already\s+)?(?:given|provided|shared|mentioned|told|described|listed|gave|supplied|specified)\b|\b(?:considering|given|based on|with)\s+all\s+(?:my|our|the|these|those)\b|\bwhat\s+(?:i|we)(?:'ve| have)?\s+(?:told|said|mentioned|described|shared)\b/i, "what I told you"],
  [/^\s*(?:no,?\s*)?(?:i meant|i mean|i was (?:asking|talking|referring)|i'?m (?:talking|referring|asking) about)\b/i, "clarification"],
  [/\b(?:(?:point|step|option|item|idea|question|section|tip|part|no\.?)\s*#?\d+|#\d+)\b/i, "ordinal"],
  [/\b(?:the|your)\s+(?:first|second|third|fourth|fifth|last|final|latter|former|\d+(?:st|nd|rd|th))\s+(?:one|two|three|issue|point|policy|option|idea|step|example|item|paragraph|suggestion|method|question|answer|part|version|area|tip|sentence|line|bullet)/i, "ordinal"],
];

/** Openers that signal ellipsis: the missing part is in the previous turn. */
const ELLIPSIS_OPENERS = /^\s*(?:(?:and|but|so|ok(?:ay)?|alright|then)\s*,?\s*)?(?:what about|how about|what of|and (?:for|what|how|in|if|the|about|with|when|why|who|which|where|regarding|also)|and\b|what if|same (?:for|with|but)|now (?:do|for|with|try)|also,|as for|regarding|in that case|if so|if not|why not|how come|like what|such as|for example\??$|why\??$|how\??$|really\??|seriously\??|are you sure|are you certain|is that (?:right|true|correct|so)|that (?:doesn'?t|does not|isn'?t|is not|seems|sounds|'s|s) |not (?:really|yet|quite|exactly)|then\b)/i;
/** Whole-query continuations and replies. */
const BARE = /^\s*(?:more|continue|go on|keep going|next|again|another(?: one)?|and\??|yes|no|nope|yep|yeah|sure|ok(?:ay)?|correct|right|exactly|wrong|incorrect|dead|done|why|how|go ahead|proceed|finish|complete|expand|elaborate|shorter|longer|simpler|more please|please continue|continue please|please complete|please finish|keep writing|go deeper|tell me more|more examples?|more details?|other|others|any others?|anything else|what else|example|examples|explain|why not|so|and then|then what|thanks,? (?:and|but|now) .{0,40}|(?:correct|ok|okay|good|great|nice|perfect|thanks)[,.!]?\s*(?:next|continue|more|go on|keep going)|(?:please\s+)?(?:continue|go on|elaborate|expand|rewrite|rephrase|shorten|summari[sz]e|simplify|translate|repeat|redo|retry|try again|do it again|write more|make it shorter|make it longer|give more|give me more|more like this)(?:\s+(?:please|pls|it|that|this|again|more))?)\s*[.!?]*\s*$/i;
/** Continuation requests with a few extra words: "continue writing please", "keep going from where you stopped". */
const CONTINUE = /^\s*(?:please\s+|pls\s+|ok(?:ay)?,?\s+|now\s+)?(?:continue|keep (?:going|writing|on)|go on|carry on|resume|finish|write more|more)\b[^?]{0,40}$/i;
/** Verbs that transform a text the session holds ("rewrite the story"). */
const TRANSFORM_VERBS = new Set(["rewrite", "rephrase", "translate", "convert", "shorten", "simplify", "revise", "edit", "modify", "change", "adjust", "update", "improve", "refactor", "reformat", "paraphrase", "condense", "reword", "polish", "proofread", "expand", "extend", "continue", "redo", "restructure", "reorganize", "alter", "tweak", "fix"]);
/** Nouns naming a piece of the assistant's output ("the explanation", "the draft"). */
const RESPONSE_NOUNS = new Set(["explanation", "answer", "response", "reply", "version", "draft", "translation", "plan", "suggestion", "recommendation", "solution", "output", "result", "rewrite", "bullet", "point", "tip", "idea", "option"]);
/** Modifiers that presuppose an earlier mention of the head noun. */
const PRESUPPOSING_MODIFIERS = new Set(["other", "remaining", "same", "above", "latter", "former", "updated", "revised", "corrected", "optimized", "optimised", "original", "modified", "improved", "previous", "aforementioned", "mentioned", "suggested", "proposed", "given", "provided", "new"]);
const ORDINAL_WORDS = /\b(?:the\s+|your\s+|that\s+|my\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final|1st|2nd|3rd|[4-9]th|10th)\s+([a-z][a-z-]{2,})\b/gi;
const COUNTED_NP = /\bthe\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\s+(?:[a-z-]+\s+)?([a-z][a-z-]{2,})\b/gi;
const LETTERED_ITEM = /\b([a-z]{3,})\s+\(?([a-h])\)(?=[\s,.?!;:]|$)/gi;
/** Verbs whose object, when missing, is the previous answer. */
const OBJECT_VERBS = new Set(["check", "recheck", "double-check", "verify", "rewrite", "rephrase", "translate", "summarize", "summarise", "shorten", "expand", "continue", "simplify", "elaborate", "repeat", "convert", "reformat", "redo", "revise", "edit", "improve", "refactor", "fix", "modify", "change", "adjust", "update", "regenerate", "restate", "paraphrase", "condense", "extend", "finish", "complete", "optimize", "optimise", "proofread", "polish", "retry", "add", "remove", "delete", "make", "turn", "put", "present", "format", "reword"]);
const REPLY_START = /^\s*(?:yes|yeah|yep|yup|no|nope|nah|sure|correct|right|exactly|indeed|true|false|wrong|not really|not yet|not exactly|absolutely|definitely|of course|good idea|sounds (?:good|great)|great|perfect|awesome|nice|cool|thanks|thank you|ok(?:ay)?|alright|got it|i see|fair enough|that'?s (?:great|good|helpful|interesting|right|wrong|not)|this is (?:great|good|helpful))\b/i;
const ACK_START = /^\s*(?:great|perfect|awesome|nice|cool|thanks|thank you|ok(?:ay)?|alright|got it|i see|interesting|fascinating|wow|good|sounds (?:good|great)|that'?s (?:great|good|helpful|interesting|a great)|this is (?:great|good|helpful))\b/i;

/** Queries that are requests or questions themselves (not a bare input). */
const REQUEST_START = /^\s*(?:please\s+|now\s+|ok(?:ay)?,?\s+|and\s+)?(?:what|how|why|who|whom|whose|when|where|which|can|could|would|will|shall|should|is|are|was|were|do|does|did|have|has|may|might|must|tell|explain|describe|give|list|write|compare|provide|show|help|create|make|generate|suggest|recommend|summari[sz]e|translate|rewrite|paraphrase|analy[sz]e|find|calculate|solve|i need|i want|i'd like|i would like|let'?s|hi|hello|hey|thanks|thank you)\b/i;
/** A first turn that sets up a task whose input comes later ("Summarize the plot of the movie I provide."). */
const ANNOUNCES_INPUT = /\b(?:i(?:'ll| will| am going to|'m going to| would like to)?\s+(?:give|provide|send|share|paste|describe|list|mention|name|tell)\s+(?:you\s+)?(?:a|an|some|the|my|several|each)?\b|(?:that|which)?\s*i\s+(?:give|provide|send|share|describe|mention|name)\b|what i(?:'m| am)\s+(?:about|going)\s+to\b|\b(?:provide|give|write|make)\s+(?:me\s+)?a\s+(?:summary|description|explanation|translation|paraphrase)\s+of\s+(?:a|an|some)\s+|^\s*(?:please\s+)?(?:summari[sz]e|explain|describe|paraphrase|translate|define|analy[sz]e|classify|correct|rewrite|fix|solve)\s+(?:(?:the|a|an|some)\s+)?(?:\w+\s+){0,3}?(?:of\s+)?(?:a|an|some|something|certain|specific|particular)\s+[a-z]+(?:\s+[a-z]+){0,3}\s*(?:for me)?\s*[.!]?\s*$)/i;

/** Split off fenced code blocks, so pasted material does not produce cues. */
function stripCode(text: string): string {
  return text.replace(/```[\s\S]*?(```|$)/g, " ").replace(/`[^`\n]{0,200}`/g, " CODE ");
}

/**
 * The part of a query where an instruction lives: whole text for ordinary queries; for material-carrying queries
 * (long, or with pasted code), the first and last ~240 characters.
 */
function instructionText(query: string): { text: string; long: boolean } {
  // ShareGPT exports carry the label of a browser translation button ("지금 번역하기", "Translate now") after queries.
  query = query.replace(/\s*(?:지금 번역하기|translate now)\s*$/i, "");
  const hadCode = /```/.test(query);
  const q = stripCode(query).replace(/\s+/g, " ").trim();
  const long = query.length > LONG_QUERY_CHARS || hadCode;
  if (q.length <= LONG_QUERY_CHARS) return { text: q, long };
  return { text: `${q.slice(0, 240)} … ${q.slice(-240)}`, long };
}

function tagTerms(text: string): Term[] {
  const doc = nlp(text);
  const out: Term[] = [];
  const sentences = doc.json({ terms: { normal: true } }) as Array<{ terms: Array<{ normal: string; implicit?: string; tags: string[]; post?: string; text: string }> }>;
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

const NOT_ANTECEDENT = new Set(["there", "more", "lot", "something", "anything", "nothing", "everything", "one", "much", "less", "most", "way", "time"]);
const isNoun = (t: Term) => t.tags.has("Noun") && !t.tags.has("Pronoun") && !DEMONSTRATIVES.has(t.w) && !NOT_ANTECEDENT.has(t.w) && !t.tags.has("Value");
const isVerb = (t: Term) => t.tags.has("Verb") || t.tags.has("Copula") || t.tags.has("Modal") || t.tags.has("Auxiliary");
const isPlural = (t: Term) => t.tags.has("Plural") || /s$/.test(t.w) && !/ss$/.test(t.w);
const isPersonNoun = (t: Term) => t.tags.has("Person") || t.tags.has("FirstName") || t.tags.has("ProperNoun") || PERSON_NOUNS.test(t.w);

/** Rough singular of a noun (for matching "the plans" against "plan"). */
function stem(w: string): string {
  const x = w.replace(/[^\p{L}\p{N}-]/gu, "");
  if (x.length > 4 && x.endsWith("ies")) return x.slice(0, -3) + "y";
  if (x.length > 4 && /(ches|shes|sses|xes)$/.test(x)) return x.slice(0, -2);
  if (x.length > 3 && x.endsWith("s") && !x.endsWith("ss") && !x.endsWith("us") && !x.endsWith("is")) return x.slice(0, -1);
  return x;
}

/** Words of the history as stems (for definite noun phrase heads). */
function historyStems(history: ReadonlyArray<Message>): Set<string> {
  const out = new Set<string>();
  for (const m of history) for (const w of messageStems(m)) out.add(w);
  return out;
}

/**
 * The distinct stems of one message, computed once per message object: every query of a session is checked against
 * the messages before it, so without this a session of n turns stems its history O(n²) times (issue 15, bench 4).
 */
const STEMS = new WeakMap<Message, { content: string; stems: string[] }>();
function messageStems(m: Message): string[] {
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
const NON_ANTECEDENTS = new Set(["things", "thing", "stuff", "something", "anything", "everything", "nothing", "way", "ways", "lot", "lots"]);

/** Whether the pronoun at index i has a compatible antecedent earlier in the query, or a cataphoric one. */
function resolvedInQuery(terms: Term[], i: number): boolean {
  const p = terms[i].w;
  const compatible = (t: Term) => {
    if (!isNoun(t)) return false;
    if (SINGULAR_NEUTER.has(p)) return !isPersonNoun(t) || t.tags.has("Organization") || t.tags.has("Place");
    if (PLURAL_P.has(p)) return isPlural(t) || t.w === "and" || t.tags.has("Organization") || t.tags.has("Uncountable");
    return isPersonNoun(t);
  };
  // Generic "they say", "they call it".
  if (PLURAL_P.has(p) && /^(say|said|call|called)$/.test(terms[i + 1]?.w ?? "")) return true;
  for (let j = 0; j < i; j++) {
    // "what tools they use": the noun right before a subject pronoun is its object, not its antecedent.
    if (j === i - 1 && /^(they|he|she|it)$/.test(p)) continue;
    // "improve things with them": a noun separated from an object pronoun by one preposition is its co-argument
    // (English would say "themselves"), and "things"/"stuff" name nothing.
    if (j === i - 2 && terms[i - 1].tags.has("Preposition") && /^(it|them|him|her)$/.test(p)) continue;
    if (NON_ANTECEDENTS.has(terms[j].w)) continue;
    if (compatible(terms[j])) return true;
    // singular "they" for a person ("a person ... they")
    if (PLURAL_P.has(p) && isNoun(terms[j]) && (isPersonNoun(terms[j]) || /^(someone|somebody|anyone|anybody|everyone|everybody)$/.test(terms[j].w))) return true;
    // "A and B ... they"
    if (PLURAL_P.has(p) && terms[j].w === "and" && j > 0 && isNoun(terms[j - 1])) return true;
  }
  // Cataphora: a subordinate clause that opens the sentence ("When he arrived, John ...") resolved after its comma.
  const first = terms.find((t) => t.sent === terms[i].sent);
  if (first && /^(when|if|before|after|although|though|while|as|since|once|whenever|because|unless|until)$/.test(first.w)) {
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
function isExpletiveIt(terms: Term[], i: number): boolean {
  const t = terms[i];
  if (t.w !== "it") return false;
  const next = terms[i + 1]?.w ?? "";
  const next2 = terms[i + 2]?.w ?? "";
  const next3 = terms[i + 3]?.w ?? "";
  const prev = terms[i - 1]?.w ?? "";
  if (/^(take|takes|took)$/.test(next) || (/^(take|takes|took)$/.test(next2) && terms[i + 1]?.tags.has("Adverb"))) return true; // how long does it (typically) take
  if (/^(seems|seemed|appears|appeared|looks|happens|turns|occurs)$/.test(next) && /^(that|like|to|as|out)$/.test(next2)) return true;
  if (/^(rains|snows|rained|snowed)$/.test(next)) return true;
  const beLike = (w: string) => /^(is|'s|s|was|be|will|would|could|might|may|should|can)$/.test(w);
  // is it possible / is it true / would it be better
  if (beLike(prev) && (EXPLETIVE_AFTER_IS_IT.has(next) || (next === "be" && EXPLETIVE_AFTER_IS_IT.has(next2)) || /^(a good idea|worth)/.test(`${next} ${next2} ${next3}`))) return true;
  if (beLike(next)) {
    const rest = [next2, next3, terms[i + 4]?.w ?? ""];
    if (rest.some((w) => WEATHER.has(w))) return true;
    // it is (very) hard to / it's important that / it would be better if
    for (let k = i + 2; k < Math.min(terms.length, i + 6); k++) {
      if (/^(to|that|if|whether|when)$/.test(terms[k].w) && terms.slice(i + 2, k).some((x) => x.tags.has("Adjective") || EXPLETIVE_AFTER_IS_IT.has(x.w))) return true;
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
export function detectContextDependency(history: ReadonlyArray<Message>, query: string): ContextDecision {
  if (history.length === 0 || query.trim() === "") return { context_dependent: false, score: 0, cues: [] };
  const { text, long } = instructionText(query);
  const found = new Map<string, number>();
  const add = (cue: string, weight: number) => {
    if ((found.get(cue) ?? 0) < weight) found.set(cue, weight);
  };

  // Explicit back-references.
  for (const [re, name] of BACKREF_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    // In a material-carrying query, "above"/"the same" usually point at the query's own material.
    if (long && (name === "above" || name === "the same" || name === "ordinal" || name === "earlier" || name === "your answer") && !/\byou\b/i.test(m[0])) continue;
    add(`backref:${name === "ordinal" ? m[0].toLowerCase().trim() : name}`, name === "ordinal" ? W.ordinal : W.backref);
  }

  // Ellipsis: whole-query continuations, openers, fragments.
  if (!long && CONTINUE.test(text) && text.split(/\s+/).length <= 8) add("ellipsis:continue", W.bare);
  if (!long && BARE.test(text)) add(`ellipsis:${text.toLowerCase().replace(/[.!?]+$/, "").slice(0, 30)}`, W.bare);
  const opener = ELLIPSIS_OPENERS.exec(text);
  if (opener) add(`ellipsis:${opener[0].trim().toLowerCase().replace(/[,\s]+$/, "")}`, W.ellipsisOpener);
  else if (!long && REPLY_START.test(text)) add(`ellipsis:reply`, W.reply);
  if (!long && ACK_START.test(text)) add("ack:acknowledgement", W.weak);

  const terms = tagTerms(text);
  const words = terms.filter((t) => /[\p{L}\p{N}]/u.test(t.w));
  const hasVerb = words.some((t) => isVerb(t) && !t.tags.has("Gerund"));
  const latin = /[a-z]/i.test(text);
  if (!long && words.length > 0 && (words.length <= 2 || ((words.length <= 5 || !latin) && (!hasVerb || !latin)))) add("ellipsis:fragment", W.fragment);
  if (!long && words.length <= 8 && /\b(?:would be|sounds|is|are|will be|seems?)\s+(?:perfect|nice|great|good|fine|ideal|better|best|enough|helpful|interesting)\b/i.test(text) && !/\?/.test(text)) add("ellipsis:evaluative reply", W.reply);
  if (!long && words.length <= 8 && /^\s*(?:just\s+)?(?:try(?: it| again)?|don'?t|do not|no need|without|not)\b/i.test(text)) add("ellipsis:constraint on the previous answer", W.reply);
  if (!long && /^\s*(?:shouldn'?t|isn'?t|wouldn'?t|doesn'?t|aren'?t|didn'?t|don'?t you)\b/i.test(text)) add("ellipsis:challenge", W.challenge);
  // "But isn't it just a principle?", "But I've heard that ...": an objection to the previous answer.
  if (!long && /^\s*but\b(?!\s+first\b)/i.test(text)) add("ellipsis:but (objection)", W.challenge);
  // "Can you suggest an alternative?", "What if I use a different grade?": a replacement for something earlier.
  const alt = /\b(?:an?|any|some|other|good|cheaper|better|healthier)\s+alternatives?\b(?!\s+(?:to|for|of|than)\b)/i.exec(text);
  if (!long && alt) add("anaphora:alternative (no standard)", W.other);
  if (!long && /\b(?:(?:write|give|show|list|add|generate|provide|suggest|create|make|tell|need|want)(?: me| us)?(?: \d+| a few| some)? more|(?:\d+|two|three|four|five|a few|some|any) more)\b/i.test(text)) add("ellipsis:more", W.more);
  // A short statement answering the assistant's question ("I mainly track my running.")
  const lastAssistant = [...history].reverse().find((m) => m.role === "assistant")?.content ?? "";
  if (!long && words.length <= 30 && !/\?/.test(text) && /\?\s*["')\]]*\s*$/.test(lastAssistant.trim().slice(-300)) && !OBJECT_VERBS.has(words[0]?.w ?? "") && !words[0]?.tags.has("Imperative") && !/^\s*(?:i'?d like to know|i'?m interested in|i want to know|i would like to know|wanna|compare|tell me)\b/i.test(text) && !/^(write|give|tell|explain|list|create|generate|show|describe|provide|please|can|could|what|how|why|who|where|when|which)$/.test(words[0]?.w ?? "")) add("ellipsis:answers the assistant's question", W.reply);

  // Imperative without an object: "rewrite in French", "translate into English", "make it shorter".
  const firstSent = words.filter((t) => t.sent === words[0]?.sent);
  const vIdx = firstSent.findIndex((t, k) => OBJECT_VERBS.has(t.w) && (k === 0 || /^(please|now|can|could|would|you|pls|kindly|also|then|and|just)$/.test(firstSent[k - 1].w)));
  if (!long && vIdx >= 0) {
    const after = firstSent[vIdx + 1];
    if (!after || after.tags.has("Preposition") || /^(again|more|shorter|longer|simpler|better|it|that|this|them|those|these|everything|all|each|every|both|the rest|please)$/.test(after.w) || after.tags.has("Adverb") || after.tags.has("Comparative")) {
      if (!(after && /^(it|that|this|them|those|these)$/.test(after.w))) add(`ellipsis:${firstSent[vIdx].w} (no object)`, W.imperativeNoObject);
    }
  }

  // Anaphora.
  const stems = historyStems(history);
  // The last exchange (previous user query and the reply to it): where most referents of a definite phrase live.
  const lastUserIdx = history.map((m) => m.role).lastIndexOf("user");
  const recentStems = historyStems(lastUserIdx >= 0 ? history.slice(lastUserIdx) : history);
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    const next = terms[i + 1];
    const prev = terms[i - 1];
    if (THIRD_PERSON.has(t.w)) {
      if (long) continue;
      if (isExpletiveIt(terms, i)) continue;
      // "her" as a determiner before a person noun is still anaphoric; "its" likewise.
      if (resolvedInQuery(terms, i)) continue;
      add(`anaphora:${t.w}`, W.pronoun);
      continue;
    }
    if (DEMONSTRATIVES.has(t.w)) {
      const nextIsNoun = next && (isNoun(next) || next.tags.has("Adjective")) && next.sent === t.sent;
      // time deixis ("this year") and generic "those who"; but "at that time", "during this period" point back.
      if (next && TIME_NOUNS.has(next.w) && !(t.w === "that" || t.w === "those" || (prev && /^(during|throughout|at|by|since|until|in)$/.test(prev.w) && /^(time|period|season|point|moment|days)$/.test(next.w)))) continue;
      if ((t.w === "those" || t.w === "that") && next && /^(who|which|whose|whom|of)$/.test(next.w)) continue;
      if (t.w === "that") {
        // Complementizer/relative "that": after a verb/noun and followed by a clause.
        const sentenceInitial = !prev || prev.sent !== t.sent || /^(and|but|so|is|was|does|did|will|would|can|could|not|n't|isn't|doesn't|wasn't|didn't|won't|wouldn't|can't|couldn't)$/.test(prev.w);
        const pronounUse = !next || next.sent !== t.sent || /[.?!,;:]/.test(t.post) || (next && (next.tags.has("Preposition") || next.tags.has("Adverb") || /^(again|please|one|too|more|instead|better|part|first|last|for|in|into|to|as|with|on|about)$/.test(next.w)));
        const copulaFollow = next && /^(is|'s|s|was|seems|sounds|does|doesn't|isn't|wasn't|would|will|means|makes|looks|did)$/.test(next.w);
        const detUse = nextIsNoun && prev && !isNoun(prev) && !(prev.tags.has("Verb") && /^(say|said|says|think|know|believe|mean|means|hope|feel|ensure|make|sure|show|shows|suggest|suggests|claim|claims|argue|heard|read|found|notice|noticed|assume|realize|given|so|such|now|than)$/.test(prev.w));
        if (!(sentenceInitial && (copulaFollow || nextIsNoun)) && !pronounUse && !detUse) continue;
        if (prev && /^(so|such|than|now|given|provided|except)$/.test(prev.w)) continue;
        // "is it true that", "the probability that both ...": complementizer after an adjective or noun.
        if (prev && prev.sent === t.sent && (prev.tags.has("Adjective") || isNoun(prev) || EXPLETIVE_AFTER_IS_IT.has(prev.w) || /^(sure|likely|clear|obvious|certain|aware|glad|sorry|afraid|probability|chance|fact|likelihood|odds)$/.test(prev.w)) && !/[.?!,;:]/.test(t.post) && next) continue;
        // Intra-query clause antecedent: "If I paint it black, will that enhance ..."
        const first = terms.find((x) => x.sent === t.sent);
        if (first && /^(if|when|once|after|before)$/.test(first.w) && first !== t && terms.slice(terms.indexOf(first), i).some((x) => x.post.includes(","))) continue;
      }
      // Material-carrying queries: "this code", "the following text" refer to their own material.
      if (long) continue;
      // "this sentence: ..." / "these words: ..." point forward at the query's own material.
      if (nextIsNoun && /[:]/.test(next.post)) continue;
      if (nextIsNoun && SELF_MATERIAL_NOUNS.has(next.w) && /:\s*\S/.test(text.slice(text.toLowerCase().indexOf(`${t.w} ${next.w}`)))) continue;
      add(`anaphora:${t.w}${nextIsNoun ? ` ${next.w}` : ""}`, W.demonstrative);
      continue;
    }
    if (long) continue;
    // Locative "there" (not existential "there is/are").
    if (t.w === "there" && (!next || next.sent !== t.sent || !/^(is|are|was|were|'s|s|will|would|might|may|could|should|can|must|seem|seems|have|has|been|be|exist|exists|any|no|some|many|more)$/.test(next.w)) && prev && /^(go|get|there|travel|live|living|stay|staying|it|rainfall|weather|visit|visiting|from|in|over|out|up|down|back|arrive|arriving|move|moving|work|working|do|people|things|places|prices)$/.test(prev.w)) {
      add("anaphora:there", W.there);
      continue;
    }
    // Substitute "one" closing a phrase: "compromised by one", "can you recommend one?"
    if (t.w === "one" && prev && !/^(no|any|every|each|at|of|the|a|this|that|which|another|than|in|to|with)$/.test(prev.w) && !prev.tags.has("Value") && (!next || next.sent !== t.sent || /[?.!]/.test(t.post)) && (prev.tags.has("Preposition") || isVerb(prev))) {
      add(`anaphora:${prev.w} one`, W.one);
      continue;
    }
    // Substitute "one": "another one", "the second one", "a cheaper one".
    if (t.w === "one" && prev && /^(another|the|a|an|which|that|this|other|first|second|third|last|better|cheaper|shorter|longer|different|new|similar|bigger|smaller|best|same)$/.test(prev.w) || (t.w === "another" && (!next || next.sent !== t.sent || /[.?!]/.test(t.post)))) {
      if (!(next && next.w === "of")) add(`anaphora:${prev?.w ?? ""} ${t.w}`.trim(), W.one);
      continue;
    }
    // Definite noun phrase whose head appeared earlier in the session: "the plan", "the curry".
    if (t.w === "the") {
      let j = i + 1;
      while (j < terms.length && terms[j].sent === t.sent && (terms[j].tags.has("Adjective") || terms[j].tags.has("Adverb") || (terms[j].tags.has("PastTense") && j > i && isNoun(terms[j + 1] ?? terms[j]))) && j - i <= 3) j++;
      // head = last noun of the noun group
      let h = -1;
      while (j < terms.length && terms[j].sent === t.sent && isNoun(terms[j]) && !terms[j].tags.has("Possessive")) {
        h = j;
        if (/[,.;:?!]/.test(terms[j].post)) break;
        j++;
      }
      if (h < 0) continue;
      const head = terms[h];
      if (head.tags.has("Verb") || head.tags.has("PresentTense")) continue;
      const hs0 = stem(head.w);
      // "rewrite the story", "translate the paragraph", "rephrase the explanation of ...": a transformation verb whose
      // definite object is material the session already holds.
      if (prev && TRANSFORM_VERBS.has(prev.w) && !/:/.test(text) && !terms.slice(i + 1, h).some((x) => x.w === "following") && (SELF_MATERIAL_NOUNS.has(head.w) || SELF_MATERIAL_NOUNS.has(hs0) || RESPONSE_NOUNS.has(hs0) || stems.has(hs0))) {
        add(`ellipsis:${prev.w} the ${head.w}`, W.transformObject);
        continue;
      }
      // A modifier that presupposes an earlier mention: "the other roots", "the same pole", "the optimized version".
      if (terms.slice(i + 1, h).some((x) => PRESUPPOSING_MODIFIERS.has(x.w)) && hs0.length >= 3 && stems.has(hs0) && !TIME_NOUNS.has(head.w)) {
        add(`anaphora:the ${terms.slice(i + 1, h + 1).map((x) => x.w).join(" ")}`, W.presupposingNp);
        continue;
      }
      // A named modifier makes the phrase identify its referent by itself: "the InstructGPT API", "the MacBook Pro".
      if (terms.slice(i + 1, h).some((x) => x.tags.has("ProperNoun") || x.tags.has("Acronym"))) continue;
      // "the bottom of the stairs": the complement of "of" is defined by its container.
      if (terms[i - 1]?.w === "of") continue;
      const after = terms[h + 1];
      if (after && after.sent === head.sent && /^(of|that|which|who|where|when|whose|between|you|i|we)$/.test(after.w)) continue;
      if (head.tags.has("ProperNoun") && !head.tags.has("Person")) continue;
      const hs = stem(head.w);
      if (hs.length < 3 || GENERIC_HEADS.has(head.w) || GENERIC_HEADS.has(hs)) continue;
      // The head must not be introduced earlier in the query itself.
      if (terms.slice(0, i).some((x) => stem(x.w) === hs)) continue;
      // A compound whose every noun the session used ("the rent increase") is as telling as a recent mention.
      const nouns = terms.slice(i + 1, h + 1).filter((x) => isNoun(x));
      const compoundSeen = nouns.length >= 2 && nouns.every((x) => stems.has(stem(x.w)));
      if (recentStems.has(hs) || compoundSeen) add(`anaphora:the ${head.w}`, W.definiteNp);
      else if (stems.has(hs)) add(`anaphora:the ${head.w} (earlier)`, W.definiteNpEarlier);
    }
  }

  // Ordinal or lettered items of an earlier list: "the first film", "your 2nd option", "situation (a)".
  for (const m of text.matchAll(ORDINAL_WORDS)) {
    const noun = m[2].toLowerCase();
    if (TIME_NOUNS.has(noun) || /^(of|and|the|time|place|thing|things|and|to|in|for|step|steps|person|people|half|round|law|world|impression|sight|glance|hand|class|name|floor|grade|minute|hour)$/.test(noun)) continue;
    if (long && !/^your/i.test(m[0])) continue;
    if (stems.has(stem(noun))) add(`backref:${m[0].toLowerCase().trim()}`, W.ordinalNp);
  }
  // "the 20 ideas", "the three options": a counted set the session listed.
  if (!long) for (const m of text.matchAll(COUNTED_NP)) {
    const noun = m[2].toLowerCase();
    if (!TIME_NOUNS.has(noun) && !/^(years?|months?|weeks?|days?|hours?|minutes?|seconds?|percent|times|people|men|women|of)$/.test(noun) && stems.has(stem(noun))) add(`backref:the ${m[1].toLowerCase()} ${noun}`, W.ordinalNp);
  }
  if (!long) for (const m of text.matchAll(LETTERED_ITEM)) if (stems.has(stem(m[1].toLowerCase())) && !/^(and|for|the|with|from)$/i.test(m[1])) add(`backref:${m[1].toLowerCase()} (${m[2].toLowerCase()})`, W.ordinalNp);
  // "your function", "your logic": a possessive phrase naming something the session contains.
  for (let i = 0; i < terms.length - 1; i++) {
    if (terms[i].w !== "your") continue;
    let j = i + 1;
    while (j < terms.length - 1 && j - i <= 2 && (terms[j].tags.has("Adjective") || terms[j].tags.has("Value")) && !isNoun(terms[j])) j++;
    const n = terms[j];
    if (!n || !isNoun(n) || n.sent !== terms[i].sent) continue;
    const ns = stem(n.w);
    if (ns.length >= 3 && stems.has(ns) && !PERSON_NOUNS.test(n.w) && !/^(name|opinion|favorite|favourite|thoughts|view|views|experience|age|job|life|family|name's|take)$/.test(n.w)) {
      if (!long) add(`backref:your ${n.w}`, W.yourNp);
    }
  }
  if (!long && /\bcompares?\s*(?:(?:to|with)\s+(?:it|that|this|them|those|these))?\s*[?.!]*\s*$/i.test(text)) add("ellipsis:compare (no standard)", W.compare);
  if (!long && /^\s*(?:but\s+|and\s+|ok(?:ay)?,?\s+)?instead\b/i.test(text)) add("backref:instead", W.instead);
  // "What other conditions ...?": a set presupposed by the previous turn (not "other than").
  if (!long && /\b(?:what|which|any|some)\s+other\b(?!\s+than)/i.test(text) && !/\bother\b[^.?!]{0,40}\bthan\b/i.test(text)) add("anaphora:other (no standard)", W.other);
  if (!long && words.length <= 6 && /\bmore\s*[.!?]*\s*$/i.test(text)) add("ellipsis:more", W.more);
  // "a different grade", "another brand": a substitute for something the session named (not "different from ...").
  if (!long) for (const m of text.matchAll(/\b(?:a|an|the)\s+different\s+([a-z][a-z-]{2,})\b(?!\s+(?:from|than|to)\b)/gi)) {
    const noun = m[1].toLowerCase();
    if (stems.has(stem(noun)) && !GENERIC_HEADS.has(noun) && !TIME_NOUNS.has(noun) && !/^(way|ways|kind|type|types|perspective|angle|approach|language|style|format|structure)$/.test(noun)) add(`anaphora:a different ${noun}`, W.other);
  }

  // Lexical overlap: a short query with a definite article whose content nouns mostly come from the last exchange
  // ("Which day of the week had only rice taken out?" after a table of rice deliveries). Never decides alone.
  if (!long && words.length <= 25 && terms.some((x) => x.w === "the")) {
    const content = words.filter((x) => isNoun(x) && !GENERIC_HEADS.has(x.w) && !TIME_NOUNS.has(x.w) && stem(x.w).length >= 3);
    const shared = content.filter((x) => recentStems.has(stem(x.w)));
    if (content.length >= 2 && shared.length / content.length >= 0.6) add("anaphora:overlap with the last exchange", W.overlap);
  }

  if (!long) {
    // "I'm also interested in French food", "I will also be going on a boat trip": the speaker adds to facts about
    // themselves given earlier.
    if (/\b(?:i|we)(?:'m|'ll|'d|'ve| am| are| will| would| have| do| also)?\s+(?:(?:really|now|then)\s+)?also\b|\b(?:i|we)\s+(?:\w+\s+){0,3}(?:as well|too)\s*[.?!,]/i.test(text)) add("particle:also (about the user)", W.userAlso);
    // Questions about material an earlier turn supplied: "What are the values of p, q, and r?" (variables defined
    // earlier), "How many days had rain in only one part of the day?" / "Which plan is the most cost-effective?"
    // (a table or a list of options in an earlier query).
    const letters = [...new Set([...text.matchAll(/(?<![\p{L}\p{N}'])([b-hj-zB-HJ-Z])(?![\p{L}\p{N}'])/gu)].map((m) => m[1]))];
    const defined = (v: string) => new RegExp(`(?<![\\p{L}\\p{N}'])${v}\\s*(?:=|<|>|≤|≥|is\\b|equals\\b|represents\\b|denotes\\b|be\\b)|(?:<|>|≤|≥)\\s*${v}(?![\\p{L}\\p{N}'])|\\b(?:variables?|let|integers?|numbers?|values?|points?|sets?|letters?)\\s+${v}(?![\\p{L}\\p{N}'])`, "u");
    if (letters.length > 0 && !/=/.test(text) && letters.some((v) => defined(v).test(stripCode(history.map((m) => m.content).join("\n")))) && !letters.some((v) => defined(v).test(text))) {
      add(`anaphora:variables ${letters.join(", ")}`, W.dataFollowUp);
    }
    // Data supplied by the user: the earlier queries' numbers (a table, a list of prices).
    const userMaterial = history.filter((m) => m.role === "user").map((m) => m.content).join("\n");
    const numbersInLastQuery = (userMaterial.replace(/^\s*\(?\d+[.)]\s/gm, " ").match(/\d+(?:[.,]\d+)?/g) ?? []).length;
    const numbersInQuery = (text.match(/\d+(?:[.,]\d+)?/g) ?? []).length;
    const wh = /^\s*(?:(?:so|and|now|then|ok(?:ay)?),?\s+)?(?:which|what|how (?:many|much|long|often))\b/i.test(text) && /\?\s*$/.test(text);
    if (wh && words.length <= 25 && numbersInQuery <= 1) {
      const content = words.filter((x) => isNoun(x) && !GENERIC_HEADS.has(x.w) && !TIME_NOUNS.has(x.w) && stem(x.w).length >= 3);
      const materialStems = historyStems([{ role: "user", content: userMaterial }]);
      const shared = content.filter((x) => materialStems.has(stem(x.w)));
      if (numbersInLastQuery >= 3 && content.length >= 1 && ((shared.length >= Math.min(2, content.length) && shared.length >= content.length * 0.5 && /\bthe\b/i.test(text)) || (shared.length >= 2 && shared.length >= content.length * 0.6))) add("anaphora:question about the data given earlier", W.dataFollowUp);
      // "Which plan ...": choosing among options the session listed.
      const sel = /^\s*(?:(?:so|and|now|then|ok(?:ay)?),?\s+)?(?:which|what)\s+(?:(?:[a-z-]+)\s+)?([a-z][a-z-]{2,})\s+(?:is|was|are|were|has|had|would|will|should|do|does|did|can|could|of|in)\b/i.exec(text);
      if (sel && recentStems.has(stem(sel[1].toLowerCase())) && !GENERIC_HEADS.has(sel[1].toLowerCase()) && /\b(?:most|least|best|worst|better|worse|cheapest|fastest|highest|lowest|largest|smallest|more|less|\w+est)\b/i.test(text) && !/\b(?:or|between)\b/i.test(text)) {
        add(`anaphora:which ${sel[1].toLowerCase()} (of those listed)`, W.dataFollowUp);
      }
    }
  }

  // A bare input for a task the session set up earlier: turn 1 "Provide a summary of a historical event." / "I'll
  // give you sentences to paraphrase", then "The signing of the Magna Carta." (a statement or phrase, not a request).
  if (!long && words.length <= 30 && !/\?/.test(text) && !REQUEST_START.test(text)) {
    const firstUser = history.find((m) => m.role === "user")?.content ?? "";
    if (ANNOUNCES_INPUT.test(firstUser) && firstUser.split(/\s+/).length <= 40 && !/:\s*\S/.test(firstUser)) add("ellipsis:input for the task set earlier", W.input);
  }

  // A first-person statement with no request ("We're both under a lot of stress right now.", "Im going to use GPU",
  // "I have a $800 budget."): information added to the request under way.
  if (!long && words.length <= 30 && !/\?/.test(text) && /^\s*(?:but\s+|and\s+|also,?\s+|well,?\s+)?(?:i|i'm|im|i've|i'd|i'll|we|we're|we've|my|our)\b/i.test(text) && !/\b(?:can you|could you|would you|will you|please|help me|tell me|show me|give me|let me know|i need you|i want you|i'd like you|i would like you|write|create|generate|explain|describe|list)\b/i.test(text) && !/\b(?:question|wondering|wonder|curious|interested in|like to know|like to learn|want to (?:know|learn|ask|thank|understand)|thank|thanks)\b/i.test(text) && !/_{2,}|\\_/.test(text)) {
    add("ellipsis:statement adding to the request", W.statement);
  }

  // Weak cues.
  if (!long) {
    if (/\b(?:also|too|as well|instead|either|still|anymore|any more|else|other ones?|otherwise)\s*[?.!]*\s*$/i.test(text) || /^\s*(?:also|then|now|so|but|and)\b/i.test(text)) add("particle:additive", W.weak);
    if (/\bagain\b/i.test(text)) add("backref:again", W.again);
    if (/\b(?:simpler|shorter|longer|more (?:concise|detailed|formal|casual|simple)|in more detail|less (?:formal|technical)|more details|more examples|more information|further)\b/i.test(text) && !/\bthan\b/i.test(text)) add("comparative:no standard", W.weak);
  }

  const cues = [...found.keys()];
  const score = Math.round((1 - [...found.values()].reduce((acc, w) => acc * (1 - w), 1)) * 1000) / 1000;
  return { context_dependent: score >= DECISION_THRESHOLD, score, cues };
}
