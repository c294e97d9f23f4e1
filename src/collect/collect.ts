/**
 * The collection loop of section 3.2: for each seed query, the assistant answers, the user simulator asks the next
 * query, and so on to the target number of user turns; every simulated query passes the filters (filters.ts) or is
 * regenerated a bounded number of times, after which the session stops early with the reason recorded.
 * Sessions run in parallel (src/run/executor.ts, collectTask); the models' shared RequestLimiter bounds requests in flight.
 * Each finished session is appended to the output as one line; sessions already in the output are skipped.
 */
import { queries, type Message, type Session } from "../conversations/session.js";
import { isContextLengthError, ModelCallError } from "../llm/errors.js";
import type { LanguageModel } from "../llm/types.js";
import { DEFAULT_FILTER_CONFIG, type FilterConfig, type FilterReason, filterQuery } from "./filters.js";
import { PROMPT_VERSION } from "./prompts.js";
import type { Task } from "../run/executor.js";
import { createSimulator, type SimulatedQuery, type SimulatorMode, type UserSimulator } from "./simulators.js";

/**
 * The question a run-on simulated query starts with: the text up to and including its first "?", when that is at
 * least 3 words and not the whole text; undefined otherwise. ("What does the internet do? The internet is a ..." ->
 * "What does the internet do?")
 */
export function salvageQuestion(text: string): string | undefined {
  const i = text.indexOf("?");
  if (i < 0) return undefined;
  const q = text.slice(0, i + 1).trim();
  if (q.split(/\s+/).length < 3 || q.length >= text.trim().length) return undefined;
  return q;
}

/** A seed query that does not fit the assistant's context window: the seed is skipped and counted. */
export class SeedTooLongError extends Error {
  constructor(readonly seedId: string, detail: string) {
    super(`seed ${seedId}: the first query does not fit the assistant's context (${detail})`);
    this.name = "SeedTooLongError";
  }
}

/** One seed: the first user query of a real session (ShareGPT, UltraChat, ...). */
export interface Seed {
  id: string;
  query: string;
  source: Record<string, unknown>;
}

export interface CollectOptions {
  /** Target number of user turns per session (N). */
  turns: number;
  /** Extra attempts for a rejected (or empty) simulated query before the session stops. */
  maxQueryRetries: number;
  /** Extra attempts for an empty assistant response before the session stops. */
  maxResponseRetries: number;
  /** Sessions in parallel. */
  concurrency: number;
  /** Base seed; session i uses seed + i for its sampling seeds. */
  seed: number;
  assistantTemperature: number;
  assistantMaxTokens: number;
  askerTemperature: number;
  askerMaxTokens: number;
  filter: FilterConfig;
}

export const DEFAULT_COLLECT_OPTIONS: Omit<CollectOptions, "turns" | "concurrency"> = {
  maxQueryRetries: 3,
  maxResponseRetries: 2,
  seed: 0,
  assistantTemperature: 0.7,
  assistantMaxTokens: 1024,
  askerTemperature: 0.7,
  askerMaxTokens: 256,
  filter: DEFAULT_FILTER_CONFIG,
};

/** A query rejected by the filters (recorded in meta.filtered). */
export interface Rejection {
  turn: number;
  attempt: number;
  reason: FilterReason;
  detail?: string;
  query: string;
}

/**
 * Why a session ended: `turns` (reached N user turns), `filtered:<reason>` (the simulator's query kept failing the
 * filters), `empty-response` (the assistant kept answering nothing), `context-length` (the next request no longer
 * fits the assistant's or the simulator's context window: the session is kept as it stands, ending with the last
 * assistant response; policy: stop, never truncate the history the models see).
 */
export type StopReason = "turns" | `filtered:${FilterReason}` | "empty-response" | "context-length";

export interface CollectCounters {
  sessions: number;
  stoppedEarly: Record<string, number>;
  failed: number;
  rejectedQueries: Record<string, number>;
  /** Seeds skipped for a content reason (not written, not a failure): `context-length`. */
  skippedSeeds: Record<string, number>;
  /** Responses written that were cut at max tokens (finish reason "length"). */
  truncatedResponses: number;
}

/** What one session needs: the models (the asker behind the simulator), the asker's id and the session id. */
export interface SessionDeps {
  assistant: LanguageModel;
  simulator: UserSimulator;
  /** Model spec of the asker, recorded in meta. */
  askerId: string;
  /** The id of the session collected from a seed (default: the seed's id); the seed id is kept in meta.seed.id. */
  sessionId?: (seed: Seed) => string;
}

