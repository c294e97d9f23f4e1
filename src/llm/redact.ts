/**
 * Secret redaction for anything parrot prints or writes: API keys never reach outputs, caches or logs.
 */
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_\-*]{6,}/g, /\bBearer\s+[A-Za-z0-9._\-]{8,}/gi];

/**
 * Every form of a key that may be sent or echoed: as set, trimmed (HTTP header values are trimmed before sending),
 * and with all whitespace removed; longest first, so a longer form is never left half redacted.
 */
export function keyForms(value: string): string[] {
  const forms = new Set([value, value.trim(), value.replace(/\s+/g, "")]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/** Replace known secrets (the keys in the environment, in every form sent) and key-shaped tokens with `[REDACTED]`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ["PARROT_API_KEY", "OPENAI_API_KEY"]) {
    const v = env[name];
    if (!v) continue;
    for (const form of keyForms(v)) out = out.split(form).join("[REDACTED]");
  }
  for (const re of KEY_PATTERNS) out = out.replace(re, "[REDACTED]");
  return out;
}
