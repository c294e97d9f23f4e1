/**
 * Local GGUF engine (node-llama-cpp). Placeholder until the local-engine work lands; see issue 2.
 */
import { UserError } from "../io/errors.js";
import type { ModelSpec } from "./spec.js";
import type { LanguageModel, ModelOptions } from "./types.js";

export async function createGgufModel(spec: Exclude<ModelSpec, { kind: "http" }>, _options: ModelOptions): Promise<LanguageModel> {
  throw new UserError(`local GGUF engine not available yet for ${spec.kind === "gguf" ? spec.path : spec.uri}`);
}
