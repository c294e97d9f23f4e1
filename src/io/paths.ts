/**
 * Output paths checked before anything is written (issue 12, items 11 and 13): `--out` must not be one of the
 * command's inputs, must be writable, and every file-system error becomes one clear line (a UserError, exit 1).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./errors.js";

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "is a directory, expected a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EEXIST: "already exists",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  EIO: "input/output error",
  EFBIG: "file too large",
};

/**
 * One line for a file-system error: `FILE: DOING: WHAT (CODE)`, e.g.
 * `runs/x.jsonl: cannot write the output: read-only file system (EROFS)`. A UserError passes through unchanged.
 * @param doing what was being done, e.g. "cannot write the output".
 */
export function fileSystemError(err: unknown, file: string, doing: string): UserError {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const what = code ? `${ERRNO_TEXT[code] ?? (err as Error).message} (${code})` : String((err as Error)?.message ?? err);
  return new UserError(`${file}: ${doing}: ${what}`, { cause: err });
}

/** Whether two paths name the same file: same device and inode, or the same real path. False when either is absent. */
export function sameFile(a: string, b: string): boolean {
  let sa: fs.Stats;
  let sb: fs.Stats;
  try {
    sa = fs.statSync(a);
    sb = fs.statSync(b);
  } catch {
    return false;
  }
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** A command's input files by the flag that gave them (`{"--seeds": file, "--answers": [a, b], "sessions": f}`). */
export type InputFiles = Record<string, string | ReadonlyArray<string> | undefined>;

/**
 * Refuse an output that is one of the inputs (same device and inode, or same real path, so links and `./x` are
 * caught), before anything is written.
 * @throws UserError `--out X is the same file as the input --seeds Y; write the output to another file`.
 */
export function refuseOutputIsInput(out: string, inputs: InputFiles, outFlag = "--out"): void {
  for (const [flag, v] of Object.entries(inputs)) {
    const files = v === undefined ? [] : typeof v === "string" ? [v] : v;
    for (const f of files) {
      if (path.resolve(f) === path.resolve(out) || sameFile(f, out)) {
        throw new UserError(`${outFlag} ${out} is the same file as the input ${flag} ${f}; write the output to another file`);
      }
    }
  }
}

/**
 * Check that `out` can be written as an append-only output before any model call: its folder exists or can be
 * created, it is not a directory, and an existing file is writable (a device or FIFO such as /dev/null: only
 * itself). Creates the folder (as the first append would).
 * @throws UserError with one line naming the path and the reason (ENOTDIR, EISDIR, EACCES, EROFS, ...).
 */
export function checkWritableOutput(out: string): void {
  const dir = path.dirname(path.resolve(out));
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fileSystemError(err, out, "cannot create the output's folder");
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fileSystemError(err, out, "cannot use the output");
  }
  if (st?.isDirectory()) throw new UserError(`${out}: is a directory, expected a file for the output`);
  try {
    if (st) fs.accessSync(out, fs.constants.W_OK);
    // A device or FIFO is written in place; a file (new, or replaced by a torn-tail repair) needs its folder.
    if (!st || st.isFile()) fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw fileSystemError(err, out, "cannot write the output");
  }
}
