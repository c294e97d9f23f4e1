/**
 * `parrot report` and `parrot view` (options in command.ts): read the inputs (inputs.ts), compute (data.ts), render
 * (html.ts) and write DIR/index.html, or serve the page with live reload (serve.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { buildReportData } from "./data.js";
import { renderReportHtml } from "./html.js";
import { loadInputs } from "./inputs.js";
import { readPrices } from "../run/prices.js";
import { startViewServer } from "./serve.js";

export interface ReportFlags {
  judgments?: string[];
  answers?: string[];
  questions?: string[];
  references?: string[];
  sessions?: string[];
  pairs?: string[];
  simulators?: string[];
  training?: string[];
  prices?: string;
  out: string;
  title?: string;
  maxSessions: number;
  maxPairs: number;
  bootstrap: number;
  seed: number;
}

export interface ViewFlags {
  port: number;
  prices?: string;
  poll: number;
  title?: string;
  maxSessions: number;
  maxPairs: number;
  bootstrap: number;
  seed: number;
}

function log(line: string): void {
  process.stderr.write(line + "\n");
}

/** Write the report of the inputs to `o.out`/index.html (everything is read and rendered first); prints its path. */
export function runReport(o: ReportFlags): void {
  const prices = readPrices(o.prices);
  const inputs = loadInputs({
    judgments: o.judgments ?? [],
    answers: o.answers ?? [],
    questions: o.questions ?? [],
    references: o.references ?? [],
    sessions: o.sessions ?? [],
    pairs: o.pairs ?? [],
    simulators: o.simulators ?? [],
    training: o.training ?? [],
  });
  const data = buildReportData(inputs, { title: o.title, maxSessions: o.maxSessions, maxPairs: o.maxPairs, resamples: o.bootstrap, seed: o.seed, prices });
  const html = renderReportHtml(data);
  // Everything is read and rendered before the folder is touched.
  if (fs.existsSync(o.out) && !fs.statSync(o.out).isDirectory()) throw new UserError(`--out ${o.out}: exists and is not a folder`);
  fs.mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, "index.html");
  writeFileAtomic(file, html);
  const kb = Buffer.byteLength(html) / 1024;
  log(`parrot report: ${data.models.length} models, ${data.questions.length} questions, ${data.bench ? data.bench.total : 0} judgments, ${data.datasets.length} session files, ${data.pairs?.total ?? 0} pairs` +
    (data.simulators.length ? `, ${new Set(data.simulators.flatMap((g) => g.labels)).size} simulators` : "") +
    (data.training.length ? `, ${data.training.length} training runs` : "") +
    (data.cost ? `, ${data.cost.total.prompt_tokens + data.cost.total.completion_tokens} tokens in ${data.cost.files.length} run manifest(s)${data.cost.totalCost ? ` (${data.cost.totalCost})` : ""}` : "") +
    `; ${kb.toFixed(0)} KB`);
  process.stdout.write(file + "\n");
}

/** Serve the report of `paths` on 127.0.0.1 until SIGINT/SIGTERM; prints the URL. */
export async function runView(paths: string[], o: ViewFlags): Promise<void> {
  if (o.port > 65535) throw new UserError(`--port ${o.port}: expected 0..65535`);
  const server = await startViewServer(paths, {
    port: o.port,
    pollMs: o.poll,
    title: o.title,
    maxSessions: o.maxSessions,
    maxPairs: o.maxPairs,
    resamples: o.bootstrap,
    seed: o.seed,
    prices: readPrices(o.prices),
    log,
  });
  process.stdout.write(`parrot view: ${server.url} (${server.files.length} files watched; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      log("parrot view: stopping");
      server.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
