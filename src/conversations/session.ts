/**
 * The one in-memory session type, and its on-disk record (one JSON object per line):
 *   {"id": string, "messages": [{"role": "user"|"assistant", "content": string}, ...], "meta": {...}}
 * Roles alternate starting from `user`. `meta` records provenance (seed source and id, simulator mode,
 * models, prompt versions, filter decisions, stop reason). Its key, and how merge recognises it: src/records/session.ts.
 */
import { z } from "zod";
import { readJsonl, validateRecord, type JsonlRecord } from "../io/jsonl.js";
import { InputError } from "../io/errors.js";

/** One turn half: a user query or an assistant response. */
export const MessageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;
export type Role = Message["role"];

/**
 * Schema of our session record, and the one in-memory session type: a multi-turn conversation (paper Eq. 1:
 * X = (Xq1, Xr1, ..., XqT, XrT)); `system` is the optional system prompt some sources carry (kept out of
 * `messages`). Alternation is checked separately (sessionFromRecord) so the error can name the message.
 */
export const SessionRecordSchema = z.object({
  id: z.string().min(1, "must be a non-empty string"),
  messages: z.array(MessageSchema).min(1, "must hold at least one message"),
  meta: z.record(z.string(), z.unknown()).default({}),
  system: z.string().optional(),
});
export type Session = z.infer<typeof SessionRecordSchema>;

/**
 * Index of the first message that breaks user/assistant alternation starting from `user`, or -1.
 */
export function alternationError(messages: ReadonlyArray<Message>): number {
  for (let i = 0; i < messages.length; i++) {
    const expected: Role = i % 2 === 0 ? "user" : "assistant";
    if (messages[i].role !== expected) return i;
  }
  return -1;
}

/** User queries of a session, in order. */
export function queries(session: Pick<Session, "messages">): string[] {
  return session.messages.filter((m) => m.role === "user").map((m) => m.content);
}

/** One user turn of a session, as the walks over sessions see it (`userTurns`). */
export interface UserTurn {
  /** 1-based user turn number (paper Eq. 1: the t of Xq_t). */
  turn: number;
  /** Index of the query in `messages`. */
  index: number;
  /** The messages before the query (`messages.slice(0, index)`): its context. */
  history: Message[];
  /** The user query Xq_t. */
  query: string;
  /** The assistant response Xr_t that follows it, when the session has one. */
  response: string | undefined;
}

/**
 * The user turns of a session, in order, each with its history: the one walk behind context detection, CaPO query
 * selection, Table 1 statistics, the report and the simulator evaluation ("for every user turn from 2 on, detect
 * with its history" is `userTurns(s, { from: 2 })`).
 * @param from first user turn to yield (1-based; default 1).
 * @returns a lazy iterator; `history` is a fresh array per turn.
 */
export function* userTurns(session: { readonly messages: ReadonlyArray<Message> }, opts: { from?: number } = {}): Generator<UserTurn> {
  const from = opts.from ?? 1;
  const msgs = session.messages;
  let turn = 0;
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i].role !== "user") continue;
    turn++;
    if (turn < from) continue;
    const next = msgs[i + 1];
    yield { turn, index: i, history: msgs.slice(0, i), query: msgs[i].content, response: next?.role === "assistant" ? next.content : undefined };
  }
}

/**
 * Validate one of our session records (schema, alternation from `user`, non-empty content and, when `seen` is
 * given, an id not in `seen`, which is then added to it).
 * @throws InputError naming file, line and field.
 */
export function sessionFromRecord(rec: JsonlRecord, file: string, seen?: Set<string>): Session {
  const s = validateRecord(SessionRecordSchema, rec, file);
  const bad = alternationError(s.messages);
  if (bad >= 0) {
    throw new InputError(file, rec.line, `messages[${bad}].role`,
      `roles must alternate user/assistant starting with user; got "${s.messages[bad].role}"`);
  }
  const empty = s.messages.findIndex((m) => m.content.trim() === "");
  if (empty >= 0) throw new InputError(file, rec.line, `messages[${empty}].content`, "empty message");
  if (seen?.has(s.id)) throw new InputError(file, rec.line, "id", `duplicate session id "${s.id}"`);
  seen?.add(s.id);
  return s;
}

/**
 * Read a file of our session records, validating every line (sessionFromRecord: schema, alternation from `user`,
 * non-empty content, unique ids). All-or-nothing: the first bad record throws an InputError naming file, line and
 * field.
 */
export function readSessionFile(file: string): Session[] {
  const seen = new Set<string>();
  return readJsonl(file).map((rec) => sessionFromRecord(rec, file, seen));
}
