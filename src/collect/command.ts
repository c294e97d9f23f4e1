/** CLI registration for the `collect` stage. */
import type { Command } from "commander";

export function register(_program: Command): void {}
