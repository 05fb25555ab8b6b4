// The page's calls to the public API, the same endpoints every client uses. The browser
// sends the session cookie itself (same origin); a state-changing call also carries the
// session's CSRF token, which `loadSession` reads from /api/v1/account/session.
//
// A page that had a session learns here when it ends (logged out in another tab, expired):
// the first call refused for want of a session tells every `onSessionEnded` listener, and
// lib/layout.js shows the notice. The page is not reloaded, so what was typed stays.

let csrfToken = null;
let sessionHeld = false;
let sessionUser = null; // the userId of the session the page was drawn for
const sessionEndedListeners = [];

// The refusals that mean "no live session" on a page that had one: the account API's -8008,
// and the public API's answers to a request whose session cookie is gone (the gateway then
// looks for an API key and finds none, -2014, or none it accepts, -2015). Always 401.
export const SESSION_ENDED_CODES = [-8008, -2014, -2015, -1002];
const CSRF_FAILED = -8009;

export class ApiError extends Error {
  constructor(status, code, msg, retryAfter = null) {
    super(msg);
    this.status = status;
    this.code = code;
    this.msg = msg; // Binance's text: lib/errors.js reads it to tell refusals apart, never shows it
    this.retryAfter = retryAfter; // seconds, from Retry-After on 418 and 429
  }
}

async function send(method, url, body, headers, retried = false) {
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, -1001, "The server cannot be reached.");
  }
  let data;
  try {
    data = await answerOf(response);
  } catch (error) {
    if (response.ok) throw error; // an answer that is not JSON says nothing of the session
    const { code, msg } = error;
    // A stale CSRF token means the session cookie changed under the page (a log-in again
    // elsewhere in this browser): with the same person's new session, take its token and
    // send once more; with none, or another person's, the page's session has ended.
    if (code === CSRF_FAILED && sessionHeld && !retried) {
      const now = await account("GET", "session").catch(() => null);
      if (now && now.loggedIn && now.userId === sessionUser) {
        setCsrfToken(now.csrfToken);
        return send(method, url, body, headers, true);
      }
      if (now) {
        const ended = new ApiError(401, -8008, msg);
        endSession(ended);
        throw ended;
      }
    }
    if (response.status === 401 && SESSION_ENDED_CODES.includes(code)) endSession(error);
    throw error;
  }
  return data;
}

// A response's JSON, or the ApiError of a refusal (Binance's {code, msg}).
async function answerOf(response) {
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
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(response.status, code, msg, retryAfter);
  }
  return data;
}

// An operator endpoint under /api/v1/admin (the issuer console): the admin token as a
// bearer, a JSON body, never the session's cookie. Its refusals (a wrong token is -1002)
// say nothing of the page's session, which stays as it was.
export async function operator(token, path, body = {}) {
  let response;
  try {
    response = await fetch("/api/v1/admin/" + path, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, -1001, "The server cannot be reached.");
  }
  return answerOf(response);
}

function endSession(error) {
  if (!sessionHeld) return; // a visitor's refusal, or already told
  sessionHeld = false;
  for (const listener of sessionEndedListeners) listener(error);
}

// `listener(error)` runs once when a page that had a session finds it gone.
export function onSessionEnded(listener) {
  sessionEndedListeners.push(listener);
}

// Asks the server whether the page's session still lives (when the tab comes back into
// view, or another tab logged out), telling the listeners if it does not.
export async function checkSession() {
  if (!sessionHeld) return;
  let answer;
  try {
    answer = await account("GET", "session");
  } catch (error) {
    return; // unreachable server: not a proof the session ended
  }
  if (!answer || !answer.loggedIn || answer.userId !== sessionUser) {
    endSession(new ApiError(401, -8008, "session ended"));
  } else if (answer.csrfToken) {
    setCsrfToken(answer.csrfToken);
  }
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
  if (!answer || !answer.loggedIn) {
    sessionHeld = false;
    return null;
  }
  setCsrfToken(answer.csrfToken);
  sessionHeld = true;
  sessionUser = answer.userId;
  return answer;
}
