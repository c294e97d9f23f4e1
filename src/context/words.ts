/**
 * Word lists of the context-dependency detector (context/detect.ts, context/cues.ts): plain words and phrases, lower
 * case, in the order the detector's patterns try them (the order decides which text a pattern reports, for patterns
 * whose match becomes a cue label). context/patterns.ts compiles them into regular expressions once, escaping each
 * entry; entries written `x?` in a pattern appear twice here, longer form first ("suggestions", "suggestion"), which
 * matches exactly what the greedy `?` matched.
 *
 * Source: ours, tuned on the dev split of test/fixtures/context/labelled.jsonl (see bench/context-detect-eval.mjs).
 */

/** Third-person pronouns, personal and possessive: anaphoric unless resolved inside the query. */
export const THIRD_PERSON: readonly string[] = [
  "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "he", "him", "his", "himself", "she",
  "her", "hers", "herself",
];

/** Pronouns whose antecedent is a thing ("it"). */
export const SINGULAR_NEUTER: readonly string[] = [
  "it", "its", "itself",
];

/** Plural pronouns (also singular "they" for a person). */
export const PLURAL_PRONOUNS: readonly string[] = [
  "they", "them", "their", "theirs", "themselves",
];

/** Demonstratives ("this movie", "that answer"). */
export const DEMONSTRATIVES: readonly string[] = [
  "this", "that", "these", "those",
];

/** Words after "is it" / "it is" that make "it" expletive ("is it possible to"). */
export const EXPLETIVE_AFTER_IS_IT: readonly string[] = [
  "possible", "true", "safe", "okay", "ok", "normal", "better", "worth", "necessary", "legal", "bad", "good",
  "healthy", "wise", "common", "hard", "easy", "difficult", "important", "advisable", "recommended", "best",
  "appropriate", "reasonable", "ethical", "realistic", "likely", "fine", "wrong", "right", "illegal", "dangerous",
  "enough", "too", "harmful", "correct", "fair",
];

/** Words after "it is" that make "it" expletive ("it is raining", "it is late"). */
export const WEATHER: readonly string[] = [
  "raining", "snowing", "sunny", "cold", "hot", "warm", "windy", "cloudy", "dark", "late", "early", "time",
];

/** Time nouns: "this year" is deixis, not a reference to the session. */
export const TIME_NOUNS: readonly string[] = [
  "year", "week", "month", "morning", "evening", "afternoon", "weekend", "time", "summer", "winter", "spring",
  "fall", "autumn", "season", "semester", "day", "days", "century", "decade", "quarter", "night", "moment", "point",
];

/** Nouns naming material a query may carry itself ("this code: ...", "the following text"). */
export const SELF_MATERIAL_NOUNS: readonly string[] = [
  "code", "text", "article", "essay", "passage", "paragraph", "email", "letter", "sentence", "sentences", "function",
  "script", "program", "query", "document", "data", "table", "list", "information", "content", "story", "poem",
  "message", "snippet", "error", "prompt", "question", "questions", "problem", "statement", "file", "json", "class",
  "fragment", "review", "description", "abstract", "section", "chapter", "lyrics", "job", "resume", "post", "tweet",
  "word", "words", "phrase", "quote", "example", "summary", "outline", "request", "task", "website", "page",
  "product",
];

