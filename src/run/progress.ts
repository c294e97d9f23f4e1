/**
 * Progress for long runs: a bar on a TTY (done/total, rate, tokens, ETA) via cli-progress, and a plain line every
 * `intervalMs` otherwise (CI logs, pipes). Writes to stderr so stdout stays clean for data.
 */
import cliProgress from "cli-progress";

export interface ProgressOptions {
  label: string;
  total: number;
  /** Unit of `total`, e.g. "sessions", "answers", "judgments". */
  unit: string;
  /** Force plain lines even on a TTY (tests). */
  plain?: boolean;
  /** Plain-line period, ms. Default 10 s. */
  intervalMs?: number;
  stream?: NodeJS.WriteStream;
  /** Already done before this run (resume): counted in done/total but not in the rate. */
  initial?: number;
}

function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export class Progress {
  private done: number;
  private tokens = 0;
  private requests = 0;
  private readonly start = Date.now();
  private readonly opts: ProgressOptions;
  private readonly bar?: cliProgress.SingleBar;
  private timer?: NodeJS.Timeout;
  private readonly stream: NodeJS.WriteStream;

  constructor(opts: ProgressOptions) {
    this.opts = opts;
    this.done = opts.initial ?? 0;
    this.stream = opts.stream ?? process.stderr;
    const tty = !opts.plain && Boolean(this.stream.isTTY) && !process.env.CI;
    if (tty) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${opts.label} [{bar}] {value}/{total} ${opts.unit} | {rate} req/s | {tokens} tok | ETA {etaText}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(opts.total, this.done, { rate: "0.0", tokens: 0, etaText: "?" });
    } else {
      this.timer = setInterval(() => this.printLine(), opts.intervalMs ?? 10_000);
      this.timer.unref();
    }
  }

  private eta(): number {
    const elapsed = (Date.now() - this.start) / 1000;
    const newly = this.done - (this.opts.initial ?? 0);
    if (newly <= 0) return NaN;
    return ((this.opts.total - this.done) * elapsed) / newly;
  }

  private payload() {
    const elapsed = Math.max(1e-3, (Date.now() - this.start) / 1000);
    return { rate: (this.requests / elapsed).toFixed(1), tokens: this.tokens, etaText: fmtDuration(this.eta()) };
  }

  /** Plain status line (also used for the non-TTY periodic output). */
  line(): string {
    const p = this.payload();
    return `${this.opts.label}: ${this.done}/${this.opts.total} ${this.opts.unit}, ${p.rate} req/s, ${p.tokens} tokens, elapsed ${fmtDuration((Date.now() - this.start) / 1000)}, ETA ${p.etaText}`;
  }

  private printLine() {
    this.stream.write(this.line() + "\n");
  }

  /** Count finished units. */
  tick(n = 1): void {
    this.done += n;
    this.bar?.update(this.done, this.payload());
  }

  /** Count one finished request and its tokens. */
  request(tokens: number): void {
    this.requests++;
    this.tokens += tokens;
    this.bar?.update(this.done, this.payload());
  }

  /** Print a message without breaking the bar. */
  log(message: string): void {
    if (this.bar) {
      this.stream.write("\r\x1b[K" + message + "\n");
      this.bar.update(this.done, this.payload());
    } else this.stream.write(message + "\n");
  }

  private stopped = false;

  /** Stop the bar (or print a last plain line). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.bar) {
      this.bar.stop();
      this.stream.write("\n");
    } else this.printLine();
  }
}
