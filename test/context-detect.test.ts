import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { detectContextDependency } from "../src/context/detect.js";
import { binaryScores, detectAll, loadLabelledSet } from "../src/context/evaluate.js";
import { REPO_ROOT, SHARED } from "./support/cli.js";
import type { Message } from "../src/conversations/session.js";

const H: Message[] = [
  { role: "user", content: "Give me a recipe for chicken curry and a lesson plan about economic indicators." },
  { role: "assistant", content: "Here is a chicken curry recipe ... and here is the plan for the lesson on GDP and inflation." },
];

describe("detectContextDependency", () => {
  it("never marks turn 1 (empty history)", () => {
    const d = detectContextDependency([], "How do they impact the lives of ordinary people?");
    expect(d).toEqual({ context_dependent: false, score: 0, cues: [] });
  });

  it("finds each cue family", () => {
    const cases: Array<[string, string]> = [
      ["How do they impact the lives of ordinary people?", "anaphora:they"],
      ["Can you rephrase that answer in simpler terms?", "anaphora:that answer"],
      ["Can some more interactive elements be incorporated into the plan?", "anaphora:the plan"],
      ["What about their impact on underage students?", "ellipsis:what about"],
      ["more", "ellipsis:more"],
      ["Hypertension.", "ellipsis:fragment"],
      ["Regarding the government incentives you referred to earlier, could you elaborate?", "backref:you mentioned"],
      ["Please expand on point 2", "backref:point 2"],
    ];
    for (const [q, cue] of cases) {
      const d = detectContextDependency(H, q);
      expect(d.context_dependent, q).toBe(true);
      expect(d.cues, q).toContain(cue);
      expect(d.score).toBeGreaterThanOrEqual(0.5);
    }
  });

  it("does not count cataphora, in-query antecedents, expletives or self-contained material", () => {
    const negatives = [
      "Will adding water to a battery help it last longer?",
      "When keeping receipts, how long should I hold onto them?",
      "Is it possible to learn Spanish in three months?",
      "How long does it take for ibuprofen to work?",
      "What is the capital of Mongolia?",
      "Who are some celebrities known for their philanthropic work?",
      "Please explain this code:\n```python\ndef f(x):\n    return x * 2\n```\nWhat does this function return for 3? " + "It is used in a larger program. ".repeat(15),
    ];
    for (const q of negatives) {
      const d = detectContextDependency(H, q);
      expect(d.context_dependent, `${q.slice(0, 60)} -> ${d.cues.join(",")}`).toBe(false);
    }
  });

  it("is deterministic and keeps score in [0, 1]", () => {
    const q = "And what did you say about the curry again?";
    const a = detectContextDependency(H, q);
    expect(detectContextDependency(H, q)).toEqual(a);
    expect(a.score).toBeGreaterThan(0);
    expect(a.score).toBeLessThanOrEqual(1);
  });
});

describe("labelled set (test/fixtures/context/labelled.jsonl)", () => {
  const examples = loadLabelledSet(path.join(REPO_ROOT, "test/fixtures/context/labelled.jsonl"), path.join(SHARED, "data"));
  const decisions = detectAll(examples);
  const scoresFor = (split: string) =>
    binaryScores(examples.map((e, i) => ({ e, d: decisions[i] })).filter((x) => x.e.split === split).map((x) => ({ gold: x.e.label, predicted: x.d.context_dependent })));

  it("has a few hundred turns from both sources, with both labels in both splits", () => {
    expect(examples.length).toBeGreaterThanOrEqual(300);
    for (const split of ["dev", "test"]) {
      const s = scoresFor(split);
      expect(s.tp + s.fn).toBeGreaterThan(20);
      expect(s.tn + s.fp).toBeGreaterThan(20);
    }
    expect(new Set(examples.map((e) => e.source))).toEqual(new Set(["mtbench101", "sharegpt_v3_sample"]));
  });

  it("reaches the measured F1 on the held-out test split (0.859, margin 0.03)", () => {
    const s = scoresFor("test");
    console.log(`context detector test split: P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} F1=${s.f1.toFixed(3)} (n=${s.n})`);
    expect(s.f1).toBeGreaterThanOrEqual(0.83);
    expect(s.precision).toBeGreaterThanOrEqual(0.88);
  });

  it("reaches the measured F1 on the dev split (0.894, margin 0.03)", () => {
    expect(scoresFor("dev").f1).toBeGreaterThanOrEqual(0.86);
  });
});
