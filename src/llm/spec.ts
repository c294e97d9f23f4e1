/**
 * Model spec strings, the one way to name a model everywhere in parrot:
 * - `URL#MODEL`: an OpenAI-compatible endpoint (base URL ending in `/v1`) and a model name,
 *   e.g. `http://127.0.0.1:8000/v1#Qwen/Qwen2.5-7B-Instruct`.
 * - `openai:MODEL`: shorthand for `https://api.openai.com/v1#MODEL`.
 * - `gguf:PATH`: a local GGUF file run in-process with node-llama-cpp.
 * - `NAME`: a registered model (src/models/registry.ts, `parrot models list`), e.g. `smollm2-135m`, pulled into the
 *   user cache on first use and run in-process like `gguf:PATH`; `default` is the registry's default model.
 * The API key for HTTP endpoints comes from `PARROT_API_KEY`, else `OPENAI_API_KEY`; it never appears in a spec.
 */
import { UserError } from "../io/errors.js";
import { DEFAULT_MODEL_NAME, isRegisteredModelName, MODELS } from "../models/registry.js";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export type ModelSpec =
  | { kind: "http"; baseURL: string; model: string }
  | { kind: "gguf"; path: string }
  | { kind: "registered"; name: string };

/**
 * Parse a model spec string.
 * @throws UserError with the accepted forms when the spec is malformed.
 */
export function parseModelSpec(spec: string, flag = "model"): ModelSpec {
  const s = spec.trim();
  const names = MODELS.map((m) => m.name).join(", ");
  const help = `expected URL#MODEL (OpenAI-compatible base URL ending in /v1), openai:MODEL, gguf:PATH, default, or a registered model (${names})`;
  if (s === "default") return { kind: "registered", name: DEFAULT_MODEL_NAME };
  if (isRegisteredModelName(s)) return { kind: "registered", name: s };
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
    for (const name of url.searchParams.keys()) {
      if (/^(api[-_]?key|key|token|access[-_]?token|auth|authorization|secret|password|sig|signature)$/i.test(name)) {
        throw new UserError(`--${flag}: a credential in the URL's query ("${name}=...") is not allowed (it would be logged and recorded); put the key in PARROT_API_KEY`);
      }
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
    case "registered":
      return spec.name;
  }
}

/** API key for HTTP endpoints: PARROT_API_KEY, else OPENAI_API_KEY, else undefined; surrounding whitespace trimmed. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (env.PARROT_API_KEY || env.OPENAI_API_KEY || "").trim() || undefined;
}
