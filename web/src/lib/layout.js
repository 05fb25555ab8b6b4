// What every page shares: the sandbox banner (with the faucet and a link to the sandbox
// explainer), the header (navigation, language, the logged-in user with their anti-phishing
// code, log out), the footer (help, fees, API docs, terms, risk disclosure) and the page's
// session. `startPage` returns the session profile, or null when logged out.
//
// It also watches the session for every page: when it ends while the page is open (logged
// out in another tab, expired), a notice says so with a login link that comes back here,
// and what was typed in the page's fields is kept: the page is not reloaded, and the fields
// are put back after the login brings the person back.
import { account, checkSession, loadSession, onSessionEnded, rest } from "./api.js";
import { grouped, trim } from "./decimal.js";
import { el, byId, clear } from "./dom.js";
import { colourSchemeControl } from "./colours.js";
import { errorText } from "./errors.js";
import { LANGUAGES, language, setLanguage, t, translate } from "./i18n.js";

export const page = document.body.dataset;

// Other tabs of this site learn of a log-out through this localStorage key (its `storage`
// event fires in every other tab of the origin).
const LOGGED_OUT_KEY = "assetport.loggedOut";
// Fields typed before a session ended, per page, until the login brings the person back.
const KEPT_KEY = "assetport.keptFields";
const SESSION_RETRY_MS = [1000, 2000, 5000, 10000, 30000];

let activeNav = null;

export function isSandbox() {
  return page.sandbox === "1";
}

export async function startPage({ active }) {
  activeNav = active;
  drawHeaderSkeleton();
  let session = null;
  try {
    session = await loadSession();
  } catch (error) {
    // The page works for a visitor meanwhile; the header says it is still trying.
    retrySession(error, 0);
  }
  drawHeader(active, session);
  if (isSandbox()) drawBanner(session);
  drawFooter();
  translate();
  watchSession();
  restoreKeptFields();
  return session;
}

// The brand and navigation at once, a grey block where the login state will be: the
// header keeps its height, so the page does not jump when the session arrives.
function drawHeaderSkeleton() {
  const header = byId("header");
  if (!header || header.childElementCount) return;
  header.append(
    el("a", { href: "/", class: "brand" }, [el("span", { class: "brand-mark", text: "◆" }), "Assetport"]),
    el("nav", { class: "nav" }),
    el("div", { class: "header-right" }, [el("span", { class: "skeleton skeleton-button", "aria-hidden": "true" })]),
  );
}

// The session could not be asked for (server unreachable or failing): say so in the header
// and try again, with growing pauses; a session found later is shown, and the page told.
function retrySession(error, attempt) {
  const wait = SESSION_RETRY_MS[Math.min(attempt, SESSION_RETRY_MS.length - 1)];
  setTimeout(async () => {
    let session;
    try {
      session = await loadSession();
    } catch (again) {
      showHeaderState("header.sessionRetrying");
      retrySession(again, attempt + 1);
      return;
    }
    drawHeader(activeNav, session);
    if (isSandbox()) drawBanner(session);
    translate();
    if (session) document.dispatchEvent(new CustomEvent("assetport:session-found", { detail: session }));
  }, wait);
  // Drawn once the header is (startPage draws it right after this call).
  setTimeout(() => showHeaderState("header.sessionRetrying"), 0);
}

function showHeaderState(key) {
  const right = document.querySelector("#header .header-right");
  if (!right) return;
  let note = byId("header-state");
  if (!note) {
    note = el("span", { id: "header-state", class: "header-state", role: "status" });
    right.prepend(note);
  }
  note.dataset.i18n = key;
  note.textContent = t(key);
}

function watchSession() {
  if (watchSession.started) return;
  watchSession.started = true;
  onSessionEnded(showSessionEnded);
  document.addEventListener("input", noteTouched, true);
  document.addEventListener("change", noteTouched, true);
  // Ask again when the person comes back to this tab, and at once when another tab of
  // the site logs out: the notice is there before they type more.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") checkSession();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === LOGGED_OUT_KEY) checkSession();
  });
}

function hereWithLogin() {
  const next = location.pathname + location.search + location.hash;
  return "/login?" + new URLSearchParams({ next }).toString();
}