/** Heads too generic to signal a reference even when the session used them before. */
export const GENERIC_HEADS: readonly string[] = [
  "way", "best", "most", "difference", "differences", "process", "role", "impact", "effect", "effects", "benefit",
  "benefits", "advantages", "disadvantages", "pros", "cons", "world", "time", "number", "people", "key", "main",
  "end", "future", "past", "government", "internet", "us", "u.s.", "uk", "earth", "sun", "moon", "body", "brain",
  "market", "economy", "industry", "environment", "following", "same", "rest", "latest", "current", "top", "first",
  "second", "last", "next", "user", "users", "world's", "country", "city", "state", "law", "day", "year", "week",
  "question", "answer", "case", "use", "type", "types", "kind", "kinds", "part", "parts", "name", "purpose",
  "importance", "meaning", "concept", "idea", "reason", "reasons", "cause", "causes", "result", "results", "value",
  "size", "amount", "level", "risk", "risks", "factor", "factors", "problem", "problems", "issue", "issues", "thing",
  "things", "lot", "something", "anything", "everything", "health", "house", "home", "morning", "evening", "night",
  "weather", "season", "price", "cost", "system", "site", "web", "app's", "field", "area", "areas", "term", "terms",
  "context", "form", "format", "style", "language", "word", "words", "text", "phone", "computer", "screen", "team",
  "company", "job", "work", "life", "family", "children", "kids", "basics", "fundamentals", "universe", "ocean",
  "sea", "sky", "air", "water", "food", "public", "media", "news", "history", "population", "majority", "average",
  "total", "whole", "other", "others", "importance",
];

/** Nouns naming people: antecedents of "he"/"she", never of "it". */
export const PERSON_NOUNS: readonly string[] = [
  "person", "man", "woman", "boy", "girl", "guy", "lady", "friend", "mother", "mom", "father", "dad", "parent",
  "son", "daughter", "brother", "sister", "wife", "husband", "partner", "boss", "manager", "patient", "doctor",
  "teacher", "student", "child", "kid", "baby", "customer", "client", "user", "player", "author", "writer",
  "character", "king", "queen", "president", "ceo", "employee", "colleague", "neighbor", "neighbour", "landlord",
  "tenant", "girlfriend", "boyfriend", "grandmother", "grandfather", "uncle", "aunt", "cousin", "hero", "actor",
  "actress", "singer", "artist", "leader", "member", "candidate", "officer", "people", "men", "women", "kids",
  "children", "students", "parents", "friends",
];

/** Words tagged as nouns that are never a noun-phrase head or an antecedent. */
export const NOT_ANTECEDENT: readonly string[] = [
  "there", "more", "lot", "something", "anything", "nothing", "everything", "one", "much", "less", "most", "way",
  "time",
];

/** Nouns that never serve as the antecedent of a later pronoun. */
export const NON_ANTECEDENTS: readonly string[] = [
  "things", "thing", "stuff", "something", "anything", "everything", "nothing", "way", "ways", "lot", "lots",
];

/** Verbs that transform a text the session holds ("rewrite the story"). */
export const TRANSFORM_VERBS: readonly string[] = [
  "rewrite", "rephrase", "translate", "convert", "shorten", "simplify", "revise", "edit", "modify", "change",
  "adjust", "update", "improve", "refactor", "reformat", "paraphrase", "condense", "reword", "polish", "proofread",
  "expand", "extend", "continue", "redo", "restructure", "reorganize", "alter", "tweak", "fix",
];

/** Nouns naming a piece of the assistant's output ("the explanation", "the draft"). */
export const RESPONSE_NOUNS: readonly string[] = [
  "explanation", "answer", "response", "reply", "version", "draft", "translation", "plan", "suggestion",
  "recommendation", "solution", "output", "result", "rewrite", "bullet", "point", "tip", "idea", "option",
];

/** Modifiers that presuppose an earlier mention of the head noun ("the other roots"). */
export const PRESUPPOSING_MODIFIERS: readonly string[] = [
  "other", "remaining", "same", "above", "latter", "former", "updated", "revised", "corrected", "optimized",
  "optimised", "original", "modified", "improved", "previous", "aforementioned", "mentioned", "suggested",
  "proposed", "given", "provided", "new",
];

/** Verbs whose object, when missing, is the previous answer ("rewrite in French"). */
export const OBJECT_VERBS: readonly string[] = [
  "check", "recheck", "double-check", "verify", "rewrite", "rephrase", "translate", "summarize", "summarise",
  "shorten", "expand", "continue", "simplify", "elaborate", "repeat", "convert", "reformat", "redo", "revise",
  "edit", "improve", "refactor", "fix", "modify", "change", "adjust", "update", "regenerate", "restate",
  "paraphrase", "condense", "extend", "finish", "complete", "optimize", "optimise", "proofread", "polish", "retry",
  "add", "remove", "delete", "make", "turn", "put", "present", "format", "reword",
];

