import { UserError } from "../io/errors.js";

/**
 * A model call that failed for good. `transient` is true when the failure was of a retryable kind (5xx, 429,
 * timeout, dropped connection, malformed body) and only the attempts ran out: rerunning the command may succeed,
 * so commands skip that work item and carry on. Non-transient failures (401, 404, bad request) abort the command.
 */
export class ModelCallError extends UserError {
  readonly reason: string;
  readonly transient: boolean;
  constructor(message: string, opts: { reason: string; transient: boolean }) {
    super(message);
    this.name = "ModelCallError";
    this.reason = opts.reason;
    this.transient = opts.transient;
  }
}
