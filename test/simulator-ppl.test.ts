/**
 * `LanguageModel.scoreContinuation` (perplexity of a given continuation, `parrot simulator eval` ppl_real):
 * the local engine against a direct computation (node-llama-cpp's full next-token probability distribution,
 * `generateNext.probabilities`, on a fresh context: a different code path from the engine's logit filter), on the
 * smoke model and on the real default model; the HTTP engine's `echo` + `logprobs` request against the fake server,
 * and "not available" when the server returns no prompt logprobs.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Token } from "node-llama-cpp";
import { renderParrotAskPrompt } from "../src/collect/prompts.js";
import { ModelCallError, SCORING_UNAVAILABLE } from "../src/llm/errors.js";
import { createGgufModel } from "../src/llm/gguf.js";
import { HttpModel } from "../src/llm/http.js";
import { pullModel } from "../src/models/pull.js";
import { completionReply, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { getSmokeModelPath } from "./support/smoke-model.js";

/** Sum of ln p(continuation token | everything before) from the full probability maps, on a fresh context. */
async function directLogprob(file: string, prompt: string, continuation: string): Promise<{ tokens: number; logprobSum: number }> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 0, logLevel: LlamaLogLevel.error, progressLogs: false });
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const ctx = await model.createContext({ sequences: 1, contextSize: 1024, threads: 1 });
  try {
    let head = model.tokenize(prompt, true);
    const bos = model.tokens.bos;
    if (model.tokens.shouldPrependBosToken && bos !== null && head[0] !== bos) head = [bos, ...head];
    const tail = model.tokenize(continuation, false);
    const all: Token[] = [...head, ...tail];
    const out = await ctx.getSequence().controlledEvaluate(
      all.map((t, i) => (i >= head.length - 1 && i < all.length - 1 ? [t, { generateNext: { probabilities: true } }] : t)),
    );
    let sum = 0;
    for (let i = head.length - 1; i < all.length - 1; i++) sum += Math.log(out[i]!.next.probabilities!.get(all[i + 1])!);
    return { tokens: tail.length, logprobSum: sum };
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
}

const HISTORY = [
  { role: "user" as const, content: "What are some famous actors who started on Broadway?" },
  { role: "assistant" as const, content: "Hugh Jackman, Idina Menzel, Lin-Manuel Miranda and Cynthia Erivo all began on stage." },
];

describe("scoreContinuation on the local engine", () => {
  it("equals the sum of log-probabilities from the full distribution (smoke model)", async () => {
    const file = getSmokeModelPath();
    const model = await createGgufModel({ kind: "gguf", path: file }, { parallel: 2, contextSize: 1024 });
    try {
      const prompt = renderParrotAskPrompt(HISTORY);
      const s = await model.scoreContinuation(prompt, " Who is Cynthia Erivo?");
      const d = await directLogprob(file, prompt, " Who is Cynthia Erivo?");
      expect(s.tokens).toBe(d.tokens);
      expect(s.tokens).toBeGreaterThan(3);
      expect(s.logprobSum).toBeLessThan(0);
      expect(Math.abs(s.logprobSum - d.logprobSum)).toBeLessThan(1e-3 * s.tokens);
      // Two sequences in parallel and a second call on a used sequence give the same number.
      const [a, b] = await Promise.all([model.scoreContinuation(prompt, " Who is Cynthia Erivo?"), model.scoreContinuation(prompt, " Who is Cynthia Erivo?")]);
      expect(a.logprobSum).toBeCloseTo(s.logprobSum, 4);
      expect(b.logprobSum).toBeCloseTo(s.logprobSum, 4);
      expect(model.stats().requests).toBe(3);
    } finally {
      await model.close();
    }
  }, 120_000);

  it("refuses prompt + continuation over the context as context-length", async () => {
    const model = await createGgufModel({ kind: "gguf", path: getSmokeModelPath() }, { contextSize: 256 });
    try {
      const err = await model.scoreContinuation("word ".repeat(400), " more").catch((e) => e);
      expect(err).toBeInstanceOf(ModelCallError);
      expect((err as ModelCallError).reason).toBe("context-length");
    } finally {
      await model.close();
    }
  }, 60_000);

  it("on real weights (SmolLM2-135M-Instruct): matches the direct computation, and a real follow-up beats a scrambled one", async () => {
    let file: string;
    try {
      file = (await pullModel("smollm2-135m")).file;
    } catch (err) {
      console.log(`skipped: the real model could not be had: ${(err as Error).message}`);
      return;
    }
    const model = await createGgufModel({ kind: "gguf", path: file }, { contextSize: 1024 });
    try {
      const prompt = renderParrotAskPrompt(HISTORY);
      const s = await model.scoreContinuation(prompt, " Who is Cynthia Erivo?");
      const d = await directLogprob(file, prompt, " Who is Cynthia Erivo?");
      expect(s.tokens).toBe(d.tokens);
      expect(Math.abs(s.logprobSum - d.logprobSum)).toBeLessThan(1e-3 * s.tokens);
      const scrambled = await model.scoreContinuation(prompt, " Erivo who Cynthia is?");
      expect(scrambled.tokens).toBe(s.tokens);
      expect(s.logprobSum).toBeGreaterThan(scrambled.logprobSum);
    } finally {
      await model.close();
    }
  }, 180_000);
});

describe("scoreContinuation on the HTTP engine (echo + logprobs)", () => {
  let server: FakeServer | undefined;
  afterAll(async () => server?.close());

  it("sums the prompt logprobs of the continuation's tokens (by text_offset), leaving out the prompt and the generated token", async () => {
    const prompt = "[USER] hi [ASSISTANT] hello [USER]";
    const cont = " who are you?";
    server = await startFakeOpenAI((req) => {
      const text = String(req.body.prompt);
      expect(text).toBe(prompt + cont);
      expect(req.body.echo).toBe(true);
      expect(req.body.logprobs).toBe(1);
      // tokens: "[USER] hi [ASSISTANT] hello", " [USER]", " who", " are", " you", "?", generated "\n"
      const reply = completionReply(text + "\n", 9, 1);
      (reply.json as any).choices[0].logprobs = {
        tokens: ["[USER] hi [ASSISTANT] hello", " [USER]", " who", " are", " you", "?", "\n"],
        token_logprobs: [null, -0.5, -1, -2, -0.25, -0.75, -3],
        text_offset: [0, 27, 34, 38, 42, 46, 47],
      };
      return reply;
    });
    const m = new HttpModel({ baseURL: server.url, model: "fake" });
    const s = await m.scoreContinuation(prompt, cont);
    expect(s).toEqual({ tokens: 4, logprobSum: -4 });
    await m.close();
  });

  it("says scoring-unavailable (not transient) when the server returns no prompt logprobs", async () => {
    await server?.close();
    server = await startFakeOpenAI(() => completionReply("x"));
    const m = new HttpModel({ baseURL: server.url, model: "fake" });
    const err = await m.scoreContinuation("a", " b").catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect((err as ModelCallError).reason).toBe(SCORING_UNAVAILABLE);
    expect((err as ModelCallError).transient).toBe(false);
    expect(server.requests).toHaveLength(1);
    await m.close();
  });
});
