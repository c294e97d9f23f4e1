/**
 * The CaPO preference pair record (paper section 3.3), written by `parrot capo`, read by `parrot export dpo`,
 * `parrot train`, the report and `parrot merge`:
 *   {id: "<session_id>/<turn>/<strategy>", session_id, turn, strategy,
 *    prompt: [{role, content}, ...messages up to and including the query],
 *    chosen: string, rejected: string,
 *    meta: {assistant, prompt_version, attempts, detector: {score, cues}, guess?, system?, source?}}
 * `chosen` is the session's own response, `rejected` one strategy's negative.
 */
import { z } from "zod";
import { InputError, UserError } from "../io/errors.js";
import { validateRecord, type JsonlRecord } from "../io/jsonl.js";
import type { ChatMessage } from "../llm/types.js";

/** The three negative types of CaPO (section 3.3). */
export const STRATEGIES = ["context-neglect", "context-hallucination", "context-misunderstanding"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A prompt message (roles system/user/assistant): the engine's ChatMessage (src/llm/types.ts). */
const PromptMessageSchema = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() }) satisfies z.ZodType<ChatMessage>;

export const PreferencePairSchema = z.object({
  id: z.string().min(1, "must be a non-empty string"),
  session_id: z.string(),
  turn: z.number().int().min(1),
  strategy: z.enum(STRATEGIES),
  /** Messages up to and including the query (the last one is the user query). */
  prompt: z.array(PromptMessageSchema).min(1, "must hold at least the query"),
  chosen: z.string().min(1, "must be a non-empty string"),
  rejected: z.string().min(1, "must be a non-empty string"),
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type PreferencePair = z.infer<typeof PreferencePairSchema>;

/** Fields that identify a pair across files (merge): its id, which is pairKey of its session, turn and strategy. */
export const PAIR_KEY_FIELDS = ["id"] as const;

/** Key (and `id`) of a pair: `<session_id>/<turn>/<strategy>`. */
export function pairKey(sessionId: string, turn: number, strategy: string): string {
  return `${sessionId}/${turn}/${strategy}`;
}

/** Resume key of a pair row (pairKey of its fields); undefined for a row without them. */
export function pairKeyOf(r: { session_id?: unknown; turn?: unknown; strategy?: unknown } | null | undefined): string | undefined {
  return r && typeof r.session_id === "string" && typeof r.turn === "number" && typeof r.strategy === "string" ? pairKey(r.session_id, r.turn, r.strategy) : undefined;
}

/** Whether a row looks like a pair: `chosen` and `rejected`. */
export function isPair(row: Record<string, unknown>): boolean {
  return "chosen" in row && "rejected" in row;
}

/**
 * Validate one preference pair record (PreferencePairSchema; the last prompt message is the user query).
 * @throws InputError naming file, line and field.
 */
export function pairFromRecord(rec: JsonlRecord, file: string): PreferencePair {
  const p = validateRecord(PreferencePairSchema, rec, file);
  const last = p.prompt.length - 1;
  if (p.prompt[last].role !== "user") {
    throw new InputError(file, rec.line, `prompt[${last}].role`, `the prompt must end with the user query; got "${p.prompt[last].role}"`);
  }
  return p;
}

/**
 * Parse `--strategies` (`capo`, `export dpo`, `train`): names separated by commas or spaces (a flag given several
 * times adds up), each repeated name kept once.
 * @throws UserError on an unknown name or an empty list.
 */
export function parseStrategies(value: string | string[]): Strategy[];
export function parseStrategies(value: string | string[] | undefined): Strategy[] | undefined;
export function parseStrategies(value: string | string[] | undefined): Strategy[] | undefined {
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  for (const n of names) {
    if (!(STRATEGIES as readonly string[]).includes(n)) throw new UserError(`--strategies: unknown strategy "${n}" (expected ${STRATEGIES.join(", ")})`);
  }
  if (names.length === 0) throw new UserError(`--strategies: give at least one of ${STRATEGIES.join(", ")} (separated by commas or spaces)`);
  return [...new Set(names)] as Strategy[];
}
