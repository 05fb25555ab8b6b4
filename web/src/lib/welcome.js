// A first visit that explains itself: the landing hero at the top of the markets page (what
// Assetport is in one sentence, then the three steps to a first trade), the consent to the
// terms on the sign-up form, the welcome shown once a sign-up went through, and the link from
// a real-world-asset market to its asset page.
//
// The hero's steps follow the person: a visitor gets links to sign up and log in; a logged-in
// user sees what they have done ticked, learnt from their account (funds held, a KGLD trade),
// and the hero leaves for good once every step is done or they hide it.
import { rest } from "./api.js";
import { el } from "./dom.js";
import { addMessages, translate } from "./i18n.js";
import { isSandbox } from "./layout.js";
import messages from "../messages/welcome.js";

addMessages(messages);

// The market a first trade is steered to: tokenized gold, the asset most people know.
export const FIRST_MARKET = "KGLDKRW";

// The tokenized real-world assets and what one token stands for. The listing file carries no
// description of an asset, so the asset pages take theirs from here (messages/info.js holds
// the words); a code not here is a crypto asset, with no asset page.
export const REAL_WORLD_ASSETS = ["KGLD", "KSLV", "KCU", "KOIL", "KRE1", "KCO2"];

// The version of the terms of use and the risk disclosure (messages/info.js): the date they
// last changed. The sign-up form sends it with the consent, and the server accepts only the
// one in force (src/assetport/accounts/terms.py, TERMS_VERSION): the two change together.
export const TERMS_VERSION = "2026-12-04";

// Per user (a shared browser may hold several accounts): the hero was hidden, or every step done.
const DONE_KEY = "assetport.welcomeDone.";

function remembered(userId) {
  try {
    return localStorage.getItem(DONE_KEY + userId) === "1";
  } catch (error) {
    return false;
  }
}

function remember(userId) {
  try {
    localStorage.setItem(DONE_KEY + userId, "1");
  } catch (error) {
    // private mode: the hero comes back next visit, and its steps are ticked again
  }
}

export function assetPagePath(code) {
  return `/assets/${encodeURIComponent(code)}`;
}

// A link to the asset page of `code` ("About KGLD"), or null for an asset without one.
export function assetPageLink(code, attributes = {}) {
  if (!REAL_WORLD_ASSETS.includes(code)) return null;
  const link = el("a", {
    href: assetPagePath(code),
    class: "asset-page-link",
    dataset: { i18n: "asset.page", i18nVars: JSON.stringify({ code }) },
    ...attributes,
  });
  return translated(link);
}

// translate() fills the descendants of a root, not the root: a detached element is filled
// through a throwaway parent, so it has its text before the caller places it.
function translated(node) {
  const holder = document.createElement("div");
  holder.append(node);
  translate(holder);
  node.remove();
  return node;
}

// The landing hero for `session` (null for a visitor), or null when this user has hidden it
// or has done all three steps.
export function landingHero(session) {
  if (session && remembered(session.userId)) return null;
  const sandbox = isSandbox();
  const steps = [
    step("signup", 1, "hero.step1", "hero.step1Text", session ? null : actionLink("/signup", "hero.step1Action", "primary")),
    sandbox ? step("funds", 2, "hero.step2", "hero.step2Text", session ? faucetButton() : actionLink(loginHere(), "hero.step2Login")) : null,
    step("trade", sandbox ? 3 : 2, "hero.step3", "hero.step3Text", actionLink(`/trade/${FIRST_MARKET}`, "hero.step3Action")),
  ];
  const hero = el("section", { id: "landing-hero", class: "landing-hero panel", "aria-labelledby": "hero-title" }, [
    el("div", { class: "hero-intro" }, [
      // The page's own title ("Markets") is its one h1: the hero is a section of it, its
      // title an h2 and its steps' titles h3.
      el("h2", { id: "hero-title", class: "hero-title", dataset: { i18n: "hero.title" } }),
      el("p", { id: "hero-lead", class: "hero-lead", dataset: { i18n: sandbox ? "hero.lead" : "hero.leadLive" } }),
      sandbox ? el("a", { id: "hero-explainer", class: "hero-more", href: "/sandbox", dataset: { i18n: "hero.learnMore" } }) : null,
    ]),
    el("ol", { id: "hero-steps", class: "hero-steps", dataset: { i18nAriaLabel: "hero.stepsLabel" } }, steps),
    session
      ? el(
          "button",
          {
            id: "hero-dismiss",
            class: "button ghost small hero-dismiss",
            type: "button",
            dataset: { i18nTitle: "hero.dismiss", i18nAriaLabel: "hero.dismiss" },
            onclick: () => {
              remember(session.userId);
              hero.remove();
            },
          },
          [el("span", { "aria-hidden": "true", text: "×" })],
        )
      : null,
  ]);
  if (session) {
    markDone(hero, "signup");
    followProgress(hero, session);
  }
  return translated(hero);
}

