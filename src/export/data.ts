/**
 * Inputs of `parrot export` / `parrot train`: sessions (any format readConversations accepts) for sft-chat and
 * sft-ask, and CaPO preference pairs for dpo. All input is read and validated before anything is written.
 */
import { z } from "zod";
import { readConversations } from "../conversations/readers.js";
import type { Message, Session } from "../conversations/session.js";
import { readJsonl, validateRecord, type JsonlRecord } from "../io/jsonl.js";
import { InputError, UserError } from "../io/errors.js";

export const STRATEGIES = ["context-neglect", "context-hallucination", "context-misunderstanding"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** One CaPO preference pair (issue 4 / section 3.3), as `parrot capo` writes it. */
export interface PreferencePair {
  id: string;
  session_id: string;
  turn: number;
  strategy: Strategy;
  /** Messages up to and including the query (roles system/user/assistant; last one is the user query). */
  prompt: Array<{ role: "system" | "user" | "assistant"; content: string }>;
  chosen: string;
  rejected: string;
  meta: Record<string, unknown>;
}

export const PreferencePairSchema = z.object({
  id: z.string().min(1, "must be a non-empty string"),
  session_id: z.string(),
  turn: z.number().int().min(1),
  strategy: z.enum(STRATEGIES),
  prompt: z
    .array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() }))
    .min(1, "must hold at least the query"),
  chosen: z.string().min(1, "must be a non-empty string"),
  rejected: z.string().min(1, "must be a non-empty string"),
  meta: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Validate one preference pair record (PreferencePairSchema; the last prompt message is the user query).
 * @throws InputError naming file, line and field.
 */
export function pairFromRecord(rec: JsonlRecord, file: string): PreferencePair {
  const p = validateRecord(PreferencePairSchema, rec, file) as PreferencePair;
  const last = p.prompt.length - 1;
  if (p.prompt[last].role !== "user") {
    throw new InputError(file, rec.line, `prompt[${last}].role`, `the prompt must end with the user query; got "${p.prompt[last].role}"`);
  }
  return p;
}

/**
 * Read a pairs JSONL file; every line is validated (schema, last prompt message is a user query).
 * @param strategies keep only these negative types (Table 6 ablation); undefined keeps all.
 * @throws InputError naming file, line and field.
 */
export function readPairs(file: string, strategies?: ReadonlyArray<Strategy>): { pairs: PreferencePair[]; dropped: number } {
  const records = readJsonl(file);
  if (records.length === 0) throw new UserError(`${file}: no records`);
  const all = records.map((rec) => pairFromRecord(rec, file));
  const pairs = strategies ? all.filter((p) => strategies.includes(p.strategy)) : all;
  return { pairs, dropped: all.length - pairs.length };
}

/** Parse `--strategies a,b` (comma or space separated). @throws UserError on an unknown name. */
export function parseStrategies(value: string | string[] | undefined): Strategy[] | undefined {
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  for (const n of names) {
    if (!(STRATEGIES as readonly string[]).includes(n)) {
      throw new UserError(`--strategies: unknown strategy "${n}" (expected ${STRATEGIES.join(", ")})`);
    }
  }
  if (names.length === 0) throw new UserError("--strategies: give at least one strategy");
  return names as Strategy[];
}

/** A session cleaned for training: alternating user/assistant pairs, starting with user, ending with assistant. */
export interface TrainingSession {
  id: string;
  system?: string;
  messages: Message[];
}

/** Why sessions were skipped, and how many. */
export interface SessionStats {
  read: number;
  kept: number;
  skipped: Record<string, number>;
  truncated: number;
}

/**
 * Clean one session for training:
 * - leading assistant messages are dropped (ShareGPT segments may start mid-conversation);
 * - a trailing unanswered query is dropped (nothing to pair it with);
 * - a session whose roles do not alternate, or with an empty message, is skipped (reason returned);
 * - `maxTurns` keeps the first N user turns (Table 5 ablation: 1/3/5/all).
 */
export function cleanSession(s: Session, maxTurns?: number): { session?: TrainingSession; skip?: string; truncated?: boolean } {
  let msgs = s.messages.slice();
  while (msgs.length && msgs[0].role !== "user") msgs.shift();
  if (msgs.length && msgs[msgs.length - 1].role === "user") msgs.pop();
  if (msgs.length < 2) return { skip: "no query-response pair" };
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i].role !== (i % 2 === 0 ? "user" : "assistant")) return { skip: "roles do not alternate" };
    if (msgs[i].content.trim() === "") return { skip: "empty message" };
  }
  let truncated = false;
  if (maxTurns !== undefined && msgs.length > 2 * maxTurns) {
    msgs = msgs.slice(0, 2 * maxTurns);
    truncated = true;
  }
  return { session: { id: s.id, system: s.system, messages: msgs }, truncated };
}

/**
 * Read and clean a sessions file (ShareGPT, OpenAI messages, OpenAssistant or parrot records).
 * @throws UserError/InputError on unreadable or malformed input; UserError when no session is usable.
 */
export function readTrainingSessions(file: string, maxTurns?: number): { sessions: TrainingSession[]; stats: SessionStats } {
  const raw = readConversations(file);
  const stats: SessionStats = { read: raw.length, kept: 0, skipped: {}, truncated: 0 };
  const sessions: TrainingSession[] = [];
  for (const s of raw) {
    const r = cleanSession(s, maxTurns);
    if (r.session) {
      sessions.push(r.session);
      if (r.truncated) stats.truncated++;
    } else stats.skipped[r.skip!] = (stats.skipped[r.skip!] ?? 0) + 1;
  }
  stats.kept = sessions.length;
  if (sessions.length === 0) throw new UserError(`${file}: no usable session (${formatSkips(stats.skipped)})`);
  return { sessions, stats };
}

export function formatSkips(skipped: Record<string, number>): string {
  const parts = Object.entries(skipped).map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(", ") : "none skipped";
}
