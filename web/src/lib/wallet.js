// What the deposit and withdraw pages share: the assets on the chain (Binance's
// GET /sapi/v1/capital/config/getall, one network per asset here), the tabs between the two
// pages, the words for a refusal of a wallet call, copy buttons, and the refresh that runs
// every few seconds while something is on its way and slowly otherwise.
import { ApiError, rest } from "./api.js";
import { scaleOf } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { errorText } from "./errors.js";
import { addMessages, t, translate } from "./i18n.js";
import messages from "../messages/wallet.js";

addMessages(messages);

export const FAST_MS = 2000;
export const SLOW_MS = 30000;
const RETRY_MS = [2000, 4000, 8000, 15000, 30000];
const COPIED_MS = 2000;

// Every asset with a network on the chain: {coin, name, free, locked, network} where
// `network` is getall's networkList entry (the default one when there are several), and
// `scale` the decimals its amounts are written with. null when the server has no wallet
// endpoints (custody off: the unknown endpoint's -1000).
export async function loadCoins() {
  let coins;
  try {
    coins = await rest("GET", "/sapi/v1/capital/config/getall");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
  const onChain = [];
  for (const coin of coins) {
    const networks = coin.networkList || [];
    const network = networks.find((n) => n.isDefault) || networks[0];
    if (!network) continue;
    onChain.push({ coin: coin.coin, name: coin.name, free: coin.free, locked: coin.locked, network, scale: scaleOf(network.withdrawIntegerMultiple || "1") });
  }
  return onChain;
}

// The links between /wallet/deposit and /wallet/withdraw, the current one marked.
// The chain's coins (null when the exchange runs without custody), asked again with a
// growing pause while the server cannot answer; `state` says what is going on meanwhile.
export async function coinsOnceAnswered(state) {
  say(state, t("common.loading"), "info");
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await loadCoins();
    } catch (error) {
      say(state, t("wallet.loadFailed", { reason: walletErrorText(error) }));
      await new Promise((resolve) => setTimeout(resolve, Math.min(SLOW_MS, FAST_MS * 2 ** attempt)));
    }
  }
}

// True, having said why in `state` and taken the page's `parts` away, when there is no
// coin to show.
export function nothingToShow(found, state, parts) {
  if (found !== null && found.length) return false;
  say(state, t(found === null ? "wallet.unavailable" : "wallet.noAssets"), "info");
  for (const id of parts) byId(id).remove();
  return true;
}

export function walletTabs(active) {
  const tab = (name, href) =>
    el("a", { href, id: `wallet-tab-${name}`, class: active === name ? "nav-link active" : "nav-link", "aria-current": active === name ? "page" : null, dataset: { i18n: `wallet.${name}` } });
  return el("nav", { class: "wallet-tabs nav", dataset: { i18nAriaLabel: "wallet.tabs" } }, [tab("deposit", "/wallet/deposit"), tab("withdraw", "/wallet/withdraw")]);
}

// The asset picker; `chosen` is kept across redraws, `onChange(coin)` when it changes.
export function assetPicker(id, coins, chosen, onChange) {
  const select = el(
    "select",
    { id, onchange: (event) => onChange(event.target.value) },
    coins.map((c) => el("option", { value: c.coin, text: c.name && c.name !== c.coin ? `${c.coin} · ${c.name}` : c.coin })),
  );
  select.value = chosen;
  return el("div", { class: "wallet-field" }, [el("label", { for: id, dataset: { i18n: "wallet.asset" } }), " ", select]);
}

// The asset to show first: ?coin= in the address (links from elsewhere), else the last one
// chosen on either page, else the first.
export function firstCoin(coins) {
  const asked = new URLSearchParams(location.search).get("coin");
  let kept = null;
  try {
    kept = localStorage.getItem("assetport.walletCoin");
  } catch (error) {
    kept = null;
  }
  for (const wanted of [asked && asked.toUpperCase(), kept]) {
    if (wanted && coins.some((c) => c.coin === wanted)) return wanted;
  }
  return coins[0].coin;
}

export function keepCoin(coin) {
  try {
    localStorage.setItem("assetport.walletCoin", coin);
  } catch (error) {
    // private mode: the choice lasts for this page only
  }
}

// The reasons the server gives for an address it cannot take (-4033 "Illegal address: ...",
// chain/addresses.py), by what they mean: each has words in the person's language.
const ADDRESS_REASONS = [
  [/^Illegal address: too long/, "tooLong"],
  [/^Illegal address: empty/, "empty"],
  [/^Illegal address: not an address/, "notAddress"],
  [/^Illegal address: the zero address/, "zero"],
  [/^Illegal address: not hex/, "notHex"],
  [/^Illegal address: (wrong length|wrong data length)/, "length"],
  [/^Illegal address: bad checksum/, "checksum"],
  [/^Illegal address: mixed case/, "mixedCase"],
  [/^Illegal address: an address of another chain/, "otherChain"],
  [/^Illegal address: not bech32/, "notBech32"],
];