/** What "you (just) ..." did earlier in the session ("you mentioned", "you left out"); misspel* is added in patterns.ts. */
export const YOU_DID_VERBS: readonly string[] = [
  "mentioned", "said", "wrote", "write", "forgot", "missed", "left out", "skipped", "got it", "suggested", "listed",
  "gave", "given", "provided", "described", "referred", "recommended", "explained", "shared", "showed", "shown",
  "used", "told", "proposed", "outlined", "created", "made", "generated", "stated", "noted", "included", "named",
  "presented",
];

/** Participles before "above"/"before"/"earlier" ("mentioned above", "listed before"). */
export const MENTION_PARTICIPLES: readonly string[] = [
  "mentioned", "discussed", "described", "listed", "stated", "given", "shown", "provided", "written", "outlined",
];

/** Where an earlier mention was ("mentioned above"). */
export const EARLIER_ADVERBS: readonly string[] = [
  "above", "before", "earlier", "previously",
];

/** Nouns after "above" ("the above code", "above points"). */
export const ABOVE_NOUNS: readonly string[] = [
  "code", "text", "information", "info", "answer", "response", "list", "points", "point", "steps", "step", "example",
  "script", "story", "article", "essay", "content", "table", "email", "letter", "idea", "ideas", "suggestions",
  "suggestion", "options", "option", "query", "function", "program", "message",
];

/** Nouns after "previous"/"prior"/"earlier" that name the world, not the conversation ("previous experience"). */
export const PREVIOUS_NON_SESSION: readonly string[] = [
  "experience", "experiences", "owners", "owner", "employers", "employer", "jobs", "job", "generations",
  "generation", "years", "year", "centuries", "decades", "studies", "research", "works", "work", "relationships",
  "relationship", "marriages", "marriage", "lives", "life", "president", "administration", "governments",
  "government",
];

/** Nouns after "last"/"original"/"former" that name a turn or its output ("last answer", "original code"). */
export const LAST_NOUNS: readonly string[] = [
  "answer", "response", "reply", "message", "question", "query", "one", "code", "version", "example", "list",
  "point", "paragraph", "email", "letter", "story", "post", "suggestion", "explanation", "output", "text", "draft",
  "prompt", "section", "step", "turn", "chapter", "table", "solution", "idea", "ideas", "option", "options",
  "language",
];

/** Words after "earlier" that make it a comparison or a time ("earlier than", "earlier centuries"); prefixes. */
export const EARLIER_NOT_BEFORE: readonly string[] = [
  "than", "this", "that", "versions", "version", "times", "time", "years", "year", "centur", "stages", "stage",
  "periods", "period",
];

/** Nouns after "your" that name the assistant's output ("your answer", "your 2nd point" is added in patterns.ts). */
export const YOUR_OUTPUT_NOUNS: readonly string[] = [
  "answer", "response", "reply", "explanation", "list", "code", "example", "suggestions", "suggestion",
  "recommendations", "recommendation", "ideas", "idea", "points", "point", "story", "solution", "essay", "article",
  "draft", "script", "table", "summary", "version", "output", "analysis", "approach", "last", "previous", "first",
  "second", "third", "message", "description", "advice", "plan", "outline", "poem", "text", "metaphor", "analogy",
  "tips", "definition", "statement", "claim", "calculation", "method", "comment", "argument", "previous",
  "rephrased", "initial", "original", "own", "logic", "reasoning", "function", "implementation", "program",
  "algorithm", "work", "proposal", "design", "schedule", "itinerary", "routine", "recipe", "draft", "headlines",
  "headline", "titles", "title", "lyrics", "email", "letter", "translation", "edits", "edit", "corrections",
  "correction", "changes", "estimate", "numbers", "figures", "results", "result", "conclusion", "thoughts",
  "opinion", "assessment", "review", "feedback", "critique", "last",
];

