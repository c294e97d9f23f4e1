/**
 * The Simulators, Training and Cost views in headless Chromium (playwright-core, as report-browser.test.ts): `parrot
 * report --simulators --training --prices` on the small fixtures (test/support/report-fixtures.ts), the page opened
 * from disk. Checks: simulator show's table with real users first, the picker's cards side by side (generated text
 * never parsed as HTML), the loss chart drawn with one line per run, the cost table, no console errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { reportWithAllViews, SIM_QUERIES } from "./support/report-fixtures.js";
import { tempDir } from "./support/tmp.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`report view browser tests SKIPPED: ${CHROMIUM} is missing`);

let browser: Browser;
let pageUrl: string;

async function open(hash: string, width = 1366): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pageUrl + hash);
  await page.waitForFunction("window.__parrotReady === true", null, { timeout: 20_000 });
  return { page, errors };
}

describe.skipIf(!haveChromium)("Simulators, Training and Cost views in headless Chromium", () => {
  beforeAll(async () => {
    const { result: r, out } = await reportWithAllViews(tempDir("parrot-report-views-"));
    expect(r.code).toBe(0);
    pageUrl = "file://" + path.join(out, "index.html");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("simulators: the table, real users first; an item's history, real query and each simulator's query side by side", async () => {
    const { page, errors } = await open("#simulators");
    expect(await page.$$eval("nav button", (bs) => bs.map((b) => b.textContent))).toEqual(["Simulators", "Training", "Cost"]);
    const rows = await page.$$eval("#simulator-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    expect(rows.map((r) => r[0])).toEqual(["real users", "ask", "prompted"]);
    expect(rows[0][2]).toBe("2");
    expect(await page.$$eval("#simulator-item-select option", (os) => os.length)).toBe(2);
    await page.selectOption("#simulator-item-select", "1");
    const cards = await page.$$eval("#simulator-items article.card", (cs) => cs.map((c) => ({ label: c.getAttribute("data-label"), text: c.querySelector(".body")?.textContent, left: Math.round(c.getBoundingClientRect().left) })));
    expect(cards.map((c) => c.label)).toEqual(["real users", "ask", "prompted"]);
    expect(cards[0].text).toBe("And in 2014?");
    expect(cards[2].text).toBe(SIM_QUERIES.prompted["a/3"]);
    expect(new Set(cards.map((c) => c.left)).size).toBe(3);
    expect(await page.$$eval("#simulator-items b", (b) => b.length)).toBe(0);
    expect(await page.$$eval("#simulator-items .msg", (ms) => ms.map((m) => m.querySelector(".who")?.textContent))).toEqual(["User · turn 1", "Assistant", "User · turn 2", "Assistant"]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("training: the summary table and the loss chart, one line per run; cost: tokens and money", async () => {
    const { page, errors } = await open("#training");
    const rows = await page.$$eval("#training-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    expect(rows).toEqual([
      ["ask", "ask", "5", "550.5", "740", "1.34", "3.3500 → 0.9300", "cpu"],
      ["capo", "capo", "3", "1038.3", "2304", "2.22", "0.6931 → 0.0994", "cpu"],
    ]);
    // echarts draws on the next frames: wait for the lines (a loaded machine takes a while), then look.
    await page.waitForFunction(() => document.querySelectorAll("#chart-loss svg path").length > 10 && !!document.querySelector("#chart-margins svg"), null, { timeout: 20_000 });
    const chart = await page.$eval("#chart-loss", (el) => ({ svg: !!el.querySelector("svg"), text: el.querySelector("svg")?.textContent ?? "", h: el.getBoundingClientRect().height }));
    expect(chart.svg).toBe(true);
    expect(chart.h).toBeGreaterThan(250);
    expect(chart.text).toContain("ask");
    expect(chart.text).toContain("capo");
    expect(chart.text).toContain("step");
    expect(await page.$$eval("#chart-loss svg path", (p) => p.length)).toBeGreaterThan(10);
    expect(await page.$$eval("#chart-margins svg", (s) => s.length)).toBe(1);
    expect(errors).toEqual([]);
    await page.click("#tab-cost");
    const cost = await page.$$eval("#cost-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    expect(cost[0].slice(0, 6)).toEqual(["prompted.next.jsonl", "simulator eval", "asker", "6", "4000", "600"]);
    expect(cost[cost.length - 1]).toEqual(["All runs", "", "", "6", "4000", "600", "0.005200 USD"]);
    await page.close();
  });
});
