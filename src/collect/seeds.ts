/**
 * The seeds of `parrot collect` (section 3.2): the first user query of each session of `--seeds` that starts with the
 * user, de-duplicated and (by default) passed through the query filters, then sampled reproducibly.
 */
import { seedQuery } from "../conversations/readers.js";
import type { Session } from "../conversations/session.js";
import { UserError } from "../io/errors.js";
import { seededShuffle } from "../run/rng.js";
import type { Seed } from "./collect.js";
import { type FilterConfig, filterQuery, sensitiveReason } from "./filters.js";

/**
 * Collects usable seeds from sessions fed one at a time: first user queries of sessions that start with the user,
 * de-duplicated by query text (OpenAssistant trees give one path per leaf, all sharing the root query). Only the
 * seed query is kept, never the whole session.
 *
 * With a `filter` (collect's default, issue 12 item 22), a seed query must also pass the query filters of section 3.2
 * (filters.ts: too short, role leak, e-mail, phone, card number, blocklisted term) that every simulated query
 * passes; rejected seeds are counted by reason in `rejected`. `read`, `notUser` and `duplicates` count the sessions
 * seen, those without a non-empty first user query, and those repeating an earlier seed query.
 */
export class SeedCollector {
  readonly seeds: Seed[] = [];
  /** Every usable seed before the seed filter (for the run manifest's digest). */
  readonly unfiltered: Seed[] = [];
  readonly rejected: Record<string, number> = {};
  read = 0;
  notUser = 0;
  duplicates = 0;
  private readonly queries = new Set<string>();
  private readonly ids = new Set<string>();
  constructor(private readonly filter?: FilterConfig) {}
  add(s: Session): void {
    this.read++;
    const q = seedQuery(s);
    if (q === undefined) {
      this.notUser++;
      return;
    }
    if (this.queries.has(q)) {
      this.duplicates++;
      return;
    }
    this.queries.add(q);
    let id = s.id;
    for (let k = 2; this.ids.has(id); k++) id = `${s.id}~${k}`;
    this.ids.add(id);
    const seed = { id, query: q, source: { ...(s.meta.source as Record<string, unknown>) } };
    this.unfiltered.push(seed);
    if (this.filter) {
      // A seed is a real user's turn: the role-leak rule (does a *generated* query read as an assistant's?) does not
      // apply to it (it flagged 34 of 655 real ShareGPT first queries, e.g. pasted replies the user asks about).
      let d = filterQuery(q, [], this.filter);
      if (!d.ok && d.reason === "role-leak") d = sensitiveReason(q, this.filter.blocklist);
      if (!d.ok) {
        this.rejected[d.reason!] = (this.rejected[d.reason!] ?? 0) + 1;
        return;
      }
    }
    this.seeds.push(seed);
  }
  /** Seeds rejected by the filter, in all. */
  rejectedCount(): number {
    return Object.values(this.rejected).reduce((a, b) => a + b, 0);
  }
  /** `sensitive-phone: 1, too-short: 4` */
  rejectedReasons(): string {
    return Object.entries(this.rejected).map(([k, v]) => `${k}: ${v}`).join(", ");
  }
  /**
   * Throw when no seed is usable, saying why (issue 12 item 5).
   * @throws UserError `FILE: no usable seed: N sessions read; N do not start with a non-empty user query; ...`.
   */
  requireSome(file: string): void {
    if (this.seeds.length > 0) return;
    const why = [
      `${this.read} sessions read`,
      ...(this.notUser ? [`${this.notUser} do not start with a non-empty user query`] : []),
      ...(this.duplicates ? [`${this.duplicates} repeat an earlier seed query`] : []),
      ...(this.rejectedCount() ? [`${this.rejectedCount()} rejected by the seed filter (${this.rejectedReasons()}; --no-seed-filter keeps them)`] : []),
    ];
    throw new UserError(`${file}: no usable seed: ${why.join("; ")}`);
  }
}

/** Usable seeds of a list of sessions (see SeedCollector). */
export function usableSeeds(sessions: Iterable<Session>): Seed[] {
  const c = new SeedCollector();
  for (const s of sessions) c.add(s);
  return c.seeds;
}

/** Sample `limit` seeds reproducibly: a seeded shuffle, then the first `limit` (so a larger limit extends a smaller). */
export function sampleSeeds(seeds: ReadonlyArray<Seed>, limit: number | undefined, seed: number, file: string): Seed[] {
  const n = limit ?? seeds.length;
  if (n > seeds.length) {
    throw new UserError(`--limit ${n}: ${file} has only ${seeds.length} usable seed sessions (sessions that start with a user query)`);
  }
  return seededShuffle(seeds, seed).slice(0, n);
}
