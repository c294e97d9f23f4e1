/**
 * The context detector's regular expressions, compiled once at module load from the word lists of context/words.ts.
 * Each list entry is escaped and the entries are tried in list order; the glue around them (word boundaries, optional
 * commas, anchors) is the detector's own. Source: ours (see context/detect.ts).
 */
import * as words from "./words.js";

/** A regular-expression alternation of the literal words or phrases `list`, in order: `a|b\.c|...`. */
export function alt(list: readonly string[]): string {
  return list.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/** A case-insensitive pattern from pieces joined as they are. */
const ci = (...pieces: string[]) => new RegExp(pieces.join(""), "i");
/** A set of the words of `list` (exact-word membership, the same as `/^(a|b|...)$/.test(w)`). */
const set = (list: readonly string[]) => new Set(list);

export const THIRD_PERSON = set(words.THIRD_PERSON);
export const SINGULAR_NEUTER = set(words.SINGULAR_NEUTER);
export const PLURAL_PRONOUNS = set(words.PLURAL_PRONOUNS);
export const DEMONSTRATIVES = set(words.DEMONSTRATIVES);
export const EXPLETIVE_AFTER_IS_IT = set(words.EXPLETIVE_AFTER_IS_IT);
export const WEATHER = set(words.WEATHER);
export const TIME_NOUNS = set(words.TIME_NOUNS);
export const SELF_MATERIAL_NOUNS = set(words.SELF_MATERIAL_NOUNS);
export const GENERIC_HEADS = set(words.GENERIC_HEADS);
export const PERSON_NOUNS = set(words.PERSON_NOUNS);
export const NOT_ANTECEDENT = set(words.NOT_ANTECEDENT);
export const NON_ANTECEDENTS = set(words.NON_ANTECEDENTS);
export const TRANSFORM_VERBS = set(words.TRANSFORM_VERBS);
export const RESPONSE_NOUNS = set(words.RESPONSE_NOUNS);
export const PRESUPPOSING_MODIFIERS = set(words.PRESUPPOSING_MODIFIERS);
export const OBJECT_VERBS = set(words.OBJECT_VERBS);
export const SUBORDINATORS = set(words.SUBORDINATORS);
export const COMMAND_STARTS = set(words.COMMAND_STARTS);
export const BEFORE_VERB = set(words.BEFORE_VERB);
export const NO_OBJECT_NEXT = set(words.NO_OBJECT_NEXT);
export const THAT_SENTENCE_START = set(words.THAT_SENTENCE_START);
export const THAT_PRONOUN_NEXT = set(words.THAT_PRONOUN_NEXT);
export const THAT_COPULA_NEXT = set(words.THAT_COPULA_NEXT);
export const THAT_COMPLEMENT_VERBS = set(words.THAT_COMPLEMENT_VERBS);
export const THAT_COMPLEMENT_HEADS = set(words.THAT_COMPLEMENT_HEADS);
export const EXISTENTIAL_THERE_NEXT = set(words.EXISTENTIAL_THERE_NEXT);
export const LOCATIVE_THERE_PREV = set(words.LOCATIVE_THERE_PREV);
export const NOT_BEFORE_SUBSTITUTE_ONE = set(words.NOT_BEFORE_SUBSTITUTE_ONE);
export const BEFORE_SUBSTITUTE_ONE = set(words.BEFORE_SUBSTITUTE_ONE);
export const DEFINING_AFTER_HEAD = set(words.DEFINING_AFTER_HEAD);
export const NOT_ORDINAL_ITEM = set(words.NOT_ORDINAL_ITEM);
export const NOT_COUNTED_ITEM = set(words.NOT_COUNTED_ITEM);
export const YOUR_PERSONAL = set(words.YOUR_PERSONAL);
export const DIFFERENT_MANNER = set(words.DIFFERENT_MANNER);

/** One explicit back-reference pattern: its cue label, and whether it may point at a long query's own material. */
export interface BackrefPattern {
  re: RegExp;
  /** cue detail; "ordinal" patterns report the matched text instead */
  name: string;
  /** "above", "the same", ... in a material-carrying query usually point at the query itself */
  ownMaterial: boolean;
}

const ORDINAL_SUFFIX = String.raw`\d+(?:st|nd|rd|th)`;

/** Explicit references to the conversation ("you mentioned", "above", "your answer", "point 2"), in cue order. */
export const BACKREF_PATTERNS: readonly BackrefPattern[] = [
  {
    name: "you mentioned",
    ownMaterial: false,
    re: ci(String.raw`\byou(?:'ve| have)?\s+(?:just\s+|already\s+|previously\s+|earlier\s+)?`,
      String.raw`(?:${alt(words.YOU_DID_VERBS)}|misspel\w*)\b`),
  },
  {
    name: "mentioned above",
    ownMaterial: false,
    re: ci(String.raw`\b(?:${alt(words.MENTION_PARTICIPLES)})\s+(?:${alt(words.EARLIER_ADVERBS)})\b`),
  },
  {
    name: "above",
    ownMaterial: true,
    re: ci(String.raw`\b(?:the|this|that)\s+above\b|\babove\s+(?:${alt(words.ABOVE_NOUNS)})\b|\bas\s+above\b|\bfrom\s+above\b`),
  },
  {
    name: "previous",
    ownMaterial: false,
    re: ci(String.raw`\b(?:previous|prior|earlier)\s+(?!(?:${alt(words.PREVIOUS_NON_SESSION)})\b)[a-z]{3,}`,
      String.raw`|\b(?:last|original|former)\s+(?:${alt(words.LAST_NOUNS)})\b`),
  },
  {
    name: "earlier",
    ownMaterial: true,
    re: ci(String.raw`\baforementioned\b|\bpreviously\b|\bas before\b|\bearlier\b(?!\s+(?:${alt(words.EARLIER_NOT_BEFORE)}))`),
  },
  {
    name: "your answer",
    ownMaterial: true,
    re: ci(String.raw`\byour\s+(?:${alt(words.YOUR_OUTPUT_NOUNS)}|${ORDINAL_SUFFIX})\b`),
  },
  { name: "the same", ownMaterial: true, re: ci(String.raw`\b(?:the\s+)?same\s+(?:${alt(words.SAME_NOUNS)})\b`) },
  { name: "return", ownMaterial: false, re: ci(String.raw`\b(?:${alt(words.RETURN_PHRASES)})\b`) },
  {
    name: "you did not",
    ownMaterial: false,
    re: ci(String.raw`\byou\s+(?:${alt(words.YOU_FAILED)})\s+(?:${alt(words.YOU_FAILED_VERBS)})\b`),
  },
  { name: "based on", ownMaterial: false, re: ci(String.raw`\b(?:${alt(words.BASED_ON)})\s+(?:${alt(words.BASED_ON_WHAT)})\b`) },
  {
    name: "what I told you",
    ownMaterial: false,
    re: ci(String.raw`\b(?:the|all the|this|that)\s+(?:${alt(words.INFO_NOUNS)})\s+(?:i|we|you)(?:'ve| have| had)?\s+`,
      String.raw`(?:just\s+|already\s+)?(?:${alt(words.SUPPLIED_VERBS)})\b`,
      String.raw`|\b(?:considering|given|based on|with)\s+all\s+(?:my|our|the|these|those)\b`,
      String.raw`|\bwhat\s+(?:i|we)(?:'ve| have)?\s+(?:told|said|mentioned|described|shared)\b`),
  },
  {
    name: "clarification",
    ownMaterial: false,
    re: ci(String.raw`^\s*(?:no,?\s*)?(?:i meant|i mean|i was (?:asking|talking|referring)|i'?m (?:talking|referring|asking) about)\b`),
  },
  { name: "ordinal", ownMaterial: true, re: ci(String.raw`\b(?:(?:${alt(words.ITEM_NOUNS)})\s*#?\d+|#\d+)\b`) },
  {
    name: "ordinal",
    ownMaterial: true,
    re: ci(String.raw`\b(?:the|your)\s+(?:${alt(words.ORDINALS_OF_LIST)}|${ORDINAL_SUFFIX})\s+(?:${alt(words.ORDINAL_HEADS)})`),
  },
];

/** Openers that signal ellipsis: the missing part is in the previous turn. The match is the cue label. */
export const ELLIPSIS_OPENERS = ci(
  String.raw`^\s*(?:(?:${alt(words.OPENER_LEADS)})\s*,?\s*)?(?:`,
  [
    alt(words.OPENERS),
    String.raw`and\b`,
    alt(words.OPENERS_AFTER_AND),
    String.raw`for example\??$|why\??$|how\??$|really\??|seriously\??`,
    alt(words.OPENERS_DOUBT),
    String.raw`that (?:doesn'?t|does not|isn'?t|is not|seems|sounds|'s|s) |not (?:really|yet|quite|exactly)|then\b`,
  ].join("|"),
  ")",
);

/** Whole-query continuations and replies ("more", "yes", "great, next", "rewrite it please"). */
export const BARE = ci(
  String.raw`^\s*(?:${alt(words.BARE_QUERIES)}|thanks,? (?:and|but|now) .{0,40}`,
  String.raw`|(?:${alt(words.PRAISE_WORDS)})[,.!]?\s*(?:${alt(words.GO_ON_WORDS)})`,
  String.raw`|(?:please\s+)?(?:${alt(words.REDO_REQUESTS)})(?:\s+(?:${alt(words.REDO_TAILS)}))?)\s*[.!?]*\s*$`,
);

/** Continuation requests with a few extra words: "continue writing please", "keep going from where you stopped". */
export const CONTINUE = ci(
  String.raw`^\s*(?:please\s+|pls\s+|ok(?:ay)?,?\s+|now\s+)?`,
  String.raw`(?:continue|keep (?:going|writing|on)|go on|carry on|resume|finish|write more|more)\b[^?]{0,40}$`,
);

/** Openings of a reply to the assistant ("yes", "sounds good", "that's right"). */
export const REPLY_START = ci(
  String.raw`^\s*(?:${alt(words.REPLY_STARTS)}|that'?s (?:${alt(words.REPLY_THATS)})|this is (?:${alt(words.THIS_IS_PRAISE)}))\b`,
);

/** Acknowledgements of the previous answer ("thanks", "interesting", "that's helpful"). */
export const ACK_START = ci(
  String.raw`^\s*(?:${alt(words.ACK_STARTS)}|that'?s (?:${alt(words.ACK_THATS)})|this is (?:${alt(words.THIS_IS_PRAISE)}))\b`,
);

/** Queries that are requests or questions themselves (not a bare input). */
export const REQUEST_START = ci(String.raw`^\s*(?:please\s+|now\s+|ok(?:ay)?,?\s+|and\s+)?(?:${alt(words.REQUEST_STARTS)})\b`);

/** A first turn that sets up a task whose input comes later ("Summarize the plot of the movie I provide."). */
export const ANNOUNCES_INPUT = ci(
  String.raw`\b(?:i(?:'ll| will| am going to|'m going to| would like to)?\s+`,
  String.raw`(?:give|provide|send|share|paste|describe|list|mention|name|tell)\s+(?:you\s+)?(?:a|an|some|the|my|several|each)?\b`,
  String.raw`|(?:that|which)?\s*i\s+(?:give|provide|send|share|describe|mention|name)\b`,
  String.raw`|what i(?:'m| am)\s+(?:about|going)\s+to\b`,
  String.raw`|\b(?:provide|give|write|make)\s+(?:me\s+)?a\s+`,
  String.raw`(?:summary|description|explanation|translation|paraphrase)\s+of\s+(?:a|an|some)\s+`,
  String.raw`|^\s*(?:please\s+)?`,
  String.raw`(?:summari[sz]e|explain|describe|paraphrase|translate|define|analy[sz]e|classify|correct|rewrite|fix|solve)`,
  String.raw`\s+(?:(?:the|a|an|some)\s+)?(?:\w+\s+){0,3}?(?:of\s+)?(?:a|an|some|something|certain|specific|particular)\s+`,
  String.raw`[a-z]+(?:\s+[a-z]+){0,3}\s*(?:for me)?\s*[.!]?\s*$)`,
);

/** Ordinal items of an earlier list: "the first film", "your 2nd option" (groups: ordinal, noun). */
export const ORDINAL_WORDS = new RegExp(
  String.raw`\b(?:the\s+|your\s+|that\s+|my\s+)?` +
    String.raw`(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final|1st|2nd|3rd|[4-9]th|10th)` +
    String.raw`\s+([a-z][a-z-]{2,})\b`,
  "gi",
);
/** A counted set: "the 20 ideas", "the three options" (groups: count, noun). */
export const COUNTED_NP = new RegExp(
  String.raw`\bthe\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\s+(?:[a-z-]+\s+)?([a-z][a-z-]{2,})\b`,
  "gi",
);
/** A lettered item: "situation (a)", "option b)" (groups: noun, letter). */
export const LETTERED_ITEM = /\b([a-z]{3,})\s+\(?([a-h])\)(?=[\s,.?!;:]|$)/gi;

/** "give me 3 more", "two more": a request for more of the same. */
export const MORE_OF_THE_SAME = ci(
  String.raw`\b(?:(?:${alt(words.MORE_VERBS)})(?: me| us)?(?: \d+| a few| some)? more|(?:\d+|two|three|four|five|a few|some|any) more)\b`,
);
/** "would be perfect", "sounds good": an evaluative reply. */
export const EVALUATIVE = ci(String.raw`\b(?:would be|sounds|is|are|will be|seems?)\s+(?:${alt(words.EVALUATIONS)})\b`);
/** Words that make a first-person statement a request. */
export const REQUEST_PHRASE = ci(String.raw`\b(?:${alt(words.REQUEST_PHRASES)})\b`);
/** Words that make a first-person statement a question or thanks. */
export const CURIOSITY_PHRASE = ci(String.raw`\b(?:${alt(words.CURIOSITY_PHRASES)})\b`);
/** An additive particle at the end ("... too?") or an additive opener ("also", "then", "so"). */
export const ADDITIVE_END = ci(String.raw`\b(?:${alt(words.ADDITIVE_PARTICLES)})\s*[?.!]*\s*$`);
/** A comparative without a standard ("simpler", "in more detail"). */
export const COMPARATIVE = ci(String.raw`\b(?:${alt(words.COMPARATIVES)})\b`);
