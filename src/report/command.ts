/**
 * `parrot report` (a static, self-contained HTML report written to DIR/index.html) and `parrot view` (the same page
 * served on 127.0.0.1 with live reload). A thin layer: inputs.ts reads and validates, data.ts computes, html.ts
 * renders, serve.ts serves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { buildReportData } from "./data.js";
import { intOption } from "../run/flags.js";
import { renderReportHtml } from "./html.js";
import { loadInputs } from "./inputs.js";
import { startViewServer } from "./serve.js";

interface ReportFlags {
  judgments?: string[];
  answers?: string[];
  questions?: string[];
  references?: string[];
  sessions?: string[];
  pairs?: string[];
  out: string;
  title?: string;
  maxSessions: number;
  maxPairs: number;
  bootstrap: number;
  seed: number;
}

interface ViewFlags {
  port: number;
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

export function register(program: Command): void {
  program
    .command("report")
    .description("write a self-contained HTML report (DIR/index.html): benchmark table and charts, answers and judgments side by side, dataset statistics, preference pairs")
    .option("--judgments <files...>", "FastChat judgment files (parrot bench judge / FastChat model_judgment)")
    .option("--answers <files...>", "FastChat answer files (parrot bench answer / FastChat model_answer)")
    .option("--questions <files...>", "question file(s) (question text, categories)")
    .option("--references <files...>", "reference answers, FastChat answer format")
    .option("--sessions <files...>", "session files (parrot, ShareGPT, OpenAI messages, OpenAssistant)")
    .option("--pairs <files...>", "CaPO preference pairs (parrot capo)")
    .requiredOption("--out <dir>", "output folder (index.html is written there)")
    .option("--title <text>", "page title", "parrot report")
    .option("--max-sessions <n>", "sessions per file embedded for browsing (statistics use all)", intOption("max-sessions", 0), 500)
    .option("--max-pairs <n>", "pairs embedded for browsing (counts use all)", intOption("max-pairs", 0), 1000)
    .option("--bootstrap <n>", "bootstrap resamples for the 95% intervals", intOption("bootstrap", 1), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .action((o: ReportFlags) => {
      const inputs = loadInputs({
        judgments: o.judgments ?? [],
        answers: o.answers ?? [],
        questions: o.questions ?? [],
        references: o.references ?? [],
        sessions: o.sessions ?? [],
        pairs: o.pairs ?? [],
      });
      const data = buildReportData(inputs, { title: o.title, maxSessions: o.maxSessions, maxPairs: o.maxPairs, resamples: o.bootstrap, seed: o.seed });
      const html = renderReportHtml(data);
      // Everything is read and rendered before the folder is touched.
      if (fs.existsSync(o.out) && !fs.statSync(o.out).isDirectory()) throw new UserError(`--out ${o.out}: exists and is not a folder`);
      fs.mkdirSync(o.out, { recursive: true });
      const file = path.join(o.out, "index.html");
      writeFileAtomic(file, html);
      const kb = Buffer.byteLength(html) / 1024;
      log(`parrot report: ${data.models.length} models, ${data.questions.length} questions, ${data.bench ? data.bench.total : 0} judgments, ${data.datasets.length} session files, ${data.pairs?.total ?? 0} pairs; ${kb.toFixed(0)} KB`);
      process.stdout.write(file + "\n");
    });

  program
    .command("view")
    .description("serve the report on 127.0.0.1 with live reload when the files change; prints the URL, Ctrl-C stops")
    .argument("<paths...>", "a report folder (with index.html), or data files and folders (sorted by content)")
    .option("--port <n>", "port (0 = a free one)", intOption("port", 0), 0)
    .option("--poll <ms>", "how often to check the files for changes, ms", intOption("poll", 50), 500)
    .option("--title <text>", "page title", "parrot report")
    .option("--max-sessions <n>", "sessions per file embedded for browsing", intOption("max-sessions", 0), 500)
    .option("--max-pairs <n>", "pairs embedded for browsing", intOption("max-pairs", 0), 1000)
    .option("--bootstrap <n>", "bootstrap resamples for the 95% intervals", intOption("bootstrap", 1), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .action(async (paths: string[], o: ViewFlags) => {
      if (o.port > 65535) throw new UserError(`--port ${o.port}: expected 0..65535`);
      const server = await startViewServer(paths, {
        port: o.port,
        pollMs: o.poll,
        title: o.title,
        maxSessions: o.maxSessions,
        maxPairs: o.maxPairs,
        resamples: o.bootstrap,
        seed: o.seed,
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
    });
}