/** Words after "(the) same" that point back ("the same story", "same for"). */
export const SAME_NOUNS: readonly string[] = [
  "story", "information", "info", "thing", "code", "question", "list", "text", "format", "idea", "content", "way",
  "approach", "task", "exercise", "for", "with", "data", "table", "topic", "style", "one", "problem", "prompt",
];

/** Phrases returning to an earlier turn ("going back", "as you said"). */
export const RETURN_PHRASES: readonly string[] = [
  "going back", "regarding what", "as you said", "like you said", "you just", "one more time", "the original",
  "the rest of it", "the rest of the",
];

/** Complaints about the previous answer, first half ("you did not ..."). */
export const YOU_FAILED: readonly string[] = [
  "didn't", "didnt", "did not", "haven't", "havent", "have not", "forgot to", "failed to", "never",
];

/** Complaints about the previous answer, second half ("you did not provide"). */
export const YOU_FAILED_VERBS: readonly string[] = [
  "provide", "mention", "give", "include", "answer", "list", "address", "explain", "finish", "complete", "cite",
  "add", "use", "follow", "consider", "show", "say",
];

/** Phrases grounding a request in something given ("based on", "considering"). */
export const BASED_ON: readonly string[] = [
  "based on", "given", "considering", "according to", "in light of", "taking into account",
];

/** What "based on" points at when it points back ("based on my", "given the above"). */
export const BASED_ON_WHAT: readonly string[] = [
  "my", "our", "what i", "what we", "what you", "your", "the above", "these", "those", "this", "that", "all of this",
  "all of that", "all of these", "all this", "all that", "all these",
];

/** Nouns for supplied information ("the details I gave"). */
export const INFO_NOUNS: readonly string[] = [
  "information", "info", "details", "data", "facts", "context", "preferences", "requirements", "constraints",
  "criteria",
];

/** Verbs of supplying information ("the details I provided"). */
export const SUPPLIED_VERBS: readonly string[] = [
  "given", "provided", "shared", "mentioned", "told", "described", "listed", "gave", "supplied", "specified",
];

/** Nouns before an item number ("point 2", "step #3"); "no." before "no" is "no" with an optional dot. */
export const ITEM_NOUNS: readonly string[] = [
  "point", "step", "option", "item", "idea", "question", "section", "tip", "part", "no.", "no",
];

/** Ordinals after "the"/"your" ("the second one"; "the 3rd" is added in patterns.ts). */
export const ORDINALS_OF_LIST: readonly string[] = [
  "first", "second", "third", "fourth", "fifth", "last", "final", "latter", "former",
];

/** Heads after "the second ..." that name a list item ("the first point"); matched as prefixes. */
export const ORDINAL_HEADS: readonly string[] = [
  "one", "two", "three", "issue", "point", "policy", "option", "idea", "step", "example", "item", "paragraph",
  "suggestion", "method", "question", "answer", "part", "version", "area", "tip", "sentence", "line", "bullet",
];

/** Words that may lead an ellipsis opener ("and what about", "ok, how about"); "okay" and "ok" stand for ok(?:ay)?. */
export const OPENER_LEADS: readonly string[] = [
  "and", "but", "so", "okay", "ok", "alright", "then",
];

/** Ellipsis openers: the missing part is in the previous turn ("what about ...", "and for ..."). */
export const OPENERS: readonly string[] = [
  "what about", "how about", "what of", "and for", "and what", "and how", "and in", "and if", "and the", "and about",
  "and with", "and when", "and why", "and who", "and which", "and where", "and regarding", "and also",
];

/** Ellipsis openers tried after a bare "and" ("what if", "same for", "in that case"). */
export const OPENERS_AFTER_AND: readonly string[] = [
  "what if", "same for", "same with", "same but", "now do", "now for", "now with", "now try", "also,", "as for",
  "regarding", "in that case", "if so", "if not", "why not", "how come", "like what", "such as",
];

