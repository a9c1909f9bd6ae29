// The playground: plain DOM, no framework and no build step, so the service can serve it from the repository as is.
// Every text that comes from a spec, a prediction or an error is set with textContent, never parsed as HTML.

import { $, api, ApiError, clearError, el, keyStorage, showError as showProblem } from "./common.js";

const state = {
  operations: [],
  history: [],
  spec: null, // { spec_url } or { spec }: what the last "Load operations" used, sent with every prediction
  sessionId: `pg-${crypto.randomUUID().slice(0, 8)}`,
};

function showError(error) {
  showProblem(error, {
    400: "The request was refused (400)",
    401: "An API key is needed (401)",
    403: "This key may not do that (403)",
    413: "The request is too large (413)",
    415: "Unsupported content (415)",
    422: "The spec could not be used (422)",
    429: "Too many requests (429)",
  }, (box, error) => {
    const problem = error.problem ?? {};
    if (problem.errors) {
      const list = el("ul");
      for (const [field, messages] of Object.entries(problem.errors)) {
        for (const message of [].concat(messages)) list.append(el("li", {}, el("code", { text: field }), ` ${message}`));
      }
      box.append(list);
    }
    if (error.status === 429 && error.retryAfter) box.append(el("p", { text: `Try again in ${error.retryAfter} s.` }));
  });
}

