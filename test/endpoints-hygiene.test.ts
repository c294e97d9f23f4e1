/**
 * Endpoints and secrets (issue 12, items 18-21): a key with stray whitespace is redacted in every form sent; a
 * credential in a spec's query is refused; `--request-timeout` beyond Node's timer range is refused with the reason;
 * a redirect is followed once (each POST sent once per hop, Authorization dropped across origins); Ctrl-C says what
 * was kept, exits 130, and a rerun resumes.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HttpModel } from "../src/llm/http.js";
import { keyForms, redactSecrets } from "../src/llm/redact.js";
import { parseModelSpec } from "../src/llm/spec.js";
import { CLI, REPO_ROOT, SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { chatReply, defaultHandler, type FakeServer, startFakeOpenAI } from "./support/fake-openai.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("secrets", () => {
  it("a key with stray whitespace is redacted untrimmed, trimmed and squeezed; a server echoing it leaks nothing", async () => {
    const key = "zz-WHITESPACE-key-9876543210\r";
    expect(keyForms(key)).toEqual(["zz-WHITESPACE-key-9876543210\r", "zz-WHITESPACE-key-9876543210"]);
    expect(redactSecrets("sent: Bearer zz-WHITESPACE-key-9876543210 ok", { PARROT_API_KEY: key })).toBe("sent: Bearer [REDACTED] ok");
    expect(redactSecrets("raw zz-WHITESPACE-key-9876543210\r.", { PARROT_API_KEY: key })).toBe("raw [REDACTED].");
    const server = await startFakeOpenAI((req) => ({ status: 401, json: { error: { message: `bad key ${String(req.headers.authorization).replace(/^Bearer /, "")}` } } }));
    servers.push(server);
    const out = path.join(tempDir("parrot-hyg-"), "s.jsonl");
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", `${server.url}#m`, "--assistant", `${server.url}#m`, "--turns", "1", "--limit", "1", "--out", out], { env: { PARROT_API_KEY: key } });
    expect(r.code).toBe(1);
    expect(server.requests[0].headers.authorization).toBe("Bearer zz-WHITESPACE-key-9876543210");
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr + r.stdout).not.toContain("WHITESPACE-key");
  });

  it("a spec with a credential in the query string is refused, like user:key@host", () => {
    for (const q of ["api_key=X", "key=X", "token=X", "access_token=X"]) {
      expect(() => parseModelSpec(`http://h:8000/v1?${q}#m`, "assistant")).toThrow(/--assistant: a credential in the URL's query .* PARROT_API_KEY/);
    }
    expect(() => parseModelSpec("http://u:k@h:8000/v1#m")).toThrow(/credentials in the URL/);
    expect(parseModelSpec("http://h:8000/v1?api-version=2024-01-01#m")).toMatchObject({ kind: "http", model: "m" });
  });
});

describe("--request-timeout", () => {
  it("beyond Node's timer range is refused, saying why; the largest allowed value is accepted", async () => {
    const out = path.join(tempDir("parrot-hyg-"), "s.jsonl");
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", "http://127.0.0.1:9/v1#m", "--assistant", "http://127.0.0.1:9/v1#m", "--turns", "1", "--limit", "1", "--request-timeout", "3000000", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--request-timeout 3000000: at most 2147483 seconds .*overflow/);
    for (const cmd of [["capo", "x"], ["context", "detect", "x", "--judge", "default"], ["bench", "answer", "--bench", "mt-bench", "--questions", "x"]]) {
      const b = await runCli([...cmd, "--out", out, "--request-timeout", "1e7"]);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/at most 2147483 seconds/);
    }
    const ok = await runCli(["collect", "--help"]);
    expect(ok.code).toBe(0);
  });
});

describe("redirects", () => {
  it("a 307 is followed once: one POST per hop, the answer from the new place; Authorization dropped across origins", async () => {
    const target = await startFakeOpenAI(() => chatReply("from the new place"));
    servers.push(target);
    const same = await startFakeOpenAI((req) => (req.path.startsWith("/v1/") ? { status: 307, headers: { location: req.path.replace("/v1/", "/v2/") } } : chatReply("moved here")));
    servers.push(same);
    const m = new HttpModel({ baseURL: same.url, model: "m", apiKey: "zz-redirect-key-1234", maxAttempts: 1 });
    const r = await m.chat([{ role: "user", content: "hi" }]);
    expect(r.text).toBe("moved here");
    expect(same.requests.map((q) => q.path)).toEqual(["/v1/chat/completions", "/v2/chat/completions"]);
    expect(same.requests[1].headers.authorization).toBe("Bearer zz-redirect-key-1234");
    expect(same.requests[1].body.messages).toEqual([{ role: "user", content: "hi" }]);
    await m.close();

    const cross = await startFakeOpenAI(() => ({ status: 307, headers: { location: `${target.url}/chat/completions` } }));
    servers.push(cross);
    const m2 = new HttpModel({ baseURL: cross.url, model: "m", apiKey: "zz-redirect-key-1234", maxAttempts: 1 });
    expect((await m2.chat([{ role: "user", content: "hi" }])).text).toBe("from the new place");
    expect(cross.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0].headers.authorization).toBeUndefined();
    await m2.close();

    // A redirect loop is not chased: two hops at most, then the 3xx is a failed request.
    const loop = await startFakeOpenAI((req) => ({ status: 307, headers: { location: req.path } }));
    servers.push(loop);
    const m3 = new HttpModel({ baseURL: loop.url, model: "m", maxAttempts: 1 });
    await expect(m3.chat([{ role: "user", content: "hi" }])).rejects.toThrow(/307/);
    expect(loop.requests).toHaveLength(2);
    await m3.close();
  });
});

describe("Ctrl-C", () => {
  it("says what was kept, exits 130, releases the lock; a rerun resumes without duplicates", async () => {
    let answered = 0;
    const server = await startFakeOpenAI((req, i) => {
      answered++;
      // The first sessions answer at once, later ones slowly, so SIGINT lands mid-run.
      return answered > 8 ? { ...defaultHandler(req, i), delayMs: 5000 } : defaultHandler(req, i);
    });
    servers.push(server);
    const dir = tempDir("parrot-hyg-");
    const out = path.join(dir, "s.jsonl");
    const spec = `${server.url}#m`;
    const args = ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "10", "--concurrency", "2", "--out", out];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    const t0 = Date.now();
    while (!(fs.existsSync(out) && fs.readFileSync(out, "utf8").split("\n").filter(Boolean).length >= 2) && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/parrot: interrupted \(SIGINT\): every finished row is kept in the output; rerun the same command to resume/);
    const kept = fs.readFileSync(out, "utf8").split("\n").filter(Boolean);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(fs.existsSync(`${out}.lock`)).toBe(false);
    answered = -1000; // fast again
    const again = await runCli(args);
    expect(again.code).toBe(0);
    const rows = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string });
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((x) => x.id)).size).toBe(10);
  }, 60_000);
});

describe("what the answers were (issue 12 item 10)", () => {
  it("collect records each response's finish reason and the sampling settings; cut, empty and other-model answers are counted and warned", async () => {
    let n = 0;
    const server = await startFakeOpenAI((req, i) => {
      if (!req.path.endsWith("/chat/completions")) return defaultHandler(req, i);
      n++;
      const base = chatReply(`Answer ${n} with some words in it.`) as { json: any };
      const json = structuredClone(base.json);
      if (n % 2 === 0) json.choices[0].finish_reason = "length";
      if (n === 3) json.choices[0].message.content = "  "; // empty: regenerated, counted
      json.model = "some-other-model";
      return { json };
    });
    servers.push(server);
    const out = path.join(tempDir("parrot-hyg-"), "s.jsonl");
    const spec = `${server.url}#m`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "2", "--max-tokens", "77", "--concurrency", "1", "--out", out]);
    expect(r.code).toBe(0);
    const rows = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    let cut = 0;
    for (const s of rows) {
      const assistants = s.messages.filter((m: { role: string }) => m.role === "assistant").length;
      expect(s.meta.responses).toHaveLength(assistants);
      expect(s.meta.sampling).toEqual({ assistant: { temperature: 0.7, max_tokens: 77 }, asker: { temperature: 0.7, max_tokens: 256 } });
      expect(s.meta.truncated_responses).toBe(s.meta.responses.filter((x: { finish_reason: string }) => x.finish_reason === "length").length);
      cut += s.meta.truncated_responses;
    }
    expect(cut).toBeGreaterThan(0);
    expect(r.stderr).toContain(`${cut} responses cut at --max-tokens 77`);
    expect(r.stderr).toMatch(/warning: .* answered as model "some-other-model", not "m"/);
    expect(r.stderr).toMatch(/answers: \d+ cut at max tokens, 1 empty, \d+ from another model \(some-other-model/);
  });
});

describe("simulated queries cut at the cap", () => {
  it("a B.1 completion that hits max tokens before [ASSISTANT] keeps the question it began with, or is rejected as truncated", async () => {
    let completions = 0;
    const server = await startFakeOpenAI((req, i) => {
      if (req.path.endsWith("/chat/completions")) return defaultHandler(req, i);
      completions++;
      const r = defaultHandler(req, i) as { json: any };
      const json = structuredClone(r.json);
      // As SmolLM2 did in the B.1 format: it runs on into an answer of its own until the cap.
      if (completions === 1) json.choices[0].text = " Tell me more because the internet is a global network of";
      if (completions === 2) json.choices[0].text = " What does the internet do for schools? The internet is a global network of";
      if (completions <= 2) json.choices[0].finish_reason = "length";
      return { json };
    });
    servers.push(server);
    const out = path.join(tempDir("parrot-hyg-"), "s.jsonl");
    const spec = `${server.url}#m`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--simulator", "parrot-ask", "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "1", "--query-max-tokens", "12", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/rejected queries: truncated: 1/);
    const s = JSON.parse(fs.readFileSync(out, "utf8").trim());
    expect(s.meta.filtered).toEqual([expect.objectContaining({ turn: 2, attempt: 1, reason: "truncated", detail: "cut at 12 tokens" })]);
    expect(s.meta.salvaged).toEqual([expect.objectContaining({ turn: 2, attempt: 2 })]);
    expect(s.messages[2].content).toBe("What does the internet do for schools?");
    expect(completions).toBe(2);
  });
});
