/**
 * MT-Bench++ end to end on the local engine (`gguf:PATH`, node-llama-cpp) with the random-weight smoke model: two
 * sessions of 8 turns answered by a model and by a reference model, 16 Figure 4 judgments, show, and a resume that
 * generates nothing. Random weights never write a rating, so every judgment is kept as -1 and counted: the test
 * checks the plumbing, not the scores.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, SHARED } from "./support/cli.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { readJsonl } from "./support/jsonl.js";

describe("MT-Bench++ on the local GGUF engine", () => {
  it("answers, judges and shows two 8-turn sessions with the smoke model", async () => {
    const model = `gguf:${getSmokeModelPath()}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-gguf-"));
    const merged = path.join(tmp, "pp.jsonl");
    const q = await runCli(["bench", "questions", "--bench", "mt-bench-pp", "--questions", path.join(SHARED, "data/mt_bench/question.jsonl"), "--out", merged]);
    expect(q.code, q.stderr).toBe(0);
    const two = path.join(tmp, "pp2.jsonl");
    fs.writeFileSync(two, fs.readFileSync(merged, "utf8").split("\n").slice(0, 2).join("\n") + "\n");

    const ans = path.join(tmp, "smoke.jsonl");
    const ref = path.join(tmp, "ref.jsonl");
    for (const [id, out] of [["smoke", ans], ["smoke-ref", ref]]) {
      const r = await runCli(["bench", "answer", "--bench", "mt-bench-pp", "--questions", two, "--model", model, "--model-id", id, "--out", out, "--max-tokens", "8", "--concurrency", "2"], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/16 requests, 0 retries, 0 failures/);
      const rows = readJsonl(out);
      expect(rows).toHaveLength(2);
      expect(rows.every((x: any) => x.model_id === id && x.choices[0].turns.length === 8)).toBe(true);
    }

    const judged = path.join(tmp, "judgments.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench-pp", "--questions", two, "--references", ref, "--answers", ans, "--judge", model,
      "--judge-name", "smoke-judge", "--out", judged, "--judge-max-tokens", "8", "--score-retries", "1", "--concurrency", "2"];
    const j = await runCli(args, { timeoutMs: 120_000 });
    expect(j.code, j.stderr).toBe(0);
    const rows = readJsonl(judged);
    expect(rows).toHaveLength(16);
    for (const r of rows) {
      expect(r.judge).toEqual(["smoke-judge", "mt-bench-pp-fig4"]);
      expect(typeof r.judgment).toBe("string");
      expect(r.user_prompt).toMatch(/^Please act as an impartial judge/);
    }
    const unrated = rows.filter((r: any) => r.score === -1).length;
    // Each -1 was asked twice (1 retry): requests = 16 + unrated.
    expect(j.stderr).toContain(`${16 + unrated} requests`);
    expect(j.stderr).toContain(`${unrated} kept with score -1 after 1 retries`);

    const show = await runCli(["bench", "show", "--judgments", judged, "--json"]);
    expect(show.code, show.stderr).toBe(0);
    const s = JSON.parse(show.stdout).groups[0].models.smoke;
    expect(s.n + s.failed).toBe(16);
    expect(s.failed).toBe(unrated);

    const again = await runCli(args, { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/judged 0 \(16 already in/);
    expect(readJsonl(judged)).toHaveLength(16);
  });
});
