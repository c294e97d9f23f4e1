/** JSONL files in tests: read leniently (`readJsonl`) or strictly (`readStrictJsonl`), and write (`writeJsonl`). */
import * as fs from "node:fs";

/** The rows of a JSONL file; blank lines are skipped. */
export function readJsonl(file: string): any[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/**
 * Read a JSONL output strictly: every line must be a complete JSON object and the file must end with a newline
 * (no torn line). Returns the parsed rows.
 */
export function readStrictJsonl(file: string): any[] {
  const text = fs.readFileSync(file, "utf8");
  if (text.length > 0 && !text.endsWith("\n")) throw new Error(`${file}: torn last line`);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
    });
}

/** Write `rows` as JSONL, one JSON object a line, ending with a newline. */
export function writeJsonl(file: string, rows: unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}
