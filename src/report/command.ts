/**
 * `parrot report` (a static, self-contained HTML report written to DIR/index.html) and `parrot view` (the same page
 * served on 127.0.0.1 with live reload). The options table; run.ts runs them (inputs.ts reads and validates, data.ts
 * computes, html.ts renders, serve.ts serves).
 */
import type { Command } from "commander";
import { intOption } from "../run/flags.js";
import { type ReportFlags, runReport, runView, type ViewFlags } from "./run.js";

export function register(program: Command): void {
  program
    .command("report")
    .description("write a self-contained HTML report (DIR/index.html): benchmark table and charts, answers and judgments side by side, dataset statistics, preference pairs, simulators, training loss curves, tokens and cost")
    .option("--judgments <files...>", "FastChat judgment files (parrot bench judge / FastChat model_judgment)")
    .option("--answers <files...>", "FastChat answer files (parrot bench answer / FastChat model_answer)")
    .option("--questions <files...>", "question file(s) (question text, categories)")
    .option("--references <files...>", "reference answers, FastChat answer format")
    .option("--sessions <files...>", "session files (parrot, ShareGPT, OpenAI messages, OpenAssistant)")
    .option("--pairs <files...>", "CaPO preference pairs (parrot capo)")
    .option("--simulators <files...>", "simulator tables (parrot simulator eval --out FILE; the queries are read from FILE.runs/)")
    .option("--training <dirs...>", "training folders (parrot train --out DIR: metrics.jsonl, train_summary.json): loss curves")
    .option("--prices <file>", "price table ({\"models\": {MODEL: {\"input\", \"output\"}}}, per million tokens): cost of the inputs' runs")
    .requiredOption("--out <dir>", "output folder (index.html is written there)")
    .option("--title <text>", "page title", "parrot report")
    .option("--max-sessions <n>", "sessions per file embedded for browsing (statistics use all)", intOption("max-sessions", 0), 500)
    .option("--max-pairs <n>", "pairs embedded for browsing (counts use all)", intOption("max-pairs", 0), 1000)
    .option("--bootstrap <n>", "bootstrap resamples for the 95% intervals", intOption("bootstrap", 1), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .action((o: ReportFlags) => runReport(o));

  program
    .command("view")
    .description("serve the report on 127.0.0.1 with live reload when the files change; prints the URL, Ctrl-C stops")
    .argument("<paths...>", "a report folder (with index.html), or data files and folders (sorted by content)")
    .option("--port <n>", "port (0 = a free one)", intOption("port", 0), 0)
    .option("--poll <ms>", "how often to check the files for changes, ms", intOption("poll", 50), 500)
    .option("--title <text>", "page title", "parrot report")
    .option("--prices <file>", "price table ({\"models\": {MODEL: {\"input\", \"output\"}}}, per million tokens): cost of the inputs' runs")
    .option("--max-sessions <n>", "sessions per file embedded for browsing", intOption("max-sessions", 0), 500)
    .option("--max-pairs <n>", "pairs embedded for browsing", intOption("max-pairs", 0), 1000)
    .option("--bootstrap <n>", "bootstrap resamples for the 95% intervals", intOption("bootstrap", 1), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .action((paths: string[], o: ViewFlags) => runView(paths, o));
}
