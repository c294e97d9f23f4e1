/**
 * `parrot view`: the report served on 127.0.0.1 (node:http) with live reload. Two modes:
 * - data files (or folders of them): inputs are sorted by content (inputs.ts classifyPaths), the page is built in
 *   memory, and the files are polled; when one changes (or a file appears in a watched folder) the page is rebuilt
 *   and every open page gets a server-sent `reload` event. A rebuild that fails (a file caught half written, a bad
 *   record) keeps the last good page and sends a `problem` event with the error, shown in a banner.
 * - a report folder (holding index.html, as `parrot report` writes it): the report's own files (REPORT_FILES) are
 *   served as they are, the live-reload client is added to HTML pages, and a change to one of them sends `reload`.
 *   Nothing else in the folder is served: no dotfiles, no other files, nothing whose real path (after symlinks) lies
 *   outside the folder.
 *
 * Every request is checked first: its Host header must be `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`
 * (anything else is 421, so a web page that rebinds its own host name to 127.0.0.1 cannot read the report), and a
 * path that does not parse or percent-decode (`/%zz`) is 400. No request can stop the server.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { buildReportData, type ReportOptions } from "./data.js";
import { liveReloadScript, renderReportHtml } from "./html.js";
import { classifyPaths, countFiles, listDataFiles, loadInputs } from "./inputs.js";
import { manifestFileOf } from "../run/manifest.js";

/** The files `parrot report` writes into its folder; report-folder mode serves these and nothing else. */
const REPORT_FILES: ReadonlyArray<string> = ["index.html"];

/** Path of the server-sent events stream (live-reload.ts, the page's side, names it too). */
const EVENTS_PATH = "/__parrot/events";

export interface ViewOptions extends ReportOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** How often the inputs are checked for changes, ms. Default 500. */
  pollMs?: number;
  /** Progress and problems (default: nothing). */
  log?: (line: string) => void;
}

export interface ViewServer {
  url: string;
  port: number;
  /** Files the page is built from (data mode) or served (report-folder mode). */
  files: string[];
  /** Pages rebuilt / reload events sent since start. */
  reloads(): number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};

function signature(files: ReadonlyArray<string>): string {
  return files
    .map((f) => {
      try {
        const st = fs.statSync(f);
        return `${f}\u0000${st.mtimeMs}\u0000${st.size}`;
      } catch {
        return `${f}\u0000missing`;
      }
    })
    .join("\n");
}

/**
 * Whether a request's Host header names this server: `127.0.0.1:PORT`, `localhost:PORT` (any case) or `[::1]:PORT`.
 * A missing header, another name, another port or no port is refused (DNS rebinding defence).
 */
function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/**
 * The request path, percent-decoded, or undefined when it does not parse as a URL path or does not decode
 * (`/%zz`, a lone `%`, an invalid UTF-8 sequence, `//host:99999`).
 */
function decodedPath(reqUrl: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(reqUrl ?? "/", "http://127.0.0.1").pathname);
  } catch {
    return undefined;
  }
}

/**
 * Read one of the report's own files from a report folder, or undefined (404) when `name` is not in REPORT_FILES,
 * does not exist, is not a regular file, or resolves (through symlinks) to a path outside `realDir`.
 * @param realDir the folder's real path (fs.realpathSync).
 */
function readReportFile(realDir: string, name: string): Buffer | undefined {
  if (!REPORT_FILES.includes(name)) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(path.join(realDir, name));
  } catch {
    return undefined;
  }
  if (!real.startsWith(realDir + path.sep)) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function withLiveReload(html: string): string {
  const tag = `<script>${liveReloadScript()}</script>`;
  const i = html.lastIndexOf("</body>");
  return i >= 0 ? html.slice(0, i) + tag + html.slice(i) : html + tag;
}

/**
 * Start the viewer.
 * @param paths data files and folders, or one report folder (one holding index.html).
 * @throws UserError when a path is missing, nothing in the paths is a report input, or the first build fails
 *   (the same errors as `parrot report`); nothing is listening then.
 */
