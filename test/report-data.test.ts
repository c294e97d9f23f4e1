/**
 * The report's data and page, without a browser: answers recovered from real FastChat judge prompts and from the
 * paper's Fig. 4 prompt, the benchmark numbers against bench/show.ts on the real judgments, per-bucket intervals,
 * dataset views, input sorting, escaping of the embedded data, and `parrot report` on bad input.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { JudgmentSchema, type Judgment } from "../src/records/judgment.js";
import { renderMtBenchPPPrompt } from "../src/bench/prompts.js";
import { answerFromJudgePrompt } from "../src/bench/prompt-answers.js";
import { summarizeJudgments } from "../src/bench/show.js";
import { readConversations } from "../src/conversations/readers.js";
import { readJsonl, validateRecord } from "../src/io/jsonl.js";
import { datasetStats } from "../src/stats/stats.js";
import { buildReportData, datasetView, type ReportData } from "../src/report/data.js";
import { jsonForScript, liveReloadScript, renderReportHtml, reportScript } from "../src/report/html.js";
import { classifyPaths, loadInputs } from "../src/report/inputs.js";
import { runCli, SHARED } from "./support/cli.js";

const MT = path.join(SHARED, "data/mt_bench");
const JUDGMENTS = path.join(MT, "model_judgment_local/gpt-4_single.don-tpanic-FastChat.jsonl");
const ANSWER_DIR = path.join(MT, "model_answer");
const QUESTIONS = path.join(MT, "question.jsonl");
const REFERENCES = path.join(MT, "reference_answer_gpt-4.jsonl");

let judgments: Judgment[];
let data: ReportData;
beforeAll(() => {
  judgments = readJsonl(JUDGMENTS).map((r) => validateRecord(JudgmentSchema, r, JUDGMENTS));
  const answers = fs.readdirSync(ANSWER_DIR).map((f) => path.join(ANSWER_DIR, f));
  data = buildReportData(loadInputs({ judgments: [JUDGMENTS], answers, questions: [QUESTIONS], references: [REFERENCES], sessions: [], pairs: [] }), { resamples: 200 });
});

describe("answers recovered from judge prompts", () => {
  it("single-v1 prompts: the text between FastChat's answer markers", () => {
    const rows = judgments.filter((r) => r.turn === 1);
    expect(rows.length).toBe(400);
    let empty = 0;
    for (const r of rows) {
      const a = answerFromJudgePrompt(r.user_prompt, 1)!;
      expect(typeof a).toBe("string");
      if (a === "") empty++;
      expect(r.user_prompt).toContain(`[The Start of Assistant's Answer]\n${a}`);
      expect(a).not.toContain("[The End of Assistant's Answer]");
    }
    // A few models answered some questions with nothing; most answers are text.
    expect(empty).toBeLessThan(40);
  });

  it("multi-turn prompts: the second assistant part only, for every turn-2 judgment", () => {
    const rows = judgments.filter((r) => r.turn === 2);
    expect(rows.length).toBe(400);
    for (const r of rows) {
      const a = answerFromJudgePrompt(r.user_prompt, 2)!;
      expect(typeof a).toBe("string");
      expect(a).not.toContain("### User:");
      expect(a).not.toContain("<|The End of Assistant A's Conversation with User|>");
      // Turn 1's answer of the same model and question precedes it in the block.
      const t1 = judgments.find((x) => x.turn === 1 && x.model === r.model && x.question_id === r.question_id)!;
      const first = answerFromJudgePrompt(t1.user_prompt, 1)!;
      expect(answerFromJudgePrompt(r.user_prompt, 1)).toBe(first);
    }
  });

  it("the paper's Fig. 4 prompt: the k-th answer of the 8-turn block, for every k", () => {
    const questions = Array.from({ length: 8 }, (_, i) => `question ${i + 1}: what about it?`);
    const answers = Array.from({ length: 8 }, (_, i) => `answer ${i + 1}\nwith a second line\n\n- and a list`);
    for (let k = 1; k <= 8; k++) {
      const prompt = renderMtBenchPPPrompt(questions, answers, k, `reference ${k}`);
      for (let j = 1; j <= 8; j++) expect(answerFromJudgePrompt(prompt, j)).toBe(answers[j - 1]);
    }
    expect(answerFromJudgePrompt("no template here", 1)).toBeUndefined();
    expect(answerFromJudgePrompt(null, 1)).toBeUndefined();
  });
});

describe("benchmark data on the real judgments", () => {
  it("one table per benchmark, judge and prompt set; best in column within a table; exact duplicates dropped and counted", () => {
    // llama2_chat_7b's MT-Bench++ judgments, all 10: they must neither pool with its MT-Bench rows nor win MT-Bench's columns.
    const pp: Judgment[] = judgments.filter((r) => r.model === "llama2_chat_7b" && r.turn === 1).slice(0, 5)
      .flatMap((r) => [1, 2, 3].map((turn) => ({ ...r, turn, judge: ["gpt-4", "mt-bench-pp-fig4"], score: 10, judgment: "[[10]]" })));
    const d = buildReportData({ judgments: [{ file: "a.jsonl", rows: judgments }, { file: "a-again.jsonl", rows: judgments }, { file: "pp.jsonl", rows: pp }],
      answers: [], questions: [], references: [], sessions: [], pairs: [] }, { resamples: 20 });
    const [mt, p] = d.bench!.groups;
    expect([mt.bench, p.bench]).toEqual(["MT-Bench", "MT-Bench++"]);
    expect(d.bench!.duplicates).toBe(800);
    expect(d.bench!.total).toBe(815);
    expect(mt.total).toBe(800);
    const chat = mt.rows.find((r) => r.model === "llama2_chat_7b")!;
    expect(chat.turn_1).toBeCloseTo(6.7062, 3);
    expect(chat.n).toBe(160);
    expect(mt.best.overall).toBe(Math.max(...mt.rows.map((r) => r.overall!)));
    expect(mt.best.overall).toBeLessThan(10);
    expect(mt.best.turns_3_5).toBeNull();
    expect(p.rows.map((r) => r.model)).toEqual(["llama2_chat_7b"]);
    expect(p.best).toMatchObject({ overall: 10, turn_1: 10, turn_2: 10, turns_3_5: 10, turns_6_8: null });
  });

  it("has the numbers of bench/show.ts summarizeJudgments, best overall first", () => {
    const categories = new Map(readJsonl(QUESTIONS).map((r) => [(r.value as any).question_id, (r.value as any).category]));
    const s = summarizeJudgments(judgments, { categories, resamples: 200 });
    expect(data.bench!.groups).toHaveLength(1);
    const b = data.bench!.groups[0];
    expect([b.bench, b.judge, b.prompt]).toEqual(["MT-Bench", "gpt-4", "single-v1"]);
    expect(b.rows.map((r) => r.model)).toEqual(Object.keys(s.models).sort((x, y) => s.models[y].overall! - s.models[x].overall!));
    for (const r of b.rows) {
      expect(r.overall).toBe(s.models[r.model].overall);
      expect(r.turn_1).toBe(s.models[r.model].turn_1);
      expect(r.categories).toEqual(s.models[r.model].categories);
      expect(r.intervals.overall).toEqual(s.models[r.model].ci95);
      expect(r.intervals.turns_3_5).toBeNull();
      const [lo, hi] = r.intervals.turn_2!;
      expect(lo).toBeLessThan(r.turn_2!);
      expect(hi).toBeGreaterThan(r.turn_2!);
    }
    expect(b.total).toBe(800);
    expect(b.failed).toBe(0);
    expect(b.turns).toEqual([1, 2]);
    expect(b.categories).toEqual(["coding", "extraction", "humanities", "math", "reasoning", "roleplay", "stem", "writing"]);
  });

  it("lists the 5 judged models first, then the 31 answer files' models; answers from files or judge prompts", () => {
    expect(data.models.length).toBe(36);
    expect(data.models.slice(0, 5)).toEqual(data.bench!.groups[0].rows.map((r) => r.model));
    expect(data.questions.length).toBe(80);
    const q = data.questions.find((x) => x.id === 111)!;
    expect(q.turns.length).toBe(2);
    expect(q.referenceModel).toBe("gpt-4");
    expect(q.reference![0]).toContain("area");
    expect(data.answers[q.key]["gpt-4"].source).toBe("answers");
    expect(data.answers[q.key]["llama2_chat_7b"].source).toBe("judge prompt");
    expect(data.answers[q.key]["llama2_chat_7b"].turns.length).toBe(2);
    expect(data.judgments[q.key]["llama2_chat_7b"].map((j) => j.turn)).toEqual([1, 2]);
  });

  it("per-bucket intervals use only that bucket's turns, clustered by question", () => {
    const rows: Judgment[] = [];
    for (let q = 1; q <= 10; q++) {
      rows.push({ question_id: q, model: "m", turn: 1, score: 8 });
      rows.push({ question_id: q, model: "m", turn: 4, score: q % 2 ? 2 : 4 });
      rows.push({ question_id: q, model: "m", turn: 7, score: -1 });
    }
    const iv = summarizeJudgments(rows, { resamples: 300, seed: 1 }).models.m.intervals;
    expect(iv.turn_1).toEqual([8, 8]);
    expect(iv.turn_2).toBeNull();
    expect(iv.turns_6_8).toBeNull();
    expect(iv.turns_3_5![0]).toBeGreaterThanOrEqual(2);
    expect(iv.turns_3_5![1]).toBeLessThanOrEqual(4);
    expect(iv.turns_3_5![0]).toBeLessThan(iv.turns_3_5![1]);
  });
});

describe("dataset view", () => {
  it("Table 1 numbers from stats.ts, a histogram over all sessions, cues only on context-dependent user turns", () => {
    const file = path.join(SHARED, "data/dialogues/oasst_en_100_tree.jsonl");
    const sessions = readConversations(file);
    const v = datasetView(file, sessions, 50);
    expect(v.stats).toEqual(datasetStats(sessions));
    expect(v.total).toBe(sessions.length);
    expect(v.sessions.length).toBe(Math.min(50, sessions.length));
    expect(v.turnsHistogram.reduce((a, [, n]) => a + n, 0)).toBe(sessions.length);
    let marks = 0;
    for (const s of v.sessions) {
      for (const c of s.context) {
        expect(s.messages[c.index].role).toBe("user");
        expect(c.index).toBeGreaterThan(0);
        expect(c.cues.length).toBeGreaterThan(0);
        marks++;
      }
    }
    expect(marks).toBe(v.contextQueries);
    expect(marks).toBeGreaterThan(0);
  });
});

describe("inputs", () => {
  it("sorts the shared MT-Bench folder by content", () => {
    const { files, ignored } = classifyPaths([MT]);
    expect(files.judgments).toEqual([JUDGMENTS]);
    expect(files.answers.length).toBe(31);
    expect(files.references).toEqual([REFERENCES]);
    expect(files.questions.map((f) => path.basename(f)).sort()).toEqual(["question.jsonl", "vicuna_bench_question.jsonl"]);
    expect(ignored.map((x) => path.basename(x.file))).toEqual(["judge_prompts.jsonl"]);
  });
});

describe("page", () => {
  it("embeds data so that no text can close the script element, and reads back the same", () => {
    const evil = "</script><script>window.__pwned=1</script><!-- \u2028";
    const json = jsonForScript({ a: evil });
    expect(json).not.toContain("<");
    expect(JSON.parse(json)).toEqual({ a: evil });
    const page = renderReportHtml({ ...data, title: `<b>${evil}</b>` });
    expect(page).not.toContain("<b></script>");
    expect(page).toContain("&lt;b&gt;&lt;/script&gt;");
    // Only our own four script elements open (data, echarts, report); no live-reload client in the static page.
    expect(page.match(/<script[\s>]/g)!.length).toBe(3);
    expect(page).not.toContain("EventSource");
    expect(renderReportHtml(data, { liveReload: true })).toContain("EventSource");
    expect(page).not.toMatch(/(src|href)=["']https?:/);
  });

  it("the page scripts are valid JavaScript", () => {
    const REPORT_JS = reportScript();
    const LIVE_RELOAD_JS = liveReloadScript();
    expect(() => new Function(REPORT_JS)).not.toThrow();
    expect(() => new Function(LIVE_RELOAD_JS)).not.toThrow();
  });
});

describe("parrot report CLI", () => {
  it("writes index.html; a bad record is a one-line error naming file and line, with nothing written", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-report-cli-"));
    const bad = path.join(tmp, "judgments.jsonl");
    const lines = fs.readFileSync(JUDGMENTS, "utf8").split("\n").slice(0, 3);
    lines[2] = JSON.stringify({ ...JSON.parse(lines[2]), turn: "two" });
    fs.writeFileSync(bad, lines.join("\n") + "\n");
    const out = path.join(tmp, "out");
    const r = await runCli(["report", "--judgments", bad, "--questions", QUESTIONS, "--out", out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/judgments\.jsonl:3: field "turn"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);

    const none = await runCli(["report", "--out", out]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("nothing to report");

    const ok = await runCli(["report", "--judgments", JUDGMENTS, "--questions", QUESTIONS, "--bootstrap", "50", "--out", out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(path.join(out, "index.html"));
    const html = fs.readFileSync(path.join(out, "index.html"), "utf8");
    expect(html).toContain("finetune_llama2_chat_7b_FFNet");
    expect(html).toContain("echarts");
  });
});
