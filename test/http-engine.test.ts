import { describe, expect, it } from "vitest";
import { HttpModel } from "../src/llm/http.js";
import { ModelCallError } from "../src/llm/errors.js";
import { parseModelSpec } from "../src/llm/spec.js";
import { chatReply, completionReply, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";

const servers = fakeServerPerTest();
let server: FakeServer | undefined;

function model(url: string, extra: Partial<ConstructorParameters<typeof HttpModel>[0]> = {}) {
  return new HttpModel({ baseURL: url, model: "fake-model", backoffBaseMs: 20, requestTimeoutMs: 2000, ...extra });
}

describe("model specs", () => {
  it("parses the three forms", () => {
    expect(parseModelSpec("http://127.0.0.1:8000/v1#Qwen/Qwen2.5-7B")).toEqual({ kind: "http", baseURL: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-7B" });
    expect(parseModelSpec("openai:gpt-4o")).toEqual({ kind: "http", baseURL: "https://api.openai.com/v1", model: "gpt-4o" });
    expect(parseModelSpec("gguf:/tmp/m.gguf")).toEqual({ kind: "gguf", path: "/tmp/m.gguf" });
    expect(() => parseModelSpec("http://host/v1")).toThrow(/missing #MODEL/);
    expect(() => parseModelSpec("gpt-4")).toThrow(/expected URL#MODEL/);
    expect(() => parseModelSpec("http://user:secret@host/v1#m")).toThrow(/credentials in the URL/);
  });
});

describe("HTTP engine against a real server on 127.0.0.1", () => {
  it("chat and raw completion with usage, options sent through", async () => {
    server = await servers.start((req) => (req.path.endsWith("/chat/completions") ? chatReply("hi there", 7, 3) : completionReply(" next? [ASSISTANT] junk", 4, 2)));
    const m = model(server.url);
    const c = await m.chat([{ role: "user", content: "hello" }], { temperature: 0, maxTokens: 12, seed: 5 });
    expect(c).toMatchObject({ text: "hi there", usage: { promptTokens: 7, completionTokens: 3 } });
    expect(server.requests[0].body).toMatchObject({ model: "fake-model", temperature: 0, max_tokens: 12, seed: 5 });
    const r = await m.complete("prompt", { stop: ["[ASSISTANT]"] });
    expect(r.text).toBe(" next? ");
    expect(server.requests[1].body.stop).toEqual(["[ASSISTANT]"]);
    expect(m.stats()).toMatchObject({ requests: 2, retries: 0, failures: 0, promptTokens: 11, completionTokens: 5 });
  });

  it("retries 500s with backoff and counts them", async () => {
    server = await servers.start((_r, i) => (i < 2 ? { status: 500, json: { error: { message: "boom" } } } : chatReply("ok")));
    const reasons: string[] = [];
    const m = model(server.url, { onRetry: (r) => reasons.push(r) });
    expect((await m.chat([{ role: "user", content: "x" }])).text).toBe("ok");
    expect(reasons).toEqual(["500", "500"]);
    expect(m.stats()).toMatchObject({ requests: 3, retries: 2, failures: 0 });
  });

  it("honours 429 Retry-After", async () => {
    server = await servers.start((_r, i) => (i === 0 ? { status: 429, headers: { "retry-after": "1" }, json: { error: { message: "slow down" } } } : chatReply("ok")));
    const m = model(server.url);
    const t = Date.now();
    await m.chat([{ role: "user", content: "x" }]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(950);
    expect(m.stats().retries).toBe(1);
  });

  it("times out a hung request, then succeeds on retry", async () => {
    server = await servers.start((_r, i) => (i === 0 ? { hang: true } : chatReply("ok")));
    const reasons: string[] = [];
    const m = model(server.url, { requestTimeoutMs: 300, onRetry: (r) => reasons.push(r) });
    expect((await m.chat([{ role: "user", content: "x" }])).text).toBe("ok");
    expect(reasons).toEqual(["timeout"]);
  });

  it("retries malformed, truncated and dropped responses", async () => {
    const faults = [{ raw: "{not json" }, { truncate: true, json: chatReply("x").json }, { destroy: true }, { json: { choices: [] } }];
    server = await servers.start((_r, i) => faults[i] ?? chatReply("finally"));
    const reasons: string[] = [];
    const m = model(server.url, { onRetry: (r) => reasons.push(r) });
    expect((await m.chat([{ role: "user", content: "x" }])).text).toBe("finally");
    expect(reasons).toHaveLength(4);
    expect(new Set(reasons)).toEqual(new Set(["malformed", "connection"]));
  });

  it("gives up after maxAttempts with a transient ModelCallError", async () => {
    server = await servers.start(() => ({ status: 503, json: { error: { message: "down" } } }));
    const m = model(server.url, { maxAttempts: 3 });
    const err = await m.chat([{ role: "user", content: "x" }]).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/after 3 attempt/);
    expect(m.stats()).toMatchObject({ requests: 3, retries: 2, failures: 1 });
  });

  it("does not retry 401 and never leaks the key", async () => {
    const key = "sk-test-SECRET-1234567890";
    server = await servers.start((req) => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${req.headers.authorization}` } } }));
    const m = model(server.url, { apiKey: key });
    const err = await m.chat([{ role: "user", content: "x" }]).catch((e) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.transient).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${key}`);
    expect(err.message).not.toContain("SECRET");
    expect(err.message).toMatch(/PARROT_API_KEY/);
  });
});
