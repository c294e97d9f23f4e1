/**
 * Price tables for `--prices FILE` (issue 15): per-model input and output prices per million tokens, so the token
 * counts of a run (src/run/usage.ts) and of a dry-run estimate (src/run/estimate.ts) can be shown as money.
 *
 * File shape (JSON):
 *   {
 *     "currency": "USD",                                  // optional, default "USD"; only used for display
 *     "models": {                                         // keys: a model spec as given (`openai:gpt-4o-mini`,
 *       "openai:gpt-4o-mini": {"input": 0.15, "output": 0.6},   // `http://h:8000/v1#qwen`, `smollm2-135m`), or the
 *       "qwen": {"input": 0.05, "output": 0.1}                   // model name after `#` / `openai:`
 *     }
 *   }
 * Prices are numbers >= 0 (currency units per 1,000,000 tokens). A model without a price is reported, counted as 0.
 */
import { readTextFile } from "../io/jsonl.js";
import { UserError } from "../io/errors.js";

export interface Price {
  /** Per million prompt tokens. */
  input: number;
  /** Per million completion tokens. */
  output: number;
}

export interface PriceTable {
  currency: string;
  models: Record<string, Price>;
}

/**
 * Parse a price table (see the module comment).
 * @throws UserError (one line, naming the file and the field) when it is not such a table.
 */
export function parsePrices(text: string, file: string): PriceTable {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UserError(`--prices ${file}: not JSON (${(err as Error).message})`);
  }
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new UserError(`--prices ${file}: expected a JSON object {"currency"?, "models": {MODEL: {"input", "output"}}}`);
  const currency = o.currency ?? "USD";
  if (typeof currency !== "string" || currency.trim() === "") throw new UserError(`--prices ${file}: "currency" must be a non-empty string`);
  const models = o.models;
  if (!models || typeof models !== "object" || Array.isArray(models)) throw new UserError(`--prices ${file}: "models" must be an object of MODEL: {"input": N, "output": N} (per million tokens)`);
  const out: Record<string, Price> = {};
  for (const [name, p] of Object.entries(models as Record<string, unknown>)) {
    const q = p as Record<string, unknown>;
    for (const k of ["input", "output"] as const) {
      const x = q && typeof q === "object" ? q[k] : undefined;
      if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
        throw new UserError(`--prices ${file}: models["${name}"].${k} must be a number >= 0 (price per million tokens), got ${JSON.stringify(x)}`);
      }
    }
    out[name] = { input: q.input as number, output: q.output as number };
  }
  return { currency, models: out };
}

/** Read `--prices FILE`, or undefined without one. @throws UserError for an unreadable or malformed file. */
export function readPrices(file: string | undefined): PriceTable | undefined {
  if (file === undefined) return undefined;
  return parsePrices(readTextFile(file), file);
}

/** The price of a model id: the exact spec first, then its name (after `#`, `openai:` or `gguf:`'s file name). */
export function priceOf(prices: PriceTable, modelId: string): Price | undefined {
  if (prices.models[modelId]) return prices.models[modelId];
  const name = modelId.includes("#") ? modelId.slice(modelId.lastIndexOf("#") + 1) : modelId.replace(/^openai:/, "").replace(/^gguf:.*\//, "");
  return prices.models[name];
}