function step(name, number, titleKey, textKey, action) {
  return el("li", { class: "hero-step", dataset: { step: name } }, [
    el("span", { class: "hero-step-number", "aria-hidden": "true", text: String(number) }),
    el("div", { class: "hero-step-body" }, [
      el("h3", { class: "hero-step-title", dataset: { i18n: titleKey } }),
      el("p", { class: "hero-step-text muted", dataset: { i18n: textKey } }),
      el("div", { class: "hero-step-action" }, [action]),
    ]),
  ]);
}

function actionLink(href, key, kind = "ghost") {
  return el("a", { href, class: `button ${kind} small`, dataset: { i18n: key } });
}

function loginHere() {
  return "/login?" + new URLSearchParams({ next: location.pathname + location.search }).toString();
}

// The banner's faucet button does the work (its answer shows in the banner, balances on the
// page follow); this one only presses it, so there is one way test funds arrive.
function faucetButton() {
  return el("button", {
    type: "button",
    id: "hero-faucet",
    class: "button primary small",
    dataset: { i18n: "hero.step2Action" },
    onclick: () => {
      const faucet = document.getElementById("faucet");
      if (faucet) {
        faucet.click();
        faucet.scrollIntoView({ block: "nearest" });
      }
    },
  });
}

function markDone(hero, name) {
  const item = hero.querySelector(`[data-step="${name}"]`);
  if (!item || item.classList.contains("done")) return;
  item.classList.add("done");
  const action = item.querySelector(".hero-step-action");
  action.replaceChildren(
    el("span", { class: "hero-step-done" }, [el("span", { "aria-hidden": "true", text: "✓ " }), el("span", { dataset: { i18n: "hero.done" } })]),
  );
  translate(action);
}

// Which steps this user has already taken: funds held (from the faucet or a trade), and a
// trade on the gold market. All done, the hero goes and is not drawn again for them.
async function followProgress(hero, session) {
  const check = async () => {
    let account;
    let trades;
    try {
      [account, trades] = await Promise.all([
        rest("GET", "/api/v3/account"),
        rest("GET", "/api/v3/myTrades", { symbol: FIRST_MARKET, limit: 1 }),
      ]);
    } catch (error) {
      return; // the steps stay as drawn: each still works
    }
    const holds = (row) => Number(row.free) > 0 || Number(row.locked) > 0;
    if (account.balances.some(holds)) markDone(hero, "funds");
    // Not a KGLD balance: the faucet gives some of every asset, gold too.
    if (trades.length > 0) markDone(hero, "trade");
    if (hero.querySelectorAll(".hero-step:not(.done)").length === 0) {
      remember(session.userId);
      hero.remove();
    }
  };
  check();
  // The faucet (the banner's or the hero's) credits funds: tick the step when it does. A
  // hero no longer on the page (hidden, done, or redrawn for a session found late) stops.
  const onFunds = () => {
    if (!hero.isConnected) document.removeEventListener("assetport:balances-changed", onFunds);
    else check();
  };
  document.addEventListener("assetport:balances-changed", onFunds);
}

// The sign-up form's consent: a required box, its label linking the terms of use and the
// risk disclosure (in a new tab: following them does not lose what was typed in the form).
export function termsConsent() {
  const input = el("input", { id: "signup-terms", name: "signup-terms", type: "checkbox", required: true, "aria-describedby": "form-error" });
  const page = (href, key, id) => el("a", { id, href, target: "_blank", rel: "noopener", dataset: { i18n: key } });
  const label = el("label", { for: "signup-terms", class: "consent-label" }, [
    el("span", { dataset: { i18n: "consent.before" } }),
    page("/terms", "consent.terms", "signup-terms-link"),
    el("span", { dataset: { i18n: "consent.between" } }),
    page("/risk-disclosure", "consent.risk", "signup-risk-link"),
    el("span", { dataset: { i18n: "consent.after" } }),
  ]);
  return { node: el("div", { class: "consent" }, [input, label]), input };
}

// What the sign-up's answer adds in the sandbox: the next step is test funds, and how to get
// them (the banner's button, once logged in). Null off the sandbox, which has no faucet.
export function signUpWelcome() {
  if (!isSandbox()) return null;
  return translated(
    el("div", { id: "signup-welcome", class: "signup-welcome" }, [
      el("h2", { dataset: { i18n: "welcome.title" } }),
      el("p", { id: "signup-welcome-faucet", dataset: { i18n: "welcome.faucet" } }),
      el("p", {}, [el("a", { id: "signup-welcome-explainer", href: "/sandbox", dataset: { i18n: "welcome.explainer" } })]),
    ]),
  );
}
