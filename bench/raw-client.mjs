#!/usr/bin/env node
/**
 * Baseline for bench/throughput.mjs: the bare `openai` client (the library parrot's HTTP engine uses), C workers each
 * sending chains of 3 sequential chat requests, nothing else (no parrot runner, limiter, filters or output).
 * Shows how much of the throughput ceiling is the HTTP client itself.
 *   node bench/raw-client.mjs URL CONCURRENCY CHAINS
 */
import OpenAI from "openai";

const [url, c, chains] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const client = new OpenAI({ baseURL: url, apiKey: "none", maxRetries: 0 });
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