/** Openers doubting the previous answer ("are you sure", "is that right"). */
export const OPENERS_DOUBT: readonly string[] = [
  "are you sure", "are you certain", "is that right", "is that true", "is that correct", "is that so",
];

/** Whole queries that continue or answer the previous turn ("more", "go on", "yes", "tell me more"). */
export const BARE_QUERIES: readonly string[] = [
  "more", "continue", "go on", "keep going", "next", "again", "another one", "another", "and?", "and", "yes", "no",
  "nope", "yep", "yeah", "sure", "okay", "ok", "correct", "right", "exactly", "wrong", "incorrect", "dead", "done",
  "why", "how", "go ahead", "proceed", "finish", "complete", "expand", "elaborate", "shorter", "longer", "simpler",
  "more please", "please continue", "continue please", "please complete", "please finish", "keep writing",
  "go deeper", "tell me more", "more examples", "more example", "more details", "more detail", "other", "others",
  "any others", "any other", "anything else", "what else", "example", "examples", "explain", "why not", "so",
  "and then", "then what",
];

/** Praise before a continuation ("great, next", "thanks. continue"). */
export const PRAISE_WORDS: readonly string[] = [
  "correct", "ok", "okay", "good", "great", "nice", "perfect", "thanks",
];

/** Continuations after praise ("great, next"). */
export const GO_ON_WORDS: readonly string[] = [
  "next", "continue", "more", "go on", "keep going",
];

/** Whole-query requests to redo the previous output ("rewrite", "make it shorter", "try again"). */
export const REDO_REQUESTS: readonly string[] = [
  "continue", "go on", "elaborate", "expand", "rewrite", "rephrase", "shorten", "summarise", "summarize", "simplify",
  "translate", "repeat", "redo", "retry", "try again", "do it again", "write more", "make it shorter",
  "make it longer", "give more", "give me more", "more like this",
];

/** Words that may close a redo request ("rewrite it", "shorten please"). */
export const REDO_TAILS: readonly string[] = [
  "please", "pls", "it", "that", "this", "again", "more",
];

/** Openings of a reply to the assistant ("yes", "not really", "sounds good"; "that's ..." is in patterns.ts). */
export const REPLY_STARTS: readonly string[] = [
  "yes", "yeah", "yep", "yup", "no", "nope", "nah", "sure", "correct", "right", "exactly", "indeed", "true", "false",
  "wrong", "not really", "not yet", "not exactly", "absolutely", "definitely", "of course", "good idea",
  "sounds good", "sounds great", "great", "perfect", "awesome", "nice", "cool", "thanks", "thank you", "okay", "ok",
  "alright", "got it", "i see", "fair enough",
];

/** What a reply says the previous answer is ("that's right", "that's not"). */
export const REPLY_THATS: readonly string[] = [
  "great", "good", "helpful", "interesting", "right", "wrong", "not",
];

/** Acknowledgements of the previous answer ("thanks", "interesting", "wow"). */
export const ACK_STARTS: readonly string[] = [
  "great", "perfect", "awesome", "nice", "cool", "thanks", "thank you", "okay", "ok", "alright", "got it", "i see",
  "interesting", "fascinating", "wow", "good", "sounds good", "sounds great",
];

/** What an acknowledgement says the previous answer is ("that's helpful", "that's a great"). */
export const ACK_THATS: readonly string[] = [
  "great", "good", "helpful", "interesting", "a great",
];

/** Praise after "this is" ("this is helpful"). */
export const THIS_IS_PRAISE: readonly string[] = [
  "great", "good", "helpful",
];

/** Openings of a query that is a request or question itself, not a bare input ("what", "explain", "i need"). */
export const REQUEST_STARTS: readonly string[] = [
  "what", "how", "why", "who", "whom", "whose", "when", "where", "which", "can", "could", "would", "will", "shall",
  "should", "is", "are", "was", "were", "do", "does", "did", "have", "has", "may", "might", "must", "tell",
  "explain", "describe", "give", "list", "write", "compare", "provide", "show", "help", "create", "make", "generate",
  "suggest", "recommend", "summarise", "summarize", "translate", "rewrite", "paraphrase", "analyse", "analyze",
  "find", "calculate", "solve", "i need", "i want", "i'd like", "i would like", "let's", "lets", "hi", "hello",
  "hey", "thanks", "thank you",
];

