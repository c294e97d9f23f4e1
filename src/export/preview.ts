/**
 * `parrot export preview`: one rendered example with the trained text highlighted, so a user can see the loss mask.
 * With --tokenizer the highlight is computed on tokens (exactly what the `tokens` export trains); without, on
 * characters of a plain rendering. Trained text is bold green on a TTY, and wrapped in «...» otherwise.
 */
import { renderParrotAskTranscript } from "../collect/prompts.js";
import { UserError } from "../io/errors.js";
import { readPairs, readTrainingSessions } from "./data.js";
import type { Strategy } from "../records/pair.js";
import { chatMessages, tokensSftRecord, type ExportKind } from "./formats.js";
import type { ChatMessage } from "../llm/types.js";
import { chatSpans, labelRuns, loadTokenizer, maskText, renderChat } from "./tokenizer.js";

export interface Highlighter {
  trained(text: string): string;
  rejected(text: string): string;
  legend: string;
}

/** ANSI colours when `color`, else the «...» / ‹...› marker form. */
export function highlighter(color: boolean): Highlighter {
  if (color) {
    return {
      trained: (t) => (t ? `\x1b[1;32m${t}\x1b[0m` : t),
      rejected: (t) => (t ? `\x1b[1;31m${t}\x1b[0m` : t),
      legend: "\x1b[1;32mgreen\x1b[0m = trained (chosen), \x1b[1;31mred\x1b[0m = rejected response; plain = context (no loss)",
    };
  }
  return {
    trained: (t) => (t ? `«${t}»` : t),
    rejected: (t) => (t ? `‹${t}›` : t),
    legend: "«...» = trained (chosen), ‹...› = rejected response; plain = context (no loss)",
  };
}

function applySpans(text: string, spans: ReadonlyArray<{ start: number; end: number }>, h: (t: string) => string): string {
  let out = "";
  let pos = 0;
  for (const s of spans) {
    out += text.slice(pos, s.start) + h(text.slice(s.start, s.end));
    pos = s.end;
  }
  return out + text.slice(pos);
}

/**
 * Render example `index` (0-based, among usable sessions or selected pairs) of FILE.
 * @throws UserError when the index is out of range.
 */
export function renderPreview(
  kind: ExportKind,
  file: string,
  opts: { tokenizer?: string; index?: number; color: boolean; strategies?: Strategy[] },
): string {
  const h = highlighter(opts.color);
  const index = opts.index ?? 0;
  const tok = opts.tokenizer ? loadTokenizer(opts.tokenizer) : undefined;
  const lines: string[] = [];
  if (kind === "dpo") {
    const { pairs } = readPairs(file, opts.strategies);
    if (index >= pairs.length) throw new UserError(`--index ${index}: ${file} has ${pairs.length} pairs (0-based index)`);
    const p = pairs[index];
    lines.push(`pair ${p.id} (session ${p.session_id}, turn ${p.turn}, ${p.strategy})`);
    const prompt: ChatMessage[] = p.prompt.map((m) => ({ role: m.role, content: m.content }));
    for (const [label, resp, hl] of [["chosen", p.chosen, h.trained], ["rejected", p.rejected, h.rejected]] as const) {
      lines.push(`--- ${label} ---`);
      if (tok) {
        const msgs = [...prompt, { role: "assistant" as const, content: resp }];
        const { text, spans } = chatSpans(tok, msgs, [msgs.length - 1]);
        const m = maskText(tok, text, spans, false);
        lines.push(labelRuns(tok, m).map((r) => (r.trained ? hl(r.text) : r.text)).join(""));
      } else {
        lines.push(prompt.map((m) => `[${m.role}] ${m.content}`).join("\n") + `\n[assistant] ${hl(resp)}`);
      }
    }
  } else {
    const { sessions } = readTrainingSessions(file);
    if (index >= sessions.length) throw new UserError(`--index ${index}: ${file} has ${sessions.length} usable sessions (0-based index)`);
    const s = sessions[index];
    lines.push(`session ${s.id} (${s.messages.length / 2} turns, ${kind})`);
    if (tok) {
      const r = tokensSftRecord(kind, tok, s);
      const trained = r.labels.filter((l) => l !== -100).length;
      lines.push(`${r.input_ids.length} tokens, ${trained} trained, ${r.straddled} span boundaries inside a token`);
      lines.push(labelRuns(tok, r).map((x) => (x.trained ? h.trained(x.text) : x.text)).join(""));
    } else if (kind === "sft-ask") {
      const { text, querySpans } = renderParrotAskTranscript(s.messages);
      lines.push(applySpans(text, querySpans, h.trained));
    } else {
      const msgs = chatMessages(s);
      lines.push(msgs.map((m) => `[${m.role}] ${m.role === "assistant" ? h.trained(m.content) : m.content}`).join("\n"));
    }
  }
  lines.push(`(${h.legend})`);
  return lines.join("\n") + "\n";
}

// Re-exported for tests that render a chat without masking.
export { renderChat };