/**
 * Run one session from a seed to `opts.turns` user turns (or an early stop).
 * @returns the finished session; throws ModelCallError when a model call fails for good.
 */
export async function collectSession(seed: Seed, index: number, deps: SessionDeps, opts: CollectOptions): Promise<Session> {
  const messages: Message[] = [{ role: "user", content: seed.query }];
  const rejections: Rejection[] = [];
  /** Run-on queries cut at the cap whose first question was kept (the full generated text, for review). */
  const salvaged: Array<{ turn: number; attempt: number; query: string }> = [];
  const sessionSeed = opts.seed + index;
  let stop: StopReason = "turns";
  let tokens = 0;

  const responses: Array<{ finish_reason: string | null; completion_tokens: number }> = [];
  const respond = async (): Promise<boolean> => {
    for (let attempt = 0; attempt <= opts.maxResponseRetries; attempt++) {
      const c = await deps.assistant.chat(messages, {
        temperature: opts.assistantTemperature,
        maxTokens: opts.assistantMaxTokens,
        seed: sessionSeed * 1000 + messages.length * 10 + attempt,
        tag: { stage: attempt === 0 ? "response" : "response-retry", turn: queries({ messages }).length, role: "assistant" },
      });
      tokens += c.usage.promptTokens + c.usage.completionTokens;
      const text = c.text.trim();
      if (text !== "") {
        messages.push({ role: "assistant", content: text });
        responses.push({ finish_reason: c.finishReason ?? null, completion_tokens: c.usage.completionTokens });
        return true;
      }
    }
    return false;
  };

  // The first response is what makes a session: without one there is nothing to keep, so nothing is written.
  // An empty one is a transient failure (exit 3, a rerun tries the seed again); a seed query too long for the
  // assistant's context can never make a session: it is skipped and counted (SeedTooLongError), exit 0.
  let first: boolean;
  try {
    first = await respond();
  } catch (err) {
    if (isContextLengthError(err)) throw new SeedTooLongError(seed.id, err.message);
    throw err;
  }
  if (!first) {
    throw new ModelCallError(`${deps.assistant.id} gave an empty first response ${opts.maxResponseRetries + 1} time(s)`, { reason: "empty-response", transient: true });
  }
  for (let turn = 2; stop === "turns" && turn <= opts.turns; turn++) {
    const earlier = queries({ messages });
    let accepted: string | undefined;
    let lastReason: FilterReason = "empty";
    let overflow = false;
    for (let attempt = 0; attempt <= opts.maxQueryRetries && accepted === undefined; attempt++) {
      let next: SimulatedQuery;
      try {
        next = await deps.simulator.nextQuery(messages, {
          temperature: opts.askerTemperature,
          maxTokens: opts.askerMaxTokens,
          seed: sessionSeed * 1000 + turn * 10 + attempt,
          tag: { stage: attempt === 0 ? "query" : "query-retry", turn, role: "asker" },
        });
      } catch (err) {
        if (!isContextLengthError(err)) throw err;
        overflow = true;
        break;
      }
      let { query } = next;
      const t = next.tokens;
      if (next.finishReason === "length" && query !== "") {
        // Cut at the cap: the simulator ran on past its query (typically into an answer of its own). A question it
        // asked first is kept (up to its "?", recorded in meta.salvaged); otherwise it is regenerated.
        const q = salvageQuestion(query);
        if (q) salvaged.push({ turn, attempt: attempt + 1, query: query.slice(0, 500) });
        else rejections.push({ turn, attempt: attempt + 1, reason: "truncated", detail: `cut at ${opts.askerMaxTokens} tokens`, query: query.slice(0, 500) });
        if (!q) {
          tokens += t;
          lastReason = "truncated";
          continue;
        }
        query = q;
      }
      tokens += t;
      const decision = filterQuery(query, earlier, opts.filter, messages[messages.length - 1]?.content);
      if (decision.ok) accepted = query;
      else {
        lastReason = decision.reason!;
        rejections.push({ turn, attempt: attempt + 1, reason: decision.reason!, detail: decision.detail, query: query.slice(0, 500) });
      }
    }
    if (overflow) {
      stop = "context-length";
      break;
    }
    if (accepted === undefined) {
      stop = `filtered:${lastReason}`;
      break;
    }
    messages.push({ role: "user", content: accepted });
    let answered: boolean;
    try {
      answered = await respond();
    } catch (err) {
      if (!isContextLengthError(err)) throw err;
      messages.pop();
      stop = "context-length";
      break;
    }
    if (!answered) {
      // Drop the unanswered query so the session ends with an assistant response.
      messages.pop();
      stop = "empty-response";
    }
  }
  if (messages[messages.length - 1].role === "user") messages.pop();

  // Responses of the assistant turns kept (a dropped last turn's response is not among them).
  const kept = responses.slice(0, messages.filter((m) => m.role === "assistant").length);
  return {
    id: deps.sessionId ? deps.sessionId(seed) : seed.id,
    messages,
    meta: {
      seed: { id: seed.id, ...seed.source },
      simulator: deps.simulator.mode,
      models: { asker: deps.askerId, assistant: deps.assistant.id },
      prompt_version: PROMPT_VERSION,
      turns_target: opts.turns,
      user_turns: queries({ messages }).length,
      filtered: rejections,
      salvaged,
      stop_reason: stop,
      sampling_seed: sessionSeed,
      sampling: {
        assistant: { temperature: opts.assistantTemperature, max_tokens: opts.assistantMaxTokens },
        asker: { temperature: opts.askerTemperature, max_tokens: opts.askerMaxTokens },
      },
      // One entry per assistant response, in order: "length" means it was cut at max_tokens (or the context's end).
      responses: kept,
      truncated_responses: kept.filter((r) => r.finish_reason === "length").length,
      tokens,
      created: new Date().toISOString(),
    },
  };
}

