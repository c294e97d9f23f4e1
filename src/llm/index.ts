/**
 * `createModel(spec)`: the one entry point that turns a model spec string into a LanguageModel.
 * Engines: HTTP (openai client) and local GGUF (node-llama-cpp, loaded lazily so HTTP-only runs never load it).
 */
import { apiKeyFromEnv, parseModelSpec } from "./spec.js";
import { HttpModel } from "./http.js";
import type { LanguageModel, ModelOptions } from "./types.js";

export * from "./types.js";
export { parseModelSpec, formatModelSpec } from "./spec.js";

export interface CreateModelOptions extends ModelOptions {
  /** Flag name for error messages, e.g. "assistant". */
  flag?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Create a model from a spec string (`URL#MODEL`, `openai:MODEL`, `gguf:PATH`, `default`).
 * @throws UserError on a malformed spec, a missing GGUF file, or (default model) no network to download it.
 */
export async function createModel(spec: string, options: CreateModelOptions = {}): Promise<LanguageModel> {
  const parsed = parseModelSpec(spec, options.flag);
  if (parsed.kind === "http") {
    return new HttpModel({ ...options, baseURL: parsed.baseURL, model: parsed.model, apiKey: apiKeyFromEnv(options.env) });
  }
  const { createGgufModel } = await import("./gguf.js");
  return createGgufModel(parsed, options);
}
export { ModelCallError } from "./errors.js";
