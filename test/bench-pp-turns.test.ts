/**
 * MT-Bench++ authored turns 3-8 (data/mt-bench-pp/turns.jsonl), checked against the real MT-Bench questions in
 * ../shared/data/mt_bench/question.jsonl. Paper: section 4.1.1, Table 2, appendix A (Fig. 3 guideline, Table 7).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SHARED } from "./support/cli.js";

const QUESTIONS_FILE = path.join(SHARED, "data/mt_bench/question.jsonl");
const TURNS_FILE = path.join(REPO_ROOT, "data/mt-bench-pp/turns.jsonl");

interface Question {
  question_id: number;
  category: string;
  turns: string[];
}
interface AuthoredRow {
  question_id: number;
  category: string;
  turns: string[];
  source: string;
}

function readJsonl<T>(file: string): T[] {
  const text = fs.readFileSync(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: invalid JSON: ${(e as Error).message}`);
      }
    });
}

const questions = readJsonl<Question>(QUESTIONS_FILE);
const rows = readJsonl<AuthoredRow>(TURNS_FILE);
const allTurns = rows.flatMap((r) => r.turns.map((t, k) => ({ id: r.question_id, turn: k + 3, text: t })));

/** Case- and whitespace-insensitive key for duplicate detection. */
const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

// The sessions the paper publishes, as printed (Table 2; Table 7 examples 1 and 2), typesetting artifacts
// such as the space before "?" removed. Turns 3-8 only.
const PAPER_SESSIONS: Record<number, { source: string; turns: string[] }> = {
  151: {
    source: "parrot-paper-table-2",
    turns: [
      "How do they impact the lives of ordinary people?",
      "What about their impact on underage students?",
      "How can this knowledge be explained in detail to high school students in a simple and understandable way in the classroom?",
      "Please provide a detailed 40-minute lesson plan on this issue.",
      "Can some more interactive elements be incorporated into the plan?",
      "Do these indicators in turn influence financial and monetary policies?",
    ],
  },
  93: {
    source: "parrot-paper-table-7",
    turns: [
      "What diseases might these symptoms suggest in a pregnant woman?",
      "Do all these diseases require medication for treatment?",
      "Are there any recommended drugs that are less likely to cause allergies?",
      "Do these drugs have any effects on the fetus or the pregnant woman?",
      "What is the approximate frequency of taking these drugs?",
      "What tests do I need to do to finally determine which disease it is?",
    ],
  },
  142: {
    source: "parrot-paper-table-7",
    turns: [
      "How does your answer change if the satellite speeds up?",
      "Will there also be extreme cases or edge cases when this change occurs?",
      "Can you explain in detail Kepler's third law mentioned in your solution?",
      "For a physics novice, your explanation of this law is too difficult to understand. Can you popularize it in simple and understandable words?",
      "Does this law apply to both the orbit of a satellite around the Earth and the orbit of a planet around the Sun?",
      "If the orbit of a celestial body is elliptical, can this law be used to calculate it?",
    ],
  },
};
// The first query of each published session, as printed in the paper, to pin the question_id mapping.
const PAPER_FIRST_QUERY: Record<number, string> = {
  151: "Provide insights into the correlation between economic indicators such as GDP, inflation, and unemployment rates. Explain how fiscal and monetary policies affect those indicators.",
  93: "Imagine yourself as a doctor tasked with devising innovative remedies for various ailments and maladies.",
  142: "Consider a satellite that is in a circular orbit around the Earth. The speed of the satellite decreases.",
};

/**
 * Anaphora / ellipsis cues (Fig. 3, standard 2): pronouns and demonstratives pointing back, back-references to the
 * assistant's earlier answers, and elliptical follow-up openers. A turn "has a cue" when any of these matches.
 */
const CUE_WORDS = [
  "it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "she", "him", "her", "his",
  "the above", "above", "your", "yours", "same", "such", "another", "more", "what about", "how about", "again",
  "previous", "earlier", "original", "former", "latter", "both", "instead", "so far", "we've discussed",
];
const CUE_RE = new RegExp(`\\b(${[...CUE_WORDS].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})\\b`, "i");
const ELLIPTIC_START_RE = /^(and|now|so|then|back to)\b/i;
const hasCue = (t: string) => CUE_RE.test(t) || ELLIPTIC_START_RE.test(t);

