#!/usr/bin/env node
/**
 * Baseline for bench/throughput.mjs: the bare `openai` client (the library parrot's HTTP engine uses), C workers each
 * sending chains of 3 sequential chat requests, nothing else (no parrot runner, limiter, filters or output).
 * Shows how much of the throughput ceiling is the HTTP client itself.
 *   node bench/raw-client.mjs URL CONCURRENCY CHAINS [global|pooled]
 * global: the client's default, Node's built-in fetch. pooled: the fetch parrot's HTTP engine gives the client
 * (src/llm/fetch.ts, undici Agent.request; needs `npx tsc -p .`).
 */
import OpenAI from "openai";

const [url, c, chains, mode = "global"] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const fetchImpl = mode === "pooled" ? (await import("../dist/llm/fetch.js")).createPooledFetch() : undefined;
const client = new OpenAI({ baseURL: url, apiKey: "none", maxRetries: 0, ...(fetchImpl && { fetch: fetchImpl }) });
let next = 0;
await Promise.all(
  Array.from({ length: c }, async () => {
    while (next < chains) {
      next++;
      const messages = [{ role: "user", content: "hello there, plan my trip" }];
      for (let t = 0; t < 3; t++) {
        const r = await client.chat.completions.create({ model: "m", messages });
        messages.push({ role: "assistant", content: r.choices[0].message.content }, { role: "user", content: "and then?" });
      }
    }
  }),
);
await fetchImpl?.close();
