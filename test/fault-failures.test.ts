/**
 * src/run/failures.ts: the one way model-calling commands skip work items whose model calls failed for good after
 * transient errors (counted by reason, logged, nothing written) and abort on anything else.
 */
import { describe, expect, it } from "vitest";
import { ModelCallError } from "../src/llm/errors.js";
import { EXIT_INCOMPLETE, IncompleteRunError, ItemFailures } from "../src/run/failures.js";
import { runPool } from "../src/run/limiter.js";
import { runCliInProcess as runCli } from "./support/cli.js";

const transient = (reason: string) => new ModelCallError(`m: request failed after 6 attempt(s): ${reason}`, { reason, transient: true });

describe("ItemFailures", () => {
  it("skips items with transient failures, counts them by reason, and the pool finishes every other item", async () => {
    const lines: string[] = [];
    const skipped: number[] = [];
    const f = new ItemFailures({ command: "parrot x", unit: "items", log: (l) => lines.push(l) });
    const done: number[] = [];
    const reasons: Record<number, string> = { 2: "500", 5: "timeout", 7: "500" };
    await runPool(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      f.wrap(
        (i) => `item ${i}`,
        async (i) => {
          await new Promise((r) => setTimeout(r, 1));
          if (reasons[i]) throw transient(reasons[i]);
          done.push(i);
        },
        (i) => skipped.push(i),
      ),
    );
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 6, 8, 9]);
    expect(skipped.sort()).toEqual([2, 5, 7]);
    expect(f.count).toBe(3);
    expect(f.byReason).toEqual({ "500": 2, timeout: 1 });
    expect(lines).toHaveLength(3);
    expect(lines).toContain("parrot x: item 5 failed (timeout); rerun the same command to retry it");
    const err = f.incomplete();
    expect(err).toBeInstanceOf(IncompleteRunError);
    expect(err!.exitCode).toBe(EXIT_INCOMPLETE);
    expect(err!.message).toBe("incomplete: 3 items failed after retries (500: 2, timeout: 1); rerun the same command to retry them (finished items are kept)");
  });

  it("rethrows permanent model errors and other errors, so runPool aborts the run", async () => {
    const f = new ItemFailures({ command: "parrot x", unit: "items", log: () => {} });
    const permanent = new ModelCallError("m: request failed after 1 attempt(s): 401", { reason: "401", transient: false });
    await expect(runPool([1, 2], 1, f.wrap(String, async () => { throw permanent; }))).rejects.toBe(permanent);
    const bug = new TypeError("bug");
    await expect(f.wrap(String, async () => { throw bug; })(1)).rejects.toBe(bug);
    expect(f.count).toBe(0);
    expect(f.incomplete()).toBeUndefined();
  });
});

describe("exit-code contract in --help", () => {
  it("every model-calling command documents 0 / 1 / 3", async () => {
    const commands = [["collect"], ["capo"], ["context", "detect"], ["bench", "answer"], ["bench", "judge"]];
    const results = await Promise.all(commands.map((c) => runCli([...c, "--help"], {})));
    results.forEach((r, i) => {
      expect(r.code, commands[i].join(" ")).toBe(0);
      expect(r.stdout, commands[i].join(" ")).toMatch(/Exit codes:\n\s+0 {2}done[^\n]*\n\s+1 {2}aborted[^\n]*\n\s+3 {2}incomplete: some items failed after retries/);
    });
  });
});
