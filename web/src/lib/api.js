// The page's calls to the public API, the same endpoints every client uses. The browser
// sends the session cookie itself (same origin); a state-changing call also carries the
// session's CSRF token, which `loadSession` reads from /api/v1/account/session.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, msg) {
    super(msg);
    this.status = status;
    this.code = code;
  }
}

async function send(method, url, body, headers) {
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, -1001, "The server cannot be reached.");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    throw new ApiError(response.status, -1000, text.slice(0, 200));
  }
  if (!response.ok) {
    const code = data && typeof data.code === "number" ? data.code : -1000;
    const msg = data && data.msg ? data.msg : `HTTP ${response.status}`;
    throw new ApiError(response.status, code, msg);
  }
  return data;
}

function query(params) {
  const pairs = Object.entries(params).filter(([, value]) => value !== undefined && value !== null);
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

// Binance-style endpoints under /api/v3 (and the sandbox's /api/v1/sandbox): parameters in
// the query string, as every Binance client sends them.
export function rest(method, path, params = {}) {
  return send(method, path + query(params), undefined, {});
}

// The account endpoints under /api/v1/account take JSON bodies.
export function account(method, path, body) {
  const headers = {};
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return send(method, "/api/v1/account/" + path, payload, headers);
}

export function setCsrfToken(token) {
  csrfToken = token;
}

// The logged-in profile ({userId, email, totpEnabled, csrfToken, antiPhishingCode}), or
// null when the browser has no live session. /api/v1/account/session answers a visitor
// 200 {loggedIn: false}, so a visitor's page load has no failed request.
export async function loadSession() {
  const answer = await account("GET", "session");
  if (!answer || !answer.loggedIn) return null;
  setCsrfToken(answer.csrfToken);
  return answer;
}
