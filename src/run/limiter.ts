/**
 * Bounds the model requests in flight across a whole command, and adapts: a 429 halves the limit
 * (multiplicative decrease), and every `limit` successes raise it by one again up to the configured maximum
 * (additive increase), so a rate-limited endpoint is kept busy without being hammered.
 * Built on p-queue, whose concurrency can change while it runs.
 */
import PQueue from "p-queue";

export class RequestLimiter {
  readonly max: number;
  private readonly queue: PQueue;
  private successes = 0;
  /** Times the limit was lowered because of 429s. */
  decreases = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
    this.max = max;
    this.queue = new PQueue({ concurrency: max });
  }

  /** Current in-flight limit. */
  get limit(): number {
    return this.queue.concurrency;
  }

  /** Run one request under the limit. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.add(async () => {
      const out = await fn();
      this.onSuccess();
      return out;
    }) as Promise<T>;
  }

  /** Report a 429 (called from the HTTP engine's retry hook). */
  onRateLimited(): void {
    const next = Math.max(1, Math.floor(this.queue.concurrency / 2));
    if (next < this.queue.concurrency) {
      this.queue.concurrency = next;
      this.decreases++;
    }
    this.successes = 0;
  }

  private onSuccess(): void {
    if (this.queue.concurrency >= this.max) return;
    this.successes++;
    if (this.successes >= this.queue.concurrency) {
      this.successes = 0;
      this.queue.concurrency = Math.min(this.max, this.queue.concurrency + 1);
    }
  }
}

/**
 * Run `worker` over `items` with at most `concurrency` workers active; items are pulled lazily so memory stays
 * flat for any number of items. Rejects with the first worker error after in-flight workers settle.
 */
export async function runPool<T>(items: Iterable<T>, concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  let failed: unknown;
  let hasFailed = false;
  const next = async (): Promise<void> => {
    for (;;) {
      if (hasFailed) return;
      const r = it.next();
      if (r.done) return;
      try {
        await worker(r.value);
      } catch (err) {
        if (!hasFailed) {
          hasFailed = true;
          failed = err;
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => next()));
  if (hasFailed) throw failed;
}
