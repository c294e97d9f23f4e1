/**
 * The session record (`parrot collect`, `simulator eval` rolls): one JSON object per line,
 *   {"id": string, "messages": [{"role": "user"|"assistant", "content": string}, ...], "meta": {...}, "system"?}
 * The schema and type live with the session helpers in src/conversations/session.ts (every reader of conversations
 * shares them); this module adds the record's keys and how it is recognised.
 */

export { SessionRecordSchema, sessionFromRecord, type Message, type Session } from "../conversations/session.js";

/** Fields that identify a session across files (merge): its id. */
export const SESSION_KEY_FIELDS = ["id"] as const;

type SessionLike = { id?: unknown; meta?: { seed?: { id?: unknown } } };

/**
 * Resume key of a collected session: the id of the seed it grew from (`meta.seed.id`), else the session id (older
 * outputs used the seed id as the session id too); undefined when neither is a string.
 */
export function sessionSeedKey(r: SessionLike | null | undefined): string | undefined {
  return typeof r?.meta?.seed?.id === "string" ? r.meta.seed.id : typeof r?.id === "string" ? r.id : undefined;
}

/** Whether a row looks like one of our session records: a `messages` array. */
export function isSession(row: Record<string, unknown>): boolean {
  return Array.isArray(row.messages);
}

