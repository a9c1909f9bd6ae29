// What the playground and the dashboard share: building DOM nodes, calling the service with the tab's API key, and
// the error box. Every text that comes from the service is set with textContent, never parsed as HTML.

export const $ = (id) => document.getElementById(id);

// One key per browser tab: entered in either page, it reaches the other.
export const keyStorage = "opensesame.apiKey";

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    // Through the CSSOM: the pages' Content-Security-Policy refuses style attributes.
    else if (name === "width") node.style.width = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export async function api(method, path, body) {
  const headers = { accept: "application/json, application/problem+json" };
  const key = sessionStorage.getItem(keyStorage);
  if (key) headers["X-Api-Key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { title: "The service could not be reached.", detail: String(e) });
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { title: `HTTP ${response.status}`, detail: text.slice(0, 500) };
  }
  if (!response.ok) throw new ApiError(response.status, json, response.headers.get("retry-after"));
  return json;
}

export function clearError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

// The error box: always in the page, never a blank one. `describe` adds what the page says beyond the problem's
// title and detail, given the box and the error.
export function showError(error, headings, describe) {
  const box = $("error");
  box.replaceChildren();
  if (!(error instanceof ApiError)) {
    box.append(el("strong", { text: "Something went wrong in the page." }), el("p", { text: String(error?.message ?? error) }));
  } else {
    const problem = error.problem ?? {};
    const heading = headings[error.status] ?? (error.status ? `The service answered ${error.status}` : "No answer");
    box.append(el("strong", { text: `${heading}: ${problem.title ?? ""}` }));
    if (problem.detail) box.append(el("p", { text: problem.detail }));
    describe(box, error);
    if (error.status === 401 || error.status === 403) {
      $("access").classList.add("attention");
      $("api-key").focus();
    }
  }
  box.append(el("button", { type: "button", class: "dismiss", text: "Dismiss", onclick: clearError }));
  box.hidden = false;
}
