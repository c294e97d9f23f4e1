/**
 * JSONL reading and line-atomic appending.
 *
 * Outputs of model-calling commands are append-only JSONL: each finished record is written with a single
 * `write(2)` of one complete line, so a `kill -9` can never leave half a record from a finished call.
 * On open, a torn tail left by some other writer (no trailing newline) is cut back to the last newline,
 * so reruns resume from whole records only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { InputError, UserError, formatFieldPath } from "./errors.js";

/** One parsed JSONL record with its 1-based line number. */
export interface JsonlRecord {
  line: number;
  value: unknown;
}

/** Longest line any JSONL reader accepts, bytes: a stream with no newline (`/dev/zero`) stops here. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Largest whole-file input (a JSON array, a blocklist), bytes: V8 strings cannot hold much more. */
export const MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024;

const MIB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);

function openForRead(file: string): number {
  try {
    const fd = fs.openSync(file, "r");
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new UserError(`${file}: is a directory, expected a file`);
    }
    return fd;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such file`);
    if (code === "EISDIR") throw new UserError(`${file}: is a directory, expected a file`);
    throw new UserError(`${file}: cannot read (${code ?? String(err)})`);
  }
}

/** Block the thread for `ms` (a non-blocking pipe with no data yet). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One input opened once and read once, front to back, in chunks: a regular file, a pipe (`<(cmd)`, `/dev/stdin`),
 * a FIFO or a device all read the same way, and nothing is lost between sniffing the format and reading the records
 * (the bytes looked at are kept and handed on). Use `firstNonSpace()` to sniff, then one of `lines()` or `text()`.
 */
export class InputFile {
  readonly file: string;
  private fd: number | undefined;
  private readonly chunkSize: number;
  /** Bytes read ahead (by firstNonSpace) and not yet handed on. */
  private pending: Buffer[] = [];
  private eof = false;

  /** @throws UserError for a missing, unreadable or directory path. */
  constructor(file: string, chunkSize = 1 << 20) {
    this.file = file;
    this.chunkSize = chunkSize;
    this.fd = openForRead(file);
  }

  /** The next chunk (read-ahead first), or undefined at the end. Retries EAGAIN/EINTR on a non-blocking pipe. */
  private next(): Buffer | undefined {
    if (this.pending.length) return this.pending.shift();
    if (this.eof || this.fd === undefined) return undefined;
    const buf = Buffer.allocUnsafe(this.chunkSize);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EINTR") {
          sleepSync(5);
          continue;
        }
        throw new UserError(`${this.file}: cannot read (${code ?? String(err)})`);
      }
      if (n === 0) {
        this.eof = true;
        return undefined;
      }
      return buf.subarray(0, n);
    }
  }

  /** First non-whitespace character ("" for an empty input), reading ahead only as far as needed. */
  firstNonSpace(): string {
    const seen: Buffer[] = [];
    let found = "";
    for (;;) {
      const b = this.next();
      if (!b) break;
      seen.push(b);
      const m = /\S/.exec(b.toString("latin1"));
      if (m) {
        found = m[0];
        break;
      }
    }
    this.pending = [...seen, ...this.pending];
    return found;
  }

  /**
   * The lines (1-based numbers, without the newline; a trailing "\r" kept), each decoded as strict UTF-8.
   * Memory stays bounded by the longest line.
   * @throws InputError(line) for invalid UTF-8 or a line longer than `maxLineBytes` (default MAX_LINE_BYTES).
   */
  *lines(maxLineBytes = MAX_LINE_BYTES): Generator<{ line: number; text: string }> {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const decode = (b: Buffer, line: number) => {
      try {
        return decoder.decode(b);
      } catch {
        throw new InputError(this.file, line, undefined, "not valid UTF-8 text");
      }
    };
    const tooLong = (line: number) =>
      new InputError(this.file, line, undefined, `line longer than ${sizeText(maxLineBytes)} (no newline); not a JSONL file?`);
    let carry: Buffer[] = [];
    let carried = 0;
    let line = 1;
    for (let buf = this.next(); buf; buf = this.next()) {
      let start = 0;
      for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
        if (carried + i - start > maxLineBytes) throw tooLong(line);
        const piece = buf.subarray(start, i);
        const whole = carry.length ? Buffer.concat([...carry, piece]) : piece;
        carry = [];
        carried = 0;
        yield { line, text: decode(whole, line) };
        line++;
        start = i + 1;
      }
      if (start < buf.length) {
        carried += buf.length - start;
        if (carried > maxLineBytes) throw tooLong(line);
        carry.push(Buffer.from(buf.subarray(start)));
      }
    }
    if (carry.length) yield { line, text: decode(Buffer.concat(carry), line) };
  }

  /**
   * The whole rest of the input as strict UTF-8 text.
   * @throws InputError for invalid UTF-8 (naming the line) or an input over `maxBytes` (default MAX_WHOLE_FILE_BYTES).
   */
  text(maxBytes = MAX_WHOLE_FILE_BYTES): string {
    const parts: Buffer[] = [];
    let total = 0;
    for (let b = this.next(); b; b = this.next()) {
      total += b.length;
      if (total > maxBytes) throw new InputError(this.file, undefined, undefined, `larger than ${sizeText(maxBytes)}, too large to read whole (write it as JSONL, one record a line)`);
      parts.push(Buffer.from(b));
    }
    const buf = Buffer.concat(parts);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buf);
    } catch {
      let line = 1;
      let start = 0;
      const decoder = new TextDecoder("utf-8", { fatal: true });
      for (let i = 0; i <= buf.length; i++) {
        if (i === buf.length || buf[i] === 0x0a) {
          try {
            decoder.decode(buf.subarray(start, i));
          } catch {
            throw new InputError(this.file, line, undefined, "not valid UTF-8 text");
          }
          line++;
          start = i + 1;
        }
      }
      throw new InputError(this.file, undefined, undefined, "not valid UTF-8 text");
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Read a whole text file (read once, streaming; pipes and FIFOs work) as UTF-8, rejecting invalid byte sequences.
 * @throws UserError when the file is missing or unreadable, InputError(line) on non-UTF-8 bytes, InputError when
 *   larger than MAX_WHOLE_FILE_BYTES.
 */
export function readTextFile(file: string): string {
  const input = new InputFile(file);
  try {
    return input.text();
  } finally {
    input.close();
  }
}

/**
 * Parse JSONL text. Blank lines are skipped. A line that is not JSON is an InputError naming file and line.
 * @param file name used in error messages.
 */
export function parseJsonl(text: string, file: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const rec = parseLine(lines[i], i + 1, file);
    if (rec) out.push(rec);
  }
  return out;
}

/** One JSONL line parsed (a trailing "\r" dropped), undefined for a blank line. @throws InputError(line). */
export function parseLine(rawLine: string, line: number, file: string): JsonlRecord | undefined {
  const raw = rawLine.replace(/\r$/, "");
  if (raw.trim() === "") return undefined;
  try {
    return { line, value: JSON.parse(raw) };
  } catch (err) {
    throw new InputError(file, line, undefined, `not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Stream a text file line by line (1-based line numbers, without the newline), decoding each line as strict UTF-8.
 * The file is opened and read once, so pipes and FIFOs work; memory stays bounded by the longest line.
 * @throws UserError for a missing file, InputError(line) for invalid UTF-8 or a line over `maxLineBytes`
 *   (default MAX_LINE_BYTES, 64 MiB).
 */
export function* readLines(file: string, opts: { chunkSize?: number; maxLineBytes?: number } = {}): Generator<{ line: number; text: string }> {
  const input = new InputFile(file, opts.chunkSize);
  try {
    yield* input.lines(opts.maxLineBytes);
  } finally {
    input.close();
  }
}

/** Stream a JSONL file's records (blank lines skipped); see readLines. */
export function* iterateJsonl(file: string): Generator<JsonlRecord> {
  for (const { line, text } of readLines(file)) {
    const rec = parseLine(text, line, file);
    if (rec) yield rec;
  }
}

/** Read and parse a JSONL file (see parseJsonl). */
export function readJsonl(file: string): JsonlRecord[] {
  return [...iterateJsonl(file)];
}

/**
 * The records of an input that is either a JSON array or JSONL, sniffed from its first non-space character and read
 * once (pipes and FIFOs work). JSONL is streamed; a JSON array is read whole (at most MAX_WHOLE_FILE_BYTES) and its
 * elements get `line` = 1-based index in the array (messages say "record N" then).
 * @throws UserError/InputError naming the file (and line) for unreadable, non-UTF-8 or non-JSON input.
 */
export function* iterateJsonOrJsonl(file: string): Generator<JsonlRecord> {
  const input = new InputFile(file);
  try {
    if (input.firstNonSpace() === "[") {
      let value: unknown;
      try {
        value = JSON.parse(input.text());
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new InputError(file, undefined, undefined, `not valid JSON (${(err as Error).message})`);
      }
      if (!Array.isArray(value)) throw new InputError(file, undefined, undefined, "expected a JSON array");
      for (let i = 0; i < value.length; i++) yield { line: i + 1, value: value[i] };
      return;
    }
    for (const { line, text } of input.lines()) {
      const rec = parseLine(text, line, file);
      if (rec) yield rec;
    }
  } finally {
    input.close();
  }
}

/**
 * Validate one record with a zod schema; on failure throw InputError naming file, line and the first bad field.
 */
export function validateRecord<T>(schema: z.ZodType<T>, rec: JsonlRecord, file: string): T {
  const res = schema.safeParse(rec.value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new InputError(file, rec.line, formatFieldPath(issue.path) || undefined, issue.message);
}

/**
 * Read a JSONL file and validate every line; all-or-nothing (the first bad line throws).
 */
export function readValidatedJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  return readJsonl(file).map((rec) => validateRecord(schema, rec, file));
}

/**
 * Cut a torn last line (bytes after the last "\n") off an existing file. Returns the number of bytes removed.
 * Used before resuming an append-only output.
 */
export function repairTornTail(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, "r+");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = Buffer.alloc(Math.min(size, 1 << 16));
    let pos = size;
    // Scan backwards for the last newline.
    while (pos > 0) {
      const len = Math.min(chunk.length, pos);
      fs.readSync(fd, chunk, 0, len, pos - len);
      const idx = chunk.subarray(0, len).lastIndexOf(0x0a);
      if (idx >= 0) {
        const keep = pos - len + idx + 1;
        if (keep < size) fs.ftruncateSync(fd, keep);
        return size - keep;
      }
      pos -= len;
    }
    fs.ftruncateSync(fd, 0);
    return size;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Append-only JSONL writer. Each `append` is one synchronous `write(2)` of a complete line, so records are
 * never torn by a crash. The file (and its folder) are created lazily on the first append, so a command that
 * fails before producing anything leaves nothing behind.
 */
export class JsonlAppender {
  private fd: number | undefined;
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  /** Append one record as a single line. */
  append(record: unknown): void {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      repairTornTail(this.file);
      this.fd = fs.openSync(this.file, "a");
    }
    const line = JSON.stringify(record) + "\n";
    const buf = Buffer.from(line, "utf8");
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }
  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Stream the records of an append-only output (after repairing a torn tail); nothing when the file is absent. */
export function* iterateExistingOutput(file: string): Generator<JsonlRecord> {
  if (!fs.existsSync(file)) return;
  repairTornTail(file);
  yield* iterateJsonl(file);
}

/** An output being written by openAtomicOutput: write to `fd`, then `commit()` (or `abort()` on failure). */
export interface AtomicOutput {
  fd: number;
  /** Whether the target is written directly (a FIFO or character device) rather than through a temporary file. */
  direct: boolean;
  /** Close and rename the temporary file over the target. @throws UserError naming the file. */
  commit(): void;
  /** Close and remove the temporary file (the target is untouched); safe to call after a failed commit. */
  abort(): void;
}

/**
 * Open an output to be replaced atomically: a temporary file beside the target (`.NAME.PID.TIME.tmp`), renamed over
 * it by `commit()`, so readers see the old file or the new one, never half of one.
 *
 * A rename only ever replaces a regular file (or creates a new one):
 * - a FIFO or character device (`/dev/null`, `/dev/stdout`) is opened and written directly, so it works as a sink and
 *   stays what it is (a rename would replace the device node with a regular file, system-wide when run as root);
 * - a symlink is followed: the file it names is replaced, the link kept;
 * - a directory, socket or block device is refused.
 * `abort()` (and a failed `commit()`) removes the temporary file; nothing is left behind.
 * @throws UserError naming the file for a refused target or a folder that cannot be made.
 */
export function openAtomicOutput(file: string): AtomicOutput {
  let target = path.resolve(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new UserError(`${file}: cannot write (${code ?? String(err)})`);
  }
  const fail = (err: unknown, what = "cannot write") => new UserError(`${file}: ${what} (${(err as Error).message})`);
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw new UserError(`${file}: is a directory, expected a file`);
    if (st.isFIFO() || st.isCharacterDevice()) {
      let fd: number;
      try {
        fd = fs.openSync(target, "w");
      } catch (err) {
        throw fail(err);
      }
      let open = true;
      const close = () => {
        if (open) fs.closeSync(fd);
        open = false;
      };
      return { fd, direct: true, commit: close, abort: () => { try { close(); } catch { /* nothing to clean */ } } };
    }
    const what = st.isBlockDevice() ? "a block device" : st.isSocket() ? "a socket" : "not a regular file";
    throw new UserError(`${file}: is ${what}; refusing to replace it (write to a regular file, a FIFO or a character device such as /dev/null)`);
  }
  if (st) target = fs.realpathSync(target);
  const dir = path.dirname(target);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fail(err, "cannot create its folder");
  }
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, "w");
  } catch (err) {
    throw fail(err);
  }
  let open = true;
  const abort = () => {
    if (open) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already unusable */
      }
      open = false;
    }
    fs.rmSync(tmp, { force: true });
  };
  return {
    fd,
    direct: false,
    commit: () => {
      try {
        fs.closeSync(fd);
        open = false;
        fs.renameSync(tmp, target);
      } catch (err) {
        abort();
        throw fail(err, "cannot write");
      }
    },
    abort,
  };
}

