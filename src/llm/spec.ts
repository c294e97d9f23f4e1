/**
 * Model spec strings, the one way to name a model everywhere in parrot:
 * - `URL#MODEL`: an OpenAI-compatible endpoint (base URL ending in `/v1`) and a model name,
 *   e.g. `http://127.0.0.1:8000/v1#Qwen/Qwen2.5-7B-Instruct`.
 * - `openai:MODEL`: shorthand for `https://api.openai.com/v1#MODEL`.
 * - `gguf:PATH`: a local GGUF file run in-process with node-llama-cpp.
 * - `default`: the small default instruct GGUF (DEFAULT_GGUF_MODEL), downloaded on first use.
 * The API key for HTTP endpoints comes from `PARROT_API_KEY`, else `OPENAI_API_KEY`; it never appears in a spec.
 */
import { UserError } from "../io/errors.js";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";

/**
 * The default model used when no model flag is given: a small real instruct model as a GGUF quant, resolved by
 * node-llama-cpp's model resolver (`hf:` URI) and cached in the user cache (src/llm/gguf.ts `defaultModelDir`).
 * Named here and nowhere else. The URI names the exact file (SmolLM2-360M-Instruct, Q4_K_M, 271 MB, in
 * huggingface.co/bartowski/SmolLM2-360M-Instruct-GGUF), so a cached copy is found offline without asking the Hub.
 */
export const DEFAULT_GGUF_MODEL = "hf:bartowski/SmolLM2-360M-Instruct-GGUF/SmolLM2-360M-Instruct-Q4_K_M.gguf";

export type ModelSpec =
  | { kind: "http"; baseURL: string; model: string }
  | { kind: "gguf"; path: string }
  | { kind: "default"; uri: string };

/**
 * Parse a model spec string.
 * @throws UserError with the accepted forms when the spec is malformed.
 */
export function parseModelSpec(spec: string, flag = "model"): ModelSpec {
  const s = spec.trim();
  const help = `expected URL#MODEL (OpenAI-compatible base URL ending in /v1), openai:MODEL, gguf:PATH or default`;
  if (s === "default") return { kind: "default", uri: DEFAULT_GGUF_MODEL };
  if (s.startsWith("gguf:")) {
    const p = s.slice(5);
    if (!p) throw new UserError(`--${flag} "${spec}": empty GGUF path; ${help}`);
    return { kind: "gguf", path: p };
  }
  if (s.startsWith("openai:")) {
    const m = s.slice(7);
    if (!m) throw new UserError(`--${flag} "${spec}": empty model name; ${help}`);
    return { kind: "http", baseURL: OPENAI_BASE_URL, model: m };
  }
  if (/^https?:\/\//i.test(s)) {
    const hash = s.indexOf("#");
    if (hash < 0 || hash === s.length - 1) throw new UserError(`--${flag} "${spec}": missing #MODEL after the URL; ${help}`);
    let url: URL;
    try {
      url = new URL(s.slice(0, hash));
    } catch {
      throw new UserError(`--${flag} "${spec}": invalid URL; ${help}`);
    }
    if (url.username || url.password) {
      throw new UserError(`--${flag}: credentials in the URL are not allowed; put the key in PARROT_API_KEY`);
    }
    const baseURL = url.toString().replace(/\/+$/, "");
    return { kind: "http", baseURL, model: s.slice(hash + 1) };
  }
  throw new UserError(`--${flag} "${spec}": ${help}`);
}

/** The spec string recorded in outputs for a parsed spec (no secrets). */
export function formatModelSpec(spec: ModelSpec): string {
  switch (spec.kind) {
    case "http":
      return spec.baseURL === OPENAI_BASE_URL ? `openai:${spec.model}` : `${spec.baseURL}#${spec.model}`;
    case "gguf":
      return `gguf:${spec.path}`;
    case "default":
      return "default";
  }
}

/** API key for HTTP endpoints: PARROT_API_KEY, else OPENAI_API_KEY, else undefined. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.PARROT_API_KEY || env.OPENAI_API_KEY || undefined;
}
