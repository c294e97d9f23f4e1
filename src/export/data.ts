/**
 * Inputs of `parrot export` / `parrot train`: sessions (any format readConversations accepts) for sft-chat and
 * sft-ask, and CaPO preference pairs (src/records/pair.ts) for dpo. All input is read and validated before anything
 * is written.
 */
import { iterateConversations } from "../conversations/readers.js";
import type { Message, Session } from "../conversations/session.js";
import { readJsonl } from "../io/jsonl.js";
import { UserError } from "../io/errors.js";
import { pairFromRecord, type PreferencePair, type Strategy } from "../records/pair.js";

/**
 * Read a pairs JSONL file; every line is validated (pairFromRecord: schema, last prompt message is a user query).
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
 * Read and clean a sessions file one record at a time (a generator; iterateConversations): yields the kept sessions
 * and fills `stats` as it goes. At the end of the file, with no session kept, it throws.
 * @throws UserError/InputError on unreadable or malformed input (when the bad record is reached); UserError when no
 *   session is usable.
 */
export function* iterateTrainingSessions(file: string, maxTurns: number | undefined, stats: SessionStats): Generator<TrainingSession, void, undefined> {
  for (const s of iterateConversations(file)) {
    stats.read++;
    const r = cleanSession(s, maxTurns);
    if (r.session) {
      stats.kept++;
      if (r.truncated) stats.truncated++;
      yield r.session;
    } else stats.skipped[r.skip!] = (stats.skipped[r.skip!] ?? 0) + 1;
  }
  if (stats.kept === 0) throw new UserError(`${file}: no usable session (${formatSkips(stats.skipped)})`);
}

/** Empty counts for iterateTrainingSessions. */
export function emptySessionStats(): SessionStats {
  return { read: 0, kept: 0, skipped: {}, truncated: 0 };
}

/**
 * Read and clean a sessions file (ShareGPT, OpenAI messages, OpenAssistant or parrot records) into memory
 * (iterateTrainingSessions).
 * @throws UserError/InputError on unreadable or malformed input; UserError when no session is usable.
 */
export function readTrainingSessions(file: string, maxTurns?: number): { sessions: TrainingSession[]; stats: SessionStats } {
  const stats = emptySessionStats();
  const sessions = [...iterateTrainingSessions(file, maxTurns, stats)];
  return { sessions, stats };
}

export function formatSkips(skipped: Record<string, number>): string {
  const parts = Object.entries(skipped).map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(", ") : "none skipped";
}