/**
 * Write a whole file atomically (openAtomicOutput: temp file + rename; FIFOs and character devices such as
 * `/dev/null` written directly; directories, sockets and block devices refused), for non-append outputs such as
 * exports and configs. A failed write leaves neither a temporary file nor a changed target.
 * @throws UserError naming the file: a refused target, or a failed write with its errno (ENOSPC, EFBIG, ...).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const out = openAtomicOutput(file);
  try {
    fs.writeFileSync(out.fd, data);
  } catch (err) {
    out.abort();
    throw new UserError(`${file}: cannot write (${(err as Error).message}); nothing was written`);
  }
  out.commit();
}

/** An output written piece by piece and replaced atomically at the end (openStreamedOutput). */
export interface StreamedOutput {
  /** Append text (buffered, written 1 MB at a time). @throws UserError naming the file on a failed write; the output is aborted. */
  write(text: string): void;
  /** Flush, close and rename the temporary file over the target. @throws UserError naming the file. */
  commit(): void;
  /** Drop everything written (the target is untouched, no temporary file is left); safe to call twice. */
  abort(): void;
}

/**
 * An atomic output for commands that validate their input in the same pass as they write (streaming:
 * `context detect`, `export`, `train`): text goes to openAtomicOutput's temporary file beside the target as it is
 * produced, 1 MB at a time, and `commit()` renames it over the target, so memory does not grow with the output and
 * an error part-way (`abort()`) leaves the target as it was and no temporary file. A FIFO or character device target
 * (which openAtomicOutput writes directly) is not opened until `commit()`: its text is held in memory, so a reader of
 * the FIFO never sees half an output and bad input fails before the FIFO is opened (the old, non-streaming contract).
 * @throws UserError naming the file for a refused target (a directory, socket or block device) or a folder that
 *   cannot be made.
 */
