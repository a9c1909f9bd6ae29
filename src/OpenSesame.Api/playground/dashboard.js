// The dashboard: plain DOM like the playground, with charts by the vendored Chart.js (the global `Chart`). It only
// reads admin routes: GET /cost-analytics, /admin/budget, /admin/model, /admin/usage and /admin/usage/{spec}.
// Every text that comes from the service is set with textContent, never parsed as HTML.

import { $, api as call, clearError, el, keyStorage, showError as showProblem } from "./common.js";

const charts = {};
const colors = ["#0b5fd6", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563", "#db2777"];
// Every route the dashboard reads is a GET.
const api = (path) => call("GET", path);

function showError(error) {
  showProblem(error, {
    401: "An API key with the admin role is needed (401)",
    403: "This key may not see the dashboard (403)",
    429: "Too many requests (429)",
  }, (box, error) => {
    if (error.status === 429) {
      box.append(el("p", { text: error.retryAfter ? `Try again in ${error.retryAfter} s.` : "Try again in a moment." }));
    }
    if (error.status === 401 || error.status === 403) {
      box.append(el("p", { text: "Enter a key with the admin role below and choose “Use key”." }));
    }
  });
}

// ---- formatting -------------------------------------------------------------------------------------------------

function usd(value) {
  const v = Number(value);
  if (!Number.isFinite(v)) return "—";
  if (v === 0) return "$0";
  if (Math.abs(v) >= 1) return `$${v.toFixed(2)}`;
  if (Math.abs(v) < 0.000001) return "under $0.000001";
  // Local predictions cost nothing and LLM ones fractions of a cent: cents alone would show most spend as $0.00.
  const digits = v.toFixed(6).replace(/0+$/, "");
  return `$${digits.length - digits.indexOf(".") < 3 ? v.toFixed(2) : digits}`;
}

const percent = (v, digits = 1) => (Number.isFinite(Number(v)) ? `${(Number(v) * 100).toFixed(digits)} %` : "—");
const number = (v) => (Number.isFinite(Number(v)) ? Number(v).toLocaleString("en") : "—");
const metric = (v) => (Number.isFinite(Number(v)) ? Number(v).toFixed(3) : "—");

function table(id, head, rows) {
  $(id).replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { text: String(c) })))))));
}

// ---- charts -----------------------------------------------------------------------------------------------------

function draw(id, label, config) {
  charts[id]?.destroy();
  delete charts[id];
  const canvas = $(id);
  canvas.setAttribute("aria-label", label);
  if (typeof Chart === "undefined") {
    throw new Error("The chart library (vendor/chart.js) did not load; the figures and tables are still right.");
  }
  // No animation: the numbers are there at once for people and for the browser tests alike.
  charts[id] = new Chart(canvas, {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
  });
}

function undraw(id) {
  charts[id]?.destroy();
  delete charts[id];
  $(id).setAttribute("aria-label", "Not loaded");
}

// A budget of dollars draws cents of spend as a flat line at zero; unticking the budget rescales to the spend.
function budgetToggle(chartId, checkboxId) {
  const chart = charts[chartId];
  const box = $(checkboxId);
  if (!chart || !box) return;
  const index = chart.data.datasets.findIndex((d) => d.budget);
  box.disabled = index < 0;
  if (index >= 0) {
    chart.setDatasetVisibility(index, box.checked);
    chart.update();
  }
}

// ---- the cost report --------------------------------------------------------------------------------------------

function renderFigures(report, budget) {
  const monthBudget = budget?.monthly_budget_usd;
  const dayBudget = budget?.daily_budget_usd;
  const hitRate = report.predictions > 0 ? report.cache_hits / report.predictions : NaN;
  const trend = report.weekly.change_percent;
  const figures = [
    ["Today", usd(report.today_usd), dayBudget ? `${percent(report.today_usd / dayBudget)} of the ${usd(dayBudget)} daily budget` : "no daily budget"],
    ["This month", usd(report.month_usd), monthBudget ? `${percent(report.month_usd / monthBudget)} of the ${usd(monthBudget)} monthly budget` : "budget not loaded"],
    ["Projected month end", usd(report.projected_month_usd), "at this month's pace"],
    ["Predictions", number(report.predictions), "this month"],
    ["Cache hit rate", Number.isFinite(hitRate) ? percent(hitRate) : "—", `${number(report.cache_hits)} answered from the cache`],
    ["Cost per prediction", usd(report.cost_per_prediction_mean_usd), `mean; 95th percentile ${usd(report.cost_per_prediction_p95_usd)}`],
    ["Last 7 days", usd(report.weekly.this_week_usd),
      trend === null || trend === undefined ? `the 7 before: ${usd(report.weekly.last_week_usd)}` : `${trend > 0 ? "+" : ""}${trend} % on the 7 before`],
  ];
  $("figures").replaceChildren(...figures.map(([term, value, note]) => el("div", { class: "figure" },
    el("dt", { text: term }), el("dd", {}, el("span", { class: "value", text: value }), el("span", { class: "note", text: note })))));
  $("figures-status").textContent = report.predictions === 0
    ? "No predictions this month yet: the figures and charts fill in as the service answers."
    : `As of ${new Date(report.generated_at).toUTCString()}; months and days are UTC.`;
}

