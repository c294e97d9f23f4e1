import { describe, expect, it } from "vitest";
import { lcsLength, rougeL, rougeTokenize, selfRouge } from "../src/metrics/rouge.js";

describe("ROUGE-L (rouge-score compatible)", () => {
  it("tokenizes like rouge-score: lowercase, non-alphanumerics as spaces, no stemming", () => {
    expect(rougeTokenize("Hello, World! It's 2024.")).toEqual(["hello", "world", "it", "s", "2024"]);
    expect(rougeTokenize("running runs")).toEqual(["running", "runs"]);
    // Non-ASCII letters are dropped, as in rouge-score's default tokenizer.
    expect(rougeTokenize("café ünïcode 中文")).toEqual(["caf", "n", "code"]);
    expect(rougeTokenize("  ...  ")).toEqual([]);
  });

  it("computes LCS", () => {
    expect(lcsLength([1, 2, 3, 4], [2, 4])).toBe(2);
    expect(lcsLength([1, 2, 3], [])).toBe(0);
    expect(lcsLength([1, 3, 2, 4, 5], [3, 1, 4, 5, 2])).toBe(3);
  });

  it("matches hand-computed F1", () => {
    // LCS("the cat sat on the mat", "the cat on the mat") = 5; P = 5/5, R = 5/6, F = 10/11.
    const s = rougeL("the cat sat on the mat", "the cat on the mat");
    expect(s.precision).toBeCloseTo(1, 12);
    expect(s.recall).toBeCloseTo(5 / 6, 12);
    expect(s.fmeasure).toBeCloseTo(10 / 11, 12);
    expect(rougeL("", "anything").fmeasure).toBe(0);
    expect(rougeL("a b c", "d e f").fmeasure).toBe(0);
    expect(rougeL("Same Text", "same, text!").fmeasure).toBe(1);
  });

  it("Self-ROUGE is the mean over all query pairs", () => {
    // pairs: (a b c d, a b) LCS 2 -> P 1, R .5, F 2/3; (a b c d, c d e f) LCS 2 -> F .5; (a b, c d e f) -> 0
    const v = selfRouge(["a b c d", "a b", "c d e f"]);
    expect(v).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
    expect(selfRouge(["only one"])).toBeUndefined();
  });
});