function showSessionEnded() {
  keepFields();
  // From here on the page is a visitor's: the header offers to log in, the banner no faucet.
  drawHeader(activeNav, null);
  if (isSandbox()) drawBanner(null);
  let notice = byId("session-ended");
  if (!notice) {
    notice = el("div", { id: "session-ended", class: "session-ended", role: "alert" }, [
      el("strong", { dataset: { i18n: "session.ended" } }),
      " ",
      el("a", { id: "session-login", class: "button primary small", href: hereWithLogin(), dataset: { i18n: "session.login" } }),
      " ",
      el("span", { class: "muted", dataset: { i18n: "session.endedHint" } }),
      el(
        "button",
        { class: "button ghost small session-dismiss", type: "button", dataset: { i18nTitle: "session.dismiss" }, onclick: () => notice.remove() },
        [el("span", { "aria-hidden": "true", text: "×" }), el("span", { class: "sr-only", dataset: { i18n: "session.dismiss" } })],
      ),
    ]);
    byId("header").after(notice);
  }
  translate();
  // Typing goes on after the notice: keep the latest values whenever the page is left.
  window.addEventListener("pagehide", keepFields);
}

// The fields the person typed into or chose in, by id, in the order they last did: what a
// page works out from them (an order's total from its price and quantity) follows when they
// are put back in that order. Never passwords, one-time codes or hidden values.
const touched = new Set();

function noteTouched(event) {
  const input = event.target;
  if (!event.isTrusted || !input.id || !input.closest || !input.closest("main")) return;
  if (input.type === "password" || input.type === "hidden" || input.type === "file") return;
  if (input.autocomplete === "one-time-code") return;
  touched.delete(input.id);
  touched.add(input.id);
}

function typedFields() {
  const fields = [];
  for (const id of touched) {
    const input = byId(id);
    if (!input) continue;
    if (input.type === "checkbox" || input.type === "radio") fields.push([id, { checked: input.checked }]);
    else fields.push([id, { value: input.value }]);
  }
  return fields;
}

function keepFields() {
  const fields = typedFields();
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) || "{}");
    kept[location.pathname + location.search] = { fields, at: Date.now() };
    sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
  } catch (error) {
    // storage full or blocked: the notice still says what happened
  }
}

// Puts back what was kept for this page, as the person typed it (with the events typing
// sends, so the page's own checks and totals follow). A page draws its forms after its data
// arrives, so fields not there yet are waited for, for a while.
function restoreKeptFields() {
  let kept;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) || "{}");
  } catch (error) {
    return;
  }
  const here = location.pathname + location.search;
  const entry = kept[here];
  if (!entry) return;
  delete kept[here];
  try {
    sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
  } catch (error) {
    // nothing more to do: the values are restored from memory below
  }
  if (Date.now() - entry.at > 60 * 60 * 1000) return; // an hour on, it is no longer what they meant
  const waiting = new Map(entry.fields);
  const fill = () => {
    for (const [id, saved] of waiting) {
      const input = byId(id);
      if (!input) continue;
      if ("checked" in saved) input.checked = saved.checked;
      else input.value = saved.value;
      // The event typing or choosing sends: a text field's own checks run on `input`
      // (its `change` comes when the person leaves it, and may round what they typed).
      const typing = input.tagName !== "SELECT" && !("checked" in saved);
      input.dispatchEvent(new Event(typing ? "input" : "change", { bubbles: true }));
      waiting.delete(id);
    }
    return waiting.size === 0;
  };
  if (fill()) return;
  const observer = new MutationObserver(() => {
    if (fill()) observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true });
  setTimeout(() => observer.disconnect(), 15000);
}

function drawHeader(active, session) {
  const header = clear(byId("header"));
  const link = (href, key, name) =>
    el("a", { href, class: active === name ? "nav-link active" : "nav-link", dataset: { i18n: key } });
  const nav = el("nav", { class: "nav" }, [
    link("/", "nav.markets", "markets"),
    link(`/trade/${page.defaultSymbol || "KGLDKRW"}`, "nav.trade", "trade"),
    link("/nft", "nav.nft", "nft"),
    session ? link("/portfolio", "nav.portfolio", "portfolio") : null,
    session ? link("/wallet/deposit", "nav.wallet", "wallet") : null,
    session ? link("/account", "nav.account", "account") : null,
  ]);
  const languages = el(
    "select",
    { id: "language", dataset: { i18nAriaLabel: "header.language" }, onchange: (event) => setLanguage(event.target.value) },
    LANGUAGES.map((code) => el("option", { value: code, text: code === "ko" ? "한국어" : "English" })),
  );
  languages.value = language();
  const user = session
    ? [
        el("span", { class: "user-email", id: "user-email", text: session.email }),
        session.antiPhishingCode
          ? el("span", { class: "anti-phishing", id: "anti-phishing", title: t("header.antiPhishing") }, [
              el("span", { dataset: { i18n: "header.antiPhishingShort" } }),
              " ",
              el("strong", { text: session.antiPhishingCode }),
            ])
          : null,
        el("button", { id: "logout", class: "button ghost", onclick: logOut, dataset: { i18n: "header.logout" } }),
      ]
    : [
        el("a", { href: "/login", id: "login-link", class: "button ghost", dataset: { i18n: "header.login" } }),
        el("a", { href: "/signup", id: "signup-link", class: "button primary", dataset: { i18n: "header.signup" } }),
      ];
  header.append(
    el("a", { href: "/", class: "brand" }, [el("span", { class: "brand-mark", text: "◆" }), "Assetport"]),
    nav,
    el("div", { class: "header-right" }, [languages, colourSchemeControl(), ...user]),
  );
}