function renderDaily(report, budget) {
  const days = report.daily;
  const spent = days.reduce((sum, d) => sum + Number(d.cost_usd), 0);
  const predicted = days.reduce((sum, d) => sum + d.predictions, 0);
  const dayBudget = budget?.daily_budget_usd;
  const datasets = [
    { type: "bar", label: "Spend (USD)", data: days.map((d) => Number(d.cost_usd)), backgroundColor: colors[0], yAxisID: "usd", order: 2 },
    { type: "line", label: "Predictions", data: days.map((d) => d.predictions), borderColor: colors[1], backgroundColor: colors[1], yAxisID: "count", pointRadius: 2, order: 1 },
  ];
  if (dayBudget) {
    datasets.push({ type: "line", label: "Daily budget", data: days.map(() => dayBudget), borderColor: colors[4], borderDash: [6, 4], pointRadius: 0, yAxisID: "usd", budget: true, order: 0 });
  }
  draw("daily-chart",
    `Spend per day over the last 30 days: ${usd(spent)} in all over ${predicted} predictions; today ${usd(report.today_usd)}${dayBudget ? ` of a ${usd(dayBudget)} daily budget` : ""}.`,
    {
      data: { labels: days.map((d) => d.day.slice(5)), datasets },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          usd: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: "USD" } },
          count: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "predictions" }, ticks: { precision: 0 } },
        },
      },
    });
  $("daily-status").replaceChildren(dayBudget
    ? budgetCheckbox("daily-budget-shown", "daily-chart", "Show the daily budget line")
    : "No daily budget is set (Routing:DailyBudgetUsd): the monthly budget is on the next chart.");
}

function budgetCheckbox(id, chartId, text) {
  const box = el("input", { type: "checkbox", id, checked: "" });
  box.addEventListener("change", () => budgetToggle(chartId, id));
  return el("label", { class: "inline check", for: id }, box, ` ${text}`);
}

// The running total of the month, day by day: the report's month total less what each later day spent, so a month
// longer than the report's 30 days still adds up.
function renderMonth(report, budget) {
  const now = new Date(report.generated_at);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const today = now.getUTCDate();
  const prefix = `${year}-${String(month + 1).padStart(2, "0")}-`;
  const spentOn = new Map(report.daily.filter((d) => d.day.startsWith(prefix)).map((d) => [Number(d.day.slice(8)), Number(d.cost_usd)]));
  const running = [];
  let after = 0;
  for (let day = today; day >= 1; day--) {
    running[day - 1] = Number(report.month_usd) - after;
    after += spentOn.get(day) ?? 0;
  }
  const atToday = Number(report.month_usd);
  const projected = Number(report.projected_month_usd);
  const projection = Array.from({ length }, (_, i) => (i + 1 < today ? null
    : atToday + ((projected - atToday) * (i + 1 - today)) / Math.max(1, length - today)));
  const monthBudget = budget?.monthly_budget_usd;
  const datasets = [
    { label: "Spent so far (USD)", data: Array.from({ length }, (_, i) => running[i] ?? null), borderColor: colors[0], backgroundColor: colors[0], fill: false, pointRadius: 2 },
    { label: "Projected", data: projection, borderColor: colors[2], borderDash: [3, 3], pointRadius: 0 },
  ];
  if (monthBudget) {
    datasets.push({ label: "Monthly budget", data: Array.from({ length }, () => monthBudget), borderColor: colors[4], borderDash: [6, 4], pointRadius: 0, budget: true });
  }
  draw("month-chart",
    `This month: ${usd(report.month_usd)} spent${monthBudget ? ` of the ${usd(monthBudget)} budget (${percent(report.month_usd / monthBudget)})` : ""}, projected ${usd(projected)} at month end.`,
    {
      type: "line",
      data: { labels: Array.from({ length }, (_, i) => String(i + 1)), datasets },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "USD" } }, x: { title: { display: true, text: "day of the month (UTC)" } } },
      },
    });
  $("month-status").replaceChildren(monthBudget
    ? budgetCheckbox("month-budget-shown", "month-chart", "Show the monthly budget line (untick to scale to the spend)")
    : "The budget could not be loaded: the line is missing.");
}