async function guarded(button, work) {
  clearError();
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await work();
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// ---- 1. the spec ------------------------------------------------------------------------------------------------

function specSource() {
  return document.querySelector("input[name=spec-source]:checked").value;
}

function showSource() {
  for (const block of document.querySelectorAll("[data-source]")) block.hidden = block.dataset.source !== specSource();
}

function chosenSpec() {
  switch (specSource()) {
    case "sample": {
      const url = $("sample").value;
      if (!url) throw new Error("Choose a sample spec first.");
      return { spec_url: url };
    }
    case "paste": {
      const text = $("spec-text").value.trim();
      if (!text) throw new Error("Paste an OpenAPI document or upload a file first.");
      return { spec: text };
    }
    default: {
      const url = $("spec-url").value.trim();
      if (!url) throw new Error("Give the spec's URL first.");
      return { spec_url: url };
    }
  }
}

async function loadSamples() {
  const select = $("sample");
  try {
    const { specs } = await api("GET", "/specs/samples");
    select.replaceChildren(...specs.map((s) => el("option", { value: s.spec_url, text: s.name })));
    if (specs.length === 0) select.append(el("option", { value: "", text: "No sample specs in the spec folders" }));
    $("spec-status").textContent = "";
  } catch (e) {
    select.replaceChildren(el("option", { value: "", text: "Samples unavailable" }));
    if (e instanceof ApiError && e.status === 401) {
      $("access").classList.add("attention");
      $("spec-status").textContent = "The service needs an API key: enter one above, then the samples load.";
    } else {
      showError(e);
    }
  }
}

async function loadSpec() {
  const spec = chosenSpec();
  const catalog = await api("POST", "/specs/operations", spec);
  state.spec = spec;
  state.operations = catalog.operations;
  $("spec-status").textContent = `${catalog.title} ${catalog.version}: ${catalog.operations.length} operations.`;
  $("operation-search").disabled = false;
  renderOperations();
}

// ---- 2. the history ---------------------------------------------------------------------------------------------

function renderOperations() {
  const query = $("operation-search").value.trim().toLowerCase();
  const words = query.split(/\s+/).filter(Boolean);
  const matches = state.operations.filter((op) => {
    const text = `${op.endpoint} ${op.operation_id ?? ""} ${op.summary ?? ""} ${op.tags.join(" ")}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const shown = matches.slice(0, 200);
  $("operations").replaceChildren(...shown.map((op) => el("li", {},
    el("button", { type: "button", class: "operation", onclick: () => addEvent({ endpoint: op.endpoint }),
      "aria-label": `Add ${op.endpoint}${op.summary ? ` (${op.summary})` : ""} to the history` },
      el("span", { class: `method m-${op.endpoint.split(" ")[0].toLowerCase()}`, text: op.endpoint.split(" ")[0] }),
      el("span", { class: "path", text: op.endpoint.slice(op.endpoint.indexOf(" ") + 1) }),
      op.destructive ? el("span", { class: "badge danger", text: "destructive" }) : null,
      op.summary ? el("span", { class: "summary", text: op.summary }) : null))));
  if (matches.length > shown.length) {
    $("operations").append(el("li", { class: "hint", text: `${matches.length - shown.length} more: refine the search.` }));
  }
}

function addEvent(event) {
  state.history.push({ ts: new Date().toISOString(), ...event });
  renderHistory();
}

function renderHistory() {
  $("history").replaceChildren(...state.history.map((event, i) => el("li", {},
    el("code", { text: event.endpoint }),
    event.params && Object.keys(event.params).length ? el("span", { class: "params", text: ` ${JSON.stringify(event.params)}` }) : null,
    el("button", { type: "button", class: "remove", "aria-label": `Remove call ${i + 1}, ${event.endpoint}`, text: "×",
      onclick: () => { state.history.splice(i, 1); renderHistory(); } }))));
  $("history-empty").hidden = state.history.length > 0;
}

function useEventsJson() {
  let events;
  try {
    events = JSON.parse($("events-json").value);
  } catch (e) {
    throw new ApiError(400, { title: "The events are not JSON.", detail: e.message });
  }
  if (!Array.isArray(events) || events.some((e) => typeof e?.endpoint !== "string")) {
    throw new ApiError(400, { title: "The events must be an array of objects with an endpoint.",
      detail: 'For example [{"endpoint": "GET /v1/invoices"}]' });
  }
  state.history = events.map((e) => ({ ...e }));
  renderHistory();
}

// ---- 3. predictions ---------------------------------------------------------------------------------------------

async function predict() {
  if (!state.spec) await loadSpec();
  const k = Number.parseInt($("k").value, 10);
  const body = {
    user_id: "playground",
    session_id: state.sessionId,
    events: state.history,
    prompt: $("prompt").value.trim() || undefined,
    k: Number.isNaN(k) ? undefined : k,
    ...state.spec,
  };
  $("results-status").textContent = "Predicting…";
  try {
    renderPredictions(await api("POST", "/predict", body));
  } catch (e) {
    $("results-status").textContent = "No predictions: see the message above.";
    throw e;
  }
}

// The prediction's endpoint is a template; the history reads better, and teaches the next prediction more, with the
// ids the prediction filled in.
function concrete(endpoint, params) {
  return endpoint.replace(/\{([^}]+)\}/g, (whole, name) =>
    params && params[name] !== undefined && params[name] !== null ? encodeURIComponent(String(params[name])) : whole);
}

function renderPredictions(answer) {
  const best = Math.max(...answer.predictions.map((p) => p.score), 0.0001);
  $("predictions").replaceChildren(...answer.predictions.map((p, i) => {
    const percent = (p.score * 100).toFixed(1);
    return el("li", { class: "prediction" },
      el("div", { class: "line" },
        el("span", { class: "rank", text: `${i + 1}` }),
        el("code", { class: "endpoint", text: p.endpoint }),
        p.destructive ? el("span", { class: "badge danger", text: "destructive" }) : null,
        el("span", { class: "badge", text: p.source }),
        el("button", { type: "button", class: "next", text: "Next",
          "aria-label": `Next: call ${p.endpoint} and add it to the history`,
          onclick: (event) => guarded(event.currentTarget, () => choose(answer, p, i)) })),
      el("div", { class: "score", role: "img", "aria-label": `score ${percent} %` },
        el("div", { class: "bar", width: `${Math.max(2, (p.score / best) * 100).toFixed(0)}%` }),
        el("span", { text: `${percent} %` })),
      el("p", { class: "why", text: p.why }),
      Object.keys(p.params ?? {}).length
        ? el("pre", { class: "params", text: JSON.stringify(p.params, null, 1) })
        : null);
  }));
  const count = answer.predictions.length;
  $("results-status").textContent = count
    ? `${count} predictions in ${answer.processing_time_ms.toFixed(1)} ms by ${answer.model_version}${answer.cached ? " (spec from cache)" : ""}.`
    : "The service found no call to suggest.";
  renderMeta(answer);
}

function renderMeta(answer) {
  const route = answer.metadata?.route;
  const rows = [
    ["model", route?.model ?? "local"],
    ["why this route", route?.explanation ?? route?.reason ?? "no language model configured"],
    ["cost", `$${Number(answer.cost_usd).toFixed(6)}`],
    ["generators", (answer.metadata?.generators ?? []).join(", ")],
  ];
  if (answer.injection) rows.push(["injection", `${answer.injection.rules.join(", ")} → ${answer.injection.action}`]);
  $("route").replaceChildren(...rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", { text: String(value) })]));
  const stages = Object.entries(answer.metadata?.stages_ms ?? {});
  const slowest = Math.max(...stages.map(([, ms]) => ms), 0.001);
  $("stages").replaceChildren(...stages.map(([name, ms]) => el("li", {},
    el("span", { class: "stage", text: name }),
    el("span", { class: "stage-bar", width: `${Math.max(1, (ms / slowest) * 100).toFixed(0)}%` }),
    el("span", { class: "ms", text: `${ms.toFixed(1)} ms` }))));
  $("meta").hidden = false;
}

async function choose(answer, prediction, index) {
  // A parameter the prediction could not fill (null) says nothing about the call that was made.
  const params = Object.fromEntries(Object.entries(prediction.params ?? {}).filter(([, value]) => value !== null));
  addEvent({ endpoint: concrete(prediction.endpoint, params), params });
  let note = "";
  try {
    await api("POST", "/feedback", { prediction_id: answer.prediction_id, outcome: "accepted", rank: index + 1 });
    note = " Recorded as accepted.";
  } catch (e) {
    // The history grows either way; a key without the feedback role only loses the outcome.
    note = e instanceof ApiError ? ` The outcome was not recorded (${e.status}).` : "";
  }
  await predict();
  $("results-status").textContent += ` Added ${prediction.endpoint} to the history.${note}`;
}

// ---- wiring -----------------------------------------------------------------------------------------------------

function start() {
  for (const radio of document.querySelectorAll("input[name=spec-source]")) radio.addEventListener("change", showSource);
  showSource();
  $("api-key").value = sessionStorage.getItem(keyStorage) ?? "";
  $("save-key").addEventListener("click", () => {
    const key = $("api-key").value.trim();
    if (key) sessionStorage.setItem(keyStorage, key); else sessionStorage.removeItem(keyStorage);
    $("access").classList.remove("attention");
    clearError();
    loadSamples();
  });
  $("spec-file").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    if (file) $("spec-text").value = await file.text();
  });
  $("load-spec").addEventListener("click", (event) => guarded(event.currentTarget, loadSpec));
  $("operation-search").addEventListener("input", renderOperations);
  $("clear-history").addEventListener("click", () => { state.history = []; renderHistory(); });
  $("use-events").addEventListener("click", () => { try { clearError(); useEventsJson(); } catch (e) { showError(e); } });
  $("predict-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded($("predict"), predict);
  });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("predict-form").requestSubmit();
  });
  // A different spec must be loaded again before it is predicted on.
  for (const id of ["sample", "spec-text", "spec-url"]) $(id).addEventListener("change", () => { state.spec = null; });
  for (const radio of document.querySelectorAll("input[name=spec-source]")) radio.addEventListener("change", () => { state.spec = null; });
  renderHistory();
  loadSamples();
}

window.addEventListener("error", (event) => showError(event.error ?? event.message));
window.addEventListener("unhandledrejection", (event) => showError(event.reason));
start();
