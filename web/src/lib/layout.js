// What every page shares: the sandbox banner (with the faucet), the header (navigation,
// language, the logged-in user with their anti-phishing code, log out) and the page's
// session. `startPage` returns the session profile, or null when logged out.
import { ApiError, account, loadSession, rest } from "./api.js";
import { grouped, trim } from "./decimal.js";
import { el, byId, clear } from "./dom.js";
import { LANGUAGES, language, setLanguage, t, translate } from "./i18n.js";

export const page = document.body.dataset;

export function isSandbox() {
  return page.sandbox === "1";
}

export async function startPage({ active }) {
  let session = null;
  try {
    session = await loadSession();
  } catch (error) {
    session = null;
  }
  drawHeader(active, session);
  if (isSandbox()) drawBanner(session);
  translate();
  return session;
}

function drawHeader(active, session) {
  const header = clear(byId("header"));
  const link = (href, key, name) =>
    el("a", { href, class: active === name ? "nav-link active" : "nav-link", dataset: { i18n: key } });
  const nav = el("nav", { class: "nav" }, [
    link("/", "nav.markets", "markets"),
    link(`/trade/${page.defaultSymbol || "KGLDKRW"}`, "nav.trade", "trade"),
    session ? link("/account", "nav.account", "account") : null,
  ]);
  const languages = el(
    "select",
    { id: "language", "aria-label": "Language", onchange: (event) => setLanguage(event.target.value) },
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
    el("div", { class: "header-right" }, [languages, ...user]),
  );
}

function drawBanner(session) {
  const banner = clear(byId("banner"));
  banner.className = "sandbox-banner";
  const message = el("span", { id: "faucet-message", class: "faucet-message" });
  banner.append(el("strong", { dataset: { i18n: "sandbox.title" } }), " ", el("span", { dataset: { i18n: "sandbox.text" } }));
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
            message.textContent = error instanceof ApiError ? error.message : String(error);
          }
        },
      }),
      " ",
      message,
    );
  }
}

async function logOut() {
  try {
    await account("POST", "logout");
  } finally {
    location.href = "/";
  }
}

// A short-lived message at the bottom of the screen, for results of the user's actions.
export function notify(text, kind = "info") {
  let box = byId("toast");
  if (!box) {
    box = el("div", { id: "toast", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  box.className = `toast ${kind}`;
  box.textContent = text;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (box.className = "toast hidden"), 5000);
}