function known(key) {
  return t(key) !== key;
}

// The ".detail" form of `key` when `details` has every figure it names, else `key`.
function detailed(key, details) {
  const detail = `${key}.detail`;
  if (!known(detail)) return key;
  const names = [...t(detail).matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  const all = names.every((name) => details[name] !== undefined && details[name] !== null && details[name] !== "");
  return all ? detail : key;
}

// A refusal of a wallet call in words: the wallet's own text for its codes (with the figures
// of `details` when the page knows them all: {asset, available, needed, minimum, limit,
// decimals, prefix}); for a malformed parameter the server's text, which names what is
// wrong; otherwise lib/errors.js's text.
export function walletErrorText(error, details = {}) {
  if (!(error instanceof ApiError) || error.status === 0) return errorText(error);
  const vars = { ...details };
  for (const [pattern, reason] of error.code === -4033 ? ADDRESS_REASONS : []) {
    if (pattern.test(error.msg || "")) return t(`walletError.-4033.${reason}`, vars);
  }
  const key = `walletError.${error.code}`;
  if (known(key)) return t(detailed(key, vars), vars);
  if ([-1100, -1102, -1108, -1130].includes(error.code) || (error.code <= -4000 && error.code > -5000)) {
    return t("walletError.server", { msg: error.msg });
  }
  return errorText(error, details);
}

// The bech32 prefix of the chain's addresses ("busan"), from getall's addressRegex
// ("^(0x…|busan1[…]{38})$"); "" when it names none.
export function bech32Prefix(network) {
  const match = /\|([a-z0-9]+)1\[/.exec(network.addressRegex || "");
  return match ? match[1] : "";
}

// A button that copies `text()` and says so for a moment beside it.
export function copyButton(id, text, labelKey = "wallet.copy") {
  const said = el("span", { class: "muted copy-said", role: "status", "aria-live": "polite" });
  const button = el("button", {
    type: "button",
    id,
    class: "button small ghost",
    dataset: { i18n: labelKey },
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text());
        said.textContent = t("wallet.copied");
      } catch (error) {
        said.textContent = t("wallet.copyFailed");
      }
      setTimeout(() => (said.textContent = ""), COPIED_MS);
    },
  });
  return el("span", { class: "copy-control" }, [button, " ", said]);
}

// A transaction hash as a table shows it: its ends, the whole of it in the title and for
// copying (a screen reader reads the title too).
export function hashCell(tx) {
  if (!tx) return el("span", { class: "muted", text: t("wallet.none") });
  const short = tx.length > 20 ? `${tx.slice(0, 10)}…${tx.slice(-8)}` : tx;
  return el("code", { class: "mono tx-hash", title: tx, dataset: { tx }, text: short });
}

// Binance's withdraw history writes times as "YYYY-MM-DD HH:MM:SS" in UTC: milliseconds.
export function utcMillis(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text || "");
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

// The page's message line (role=alert, read when it changes); `kind`: error, success, info.
export function say(box, text, kind = "error") {
  box.textContent = text;
  box.className = `form-message ${kind}`;
}

export function unsay(box) {
  box.textContent = "";
  box.className = "form-message";
}

export function messageLine(id) {
  return el("p", { id, class: "form-message", role: "alert", "aria-live": "assertive" });
}

// `nodes` without the nulls a conditional part leaves (Node.append would write "null").
export function present(...nodes) {
  return nodes.filter((node) => node !== null && node !== undefined && node !== false);
}

// The page for a visitor: what it is, and a login that comes back here.
export function askToLogIn(titleKey) {
  const main = clear(byId("main"));
  main.append(
    el("h1", { dataset: { i18n: titleKey } }),
    el("p", { id: "wallet-login" }, [
      el("span", { dataset: { i18n: "wallet.loginFirst" } }),
      " ",
      el("a", { href: "/login?" + new URLSearchParams({ next: location.pathname }).toString(), dataset: { i18n: "wallet.login" } }),
    ]),
  );
  translate(main);
}

// Runs `load()` now and again: after FAST_MS while `hurry()` says something is on its way,
// after SLOW_MS otherwise, sooner after a failure (growing pauses), and at once when the tab
// is shown again. `onError(error)` says what failed; `now()` asks for a run at once.
export function refresher(load, hurry, onError) {
  let timer = null;
  let attempts = 0;
  let running = false;
  let again = false;
  async function run() {
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    let wait;
    try {
      await load();
      attempts = 0;
      wait = hurry() ? FAST_MS : SLOW_MS;
    } catch (error) {
      onError(error);
      wait = RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)];
      attempts += 1;
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      wait = 0;
    }
    timer = setTimeout(run, wait);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") run();
  });
  return { now: run };
}