function drawBanner(session) {
  const banner = clear(byId("banner"));
  banner.className = "sandbox-banner";
  // A named region: what a screen reader lists among the page's landmarks (axe "region").
  banner.setAttribute("role", "region");
  banner.dataset.i18nAriaLabel = "sandbox.region";
  const message = el("span", { id: "faucet-message", class: "faucet-message" });
  banner.append(
    el("strong", { dataset: { i18n: "sandbox.title" } }),
    " ",
    el("span", { dataset: { i18n: "sandbox.text" } }),
    " ",
    el("a", { id: "sandbox-explainer", class: "sandbox-explainer", href: "/sandbox", dataset: { i18n: "sandbox.explainer" } }),
  );
  if (session) {
    banner.append(
      " ",
      el("button", {
        id: "faucet",
        class: "button small",
        dataset: { i18n: "sandbox.faucet" },
        onclick: async () => {
          try {
            const answer = await rest("POST", "/api/v1/sandbox/faucet");
            const given = answer.given.map((row) => `${grouped(trim(row.amount))} ${row.asset}`).join(", ");
            // Marked for translate(), so a language switch rewrites it too.
            message.dataset.i18n = "sandbox.given";
            message.dataset.i18nVars = JSON.stringify({ given });
            message.textContent = t("sandbox.given", { given });
            document.dispatchEvent(new CustomEvent("assetport:balances-changed"));
          } catch (error) {
            delete message.dataset.i18n;
            message.textContent = errorText(error);
          }
        },
      }),
      " ",
      message,
    );
  }
}

// The footer of every page: where to read about the exchange (pages/info.js draws each).
// The shells have no footer element: it is added after <main> once, here.
function drawFooter() {
  if (byId("footer")) return;
  const link = (href, key) => el("li", {}, [el("a", { href, dataset: { i18n: key } })]);
  const footer = el("footer", { id: "footer", class: "site-footer" }, [
    el("nav", { dataset: { i18nAriaLabel: "footer.label" } }, [
      el("ul", { class: "footer-links" }, [
        link("/help", "footer.help"),
        link("/fees", "footer.fees"),
        link("/api-guide", "footer.api"),
        link("/terms", "footer.terms"),
        link("/risk-disclosure", "footer.risk"),
        link("/proof-of-reserves", "footer.reserves"),
        isSandbox() ? link("/sandbox", "footer.sandbox") : null,
      ]),
    ]),
    isSandbox() ? el("p", { class: "footer-note muted", dataset: { i18n: "footer.note" } }) : null,
  ]);
  byId("main").after(footer);
}

async function logOut() {
  try {
    await account("POST", "logout");
    localStorage.setItem(LOGGED_OUT_KEY, String(Date.now()));
  } catch (error) {
    // the server or storage failed: the log-out below still leaves this page
  } finally {
    location.href = "/";
  }
}

// Short-lived messages for results of the user's actions, stacked in the bottom-right corner
// (newest at the bottom, at most TOAST_LIMIT at once; styles/base.css), each gone after
// TOAST_MS. The stack is one polite live region; the newest message is #toast. Where the
// corner would cover controls, the page's style sheet moves the stack (styles/trade.css:
// beside the order form on a desktop, in the Buy/Sell bar's strip on a phone).
const TOAST_LIMIT = 3;
const TOAST_MS = 5000;

export function notify(text, kind = "info") {
  let stack = byId("toasts");
  if (!stack) {
    stack = el("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(stack);
  }
  const previous = byId("toast");
  if (previous) previous.removeAttribute("id");
  const box = el("div", { id: "toast", class: `toast ${kind}`, text });
  stack.append(box);
  while (stack.children.length > TOAST_LIMIT) stack.firstElementChild.remove();
  setTimeout(() => box.remove(), TOAST_MS);
}
