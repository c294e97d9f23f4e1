/**
 * The report in a real browser: `parrot report` (built CLI) on the real judgments, the 31 answer files, the questions
 * and reference answers, a real session file and a pairs file with hostile text; the page is opened from disk
 * (file://) in headless Debian Chromium driven by playwright-core. Checks: charts drawn, every model present, no
 * console errors, no request other than file://, escaping, the views' controls; screenshots at desktop and phone
 * width are saved to a temp folder (printed) for people to look at.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { runCli, SHARED } from "./support/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`report browser tests SKIPPED: ${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium; .ci/run does this)`);
}

const MT = path.join(SHARED, "data/mt_bench");
const JUDGMENTS = path.join(MT, "model_judgment_local/gpt-4_single.don-tpanic-FastChat.jsonl");
const ANSWER_DIR = path.join(MT, "model_answer");
const SESSIONS = path.join(SHARED, "data/dialogues/oasst_en_100_tree.jsonl");
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

let tmp: string;
let shots: string;
let pageUrl: string;
let browser: Browser;
let models: string[];
let kb: number;

async function open(width: number, height: number, hash = ""): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pageUrl + hash);
  await page.waitForFunction("window.__parrotReady === true", null, { timeout: 20_000 });
  return { page, errors, requests };
}

describe.skipIf(!haveChromium)("report in headless Chromium", () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-report-browser-"));
    shots = path.join(tmp, "screenshots");
    fs.mkdirSync(shots);
    const pairs = path.join(tmp, "pairs.jsonl");
    const strategies = ["context-neglect", "context-hallucination", "context-misunderstanding"];
    fs.writeFileSync(
      pairs,
      strategies
        .flatMap((strategy, i) => [0, 1].map((j) => ({
          id: `p${i}-${j}`,
          session_id: `s${i}`,
          turn: 2,
          strategy,
          prompt: [
            { role: "user", content: "Tell me about Paris." },
            { role: "assistant", content: "Paris is the capital of France." },
            { role: "user", content: "What is its population?" },
          ],
          chosen: `About 2.1 million people live in Paris proper. ${HOSTILE}`,
          rejected: `Which city do you mean? (${strategy})`,
          meta: { model: "test" },
        })))
        .map((p) => JSON.stringify(p))
        .join("\n") + "\n",
    );
    const answers = fs.readdirSync(ANSWER_DIR).map((f) => path.join(ANSWER_DIR, f));
    models = [
      ...new Set([
        ...fs.readFileSync(JUDGMENTS, "utf8").trim().split("\n").map((l) => JSON.parse(l).model as string),
        ...answers.map((f) => JSON.parse(fs.readFileSync(f, "utf8").split("\n")[0]).model_id as string),
      ]),
    ];
    const out = path.join(tmp, "report");
    const r = await runCli(
      ["report", "--judgments", JUDGMENTS, "--answers", ...answers, "--questions", path.join(MT, "question.jsonl"), "--references", path.join(MT, "reference_answer_gpt-4.jsonl"),
        "--sessions", SESSIONS, "--max-sessions", "60", "--pairs", pairs, "--out", out],
      { timeoutMs: 120_000 },
    );
    expect(r.stderr + r.stdout).not.toContain("error");
    expect(r.code).toBe(0);
    const file = path.join(out, "index.html");
    kb = fs.statSync(file).size / 1024;
    pageUrl = "file://" + file;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (shots) console.log(`report screenshots in ${shots} (page ${kb?.toFixed(0)} KB)`);
  });

  it("benchmark view: Table 3 with intervals, both charts drawn, every model present, no errors, file:// only", async () => {
    expect(models.length).toBe(36);
    const { page, errors, requests } = await open(1366, 900);
    const rows = await page.$$eval("#bench-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c as any).innerText.replace(/\s+/g, " ").trim())));
    expect(rows.length).toBe(5);
    expect(rows[0][0]).toBe("llama2_chat_7b");
    expect(rows[0][1]).toMatch(/^6\.19 ★ \[\d\.\d\d, \d\.\d\d\]$/);
    expect(rows.every((r) => r[4] === "–" && r[5] === "–" && r[6] === "160" && r[7] === "0")).toBe(true);
    for (const id of ["#chart-turns", "#chart-categories"]) {
      const box = await page.$eval(id, (el) => {
        const svg = el.querySelector("svg");
        const r = el.getBoundingClientRect();
        return { svg: !!svg, paths: svg ? svg.querySelectorAll("path").length : 0, text: svg ? svg.textContent ?? "" : "", w: r.width, h: r.height };
      });
      expect(box.svg).toBe(true);
      expect(box.w).toBeGreaterThan(200);
      expect(box.h).toBeGreaterThan(200);
      expect(box.paths).toBeGreaterThan(20);
      expect(box.text).toContain("llama2_7b");
    }
    expect(await page.$eval("#chart-categories svg", (s) => s.textContent)).toContain("humanities");
    const index = await page.$eval("#model-index", (el) => el.textContent ?? "");
    for (const m of models) expect(index).toContain(m);
    await page.screenshot({ path: path.join(shots, "benchmark-desktop.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  });

  it("answers & judgments: every chosen model side by side per turn with score, explanation and reference", async () => {
    const { page, errors, requests } = await open(1366, 900, "#browse/n:111");
    const turns = await page.$$eval("section.turn", (ss) => ss.length);
    expect(turns).toBe(2);
    const cards = await page.$$eval("section.turn:first-of-type article.card", (cs) =>
      cs.map((c) => ({ model: c.getAttribute("data-model"), score: c.querySelector(".score")?.textContent, judge: c.querySelector("details.judge .prose")?.textContent ?? "" })),
    );
    expect(cards.length).toBe(4);
    for (const c of cards) {
      expect(c.score).toMatch(/^score \d+(\.\d+)?\/10$/);
      expect(c.judge).toMatch(/Rating: \[\[\d+\]\]/);
    }
    expect(await page.$eval("section.turn .ref", (el) => el.textContent)).toContain("Reference answer (gpt-4)");
    // Choose another model (an answer file, not judged): its column appears with its answer.
    await page.click("details.models summary");
    await page.click("label:has-text('gpt-3.5-turbo') input");
    expect(await page.$$eval("section.turn:first-of-type article.card", (cs) => cs.map((c) => c.getAttribute("data-model")))).toContain("gpt-3.5-turbo");
    expect(await page.$eval("article.card[data-model='gpt-3.5-turbo'] .body", (el) => el.textContent)).toMatch(/\w{3,}/);
    // Picking a question in the list shows its turns (question 81 is the first of MT-Bench).
    await page.selectOption("#question-select", { label: await page.$eval("#question-select option:first-child", (o) => o.textContent ?? "") });
    await page.waitForFunction('decodeURIComponent(location.hash) === "#browse/n:81"');
    expect(await page.$eval("section.turn .query", (q) => q.textContent)).toContain("Compose an engaging travel blog post about a recent trip to Hawaii");
    expect(await page.$$eval("section.turn:first-of-type article.card", (cs) => cs.length)).toBe(5);
    await page.screenshot({ path: path.join(shots, "answers-desktop.png") });
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    await page.close();
  });

  it("dataset view: Table 1, histogram drawn, context-dependent queries marked with cues", async () => {
    const { page, errors } = await open(1366, 900, "#dataset");
    const cells = await page.$$eval("#dataset-table tbody td", (tds) => tds.map((t) => t.textContent));
    expect(cells.length).toBe(4);
    expect(Number(cells[0])).toBeGreaterThan(100);
    expect(await page.$$eval("#chart-histogram svg path", (p) => p.length)).toBeGreaterThan(5);
    expect(await page.$$eval(".msg.ctx", (m) => m.length)).toBeGreaterThan(0);
    expect(await page.$eval(".msg.ctx .cues", (c) => c.textContent)).toMatch(/cues: .*(anaphora|ellipsis|backref)/);
    await page.screenshot({ path: path.join(shots, "dataset-desktop.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pairs view: chosen and rejected side by side, filtered by strategy, text never run as HTML", async () => {
    const { page, errors } = await open(1366, 900, "#pairs");
    expect(await page.$$eval("article.pair", (a) => a.length)).toBe(6);
    await page.selectOption("#strategy-select", "context-hallucination");
    const shown = await page.$$eval("article.pair", (a) => a.map((p) => p.getAttribute("data-strategy")));
    expect(shown).toEqual(["context-hallucination", "context-hallucination"]);
    expect(await page.$eval("article.pair .side.chosen", (s) => s.textContent)).toContain(HOSTILE);
    expect(await page.$eval("article.pair .side.rejected", (s) => s.textContent)).toContain("Which city do you mean? (context-hallucination)");
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(await page.$$eval("main img, main script", (x) => x.length)).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("phone width: no sideways page scroll, charts fit, answers stack", async () => {
    for (const [hash, name] of [["", "benchmark-phone.png"], ["#browse/n:81", "answers-phone.png"], ["#pairs", "pairs-phone.png"]] as const) {
      const { page, errors } = await open(390, 844, hash);
      const fit = (await page.evaluate("({ doc: document.documentElement.scrollWidth, win: window.innerWidth })")) as { doc: number; win: number };
      expect(fit.doc).toBeLessThanOrEqual(fit.win);
      if (hash === "") {
        const w = await page.$eval("#chart-turns", (el) => el.getBoundingClientRect().width);
        expect(w).toBeLessThanOrEqual(390);
        expect(w).toBeGreaterThan(300);
      }
      if (hash.startsWith("#browse")) {
        const xs = await page.$$eval("section.turn:first-of-type article.card", (cs) => cs.map((c) => Math.round(c.getBoundingClientRect().left)));
        expect(new Set(xs).size).toBe(1);
      }
      await page.screenshot({ path: path.join(shots, name) });
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
