/**
 * The smoke GGUF for tests: built once per tokenizer + writer options into test/.tmp (git-ignored) and reused, so
 * tests can name the local engine as `gguf:<path>` cheaply. Built by calling the writer directly, not the CLI.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeSmokeModel } from "../../src/models/smoke.js";
import { REPO_ROOT, SHARED } from "./cli.js";

export const SMOKE_TOKENIZER_DIR = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");

/** Writer options of the shared smoke model: small dims so generation is fast on 2 cores. */
export const SMOKE_OPTIONS = { seed: 0, layers: 2, embd: 64 } as const;

/**
 * Path of the smoke GGUF (SmolLM2 tokenizer, ChatML template, 2 × 64 random llama), building it if absent.
 * The file name hashes the tokenizer files, the options and the writer sources, so a change rebuilds it.
 */
export function getSmokeModelPath(): string {
  const h = createHash("sha256");
  for (const f of ["tokenizer.json", "tokenizer_config.json", "config.json"]) {
    const p = path.join(SMOKE_TOKENIZER_DIR, f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  for (const f of ["src/models/smoke.ts", "src/models/gguf-writer.ts"]) h.update(fs.readFileSync(path.join(REPO_ROOT, f)));
  h.update(JSON.stringify(SMOKE_OPTIONS));
  const dir = path.join(REPO_ROOT, "test/.tmp");
  const out = path.join(dir, `smoke-${h.digest("hex").slice(0, 12)}.gguf`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dir, { recursive: true });
    // writeSmokeModel writes through temp file + rename: concurrent test workers never see a torn file.
    writeSmokeModel({ tokenizerDir: SMOKE_TOKENIZER_DIR, out, ...SMOKE_OPTIONS });
  }
  return out;
}
