/**
 * The `collect --dry-run` estimate against the tokens a real run counts (issue 15, "done when"): the registered
 * default (SmolLM2-135M-Instruct, GGUF, in-process), a few sessions of the ShareGPT sample. The seeds here
 * (`--seed 0`) are not those the fill ratios were measured on (`--seed 1..3`, bench/estimate-calibrate.mjs).
 * Skips, printing why, when the model cannot be had. One thread per model: on a loaded 2-core machine llama.cpp's
 * thread barriers make 2 threads far slower than 1 (bench/README.md, "What a run costs"). One sequence
 * (`--concurrency 1`): batched sequences sample differently with the timing of the batch, and the counts of two runs
 * then differ by more than the estimate's error; one sequence at a fixed seed gives the same run every time.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pullModel } from "../src/models/pull.js";
import { readManifest } from "../src/run/manifest.js";
import { readManifestUsage, tokensOf } from "../src/run/usage.js";
import { readSessionFile } from "../src/conversations/session.js";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
let why = "";
let have = false;
beforeAll(async () => {
  try {
    await pullModel("smollm2-135m");
    have = true;
  } catch (err) {
    why = (err as Error).message;
  }
}, 180_000);

describe("collect --dry-run on the real default model", () => {
  it("estimates the tokens of a real run of 4 sessions within 10%", async () => {
    if (!have) {
      console.log(`skipped: the real model could not be had: ${why}`);
      return;
    }
    const out = path.join(tempDir("parrot-cost-real-"), "s.jsonl");
    const args = ["collect", "--seeds", SEEDS, "--turns", "3", "--limit", "4", "--max-tokens", "48", "--query-max-tokens", "32", "--concurrency", "1", "--out", out];
    const env = { PARROT_THREADS: "1" };
    const dry = await runCli([...args, "--dry-run"], { env });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("prompt tokens by the tokenizer and chat template of smollm2-135m");
    const m = /estimate: (\d+) tokens \((\d+) prompt \+ (\d+) completion\) in (\d+) requests/.exec(dry.stderr);
    expect(m).not.toBeNull();
    const estimated = Number(m![1]);

    const run = await runCli(args, { env });
    expect([0, 3]).toContain(run.code);
    const u = readManifestUsage(readManifest(out)!.usage);
    const counted = tokensOf(u.written.total) + tokensOf(u.unwritten.total);
    // The manifest's counts are the engine's own: the same as the sessions' meta.tokens.
    expect(tokensOf(u.written.total)).toBe(readSessionFile(out).reduce((n, s) => n + (s.meta.tokens as number), 0));
    console.log(`collect --dry-run estimated ${estimated} tokens (${m![4]} requests); the run counted ${counted} (${u.written.total.requests + u.unwritten.total.requests} requests)`);
    expect(Math.abs(estimated - counted) / counted).toBeLessThanOrEqual(0.1);
  }, 600_000);
});
