import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { datasetStats } from "../src/stats/stats.js";
import { SHARED, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const u = (content: string) => ({ role: "user" as const, content });
const a = (content: string) => ({ role: "assistant" as const, content });

// Hand-computed fixture: 3 sessions with 3, 1 and 2 user turns.
const sessions = [
  { id: "s1", messages: [u("a b c d"), a("r"), u("Explain them again, like I'm five."), a("r"), u("c d e f"), a("r")], meta: {} },
  { id: "s2", messages: [u("Write a poem about the ocean at night."), a("r")], meta: {} },
  { id: "s3", messages: [u("x y"), a("r"), u("x y z"), a("r")], meta: {} },
];

describe("Table 1 statistics", () => {
  it("matches hand-computed values", () => {
    const s = datasetStats(sessions);
    expect(s.sessions).toBe(3);
    expect(s.avg_turns).toBeCloseTo(6 / 3, 12);
    // s1: pairs (abcd, explain them again like i m five) 0, (abcd, cdef) F=0.5, (explain..., cdef) 0 -> 1/6
    // s3: (x y, x y z) LCS 2: P 2/3, R 1 -> F 0.8. s2 has one query and is excluded.
    expect(s.self_rouge).toBeCloseTo((100 * (0.5 / 3 + 0.8)) / 2, 10);
    // "Explain them again" depends on context (pronoun, turn 2). First turns never do.
    expect(s.avg_ctx_queries).toBeGreaterThanOrEqual(1 / 3);
    expect(s.avg_ctx_queries).toBeLessThanOrEqual(3 / 3);
  });

  it("handles an empty list", () => {
    expect(datasetStats([])).toEqual({ sessions: 0, avg_turns: 0, avg_ctx_queries: 0, self_rouge: null });
  });

  it("CLI prints JSON for one file and a table for several", async () => {
    const d = tempDir("parrot-stats-");
    const f = path.join(d, "s.jsonl");
    fs.writeFileSync(f, sessions.map((s) => JSON.stringify(s)).join("\n") + "\n");
    const r = await runCliInProcess(["stats", f, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(["avg_ctx_queries", "avg_turns", "self_rouge", "sessions"]);
    expect(j.sessions).toBe(3);
    expect(j.self_rouge).toBeCloseTo((100 * (0.5 / 3 + 0.8)) / 2, 10);
    const sample = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
    const t = await runCliInProcess(["stats", f, sample]);
    expect(t.code).toBe(0);
    expect(t.stdout.split("\n")[0]).toMatch(/file\s+sessions\s+avg_turns\s+avg_ctx_queries\s+self_rouge/);
    expect(t.stdout).toMatch(/sharegpt_v3_sample\.jsonl\s+1000\s+3\.53\s/);
  });
});
