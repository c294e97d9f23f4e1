// A PNG of one view of a `parrot report` page, taken in headless Chromium (playwright-core, as
// test/report-browser.test.ts does): waits for the page script to finish (window.__parrotReady), fails on any page error.
//   node tools/report-screenshot.mjs REPORT/index.html VIEW OUT.png [WIDTH [HEIGHT]]
// VIEW is a tab id (training, simulators, cost, bench, browse, dataset, pairs); the whole view is captured.
// Chromium: /usr/bin/chromium, or $CHROMIUM.
import * as path from "node:path";
import { chromium } from "playwright-core";

const [file, view, out, width = "1100", height = "700"] = process.argv.slice(2);
if (!file || !view || !out) {
  process.stderr.write("usage: node tools/report-screenshot.mjs REPORT/index.html VIEW OUT.png [WIDTH [HEIGHT]]\n");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto("file://" + path.resolve(file) + "#" + view);
  await page.waitForFunction("window.__parrotReady === true", null, { timeout: 20_000 });
  // The sticky tab bar would cover the top of an element screenshot.
  await page.addStyleTag({ content: "header { position: static !important; }" });
  const pane = await page.$("#view-" + view);
  if (!pane || !(await pane.isVisible())) throw new Error(`the report has no "${view}" view`);
  if (errors.length) throw new Error(errors.join("; "));
  await pane.screenshot({ path: out });
  process.stdout.write(out + "\n");
} finally {
  await browser.close();
}
