import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  PARROT_ASK_SYSTEM_PROMPT,
  PROMPTED_USER_INSTRUCTION,
  renderParrotAskPrompt,
  renderParrotAskTranscript,
  renderPromptedUserPrompt,
} from "../src/collect/prompts.js";
import { SHARED } from "./support/cli.js";

const paper = fs.readFileSync(path.join(SHARED, "spec/parrot-paper.md"), "utf8");
const history = [
  { role: "user" as const, content: "What are some famous Broadway actors?" },
  { role: "assistant" as const, content: "Hugh Jackman, Cynthia Erivo, ..." },
];

describe("simulator prompts (appendix B)", () => {
  it("uses B.1 and B.2 verbatim", () => {
    expect(paper).toContain(PARROT_ASK_SYSTEM_PROMPT);
    expect(paper).toContain(`{###conversation history} ${PROMPTED_USER_INSTRUCTION}`);
  });

  it("renders the Parrot-Ask raw-completion prompt", () => {
    expect(renderParrotAskPrompt(history)).toBe(
      `${PARROT_ASK_SYSTEM_PROMPT} [USER] What are some famous Broadway actors? [ASSISTANT] Hugh Jackman, Cynthia Erivo, ... [USER]`,
    );
  });

  it("renders the Parrot-Ask training transcript with query spans ending at [ASSISTANT]", () => {
    const msgs = [...history, { role: "user" as const, content: "Who is Cynthia Erivo?" }, { role: "assistant" as const, content: "An actress." }];
    const { text, querySpans } = renderParrotAskTranscript(msgs);
    // The prompt for turn 2 is a prefix of the transcript: training and inference agree.
    expect(text.startsWith(renderParrotAskPrompt(history))).toBe(true);
    expect(querySpans.map((s) => text.slice(s.start, s.end))).toEqual([
      " What are some famous Broadway actors? [ASSISTANT]",
      " Who is Cynthia Erivo? [ASSISTANT]",
    ]);
    expect(querySpans.map((s) => s.message)).toEqual([0, 2]);
  });

  it("renders the B.2 prompt with history first", () => {
    const p = renderPromptedUserPrompt(history);
    expect(p).toBe(`User: What are some famous Broadway actors?\n\nAssistant: Hugh Jackman, Cynthia Erivo, ...\n\n${PROMPTED_USER_INSTRUCTION}`);
  });
});