/** Openers of a subordinate clause that may hold a cataphoric pronoun ("When he arrived, John ..."). */
export const SUBORDINATORS: readonly string[] = [
  "when", "if", "before", "after", "although", "though", "while", "as", "since", "once", "whenever", "because",
  "unless", "until",
];

/** First words of a request, not an answer to the assistant's question ("write", "what"). */
export const COMMAND_STARTS: readonly string[] = [
  "write", "give", "tell", "explain", "list", "create", "generate", "show", "describe", "provide", "please", "can",
  "could", "what", "how", "why", "who", "where", "when", "which",
];

/** Words that may stand before a command verb ("please rewrite", "could rewrite"). */
export const BEFORE_VERB: readonly string[] = [
  "please", "now", "can", "could", "would", "you", "pls", "kindly", "also", "then", "and", "just",
];

/** Words after a command verb that leave it without an object ("rewrite again", "make everything"). */
export const NO_OBJECT_NEXT: readonly string[] = [
  "again", "more", "shorter", "longer", "simpler", "better", "it", "that", "this", "them", "those", "these",
  "everything", "all", "each", "every", "both", "the rest", "please",
];

/** Words before a sentence-initial "that" ("and that", "isn't that"). */
export const THAT_SENTENCE_START: readonly string[] = [
  "and", "but", "so", "is", "was", "does", "did", "will", "would", "can", "could", "not", "n't", "isn't", "doesn't",
  "wasn't", "didn't", "won't", "wouldn't", "can't", "couldn't",
];

/** Words after a pronoun "that" ("that again", "that for ..."). */
export const THAT_PRONOUN_NEXT: readonly string[] = [
  "again", "please", "one", "too", "more", "instead", "better", "part", "first", "last", "for", "in", "into", "to",
  "as", "with", "on", "about",
];

/** Verbs after a referring "that" ("that is", "that sounds"). */
export const THAT_COPULA_NEXT: readonly string[] = [
  "is", "'s", "s", "was", "seems", "sounds", "does", "doesn't", "isn't", "wasn't", "would", "will", "means", "makes",
  "looks", "did",
];

/** Words before a complementizer "that" ("say that", "ensure that"). */
export const THAT_COMPLEMENT_VERBS: readonly string[] = [
  "say", "said", "says", "think", "know", "believe", "mean", "means", "hope", "feel", "ensure", "make", "sure",
  "show", "shows", "suggest", "suggests", "claim", "claims", "argue", "heard", "read", "found", "notice", "noticed",
  "assume", "realize", "given", "so", "such", "now", "than",
];

/** Adjectives and nouns before a complementizer "that" ("sure that", "the chance that"). */
export const THAT_COMPLEMENT_HEADS: readonly string[] = [
  "sure", "likely", "clear", "obvious", "certain", "aware", "glad", "sorry", "afraid", "probability", "chance",
  "fact", "likelihood", "odds",
];

/** Words after an existential "there" ("there is", "there are any"). */
export const EXISTENTIAL_THERE_NEXT: readonly string[] = [
  "is", "are", "was", "were", "'s", "s", "will", "would", "might", "may", "could", "should", "can", "must", "seem",
  "seems", "have", "has", "been", "be", "exist", "exists", "any", "no", "some", "many", "more",
];

/** Words before a locative "there" ("go there", "living there", "prices there"). */
export const LOCATIVE_THERE_PREV: readonly string[] = [
  "go", "get", "there", "travel", "live", "living", "stay", "staying", "it", "rainfall", "weather", "visit",
  "visiting", "from", "in", "over", "out", "up", "down", "back", "arrive", "arriving", "move", "moving", "work",
  "working", "do", "people", "things", "places", "prices",
];

