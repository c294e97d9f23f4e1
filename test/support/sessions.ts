/**
 * The sessions fixture of the context and CaPO command tests: one parrot session of 3 user turns whose turn 2 is an
 * anaphoric follow-up ("explain them again": context-dependent for the heuristic) and whose turn 3 is not.
 */
import * as path from "node:path";
import { writeJsonl } from "./jsonl.js";

export const FIRST_QUERY = "Provide insights into the correlation between GDP, inflation and unemployment.";

export const SESSIONS = [
  { id: "s1", messages: [
    { role: "user", content: FIRST_QUERY },
    { role: "assistant", content: "GDP, inflation and unemployment are linked by the Phillips curve ..." },
    { role: "user", content: "Now, explain them again like I'm five." },
    { role: "assistant", content: "Imagine a lemonade stand ..." },
    { role: "user", content: "What is the capital of Mongolia?" },
    { role: "assistant", content: "Ulaanbaatar." },
  ], meta: {} },
];

/** Write `sessions` (default: SESSIONS) to `<dir>/sessions.jsonl`; returns the path. */
export function writeSessions(dir: string, sessions: unknown[] = SESSIONS): string {
  const f = path.join(dir, "sessions.jsonl");
  writeJsonl(f, sessions);
  return f;
}