export function openStreamedOutput(file: string): StreamedOutput {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    st = undefined;
  }
  const held = st !== undefined && (st.isFIFO() || st.isCharacterDevice());
  const out = held ? undefined : openAtomicOutput(file);
  const pieces: string[] = [];
  let buf = "";
  let closed = false;
  const fail = (err: unknown): never => {
    out?.abort();
    closed = true;
    throw new UserError(`${file}: cannot write (${(err as Error).message}); nothing was written`);
  };
  const flush = () => {
    if (!buf) return;
    if (out) {
      try {
        fs.writeSync(out.fd, buf);
      } catch (err) {
        fail(err);
      }
    } else pieces.push(buf);
    buf = "";
  };
  return {
    write(text) {
      if (closed) throw new Error(`${file}: write after commit or abort`);
      buf += text;
      if (buf.length > 1 << 20) flush();
    },
    commit() {
      if (closed) throw new Error(`${file}: commit after commit or abort`);
      flush();
      closed = true;
      if (out) return out.commit();
      // A FIFO or device: its text goes out in one write, now that all of it is known.
      writeFileAtomic(file, pieces.join(""));
    },
    abort() {
      closed = true;
      buf = "";
      pieces.length = 0;
      out?.abort();
    },
  };
}

/**
 * Write rows as JSONL through openStreamedOutput: each row is serialised as `rows` yields it, so a generator that
 * validates its input as it goes can be written without holding its rows. An error thrown by `rows` (bad input)
 * aborts the output and is rethrown as is; nothing is half written.
 * @returns the number of rows written.
 * @throws what `rows` throws; UserError naming the file on a failed write.
 */
export function writeJsonlStreamed(file: string, rows: Iterable<unknown>): number {
  const out = openStreamedOutput(file);
  let n = 0;
  try {
    for (const r of rows) {
      out.write(JSON.stringify(r) + "\n");
      n++;
    }
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
  return n;
}