function renderModels(report) {
  const models = report.models;
  if (models.length === 0) {
    undraw("models-chart");
    $("models-table").replaceChildren();
    $("models-status").textContent = "No predictions this month yet.";
    return;
  }
  draw("models-chart",
    `Model mix this month, by predictions: ${models.map((m) => `${m.key ?? "(none)"} ${m.predictions}`).join(", ")}.`,
    {
      type: "doughnut",
      data: {
        labels: models.map((m) => m.key ?? "(none)"),
        datasets: [{ label: "Predictions", data: models.map((m) => m.predictions), backgroundColor: models.map((_, i) => colors[i % colors.length]) }],
      },
      options: { plugins: { legend: { position: "right" } } },
    });
  table("models-table", ["Model", "Predictions", "Spend", "Cache hits", "Tokens in / out"],
    models.map((m) => [m.key ?? "(none)", number(m.predictions), usd(m.cost_usd), number(m.cache_hits), `${number(m.input_tokens)} / ${number(m.output_tokens)}`]));
  $("models-status").textContent = "By predictions this month; “local” is the service's own generator, at no cost.";
}

function renderTop(id, statusId, groups, what) {
  if (groups.length === 0) {
    $(id).replaceChildren();
    $(statusId).textContent = `No ${what} this month yet.`;
    return;
  }
  table(id, [what === "users" ? "User" : "Session", "Predictions", "Spend", "Cache hits"],
    groups.map((g) => [g.key ?? `(no ${what === "users" ? "user" : "session"} given)`, number(g.predictions), usd(g.cost_usd), number(g.cache_hits)]));
  $(statusId).textContent = "By spend, then predictions.";
}

function renderCost(report, budget) {
  renderFigures(report, budget);
  for (const render of [() => renderDaily(report, budget), () => renderMonth(report, budget), () => renderModels(report)]) {
    try {
      render();
    } catch (e) {
      showError(e);
    }
  }
  renderTop("users-table", "users-status", report.top_users, "users");
  renderTop("sessions-table", "sessions-status", report.top_sessions, "sessions");
}

// ---- the serving model ------------------------------------------------------------------------------------------

