// Builds the report page's browser scripts (src/report/client.ts, src/report/live-reload.ts; see client.ts's header).
// tsconfig.client.json type-checks them with DOM types against the report's data types; only the two files themselves
// are emitted (not the Node modules they import types from), to dist/report/*.js, each as a plain script: the
// compiler's `export {};` is dropped and the code wrapped in a strict function. Any other import or export left in the
// output (a value import) fails the build, since the inlined page has no module loader.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) };
const config = ts.getParsedCommandLineOfConfigFile("tsconfig.client.json", {}, host);
if (config.errors.length) fail(config.errors);
const program = ts.createProgram(config.fileNames, config.options);
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length) fail(diagnostics);

for (const file of config.fileNames) {
  const result = program.emit(program.getSourceFile(file), (name, text) => {
    if (!name.endsWith(".js")) return;
    const body = text.replace(/^export \{\};\n?/m, "");
    const stray = /^\s*(import|export)\b.*$/m.exec(body);
    if (stray) fail(`${file}: the browser script keeps "${stray[0].trim()}"; only type imports are allowed`);
    fs.mkdirSync(path.dirname(name), { recursive: true });
    fs.writeFileSync(name, `(function () {\n"use strict";\n${body}})();\n`);
  });
  if (result.emitSkipped || result.diagnostics.length) fail(result.diagnostics);
}

function fail(what) {
  const format = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  const text = typeof what === "string" ? what : format(what, { getCanonicalFileName: (f) => f, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => "\n" });
  process.stderr.write(text + "\n");
  process.exit(1);
}
