/**
 * The context label record (`parrot context detect`, paper section 3.3): one row per user turn after the first,
 *   {id, turn, context_dependent, score, cues, heuristic?, judge?}
 * `id` is the session id, `turn` the 1-based user turn. With `--judge` a row also carries `heuristic` (the detector's
 * decision) and `judge` (the LLM's verdict, null when it gave none; `context_dependent` is then the judge's verdict,
 * else the heuristic's). Read by `parrot capo --context` (src/capo/context-file.ts) and merged by `parrot merge`.
 */
import { z } from "zod";

/** A context-dependency decision as the detector gives it (src/context/detect.ts ContextDecision). */
const DecisionSchema = z.object({
  context_dependent: z.boolean(),
  score: z.number(),
  cues: z.array(z.string()),
});

export const ContextLabelSchema = z.looseObject({
  id: z.string().min(1, "must be a non-empty string"),
  turn: z.number().int().min(1),
  context_dependent: z.boolean(),
  score: z.number().optional(),
  cues: z.array(z.string()).optional(),
  heuristic: DecisionSchema.optional(),
  judge: z
    .looseObject({ context_dependent: z.boolean().nullable(), model: z.string(), prompt_version: z.string(), rationale: z.string() })
    .optional(),
});
export type ContextLabel = z.infer<typeof ContextLabelSchema>;

/** Fields that identify a context label across files (merge): session id and turn. */
export const CONTEXT_LABEL_KEY_FIELDS = ["id", "turn"] as const;

/** Key of a query's label: `<session id>/<turn>` (resume, shards, `capo --context` lookups). */
export function contextLabelKey(sessionId: string, turn: number): string {
  return `${sessionId}/${turn}`;
}

/** Resume key of a context label row (contextLabelKey); undefined for a row without a string id and numeric turn. */
export function contextLabelKeyOf(r: Partial<ContextLabel> | null | undefined): string | undefined {
  return r && typeof r.id === "string" && typeof r.turn === "number" ? contextLabelKey(r.id, r.turn) : undefined;
}

/** Whether a row looks like a context label: `context_dependent` and `turn`. */
export function isContextLabel(row: Record<string, unknown>): boolean {
  return "context_dependent" in row && "turn" in row;
}
