import { describe, expect, it } from "vitest";
import { DEFAULT_FILTER_CONFIG, filterQuery, longestCommonRun, luhnValid, sensitiveReason } from "../src/collect/filters.js";

describe("query filters (section 3.2)", () => {
  it("rejects empty and too-short queries", () => {
    expect(filterQuery("", []).reason).toBe("empty");
    expect(filterQuery("   ", []).reason).toBe("empty");
    expect(filterQuery("ok thanks", []).reason).toBe("too-short");
    expect(filterQuery("What about them?", []).ok).toBe(true);
  });

  it("rejects queries repeating an earlier one by ROUGE-L >= threshold", () => {
    const earlier = ["How do I make the function asynchronous in Python?"];
    const d = filterQuery("How do I make this function asynchronous in Python?", earlier);
    expect(d.reason).toBe("repetitive");
    expect(d.detail).toMatch(/ROUGE-L 0\.\d+ vs query 1/);
    expect(filterQuery("What is the difference between async with and await?", earlier).ok).toBe(true);
    // The threshold is configurable.
    expect(filterQuery("How do I make this function asynchronous in Python?", earlier, { ...DEFAULT_FILTER_CONFIG, maxRougeL: 0.95 }).ok).toBe(true);
  });

  it("rejects sensitive information", () => {
    expect(filterQuery("Please email me at john.doe@example.com about it", []).reason).toBe("sensitive-email");
    expect(filterQuery("Call me on +1 415-555-0132 tomorrow please", []).reason).toBe("sensitive-phone");
    expect(filterQuery("My card is 4111 1111 1111 1111, is it valid?", []).reason).toBe("sensitive-card");
    expect(filterQuery("What is my social security number used for?", []).reason).toBe("sensitive-term");
  });

  it("does not flag ordinary numbers, math or years", () => {
    for (const q of [
      "What is 1234 * 5678 and how do you compute it?",
      "Summarize the events between 1990-2000 in Europe.",
      "Sort the array [3, 1, 2] and explain each step.",
      "Compute 12345678901 mod 97, please.",
    ]) {
      expect(sensitiveReason(q, DEFAULT_FILTER_CONFIG.blocklist).ok, q).toBe(true);
    }
  });

  it("rejects role-marker leaks from the simulator", () => {
    expect(filterQuery("Tell me more [ASSISTANT] Sure, here is", []).reason).toBe("role-leak");
  });

  it("rejects a query that copies the response it follows (echo); a short quote asked about passes", () => {
    // Seen with SmolLM2-135M-Instruct as an untrained B.1 simulator: it continued the assistant's text.
    const response =
      "Good morning, I'm here to help you optimize your business plan. In today's competitive market, I'm here to help you create a business plan that will help you achieve your goals.";
    const echo = "create a business plan that will help you achieve your goals. That's a great summary. I like it.";
    const d = filterQuery(echo, [], DEFAULT_FILTER_CONFIG, response);
    expect(d.ok).toBe(false);
    expect(d.reason).toBe("echo");
    expect(d.detail).toMatch(/^11 of 19 tokens copied/);
    expect(filterQuery("What do you mean by 'optimize your business plan'? Which parts of it?", [], DEFAULT_FILTER_CONFIG, response).ok).toBe(true);
    expect(filterQuery(echo, [], { ...DEFAULT_FILTER_CONFIG, minEchoWords: 0 }, response).ok).toBe(true);
    expect(filterQuery(echo, [], DEFAULT_FILTER_CONFIG).ok).toBe(true);
    expect(longestCommonRun(["a", "b", "c", "d"], ["x", "b", "c", "d", "y"])).toBe(3);
    expect(longestCommonRun([], ["a"])).toBe(0);
  });

  it("checks card numbers with Luhn", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });
});
