/**
 * FastChat's judgment parsing and template rendering, reproduced exactly.
 *
 * Source: lm-sys/FastChat `fastchat/llm_judge/common.py`:
 *   one_score_pattern = re.compile("\[\[(\d+\.?\d*)\]\]")
 *   one_score_pattern_backup = re.compile("\[(\d+\.?\d*)\]")
 *   run_judge_single: match = re.search(one_score_pattern, judgment) or re.search(one_score_pattern_backup, judgment);
 *                     rating = ast.literal_eval(match.groups()[0]) if match else -1
 * and Python's `str.format` for `prompt_template.format(question=..., answer=..., **kwargs)`.
 */

/** FastChat's "no rating found" score. */
export const FAILED_SCORE = -1;

const ONE_SCORE = /\[\[(\d+\.?\d*)\]\]/;
const ONE_SCORE_BACKUP = /\[(\d+\.?\d*)\]/;

/**
 * Score of a single-answer judgment: the number in the first `[[n]]`, else in the first `[n]`, else -1.
 * `n` is digits with an optional `.` and decimals (`8`, `8.5`, `8.`); no sign, no spaces inside the brackets.
 * Differences from FastChat, both in cases where FastChat raises instead of scoring: digits are ASCII only (Python's
 * `\d` also matches other scripts' digits, which `ast.literal_eval` then rejects), and a leading zero (`[[07]]`,
 * a SyntaxError for `ast.literal_eval`) reads as 7. No range check, as in FastChat: `[[11]]` scores 11.
 * @returns the rating, or FAILED_SCORE (-1) when the judgment holds no rating.
 */
export function parseScore(judgment: string): number {
  const m = ONE_SCORE.exec(judgment) ?? ONE_SCORE_BACKUP.exec(judgment);
  if (!m) return FAILED_SCORE;
  const v = Number(m[1]);
  return Number.isFinite(v) ? v : FAILED_SCORE;
}

/** A template that Python's `str.format` would reject, or a field without a value. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/**
 * Python `str.format(**values)` for the templates FastChat uses: `{name}` fields replaced by `values[name]`,
 * `{{` and `}}` give literal braces, values are inserted as-is (never re-scanned), unused values are ignored.
 * Field names must be plain identifiers (no `!conversion`, `:spec`, attribute or index, which FastChat's
 * templates never use).
 * @throws TemplateError on a lone `}`, an unclosed `{`, an unsupported field, or a field missing from `values`
 *   (Python: ValueError / KeyError).
 */
export function pythonFormat(template: string, values: Readonly<Record<string, string>>): string {
  let out = "";
  let i = 0;
  const n = template.length;
  while (i < n) {
    const c = template[i];
    if (c === "{") {
      if (template[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      const close = template.indexOf("}", i + 1);
      if (close < 0) throw new TemplateError("Single '{' encountered in format string");
      const field = template.slice(i + 1, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new TemplateError(`unsupported template field "{${field}}"`);
      if (!Object.prototype.hasOwnProperty.call(values, field)) throw new TemplateError(`template field "{${field}}" has no value`);
      out += values[field];
      i = close + 1;
      continue;
    }
    if (c === "}") {
      if (template[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      throw new TemplateError("Single '}' encountered in format string");
    }
    // Copy a run of ordinary characters at once.
    let j = i + 1;
    while (j < n && template[j] !== "{" && template[j] !== "}") j++;
    out += template.slice(i, j);
    i = j;
  }
  return out;
}

/** Field names a template uses (for validating judge prompt files before any output is written). */
export function templateFields(template: string): string[] {
  const fields: string[] = [];
  const re = /\{\{|\}\}|\{([^{}]*)\}/g;
  for (const m of template.matchAll(re)) if (m[1] !== undefined) fields.push(m[1]);
  return fields;
}
