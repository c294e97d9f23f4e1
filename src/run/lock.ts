/**
 * An exclusive lock on an output file, so two parrot processes never append to the same `--out` (issue 12, item 3).
 *
 * The lock is a sidecar file `OUT.lock` holding `{"pid", "host", "command", "started"}` (JSON). It is created
 * atomically: the content is written to a temp file first and then hard-linked to `OUT.lock` (link(2) fails with
 * EEXIST when the lock exists), so a lock file is never seen empty. It is removed when the output is closed, when
 * the process exits (an `exit` handler), and by `releaseAllLocks()` (the CLI calls it after every command).
 *
 * Stale locks: a lock whose `host` is this machine and whose `pid` is not a running process (kill(pid, 0) gives
 * ESRCH) was left by a crash (`kill -9`, power loss) and is taken over with a note on stderr. A lock held by a live
 * process, or by another host (it cannot be checked), makes `acquireOutputLock` throw a UserError naming the PID:
 * the second process exits 1 at once, before reading or writing anything. A PID reused by an unrelated process
 * after a reboot looks alive: the message says to remove the lock file when no parrot process is writing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { fileSystemError } from "../io/paths.js";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  /** e.g. "parrot collect" */
  command: string;
  /** ISO time the lock was taken. */
  started: string;
}

/** A lock held by this process; `release()` removes the lock file (idempotent). */
export interface OutputLock {
  file: string;
  release(): void;
}

const held = new Map<string, OutputLock>();
let exitHandler = false;

/** The lock file of an output: `OUT.lock` beside it. */
export function lockFileOf(out: string): string {
  return `${out}.lock`;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockInfo>;
    if (typeof v.pid === "number" && typeof v.host === "string") return v as LockInfo;
  } catch {
    // unreadable or not JSON: treated as stale below
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take the exclusive lock on `out` (file `OUT.lock`), taking over a stale one (see the module comment).
 * @param command the command named in the lock, e.g. "parrot collect".
 * @param note where the take-over of a stale lock is reported (default: stderr).
 * @throws UserError (exit 1) when a live process holds the lock: `OUT is being written by another parrot process
 *   (PID N, parrot collect since T)`; UserError with one line for a file-system error (read-only, no such folder).
 */
export function acquireOutputLock(out: string, command: string, note: (line: string) => void = (l) => process.stderr.write(l + "\n")): OutputLock {
  const file = lockFileOf(out);
  const key = path.resolve(file);
  if (held.has(key)) throw new UserError(`${out}: already open for writing in this process`);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, started: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(info) + "\n", { flag: "wx" });
  } catch (err) {
    throw fileSystemError(err, out, "cannot create the lock file beside the output");
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EEXIST") {
          if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
            // No hard links on this file system: an exclusive create is the next best (content written after).
            fs.writeFileSync(file, JSON.stringify(info) + "\n", { flag: "wx" });
            break;
          }
          throw fileSystemError(err, out, "cannot create the lock file beside the output");
        }
        const other = readLock(file);
        const stale = other === undefined || (other.host === info.host && (!alive(other.pid) || (other.pid === process.pid && !held.has(key))));
        if (!stale || attempt >= 2) {
          const who = other ? `PID ${other.pid}${other.host !== info.host ? ` on ${other.host}` : ""}, ${other.command} since ${other.started}` : "unknown process";
          throw new UserError(
            `${out} is being written by another parrot process (${who}); wait for it to finish or use another --out ` +
              `(if no parrot process is writing it, remove ${file})`,
          );
        }
        note(`parrot: taking over the stale lock ${file} (${other ? `PID ${other.pid} is not running` : "unreadable"}; left by a crash)`);
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const lock: OutputLock = {
    file,
    release() {
      if (held.get(key) !== lock) return;
      held.delete(key);
      // Remove only our own lock (a stale-lock take-over by another process may have replaced it).
      const cur = readLock(file);
      if (cur && cur.pid === info.pid && cur.started === info.started) fs.rmSync(file, { force: true });
    },
  };
  held.set(key, lock);
  if (!exitHandler) {
    exitHandler = true;
    process.on("exit", releaseAllLocks);
  }
  return lock;
}

/** Release every lock this process holds (the CLI calls it when a command ends, also on error). */
export function releaseAllLocks(): void {
  for (const lock of [...held.values()]) {
    try {
      lock.release();
    } catch {
      // best effort at exit
    }
  }
}