describe("MT-Bench++ authored turns (data/mt-bench-pp/turns.jsonl)", () => {
  it("has exactly 80 rows in question_id order, one per MT-Bench question, with matching categories", () => {
    expect(questions).toHaveLength(80);
    expect(rows).toHaveLength(80);
    expect(rows.map((r) => r.question_id)).toEqual(questions.map((q) => q.question_id));
    const ids = rows.map((r) => r.question_id);
    expect(new Set(ids).size).toBe(80);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const [i, r] of rows.entries()) expect(r.category, `question ${r.question_id}`).toBe(questions[i]!.category);
    // 8 categories x 10 sessions, as in MT-Bench.
    const perCategory = new Map<string, number>();
    for (const r of rows) perCategory.set(r.category, (perCategory.get(r.category) ?? 0) + 1);
    expect([...perCategory.values()]).toEqual(Array(8).fill(10));
  });

  it("stores only turns 3-8: six non-empty, trimmed strings per session, each ending like a sentence", () => {
    for (const r of rows) {
      expect(Object.keys(r).sort(), `question ${r.question_id}`).toEqual(["category", "question_id", "source", "turns"]);
      expect(r.turns, `question ${r.question_id}`).toHaveLength(6);
      for (const t of r.turns) {
        expect(typeof t).toBe("string");
        expect(t.trim(), `question ${r.question_id}`).toBe(t);
        expect(t.length, `question ${r.question_id}: ${t}`).toBeGreaterThan(15);
        expect(t, `question ${r.question_id}`).toMatch(/[?.!]["”')]?$/);
        expect(t, `question ${r.question_id}: typesetting space before punctuation`).not.toMatch(/\s[?.!,]/);
      }
    }
    expect(allTurns).toHaveLength(480);
  });

  it("never repeats a query, and never copies an MT-Bench turn 1 or 2", () => {
    const seen = new Map<string, string>();
    for (const t of allTurns) {
      const key = norm(t.text);
      expect(seen.get(key), `duplicate query in ${t.id} turn ${t.turn}: ${t.text}`).toBeUndefined();
      seen.set(key, `${t.id}/${t.turn}`);
    }
    const original = new Set(questions.flatMap((q) => q.turns.map(norm)));
    for (const t of allTurns) expect(original.has(norm(t.text)), `${t.id} turn ${t.turn} copies MT-Bench`).toBe(false);
  });

  it("uses the paper's published sessions verbatim (Table 2: q151; Table 7: q93, q142) and marks them", () => {
    for (const [id, first] of Object.entries(PAPER_FIRST_QUERY)) {
      const q = questions.find((x) => x.question_id === Number(id))!;
      expect(q.turns[0]!.startsWith(first), `question ${id} is the paper's session`).toBe(true);
    }
    for (const [id, s] of Object.entries(PAPER_SESSIONS)) {
      const r = rows.find((x) => x.question_id === Number(id))!;
      expect(r.turns).toEqual(s.turns);
      expect(r.source).toBe(s.source);
    }
    const fromPaper = rows.filter((r) => r.source !== "authored").map((r) => r.question_id);
    expect(fromPaper).toEqual([93, 142, 151]);
    for (const r of rows) expect(["authored", "parrot-paper-table-2", "parrot-paper-table-7"]).toContain(r.source);
  });

  it("is rich in anaphora and ellipsis: most turns carry a cue, and every session several", () => {
    const withCue = allTurns.filter((t) => hasCue(t.text)).length;
    const rate = withCue / allTurns.length;
    console.log(`MT-Bench++ turns 3-8 with an anaphora/ellipsis cue: ${withCue}/${allTurns.length} (${(rate * 100).toFixed(1)}%)`);
    expect(rate).toBeGreaterThanOrEqual(0.85);
    for (const r of rows) {
      const n = r.turns.filter(hasCue).length;
      expect(n, `question ${r.question_id} has only ${n} turns with a cue`).toBeGreaterThanOrEqual(3);
    }
    // The cue detector itself tells context-bound queries from self-contained ones.
    expect(hasCue("What about their impact on underage students?")).toBe(true);
    expect(hasCue("And with three dice?")).toBe(true);
    expect(hasCue("Explain the water cycle to a child.")).toBe(false);
  });

  it("avoids templated sameness: no three-word opening is used more than 8 times across the 480 queries", () => {
    const openings = new Map<string, number>();
    for (const t of allTurns) {
      const key = t.text.toLowerCase().split(/\s+/).slice(0, 3).join(" ");
      openings.set(key, (openings.get(key) ?? 0) + 1);
    }
    const worst = [...openings.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(worst[1], `opening "${worst[0]}"`).toBeLessThanOrEqual(8);
  });
});