function renderModel(status) {
  const info = status.model;
  const pairs = [
    ["serving", status.serving],
    ["kind", status.kind === "learned" ? "learned (LightGBM ranker)" : "heuristic: no learned model is loaded"],
    ["current on disk", status.current ?? "none trained here"],
    ["challenger", status.challenger ?? "none"],
  ];
  if (info) {
    pairs.push(["trained", `${new Date(info.created_at).toUTCString()} on ${number(info.sessions)} sessions, ${number(info.groups)} groups`]);
    if (info.real_outcomes) pairs.push(["real outcomes", `${number(info.real_outcomes.groups)} groups of this deployment's outcomes`]);
  }
  $("serving").replaceChildren(...pairs.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", { text: String(value) })]));

  const rows = [];
  if (info) {
    for (const [name, m] of [
      ["offline: calibration", info.calibration],
      ["offline: with simulated LLM", info.calibration_with_simulated_llm],
      ["offline: with learned usage", info.calibration_with_usage],
      ["offline: recorded traffic", info.traffic_validation],
      ["offline: traffic, written prompts", info.traffic_validation_with_written_prompts],
    ]) {
      if (m) rows.push([name, number(m.groups), metric(m.top1), metric(m.top3), metric(m.mrr)]);
    }
  }
  for (const v of status.variants ?? []) {
    rows.push([`online: ${v.model_version}`, number(v.recent.outcomes), metric(v.recent.top1), metric(v.recent.top3), metric(v.recent.mrr)]);
  }
  if (rows.length) table("quality-table", ["Measured", "Groups", "Top-1", "Top-3", "MRR"], rows);
  else $("quality-table").replaceChildren();
  const notes = [];
  if (!info) notes.push("The heuristic has no training metrics.");
  if (!status.variants?.length) notes.push("No online quality yet: the drift monitor measures it from logged outcomes.");
  $("serving-status").textContent = notes.join(" ");
}

// ---- learned usage ----------------------------------------------------------------------------------------------

function renderUsage(list) {
  $("steps").hidden = true;
  if (list.specs.length === 0) {
    $("usage-table").replaceChildren();
    $("usage-status").textContent = "Nothing learned yet: usage is counted from the calls in predictions' histories.";
    return;
  }
  table("usage-table", ["Spec (content hash)", "Steps counted", "Operation pairs", ""],
    list.specs.map((s) => [
      el("code", { title: s.spec_hash, text: s.spec_hash.slice(0, 16) }),
      Number(s.steps).toFixed(1),
      number(s.pairs),
      el("button", { type: "button", text: "Show steps", "aria-label": `Show the most frequent steps of spec ${s.spec_hash.slice(0, 16)}`,
        onclick: (event) => showSteps(event.currentTarget, s.spec_hash) }),
    ]));
  $("usage-status").textContent = `${list.specs.length} spec${list.specs.length === 1 ? "" : "s"}, most steps first; only operation pairs are kept, never values or users.`;
}

async function showSteps(button, hash) {
  clearError();
  button.disabled = true;
  try {
    const usage = await api(`/admin/usage/${encodeURIComponent(hash)}`);
    table("steps-table", ["From", "To", "Count"],
      usage.steps.slice(0, 15).map((s) => [s.from ?? "(session start)", s.to, Number(s.count).toFixed(1)]));
    const top = usage.contributors[0];
    $("steps-title").textContent = `Most frequent steps of ${hash.slice(0, 16)}${top ? ` (top caller ${top.caller}, ${percent(top.share, 0)} of steps)` : ""}`;
    $("steps").hidden = false;
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---- loading ----------------------------------------------------------------------------------------------------

function notLoaded(ids, why) {
  for (const id of ids) {
    if (charts[`${id}-chart`] || $(`${id}-chart`)) undraw(`${id}-chart`);
    if ($(`${id}-table`)) $(`${id}-table`).replaceChildren();
    $(`${id}-status`).textContent = why;
  }
  if (ids.includes("figures")) $("figures").replaceChildren();
  if (ids.includes("serving")) { $("serving").replaceChildren(); $("quality-table").replaceChildren(); }
  if (ids.includes("usage")) $("steps").hidden = true;
}

async function load() {
  clearError();
  $("access").classList.remove("attention");
  $("refresh").disabled = true;
  $("status").textContent = "Loading…";
  try {
    const [cost, budget, model, usage] = await Promise.allSettled(
      ["/cost-analytics?top=10", "/admin/budget", "/admin/model", "/admin/usage"].map(api));
    const failures = [cost, budget, model, usage].filter((r) => r.status === "rejected").map((r) => r.reason);
    const why = "Not loaded: see the message above.";
    if (cost.status === "fulfilled") renderCost(cost.value, budget.status === "fulfilled" ? budget.value : null);
    else notLoaded(["figures", "daily", "month", "models", "users", "sessions"], why);
    if (model.status === "fulfilled") renderModel(model.value);
    else notLoaded(["serving"], why);
    if (usage.status === "fulfilled") renderUsage(usage.value);
    else notLoaded(["usage"], why);
    // The routes share the key and the rate limit, so the first refusal speaks for the rest.
    if (failures.length) showError(failures[0]);
    $("status").textContent = failures.length
      ? `${failures.length} of 4 parts could not be loaded: see the message above.`
      : `Updated at ${new Date().toLocaleTimeString("en")}.`;
  } finally {
    $("refresh").disabled = false;
  }
}

function start() {
  $("api-key").value = sessionStorage.getItem(keyStorage) ?? "";
  $("save-key").addEventListener("click", () => {
    const key = $("api-key").value.trim();
    if (key) sessionStorage.setItem(keyStorage, key); else sessionStorage.removeItem(keyStorage);
    load();
  });
  $("api-key").addEventListener("keydown", (event) => {
    if (event.key === "Enter") $("save-key").click();
  });
  $("refresh").addEventListener("click", load);
  load();
}

window.addEventListener("error", (event) => showError(event.error ?? event.message));
window.addEventListener("unhandledrejection", (event) => showError(event.reason));
start();