/** One item of a collection run: a seed and its index in the full sample (sampling seeds do not depend on resume state). */
export interface SeedItem {
  seed: Seed;
  index: number;
}

/** Counters of a collection run, all zero. */
export function newCollectCounters(): CollectCounters {
  return { sessions: 0, stoppedEarly: {}, failed: 0, rejectedQueries: {}, skippedSeeds: {}, truncatedResponses: 0 };
}

/** Count a written session: its early stop, its rejected queries, its responses cut at max tokens. */
export function countSession(counters: CollectCounters, session: Session): void {
  counters.sessions++;
  counters.truncatedResponses += Number(session.meta.truncated_responses ?? 0);
  const stop = String(session.meta.stop_reason);
  if (stop !== "turns") counters.stoppedEarly[stop] = (counters.stoppedEarly[stop] ?? 0) + 1;
  for (const r of session.meta.filtered as Rejection[]) counters.rejectedQueries[r.reason] = (counters.rejectedQueries[r.reason] ?? 0) + 1;
}

/**
 * Play one seed (`collectSession`): a seed query too long for the assistant's context is skipped, counted in
 * `counters.skippedSeeds` and logged, and gives no session (undefined).
 */
export async function playSeed(
  { seed, index }: SeedItem,
  deps: SessionDeps & { log?: (line: string) => void },
  opts: CollectOptions,
  counters: CollectCounters,
): Promise<Session | undefined> {
  try {
    return await collectSession(seed, index, deps, opts);
  } catch (err) {
    if (!(err instanceof SeedTooLongError)) throw err;
    counters.skippedSeeds["context-length"] = (counters.skippedSeeds["context-length"] ?? 0) + 1;
    deps.log?.(`parrot collect: ${err.message}; skipped`);
    return undefined;
  }
}

/** The resume key of a collection item: its seed id (a session row's `meta.seed.id`). */
export function seedItemKey(item: SeedItem): string {
  return item.seed.id;
}

/**
 * `parrot collect`'s task kind (src/run/executor.ts): one seed per item, played with the models
 * `[assistant, asker]` (the asker behind a `mode` simulator); sessions get their id from `sessionId`; seeds skipped
 * as too long are counted in `counters` (the written sessions are counted by the caller's `onRow`, `countSession`).
 */
export function collectTask(run: {
  mode: SimulatorMode;
  opts: CollectOptions;
  counters: CollectCounters;
  sessionId?: (seed: Seed) => string;
}): Task<SeedItem, Session> {
  return {
    command: "parrot collect",
    label: "collect",
    unit: "sessions",
    key: seedItemKey,
    describe: ({ seed }) => `session ${seed.id}`,
    play: ([assistant, asker], item, log) =>
      playSeed(item, { assistant, simulator: createSimulator(run.mode, asker), askerId: asker.id, sessionId: run.sessionId, log }, run.opts, run.counters),
  };
}
