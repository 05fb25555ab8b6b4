// What the sign-up, log-in, reset and account pages share: where to go after logging in,
// the texts of the account API's errors, the password's length, and form fields.
import { ApiError } from "./api.js";
import { el } from "./dom.js";
import { t, translate } from "./i18n.js";
import { isSandbox, startPage } from "./layout.js";

const ENTRY_PAGES = ["/login", "/signup", "/verify", "/reset-password"];

// The part of the password rule a page checks before sending (the server also refuses
// common and easy passwords): its length, in characters as the server counts them (code
// points, not UTF-16 units).
export const MIN_PASSWORD = 10;

export function passwordLength(text) {
  return [...text].length;
}

// A path on this site, or null: never another origin (no open redirect via ?next=).
function samePath(candidate) {
  if (!candidate) return null;
  let url;
  try {
    url = new URL(candidate, location.origin);
  } catch (error) {
    return null;
  }
  if (url.origin !== location.origin) return null;
  if (ENTRY_PAGES.includes(url.pathname)) return null;
  return url.pathname + url.search + url.hash;
}

// Where a user goes once logged in: the page named by ?next=, else the page of this site
// they came from, else the trading page of the default market.
export function nextTarget() {
  const next = samePath(new URLSearchParams(location.search).get("next"));
  if (next) return next;
  const from = samePath(document.referrer);
  if (from) return from;
  return `/trade/${document.body.dataset.defaultSymbol || "KGLDKRW"}`;
}

// The ?next= to hand on when the user moves between /login and /signup.
export function nextQuery() {
  const next = samePath(new URLSearchParams(location.search).get("next")) || samePath(document.referrer);
  return next ? "?" + new URLSearchParams({ next }).toString() : "";
}

// The user's language's text for an API error; the server's own message for codes without
// one (its words name the problem, as for an invalid API key request).
export function errorText(error) {
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    const text = t(key);
    return text === key ? error.message : text;
  }
  return t("common.error", { message: String(error && error.message ? error.message : error) });
}

// A labelled input: {label, input} with the label tied to the input by id.
export function field(id, labelKey, attributes = {}) {
  const input = el("input", { id, name: id, ...attributes });
  return { label: el("label", { for: id, dataset: { i18n: labelKey } }), input };
}

// A message area for a form (role=alert: screen readers read it when it changes).
export function messageBox(id) {
  return el("p", { id, class: "form-message", role: "alert", "aria-live": "assertive" });
}

export function showMessage(box, text, kind = "error") {
  box.textContent = text;
  box.className = `form-message ${kind}`;
}

export function clearMessage(box) {
  box.textContent = "";
  box.className = "form-message";
}

// Disables a form's button while a request is on its way, so a double click sends once.
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

// Sign-up and login draw their form, then send a visitor who is already logged in on.
export async function startEntryPage(active, drawForm) {
  drawForm();
  const session = await startPage({ active });
  if (session) {
    location.replace(nextTarget());
    return;
  }
  translate();
}

// In the sandbox, the way to the mails it caught for this browser (it sends none for real);
// elsewhere nothing.
export function mailboxLink() {
  if (!isSandbox()) return null;
  return el("p", { class: "mailbox-link" }, [
    el("a", { id: "open-mailbox", class: "button", href: "/sandbox/mail", dataset: { i18n: "signup.openMailbox" } }),
    " ",
    el("span", { class: "muted", dataset: { i18n: "signup.mailboxHint" } }),
  ]);
}

// The token of a link from a mail: after `#` (a fragment never reaches a server's logs).
export function linkToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return hash.get("token") || "";
}
