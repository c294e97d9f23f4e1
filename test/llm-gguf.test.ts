/**
 * The local GGUF engine through node-llama-cpp on the smoke model: chat with the model's own template, raw
 * completion, stop strings, seeds, parallel sequences, timeouts and prompts over the context (the engine contract,
 * src/llm/errors.ts), and bad files. The registry's pull (default model offline/cached) is in models-registry.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Template } from "@huggingface/jinja";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../src/io/errors.js";
import { ModelCallError } from "../src/llm/errors.js";
import { createGgufModel, type GgufModel } from "../src/llm/gguf.js";
import { createModel } from "../src/llm/index.js";
import { getSmokeModelPath, SMOKE_TOKENIZER_DIR } from "./support/smoke-model.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-gguf-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("local GGUF engine on the smoke model", () => {
  let file: string;
  let model: GgufModel;
  beforeAll(async () => {
    file = getSmokeModelPath();
    model = await createGgufModel({ kind: "gguf", path: file }, { parallel: 3, contextSize: 1024 });
  });
  afterAll(async () => model?.close());

  it("names the model by its spec and file", () => {
    expect(model.id).toBe(`gguf:${file}`);
    expect(model.name).toBe(path.basename(file));
    expect(model.info.sequences).toBe(3);
    expect(model.info.threads).toBeGreaterThanOrEqual(1);
  });

  it("chat renders the model's own ChatML template (with SmolLM's default system prompt) and counts tokens", async () => {
    const messages = [
      { role: "user" as const, content: "What is the capital of France?" },
      { role: "assistant" as const, content: "Paris." },
      { role: "user" as const, content: "And of Italy?" },
    ];
    const cfg = JSON.parse(fs.readFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer_config.json"), "utf8"));
    const expected = new Template(cfg.chat_template).render({ messages, add_generation_prompt: true, bos_token: "", eos_token: "" });
    expect(expected).toContain("You are a helpful AI assistant named SmolLM");
    expect(model.renderChatPrompt(messages)).toBe(expected);

    const before = model.stats();
    const r = await model.chat(messages, { maxTokens: 12, temperature: 0 });
    expect(typeof r.text).toBe("string");
    expect(r.text.length).toBeGreaterThan(0);
    // prompt = the rendered template, tokenized with special tokens parsed (<|im_start|> etc. are one token each)
    expect(r.usage.promptTokens).toBe(model.tokenize(expected, true).length);
    expect(r.usage.promptTokens).toBeLessThan(model.tokenize(expected, false).length);
    // completion = tokens node-llama-cpp emitted; LlamaChat may emit one token past maxTokens (observed: 13 for 12)
    expect(r.usage.completionTokens).toBeGreaterThanOrEqual(12);
    expect(r.usage.completionTokens).toBeLessThanOrEqual(13);
    expect(r.finishReason).toBe("length");
    const after = model.stats();
    expect(after.requests - before.requests).toBe(1);
    expect(after.promptTokens - before.promptTokens).toBe(r.usage.promptTokens);
    expect(after.completionTokens - before.completionTokens).toBe(r.usage.completionTokens);
  });

  it("complete continues a raw prompt; greedy is deterministic; stop strings end generation and are not returned", async () => {
    const prompt = "[USER] Tell me a story. [ASSISTANT] Once upon a time";
    const a = await model.complete(prompt, { maxTokens: 40, temperature: 0 });
    const b = await model.complete(prompt, { maxTokens: 40, temperature: 0 });
    expect(a.text).toBe(b.text);
    expect(a.usage.completionTokens).toBe(40);
    expect(a.usage.promptTokens).toBe(model.tokenize(prompt).length);
    // Choose a stop string that occurs in the greedy continuation after its start.
    const trimmed = a.text.trimEnd();
    const cut = Math.floor(trimmed.length / 2);
    const stop = trimmed.slice(cut, cut + 3);
    expect(stop.length).toBe(3);
    const first = a.text.indexOf(stop);
    const s = await model.complete(prompt, { maxTokens: 40, temperature: 0, stop: ["<never-appears>", stop] });
    expect(s.text).toBe(a.text.slice(0, first));
    expect(s.text).not.toContain(stop);
    expect(s.finishReason).toBe("stop");
    expect(s.usage.completionTokens).toBeLessThan(40);
  });

  it("the same seed reproduces a sampled completion; another seed differs", async () => {
    const prompt = "The weather today is";
    const opts = { maxTokens: 24, temperature: 1 };
    const a = await model.complete(prompt, { ...opts, seed: 7 });
    const b = await model.complete(prompt, { ...opts, seed: 7 });
    const c = await model.complete(prompt, { ...opts, seed: 8 });
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
  });

  it("serves more concurrent requests than sequences: all finish with full usage", async () => {
    const jobs = Array.from({ length: 7 }, (_, i) =>
      i % 2
        ? model.chat([{ role: "user", content: `Question ${i}?` }], { maxTokens: 16, temperature: 0.8, seed: i })
        : model.complete(`Item ${i}:`, { maxTokens: 16, temperature: 0.8, seed: i }),
    );
    const results = await Promise.all(jobs);
    expect(results).toHaveLength(7);
    for (const r of results) {
      expect(r.usage.completionTokens).toBeGreaterThanOrEqual(16);
      expect(r.usage.completionTokens).toBeLessThanOrEqual(17);
      expect(r.usage.promptTokens).toBeGreaterThan(0);
    }
  });

  it("a request past its timeout is retried like HTTP, then fails with a transient ModelCallError(timeout); the model recovers", async () => {
    const retries: string[] = [];
    const m = await createGgufModel({ kind: "gguf", path: file }, { parallel: 1, contextSize: 1024, maxAttempts: 2, backoffBaseMs: 1, onRetry: (r) => retries.push(r) });
    try {
      const t0 = Date.now();
      const err = await m.complete("Count forever:", { maxTokens: 100_000, temperature: 0.8, timeoutMs: 150 }).catch((e) => e);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err).toBeInstanceOf(ModelCallError);
      expect(err).toBeInstanceOf(UserError);
      expect(err.reason).toBe("timeout");
      expect(err.transient).toBe(true);
      expect(err.retryable).toBe(true);
      expect(err.message).toContain(m.id);
      expect(err.message).toMatch(/after 2 attempt\(s\): timeout: no answer within 0\.15 s/);
      expect(retries).toEqual(["timeout"]);
      expect(m.stats()).toMatchObject({ requests: 2, retries: 1, failures: 1 });
      const ok = await m.complete("Again:", { maxTokens: 5, temperature: 0 });
      expect(ok.usage.completionTokens).toBe(5);
    } finally {
      await m.close();
    }
  });

  it("a prompt over the context is ModelCallError(context-length), not retried and never truncated; max tokens are capped to the room left", async () => {
    const m = await createGgufModel({ kind: "gguf", path: file }, { parallel: 1, contextSize: 256, maxAttempts: 6 });
    try {
      const long = "apple banana cherry ".repeat(200);
      const err = await m.complete(long, { maxTokens: 8 }).catch((e) => e);
      expect(err).toBeInstanceOf(ModelCallError);
      expect(err.reason).toBe("context-length");
      expect(err.transient).toBe(false);
      expect(err.message).toMatch(/prompt has \d+ tokens, over the context of 256 tokens/);
      const chatErr = await m.chat([{ role: "user", content: long }], { maxTokens: 8 }).catch((e) => e);
      expect(chatErr).toBeInstanceOf(ModelCallError);
      expect(chatErr.reason).toBe("context-length");
      expect(m.stats()).toMatchObject({ requests: 2, retries: 0, failures: 2 });
      // A prompt that fits, asking for more tokens than the room left: ends with finish reason "length" at the edge.
      const prompt = "apple banana cherry ".repeat(60);
      const r = await m.complete(prompt, { maxTokens: 10_000, temperature: 0.8 });
      expect(r.usage.promptTokens + r.usage.completionTokens).toBeLessThanOrEqual(256);
    } finally {
      await m.close();
    }
  });
});

describe("local GGUF engine: files", () => {
  it("a missing gguf:PATH is a UserError that says how to name a model", async () => {
    const err = await createModel(`gguf:${path.join(tmp, "missing.gguf")}`).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/missing\.gguf: no such file; name a local GGUF file with gguf:PATH/);
  });

  it("a file that is not a GGUF is a UserError", async () => {
    const notGguf = path.join(tmp, "model.gguf");
    fs.writeFileSync(notGguf, "this is not a model\n");
    const err = await createModel(`gguf:${notGguf}`).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/model\.gguf: not a GGUF file/);
  });

});
