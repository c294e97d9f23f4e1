/** `parrot simulator show FILE`: print the table (or JSON) of `parrot simulator eval` rows; formatting in show.ts. */
import { UserError } from "../io/errors.js";
import { readSimulatorRows } from "./run-eval.js";
import { formatSimulatorTable } from "./show.js";

/** The options of `simulator show` (its commander table: src/simulator/command.ts); the table file is the argument. */
export interface SimulatorShowOptions {
  json?: boolean;
}

/** Print the rows of `file` on stdout. @throws UserError when it holds no simulator rows. */
export function runSimulatorShow(file: string, o: SimulatorShowOptions): void {
  const rows = readSimulatorRows(file);
  if (rows.length === 0) throw new UserError(`${file}: no simulator rows (run parrot simulator eval --out ${file} first)`);
  process.stdout.write(o.json ? JSON.stringify(rows, null, 2) + "\n" : formatSimulatorTable(rows) + "\n");
}
