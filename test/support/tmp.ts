/**
 * Temporary folders that clean up after themselves: `tempDir(prefix)` makes a fresh folder under os.tmpdir() and
 * removes it (recursively) after the test file's last test. Set PARROT_KEEP_TMP=1 to keep them for a look.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];

// Registered when a test file imports this module, so it runs after that file's tests.
afterAll(() => {
  if (process.env.PARROT_KEEP_TMP) return;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A new empty folder `<tmpdir>/<prefix>XXXXXX`, removed after this test file. */
export function tempDir(prefix = "parrot-test-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
