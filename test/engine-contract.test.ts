/**
 * One error contract for both engines (src/llm/errors.ts): the same fault gives the same reason and the same policy
 * from the HTTP engine (a real server on 127.0.0.1) and the local GGUF engine (the smoke model), and the commands
 * act on it the same way: a timeout is retried and then skips the item (exit 3), a prompt over the context never
 * aborts a run (collect ends the session with stop_reason "context-length"), a dead endpoint ends the command within
 * seconds with exit 1 naming the cause, and a session without a first response is never written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readSessionFile } from "../src/conversations/session.js";
import { ModelCallError } from "../src/llm/errors.js";
import { createGgufModel } from "../src/llm/gguf.js";
import { HttpModel } from "../src/llm/http.js";
import { freePort } from "../src/models/serve.js";
import type { LanguageModel } from "../src/llm/types.js";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { chatReply, defaultHandler, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers = fakeServerPerTest();
let server: FakeServer | undefined;

/** llama-server's reply to a prompt over a slot's context (tools/server, exceed_context_size_error). */
const LLAMA_SERVER_OVERFLOW = {
  status: 400,
  json: { error: { code: 400, message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error", n_prompt_tokens: 5000, n_ctx: 2048 } },
};
/** vLLM's (its ErrorResponse, wrapped in `error` as the openai client reads it). */
const VLLM_OVERFLOW = {
  status: 400,
  json: { error: { message: "This model's maximum context length is 2048 tokens. However, you requested 5000 tokens.", type: "BadRequestError", param: null, code: 400 } },
};
const OPENAI_OVERFLOW = {
  status: 400,
  json: { error: { message: "This model's maximum context length is 4097 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } },
};

/** A port on 127.0.0.1 where nothing listens (a free port: nothing is bound to it). */
const deadPort = freePort;

async function failureOf(p: Promise<unknown>): Promise<ModelCallError> {
  const err = await p.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(ModelCallError);
  return err as ModelCallError;
}

describe("the same fault, the same reason and policy from both engines", () => {
  it("timeout: retried, then a transient ModelCallError('timeout')", async () => {
    server = await servers.start(() => ({ hang: true }));
    const retries: Record<string, string[]> = { http: [], gguf: [] };
    const http = new HttpModel({ baseURL: server.url, model: "m", requestTimeoutMs: 150, maxAttempts: 2, backoffBaseMs: 1, onRetry: (r) => retries.http.push(r) });
    const gguf = await createGgufModel({ kind: "gguf", path: getSmokeModelPath() }, { requestTimeoutMs: 150, maxAttempts: 2, backoffBaseMs: 1, onRetry: (r) => retries.gguf.push(r) });
    try {
      const models: Record<string, LanguageModel> = { http, gguf };
      for (const [name, m] of Object.entries(models)) {
        const err = await failureOf(m.complete("Count forever:", { maxTokens: 100_000, temperature: 0.8 }));
        expect({ name, reason: err.reason, transient: err.transient }).toEqual({ name, reason: "timeout", transient: true });
        expect(retries[name]).toEqual(["timeout"]);
        expect(m.stats()).toMatchObject({ requests: 2, retries: 1, failures: 1 });
      }
    } finally {
      await http.close();
      await gguf.close();
    }
  });

  it("a prompt over the context: ModelCallError('context-length'), not retried, from llama-server, vLLM, OpenAI and the local engine", async () => {
    const replies = [LLAMA_SERVER_OVERFLOW, VLLM_OVERFLOW, OPENAI_OVERFLOW];
    server = await servers.start((_req, i) => replies[i % replies.length]);
    const http = new HttpModel({ baseURL: server.url, model: "m", maxAttempts: 6, backoffBaseMs: 1 });
    const gguf = await createGgufModel({ kind: "gguf", path: getSmokeModelPath() }, { contextSize: 256, maxAttempts: 6 });
    try {
      for (let i = 0; i < replies.length; i++) {
        const err = await failureOf(http.chat([{ role: "user", content: "long" }]));
        expect([err.reason, err.transient]).toEqual(["context-length", false]);
      }
      expect(http.stats()).toMatchObject({ requests: 3, retries: 0, failures: 3 });
      const err = await failureOf(gguf.chat([{ role: "user", content: "word ".repeat(1000) }]));
      expect([err.reason, err.transient]).toEqual(["context-length", false]);
      expect(gguf.stats()).toMatchObject({ requests: 1, retries: 0, failures: 1 });
    } finally {
      await http.close();
      await gguf.close();
    }
  });

  it("a refused connection before any answer: not retried, reason ECONNREFUSED; after the endpoint answered once, retried", async () => {
    const port = await deadPort();
    const dead = new HttpModel({ baseURL: `http://127.0.0.1:${port}/v1`, model: "m", maxAttempts: 6, backoffBaseMs: 200 });
    const t0 = Date.now();
    const err = await failureOf(dead.chat([{ role: "user", content: "hi" }]));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect([err.reason, err.transient]).toEqual(["ECONNREFUSED", false]);
    expect(err.message).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(dead.stats().requests).toBe(1);
    await dead.close();

    // An endpoint that answered and then went away (a restart mid-run) is a transient connection failure.
    server = await servers.start((_req, i) => (i === 0 ? chatReply("ok") : { destroy: true }));
    const flaky = new HttpModel({ baseURL: server.url, model: "m", maxAttempts: 3, backoffBaseMs: 1 });
    await flaky.chat([{ role: "user", content: "hi" }]);
    const later = await failureOf(flaky.chat([{ role: "user", content: "hi" }]));
    expect([later.reason, later.transient]).toEqual(["connection", true]);
    expect(flaky.stats()).toMatchObject({ requests: 4, retries: 2 });
    await flaky.close();
  });
});

describe("commands act on the contract", () => {
  it("a dead endpoint ends collect and bench answer within seconds: exit 1, the cause named, nothing written", async () => {
    const port = await deadPort();
    const spec = `http://127.0.0.1:${port}/v1#m`;
    const dir = tempDir("parrot-contract-");
    const out = path.join(dir, "s.jsonl");
    let t0 = Date.now();
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "3", "--out", out]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED.*nothing answers at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "").toBe("");

    const answers = path.join(dir, "a.jsonl");
    t0 = Date.now();
    const b = await runCli(["bench", "answer", "--bench", "mt-bench", "--questions", path.join(SHARED, "data/mt_bench/question.jsonl"), "--model", spec, "--out", answers]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/ECONNREFUSED/);
  });

  it("collect: a context overflow mid-session ends that session (stop_reason context-length); a seed over the context is skipped and counted; exit 0", async () => {
    // Chat requests with more than 3 messages, or whose first message is the long seed, are over the context.
    let longSeed = "";
    server = await servers.start((req, i) => {
      const msgs = req.body?.messages as Array<{ content: string }> | undefined;
      if (msgs && (msgs.length > 3 || msgs[0].content === longSeed)) return LLAMA_SERVER_OVERFLOW;
      return defaultHandler(req, i);
    });
    const dir = tempDir("parrot-contract-");
    const seeds = path.join(dir, "seeds.jsonl");
    longSeed = "Please summarise this very long document for me. ".repeat(20).trim();
    const rows = [
      { id: "a", conversations: [{ from: "human", value: "How do I start learning the piano as an adult?" }, { from: "gpt", value: "x" }] },
      { id: "b", conversations: [{ from: "human", value: "What is a good recipe for banana bread?" }, { from: "gpt", value: "x" }] },
      { id: "c", conversations: [{ from: "human", value: longSeed }, { from: "gpt", value: "x" }] },
    ];
    fs.writeFileSync(seeds, rows.map((x) => JSON.stringify(x)).join("\n") + "\n");
    const spec = `${server.url}#m`;
    const out = path.join(dir, "s.jsonl");
    const r = await runCli(["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "4", "--limit", "3", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 2 sessions .*stopped early: context-length: 2.*seeds skipped \(context-length: 1\)/);
    const sessions = readSessionFile(out);
    expect(sessions.map((s) => s.meta.seed && (s.meta.seed as { id: string }).id).sort()).toEqual(["a", "b"]);
    for (const s of sessions) {
      expect(s.meta.stop_reason).toBe("context-length");
      // Turn 2's request (3 messages) fits, turn 3's (5) does not: the session ends with the last response.
      expect(s.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    }
  });

  it("collect: an empty first response is never written as a session; exit 3, and a rerun tries that seed again", async () => {
    let empty = true;
    server = await servers.start((req, i) => {
      const msgs = req.body?.messages as Array<{ content: string }> | undefined;
      if (empty && msgs && msgs.length === 1 && msgs[0].content.startsWith("What is a good recipe")) return chatReply("   ");
      return defaultHandler(req, i);
    });
    const dir = tempDir("parrot-contract-");
    const seeds = path.join(dir, "seeds.jsonl");
    const rows = [
      { id: "a", conversations: [{ from: "human", value: "How do I start learning the piano as an adult?" }, { from: "gpt", value: "x" }] },
      { id: "b", conversations: [{ from: "human", value: "What is a good recipe for banana bread?" }, { from: "gpt", value: "x" }] },
    ];
    fs.writeFileSync(seeds, rows.map((x) => JSON.stringify(x)).join("\n") + "\n");
    const spec = `${server.url}#m`;
    const out = path.join(dir, "s.jsonl");
    const args = ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "2", "--out", out];
    const r = await runCli(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/incomplete: 1 sessions failed after retries \(empty-response: 1\)/);
    expect(readSessionFile(out).map((s) => (s.meta.seed as { id: string }).id)).toEqual(["a"]);
    for (const s of readSessionFile(out)) expect(s.messages.length).toBeGreaterThan(0);
    empty = false;
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(readSessionFile(out).map((s) => (s.meta.seed as { id: string }).id).sort()).toEqual(["a", "b"]);
  });
});
