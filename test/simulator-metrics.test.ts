/**
 * Simulator-fidelity metrics (src/simulator/metrics.ts, eval.ts) against values computed by hand on a small
 * fixture, and the role-leak detector (src/metrics/role-leak.ts) on examples and on real turns: its rates on
 * real assistant turns and real user turns of the ShareGPT sample and OASST (bounds measured, bench/README.md).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readConversations } from "../src/conversations/readers.js";
import type { Message } from "../src/conversations/session.js";
import { detectRoleLeak } from "../src/metrics/role-leak.js";
import { nextQueryItems, sampleItems, scoredText, summarizeNextQueries, summarizeSessions, type NextQueryRow } from "../src/simulator/eval.js";
import { bootstrapCI, distinctN, isQuestion, median, queryMetrics, wasserstein1, wordCount } from "../src/simulator/metrics.js";
import { SHARED } from "./support/cli.js";

const H: Message[] = [
  { role: "user", content: "Who won the 2018 World Cup?" },
  { role: "assistant", content: "France won the 2018 FIFA World Cup, beating Croatia 4-2 in the final in Moscow." },
];

describe("metric functions, by hand", () => {
  it("words, median, questions", () => {
    expect(wordCount("  Who is   she? ")).toBe(3);
    expect(wordCount("")).toBe(0);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([5, 1, 9])).toBe(5);
    expect(isQuestion("What about a play?")).toBe(true);
    expect(isQuestion("can you list some more")).toBe(true);
    expect(isQuestion("Tell me more.")).toBe(false);
    expect(isQuestion("Thanks, that was great!")).toBe(false);
  });

  it("distinct-2 counts bigrams within queries only", () => {
    // "a b a b" -> ab, ba, ab; "a b" -> ab: 4 bigrams, 2 distinct.
    expect(distinctN(["a b a b", "a b"])).toBe(0.5);
    expect(distinctN(["one", "two"])).toBe(0);
    expect(distinctN(["x y", "y x"])).toBe(1);
  });

  it("1-Wasserstein distance between length distributions", () => {
    expect(wasserstein1([1, 2, 3], [3, 2, 1])).toBe(0);
    expect(wasserstein1([1, 3], [2, 2])).toBe(1);
    // F_a - F_b: 1 on [1,4), 0.5 on [4,6): 3 + 1.
    expect(wasserstein1([1], [4, 6])).toBe(4);
  });

  it("queryMetrics on a 4-query fixture", () => {
    const qs = [
      { query: "Who was their coach?", history: H, real: "Who was the coach?", ppl: { tokens: 2, logprobSum: -2 } },
      { query: "Write a poem about the ocean in spring.", history: H, real: "Who scored in the final?", ppl: { tokens: 3, logprobSum: -4 } },
      { query: "Sure! Here is a summary of the final.", history: H, real: "And in 2014?", ppl: null },
      { query: "What about 2014?", history: H, real: "What about 2014?" },
    ];
    const m = queryMetrics(qs, [4, 5, 3, 3]);
    expect(m.n).toBe(4);
    expect(m.words_mean).toBe((4 + 8 + 8 + 3) / 4);
    expect(m.words_median).toBe(6);
    expect(m.question_rate).toBe(0.5);
    // "their coach", "the final" (a definite back-reference), "What about 2014?" (ellipsis).
    expect(m.ctx_rate).toBe(0.75);
    expect(m.role_leak).toBe(0.25); // "Sure! Here is ..."
    // ROUGE-L F1: who was their coach / who was the coach: LCS 3 of 4 and 4 -> 0.75; the poem shares "in"
    // (P 1/8, R 1/5 -> F 2/13); the third shares nothing; the fourth is the real query.
    expect(m.rouge_l_to_real).toBeCloseTo((0.75 + 2 / 13 + 0 + 1) / 4, 10);
    // Sorted words 3,4,8,8 vs 3,3,4,5: |0|+|1|+|4|+|3| over 4.
    expect(m.length_w1).toBeCloseTo(2, 10);
    expect(m.ppl_real).toBeCloseTo(Math.exp(6 / 5), 10);
    expect(m.ppl_tokens).toBe(5);
    const [lo, hi] = m.ci95.words_mean!;
    expect(lo).toBeLessThanOrEqual(m.words_mean);
    expect(hi).toBeGreaterThanOrEqual(m.words_mean);
    expect(queryMetrics(qs, [4, 5, 3, 3]).ci95).toEqual(m.ci95); // seeded
  });

  it("bootstrap interval: null below 2 items, degenerate for constant data", () => {
    expect(bootstrapCI([1], (xs) => xs[0])).toBeNull();
    expect(bootstrapCI([2, 2, 2], (xs) => xs.reduce((a, b) => a + b) / xs.length)).toEqual([2, 2]);
  });
});

describe("held-out items and summaries", () => {
  const sessions = [
    { id: "s1", messages: [H[0], H[1], { role: "user" as const, content: "Who was their coach?" }, { role: "assistant" as const, content: "Didier Deschamps." }, { role: "user" as const, content: "And in 2014?" }] },
    // Starts with the assistant: no item.
    { id: "s2", messages: [H[1], H[0]] },
    // Same prefix as s1 (an OASST sibling path): its turn 2 repeats s1's and is kept once.
    { id: "s3", messages: [H[0], H[1], { role: "user" as const, content: "Who was their coach?" }, { role: "assistant" as const, content: "Deschamps." }] },
    // Alternation breaks at index 3 (two user turns): only turn 2... which is the user at index 2.
    { id: "s4", messages: [H[0], H[1], { role: "user" as const, content: "Tell me more." }, { role: "user" as const, content: "Hello?" }] },
  ];

  it("nextQueryItems: turns >= 2 of the alternating prefix, deduplicated", () => {
    const items = nextQueryItems(sessions);
    expect(items.map((i) => i.key)).toEqual(["s1/2", "s1/3", "s4/2"]);
    expect(items[1].history).toHaveLength(4);
    expect(items[1].real).toBe("And in 2014?");
    expect(sampleItems(items, 2, 0)).toEqual(sampleItems(items, 2, 0));
    expect(sampleItems(items, 2, 0)).toEqual(sampleItems(items, 3, 0).slice(0, 2));
  });

  it("scoredText: B.1 prompt + ' query' for parrot-ask; chat template + query for prompted, none without a template", () => {
    const t = scoredText("parrot-ask", H, "Who was their coach?");
    expect(t!.prompt.endsWith("[ASSISTANT] France won the 2018 FIFA World Cup, beating Croatia 4-2 in the final in Moscow. [USER]")).toBe(true);
    expect(t!.continuation).toBe(" Who was their coach?");
    expect(scoredText("prompted", H, "q")).toBeUndefined();
    const p = scoredText("prompted", H, "q", (m) => `<chat>${m[0].content}</chat>`);
    expect(p!.prompt).toMatch(/^<chat>User: Who won.*Make the response short/s);
    expect(p!.continuation).toBe("q");
  });

  it("summarizeNextQueries: reference row from the real queries; ppl withheld when some items could not be scored", () => {
    const items = nextQueryItems(sessions);
    const rows: NextQueryRow[] = items.map((it, k) => ({
      key: it.key, session_id: it.session_id, turn: it.turn, real: it.real, generated: k === 0 ? "" : "What about 2014?",
      ppl: k === 2 ? null : { tokens: 4, logprobSum: -4 }, ...(k === 2 && { ppl_none: "not-available: no logprobs" }), tokens: 1,
    }));
    const s = summarizeNextQueries(items, [...rows, { ...rows[0], key: "extra" }]);
    expect(s.counts).toEqual({ items: 3, empty: 1, ppl_scored: 2, ppl_none: { "not-available": 1 }, skipped: {} });
    const skipped = summarizeNextQueries(items, rows.map((r, k) => (k === 1 ? { ...r, skipped: "context-length" } : r)));
    expect(skipped.counts.items).toBe(2);
    expect(skipped.counts.skipped).toEqual({ "context-length": 1 });
    expect(s.metrics.ppl_real).toBeNull();
    expect(s.ppl_note).toBe("not-available: no logprobs");
    expect(s.reference.rouge_l_to_real).toBe(1);
    expect(s.reference.length_w1).toBe(0);
    expect(s.reference.words_mean).toBeCloseTo((4 + 3 + 3) / 3, 10);
    const ok = summarizeNextQueries(items, rows.map((r) => ({ ...r, ppl: { tokens: 4, logprobSum: -4 }, ppl_none: undefined })));
    expect(ok.metrics.ppl_real).toBeCloseTo(Math.E, 10);
  });

  it("summarizeSessions: Table 1 stats, stop reasons, later-turn query metrics", () => {
    const s = summarizeSessions([
      { messages: sessions[0].messages.slice(0, 4), meta: { stop_reason: "turns" } },
      { messages: [H[0], H[1]], meta: { stop_reason: "filtered:too-short" } },
    ]);
    expect(s.stats.sessions).toBe(2);
    expect(s.stats.avg_turns).toBe(1.5);
    expect(s.stats.avg_ctx_queries).toBe(0.5);
    expect(s.stop_reasons).toEqual({ turns: 1, "filtered:too-short": 1 });
    expect(s.queries.n).toBe(1);
    expect(s.queries.ctx_rate).toBe(1);
  });
});

describe("role-leak detector", () => {
  it("flags assistant-style replies and keeps user turns", () => {
    for (const t of [
      "Sure! Here is a short poem about the sea.",
      "Certainly, I can help with that.",
      "As an AI language model, I cannot browse the web.",
      "Here are some tips: wrap it tight.",
      "The capital is Paris. Let me know if you have any other questions!",
      "[ASSISTANT] hello",
      `${"word ".repeat(120)}\n1. one\n2. two\n3. three`,
    ]) expect(detectRoleLeak(t).leak, t).toBe(true);
    for (const t of [
      "Who is Cynthia Erivo?",
      "Can you list some more?",
      "Sure is hot today, what should I wear?",
      "Of course not, why would it be?",
      "Please explain step 7 in more detail",
      "",
      `${"word ".repeat(120)}\n1. one\n2. two\n3. three\nWhich one is best?`,
    ]) expect(detectRoleLeak(t).leak, t).toBe(false);
    expect(detectRoleLeak("As an AI, I think so.").cue).toBe("ai-self");
  });

  /** Flag rates on distinct real user and assistant turns of a conversation file. */
  function rates(file: string): { user: number; assistant: number; users: number; assistants: number } {
    const seen = new Set<string>();
    const c = { user: [0, 0], assistant: [0, 0] };
    for (const s of readConversations(path.join(SHARED, "data/dialogues", file))) {
      for (const m of s.messages) {
        if (seen.has(m.content)) continue;
        seen.add(m.content);
        c[m.role][1]++;
        if (detectRoleLeak(m.content).leak) c[m.role][0]++;
      }
    }
    return { user: c.user[0] / c.user[1], assistant: c.assistant[0] / c.assistant[1], users: c.user[1], assistants: c.assistant[1] };
  }

  it("on the ShareGPT sample: about half of real assistant turns flagged, under 3% of real user turns", () => {
    const r = rates("sharegpt_v3_sample.jsonl");
    console.log(`role-leak on ShareGPT: assistant turns ${(100 * r.assistant).toFixed(1)}% of ${r.assistants}, user turns ${(100 * r.user).toFixed(1)}% of ${r.users}`);
    expect(r.users).toBeGreaterThan(3000);
    expect(r.assistant).toBeGreaterThan(0.48);
    expect(r.user).toBeLessThan(0.03);
  });

  it("on OASST: over a quarter of real assistant turns flagged, under 1% of real user turns", () => {
    const r = rates("oasst_en_100_tree.jsonl");
    console.log(`role-leak on OASST: assistant turns ${(100 * r.assistant).toFixed(1)}% of ${r.assistants}, user turns ${(100 * r.user).toFixed(1)}% of ${r.users}`);
    expect(r.assistant).toBeGreaterThan(0.27);
    expect(r.user).toBeLessThan(0.01);
  });
});