export async function startViewServer(paths: ReadonlyArray<string>, options: ViewOptions = {}): Promise<ViewServer> {
  if (paths.length === 0) throw new UserError("parrot view: give a report folder or data files/folders");
  const log = options.log ?? (() => {});
  const reportDir = paths.length === 1 && fs.existsSync(path.join(paths[0], "index.html")) && fs.statSync(paths[0]).isDirectory() ? path.resolve(paths[0]) : undefined;
  const realReportDir = reportDir ? fs.realpathSync(reportDir) : undefined;

  let page = "";
  let watched: string[] = [];
  // Files read beside the inputs (simulator run files, run manifests), from the last build: watched too.
  let sideFiles: string[] = [];
  const listWatched = (): string[] => {
    if (reportDir) return REPORT_FILES.map((f) => path.join(reportDir, f));
    const listed = paths.flatMap((p) => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? listDataFiles(p) : [p]));
    return [...new Set([...listed, ...sideFiles])];
  };
  const build = (): string => {
    const { files, ignored } = classifyPaths(paths);
    for (const x of ignored) log(`parrot view: skipping ${x.file} (${x.why})`);
    if (countFiles(files) === 0) throw new UserError(`parrot view: no judgments, answers, questions, sessions or pairs, simulator tables or training runs in ${paths.join(", ")}`);
    const inputs = loadInputs(files);
    sideFiles = [...(inputs.simulators ?? []).flatMap((x) => x.runFiles), ...(inputs.manifests ?? []).map((m) => manifestFileOf(m.file))];
    return renderReportHtml(buildReportData(inputs, options), { liveReload: true });
  };

  if (!reportDir) page = build();
  watched = listWatched();
  let sig = signature(watched);

  const clients = new Set<http.ServerResponse>();
  let reloads = 0;
  const send = (event: string, data: string) => {
    const msg = `event: ${event}\ndata: ${data.replace(/\r?\n/g, " ")}\n\n`;
    for (const res of clients) res.write(msg);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!isAllowedHost(req.headers.host, port)) {
      res.writeHead(421, { "content-type": TYPES[".txt"] }).end("misdirected request: use http://127.0.0.1:PORT/ or http://localhost:PORT/\n");
      return;
    }
    const pathname = decodedPath(req.url);
    if (pathname === undefined) {
      res.writeHead(400, { "content-type": TYPES[".txt"] }).end("bad request: malformed path\n");
      return;
    }
    if (pathname === EVENTS_PATH) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write(": connected\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (!realReportDir) {
      if (pathname === "/" || pathname === "/index.html") {
        res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" }).end(page);
      } else res.writeHead(404, { "content-type": TYPES[".txt"] }).end("not found\n");
      return;
    }
    const name = pathname === "/" ? "index.html" : pathname.slice(1);
    const body = readReportFile(realReportDir, name);
    if (body === undefined) {
      res.writeHead(404, { "content-type": TYPES[".txt"] }).end("not found\n");
      return;
    }
    const type = TYPES[path.extname(name).toLowerCase()] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(type.startsWith("text/html") ? withLiveReload(body.toString("utf8")) : body);
  };
  let port = 0;
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log(`parrot view: request ${JSON.stringify(req.url)} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": TYPES[".txt"] });
      res.end();
    }
  });

  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    try {
      const now = listWatched();
      const s = signature(now);
      if (s === sig) return;
      watched = now;
      sig = s;
      if (!reportDir) {
        try {
          page = build();
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          log(`parrot view: rebuild failed, keeping the last page: ${msg}`);
          send("problem", msg);
          return;
        }
      }
      reloads++;
      log(`parrot view: change detected, reloading (${reloads})`);
      send("reload", String(reloads));
    } finally {
      busy = false;
    }
  }, options.pollMs ?? 500);
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(": ping\n\n");
  }, 15_000);

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      clearInterval(timer);
      clearInterval(heartbeat);
      reject(err.code === "EADDRINUSE" ? new UserError(`parrot view: port ${options.port} is in use (--port 0 picks a free one)`) : err);
    });
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    files: watched,
    reloads: () => reloads,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        clearInterval(heartbeat);
        for (const res of clients) res.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
