// The page's Web Worker: runs the simulated markets with the WebAssembly
// engine (createLoyalsimEngine, bundled before this file by
// web/tools/build_page.mjs) so the page never freezes. One request at a
// time; a newer request cancels the one running (checked between markets).
"use strict";

let engine = null;
let latest = 0;  // id of the newest run request received
const ready = createLoyalsimEngine().then((module) => {
  engine = {
    run: module.cwrap("loyalsim_run", "string", ["string", "string", "number"]),
    describe: module.cwrap("loyalsim_describe", "string", ["string", "string"]),
    resolvedToml: module.cwrap("loyalsim_resolved_toml", "string", ["string", "string", "number"]),
  };
});

// Lets queued messages in: a newer request, if any, updates `latest`.
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

async function handle(request) {
  await ready;
  const { id, kind, toml, overrides } = request;
  if (kind === "describe") {
    postMessage({ id, kind, answer: JSON.parse(engine.describe(toml, overrides)) });
    return;
  }
  const started = performance.now();
  const scenario = JSON.parse(engine.resolvedToml(toml, overrides, request.seeds[0]));
  if (scenario.error) {
    postMessage({ id, kind, error: scenario.error });
    return;
  }
  const runs = [];
  for (const seed of request.seeds) {
    await yieldToMessages();
    if (id !== latest) return;  // stale: a newer request is waiting
    const answer = JSON.parse(engine.run(toml, overrides, seed));
    if (answer.error) {
      postMessage({ id, kind, error: answer.error });
      return;
    }
    runs.push(answer);
    postMessage({ id, kind: "progress", done: runs.length, of: request.seeds.length });
  }
  postMessage({ id, kind, runs, toml: scenario.toml, seconds: (performance.now() - started) / 1000 });
}

// Requests are handled one after another; each waits for the previous.
let queue = Promise.resolve();
onmessage = (event) => {
  if (event.data.kind === "run") latest = Math.max(latest, event.data.id);
  queue = queue.then(() => handle(event.data)).catch((error) => {
    postMessage({ id: event.data.id, kind: event.data.kind, error: String(error && error.message || error) });
  });
};