/** Words before a closing "one" that make it a number or a quantifier ("at one", "no one"). */
export const NOT_BEFORE_SUBSTITUTE_ONE: readonly string[] = [
  "no", "any", "every", "each", "at", "of", "the", "a", "this", "that", "which", "another", "than", "in", "to",
  "with",
];

/** Words before a substitute "one" ("another one", "a cheaper one"). */
export const BEFORE_SUBSTITUTE_ONE: readonly string[] = [
  "another", "the", "a", "an", "which", "that", "this", "other", "first", "second", "third", "last", "better",
  "cheaper", "shorter", "longer", "different", "new", "similar", "bigger", "smaller", "best", "same",
];

/** Words after a definite head that define it in the query ("the bottom of", "the plan that"). */
export const DEFINING_AFTER_HEAD: readonly string[] = [
  "of", "that", "which", "who", "where", "when", "whose", "between", "you", "i", "we",
];

/** Nouns after an ordinal that are no list item ("the first time", "first impression"). */
export const NOT_ORDINAL_ITEM: readonly string[] = [
  "of", "and", "the", "time", "place", "thing", "things", "and", "to", "in", "for", "step", "steps", "person",
  "people", "half", "round", "law", "world", "impression", "sight", "glance", "hand", "class", "name", "floor",
  "grade", "minute", "hour",
];

/** Nouns after "the 20" that are units, not a listed set ("the 20 years"). */
export const NOT_COUNTED_ITEM: readonly string[] = [
  "years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour", "minutes", "minute",
  "seconds", "second", "percent", "times", "people", "men", "women", "of",
];

/** Nouns after "your" about the assistant itself, not its output ("your opinion"). */
export const YOUR_PERSONAL: readonly string[] = [
  "name", "opinion", "favorite", "favourite", "thoughts", "view", "views", "experience", "age", "job", "life",
  "family", "name's", "take",
];

/** Nouns after "a different" that ask for another manner, not a substitute ("a different style"). */
export const DIFFERENT_MANNER: readonly string[] = [
  "way", "ways", "kind", "type", "types", "perspective", "angle", "approach", "language", "style", "format",
  "structure",
];

/** Verbs asking for more of what the previous answer gave ("give me 3 more", "add some more"). */
export const MORE_VERBS: readonly string[] = [
  "write", "give", "show", "list", "add", "generate", "provide", "suggest", "create", "make", "tell", "need", "want",
];

/** Evaluations in a short reply to a proposal ("that would be perfect", "sounds good"). */
export const EVALUATIONS: readonly string[] = [
  "perfect", "nice", "great", "good", "fine", "ideal", "better", "best", "enough", "helpful", "interesting",
];

/** Words that make a first-person statement a request ("can you", "please", "explain"). */
export const REQUEST_PHRASES: readonly string[] = [
  "can you", "could you", "would you", "will you", "please", "help me", "tell me", "show me", "give me",
  "let me know", "i need you", "i want you", "i'd like you", "i would like you", "write", "create", "generate",
  "explain", "describe", "list",
];

/** Words that make a first-person statement a question or thanks ("I was wondering", "I want to know"). */
export const CURIOSITY_PHRASES: readonly string[] = [
  "question", "wondering", "wonder", "curious", "interested in", "like to know", "like to learn", "want to know",
  "want to learn", "want to ask", "want to thank", "want to understand", "thank", "thanks",
];

/** Particles closing a query that add to an earlier one ("... too?", "anything else"). */
export const ADDITIVE_PARTICLES: readonly string[] = [
  "also", "too", "as well", "instead", "either", "still", "anymore", "any more", "else", "other ones", "other one",
  "otherwise",
];

/** Comparatives without a standard: the standard is the previous answer ("simpler", "in more detail"). */
export const COMPARATIVES: readonly string[] = [
  "simpler", "shorter", "longer", "more concise", "more detailed", "more formal", "more casual", "more simple",
  "in more detail", "less formal", "less technical", "more details", "more examples", "more information", "further",
];
