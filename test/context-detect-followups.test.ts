import { describe, expect, it } from "vitest";
import { detectContextDependency } from "../src/context/detect.js";
import type { Message } from "../src/conversations/session.js";

const u = (content: string): Message => ({ role: "user", content });
const a = (content: string): Message => ({ role: "assistant", content });

describe("context detector: follow-ups without a pronoun", () => {
  it("finds variables, data and options the user supplied earlier", () => {
    const vars = [u("Let p, q and r be integers with p = 2q and r = q + 3. If p + q + r = 27, find them."), a("q = 6, p = 12, r = 9.")];
    const d1 = detectContextDependency(vars, "What are the values of p, q, and r?");
    expect(d1.cues).toContain("anaphora:variables p, q, r");
    expect(d1.context_dependent).toBe(true);
    // Defined in the query itself: not a dependency.
    expect(detectContextDependency(vars, "If x = 3 and y = 4, what is x times y?").context_dependent).toBe(false);

    const table = [u("Sales per quarter last year: Q1 120 cars, Q2 135 cars, Q3 150 cars, Q4 95 cars. Which quarter was best?"), a("Q3, with 150 cars.")];
    const d2 = detectContextDependency(table, "What was the average number of cars sold per quarter?");
    expect(d2.cues).toContain("anaphora:question about the data given earlier");
    expect(d2.context_dependent).toBe(true);

    const plans = [u("Plan A costs $10 a month plus $1 per GB; plan B costs $25 flat; plan C costs $5 plus $3 per GB. I use 6 GB."), a("Plan A: $16, plan B: $25, plan C: $23.")];
    const d3 = detectContextDependency(plans, "Which rental plan is the least expensive?");
    expect(d3.cues).toContain("anaphora:which plan (of those listed)");
    expect(d3.context_dependent).toBe(true);
    // A choice between named alternatives carries its own options.
    expect(detectContextDependency(plans, "Which plan is cheaper, a gym membership or a home rowing machine?").context_dependent).toBe(false);
  });

  it("finds references to what the user said and added facts about themselves", () => {
    const h = [u("I'm going to Paris next month and I love history."), a("Wonderful! Paris has a lot to offer.")];
    for (const q of ["Based on the information I've given, what should I pack?", "Considering all my interests, plan a day for me.", "I'm also interested in French food. Can you recommend some dishes?"]) {
      const d = detectContextDependency(h, q);
      expect(d.context_dependent, `${q} -> ${d.cues.join(",")}`).toBe(true);
    }
    // A new, self-contained question is not.
    expect(detectContextDependency(h, "What is the tallest mountain in Africa?").context_dependent).toBe(false);
  });

  it("does not take a co-argument or 'things' as a pronoun's antecedent", () => {
    const h = [u("My brother and I argue all the time."), a("That sounds hard. What do you argue about?")];
    const d = detectContextDependency(h, "How can I improve things with them?");
    expect(d.cues).toContain("anaphora:them");
    expect(d.context_dependent).toBe(true);
    // A real antecedent in the query still resolves the pronoun.
    expect(detectContextDependency(h, "My neighbours play loud music. How can I talk to them about it?").cues).not.toContain("anaphora:them");
  });
});

describe("context detector: objections and substitutes", () => {
  const h = [u("Why is the sky blue?"), a("Because shorter wavelengths scatter more (Rayleigh scattering), and blue is short.")];
  it("finds objections, 'check again', alternatives and 'a different X'", () => {
    for (const [q, cue] of [
      ["But doesn't that mean the sky should be violet?", "ellipsis:but (objection)"],
      ["Can you check again?", "ellipsis:check (no object)"],
      ["I don't have one. Can you suggest an alternative?", "anaphora:alternative (no standard)"],
      ["What happens with a different wavelength, like red?", "anaphora:a different wavelength"],
    ] as const) {
      const d = detectContextDependency(h, q);
      expect(d.cues, q).toContain(cue);
      expect(d.context_dependent, `${q} -> ${d.cues.join(",")}`).toBe(true);
    }
  });
  it("not when the standard is named", () => {
    for (const q of ["What is a good alternative to sugar in baking?", "How is a different approach from recursion written in Python?"]) {
      const d = detectContextDependency(h, q);
      expect(d.cues.filter((c) => /alternative|different/.test(c)), q).toEqual([]);
    }
  });
});

describe("context detector: inputs for a task set in turn 1", () => {
  it("a bare input after a first turn that announces one is a dependency; a full question is not", () => {
    const h = [u("Provide a summary of a historical event."), a("Sure! Which historical event would you like summarized?")];
    const d = detectContextDependency(h, "The signing of the Magna Carta in 1215 and its consequences for English law.");
    expect(d.cues).toContain("ellipsis:input for the task set earlier");
    expect(d.context_dependent).toBe(true);
    expect(detectContextDependency(h, "What was the significance of the Magna Carta?").cues).not.toContain("ellipsis:input for the task set earlier");
    const plain = [u("Tell me about the history of England."), a("England's history spans ...")];
    expect(detectContextDependency(plain, "The signing of the Magna Carta in 1215 and its consequences for English law.").cues).not.toContain("ellipsis:input for the task set earlier");
  });
});

describe("context detector: statements that add to the request", () => {
  const h = [u("My wife and I have been arguing a lot lately. Do you have any advice?"), a("Communication is key. Try to ...")];
  it("a first-person statement with no request continues the conversation", () => {
    const d = detectContextDependency(h, "We're both under a lot of stress right now because of work.");
    expect(d.cues).toContain("ellipsis:statement adding to the request");
    expect(d.context_dependent).toBe(true);
  });
  it("not an indirect request, thanks, or an exercise with blanks", () => {
    for (const q of ["I'd like to know about the effectiveness of CBT for anxiety disorders.", "I want to thank you for your deep work", "We ____ around the forest when we ____ across a hut."]) {
      expect(detectContextDependency(h, q).cues, q).not.toContain("ellipsis:statement adding to the request");
    }
  });
});
