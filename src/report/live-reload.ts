/**
 * The live-reload client `parrot view` adds to the page (serve.ts): reloads on the server's `reload` event, shows
 * `problem` events in a banner. A browser module, compiled and inlined as client.ts is (see there).
 */
// serve.ts EVENTS_PATH: a browser script imports no values.
const es = new EventSource("/__parrot/events");
let banner: HTMLDivElement | null = null;
es.addEventListener("reload", () => {
  location.reload();
});
es.addEventListener("problem", (e) => {
  if (!banner) {
    banner = document.createElement("div");
    banner.className = "banner";
    banner.setAttribute("role", "alert");
    document.body.appendChild(banner);
  }
  banner.textContent = "parrot view: " + (e as MessageEvent<string>).data + " (showing the last good report)";
});
