// The withdraw page (/wallet/withdraw): send an asset to an address of the account's
// address book, which the page also keeps (add with a name, remove; a new address is usable
// once its cooldown ends, and each shows from when). The form shows the available balance,
// the network fee (taken on top of the amount: the amount typed is what arrives), the
// minimum and the 24-hour limit, asks for the two-factor code when the account has
// two-factor login on, and asks once more before sending. Below, the account's withdrawals
// with their status and transaction; one not yet signed can be cancelled. The server judges
// every rule; its refusal is shown in words and nothing moves.
import { rest } from "../lib/api.js";
import { fromUnits, scaleOf, toUnits, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, formatNumber, onLanguageChange, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import {
  askToLogIn,
  assetPicker,
  bech32Prefix,
  coinsOnceAnswered,
  firstCoin,
  hashCell,
  keepCoin,
  loadCoins,
  messageLine,
  nothingToShow,
  present,
  refresher,
  say,
  unsay,
  utcMillis,
  walletErrorText,
  walletTabs,
} from "../lib/wallet.js";

const HISTORY_LIMIT = 50;
// Binance's withdraw statuses (GET /sapi/v1/capital/withdraw/history).
const EMAIL_SENT = 0;
const AWAITING_APPROVAL = 2;
const PROCESSING = 4;
const UNDER_WAY = [EMAIL_SENT, AWAITING_APPROVAL, PROCESSING];
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

let session = null;
let coins = [];
let chosen = null;
let book = null; // the address book's rows
let withdrawals = null;
let confirming = null; // the request to send once the person confirms it
let sending = false;
let formNote = null; // {kind, text()}: the form's last outcome, kept across redraws
let refresh = null;

function coin() {
  return coins.find((c) => c.coin === chosen);
}

// The decimals the chosen asset's amounts are reckoned in: enough for the balance, the fee
// and the step, so that their sums are exact.
function scaleOfCoin(c) {
  const n = c.network;
  return Math.max(scaleOf(c.free), scaleOf(n.withdrawFee || "0"), scaleOf(n.withdrawMin || "0"), c.scale);
}

function units(text, scale) {
  return toUnits(text || "0", scale) ?? 0n;
}

function retitle() {
  document.title = `${t("withdraw.title")} · Assetport`;
}

function drawFrame() {
  const main = clear(byId("main"));
  main.append(
    el("h1", { dataset: { i18n: "withdraw.title" } }),
    walletTabs("withdraw"),
    el("p", { id: "wallet-state", class: "muted", role: "status" }),
    el("div", { class: "account-grid", id: "withdraw-grid" }, [
      el("div", { class: "account-column" }, [el("section", { id: "withdraw-card", class: "panel account-card", "aria-labelledby": "withdraw-form-title" })]),
      el("div", { class: "account-column" }, [el("section", { id: "book-card", class: "panel account-card", "aria-labelledby": "book-title" })]),
    ]),
    el("section", { id: "withdraw-history", class: "panel account-card", "aria-labelledby": "withdraw-history-title" }, [
      el("h2", { id: "withdraw-history-title", dataset: { i18n: "withdraw.history" } }),
      el("p", { id: "withdraw-history-message", class: "form-message", role: "alert" }),
      el("div", { class: "table-scroll" }, [
        el("table", { id: "withdraw-table", class: "portfolio-table" }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", { scope: "col", dataset: { i18n: "wallet.time" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.asset" } }),
              el("th", { scope: "col", class: "num", dataset: { i18n: "wallet.amount" } }),
              el("th", { scope: "col", class: "num", dataset: { i18n: "withdraw.fee" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.address" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.status" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.transaction" } }),
              el("th", { scope: "col" }, [el("span", { class: "sr-only", dataset: { i18n: "withdraw.cancel" } })]),
            ]),
          ]),
          el("tbody", { id: "withdraw-rows" }),
        ]),
      ]),
      el("p", { id: "withdraw-empty", class: "muted", hidden: true, dataset: { i18n: "withdraw.empty" } }),
    ]),
  );
  translate(main);
}

// ---- the address book -------------------------------------------------------------------

// When an address of the book may receive withdrawals (ms), or null when the server does not
// say; Binance's list has no such field, Assetport's adds `usableFrom`.
function usableFrom(row) {
  return typeof row.usableFrom === "number" ? row.usableFrom : null;
}

function usable(row) {
  const from = usableFrom(row);
  return from === null || from <= Date.now();
}

function bookRows() {
  const network = coin().network.network;
  return (book || []).filter((row) => !row.network || row.network === network);
}

function codeField(id) {
  if (!session.totpEnabled) return null;
  return el("div", { class: "reauth-code" }, [
    el("label", { for: id, dataset: { i18n: "withdraw.code" } }),
    el("input", { id, type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", class: "code-input", "aria-describedby": `${id}-hint` }),
    el("p", { id: `${id}-hint`, class: "field-hint", dataset: { i18n: "withdraw.codeHint" } }),
  ]);
}

// The two-factor code typed in `id` (without the spaces people type), or null after saying
// in `message` that it is missing; "" when the account has no two-factor login.
function codeValue(id, message) {
  if (!session.totpEnabled) return "";
  const input = byId(id);
  const code = input.value.replace(/\s/g, "");
  if (!code) {
    input.focus();
    say(message, t("withdraw.codeMissing"));
    return null;
  }
  return code;
}

function drawBook() {
  // What was typed survives a redraw (the book arriving, a language change).
  const typed = ["book-label", "book-address"].map((id) => byId(id)?.value ?? "");
  const card = clear(byId("book-card"));
  const c = coin();
  const rows = bookRows();
  const prefix = bech32Prefix(c.network);
  card.append(
    el("h2", { id: "book-title", dataset: { i18n: "book.title" } }),
    el("p", { class: "muted", id: "book-intro", dataset: { i18n: "book.intro" } }),
  );
  if (book === null) {
    card.append(el("p", { class: "muted", text: t("common.loading") }));
  } else if (!rows.length) {
    card.append(el("p", { id: "book-empty", class: "muted", dataset: { i18n: "book.empty" } }));
  } else {
    card.append(
      el("table", { id: "book-table", class: "keys-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { scope: "col", dataset: { i18n: "book.label" } }),
            el("th", { scope: "col", dataset: { i18n: "wallet.address" } }),
            el("th", { scope: "col", dataset: { i18n: "wallet.status" } }),
            el("th", { scope: "col" }, [el("span", { class: "sr-only", dataset: { i18n: "book.remove" } })]),
          ]),
        ]),
        el("tbody", {}, rows.map(bookRow)),
      ]),
    );
  }
  const message = messageLine("book-message");
  const form = el("form", { id: "book-form", class: "stacked-form", novalidate: true }, [
    el("label", { for: "book-label", dataset: { i18n: "book.label" } }),
    el("input", { id: "book-label", type: "text", maxlength: "64", autocomplete: "off", "aria-describedby": "book-label-hint" }),
    el("p", { id: "book-label-hint", class: "field-hint", dataset: { i18n: "book.labelHint" } }),
    el("label", { for: "book-address", text: prefix ? t("book.address", { prefix }) : t("wallet.address") }),
    el("input", { id: "book-address", type: "text", maxlength: "128", autocomplete: "off", autocapitalize: "off", spellcheck: "false", class: "mono" }),
    codeField("book-code"),
    message,
    el("button", { id: "book-add", type: "submit", class: "primary", dataset: { i18n: "book.add" } }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    addAddress(message);
  });
  card.append(form);
  byId("book-label").value = typed[0];
  byId("book-address").value = typed[1];
  translate(card);
}

function bookRow(row) {
  const from = usableFrom(row);
  const ready = usable(row);
  const name = row.name || row.address;
  return el("tr", { dataset: { address: row.address } }, [
    el("td", { class: "book-name", text: row.name || "" }),
    el("td", {}, [el("code", { class: "mono book-address", text: row.address })]),
    el("td", { class: ready ? "book-usable ready" : "book-usable", text: ready ? t("book.ready") : t("withdraw.usableFrom", { time: formatDateTime(from) }) }),
    el("td", {}, [
      el("button", {
        type: "button",
        class: "button small ghost book-remove",
        "aria-label": t("book.removeLabel", { name }),
        text: t("book.remove"),
        onclick: () => removeAddress(row),
      }),
    ]),
  ]);
}

async function addAddress(message) {
  const label = byId("book-label").value.trim();
  const address = byId("book-address").value.trim();
  unsay(message);
  if (!address) {
    byId("book-address").focus();
    say(message, t("book.addressMissing"));
    return;
  }
  const totp = codeValue("book-code", message);
  if (totp === null) return;
  const button = byId("book-add");
  button.disabled = true;
  try {
    await rest("POST", "/sapi/v1/capital/withdraw/address", { address, name: label, ...(totp ? { totp } : {}) });
  } catch (error) {
    say(message, walletErrorText(error, { prefix: bech32Prefix(coin().network) }));
    button.disabled = false;
    return;
  }
  byId("book-label").value = "";
  byId("book-address").value = "";
  await loadBook();
  say(byId("book-message"), t("book.added"), "success");
}

async function removeAddress(row) {
  const message = byId("book-message");
  unsay(message);
  const totp = codeValue("book-code", message);
  if (totp === null) return;
  try {
    await rest("DELETE", "/sapi/v1/capital/withdraw/address", { address: row.address, ...(totp ? { totp } : {}) });
  } catch (error) {
    say(message, walletErrorText(error, { prefix: bech32Prefix(coin().network) }));
    return;
  }
  await loadBook();
  say(byId("book-message"), t("book.removed"), "success");
}

async function loadBook() {
  book = await rest("GET", "/sapi/v1/capital/withdraw/address/list");
  readySeen = book.filter(usable).length;
  drawBook();
  drawForm();
}

// ---- the withdrawal form ------------------------------------------------------------------

// What the typed amount comes to: {amount, fee, total} as decimal strings, or null when it is
// not a number yet.
function reckon(c, typed) {
  if (!DECIMAL.test(typed)) return null;
  const scale = Math.max(scaleOfCoin(c), scaleOf(typed));
  const amount = units(typed, scale);
  const fee = units(c.network.withdrawFee, scale);
  return { amount: fromUnits(amount, scale), fee: fromUnits(fee, scale), total: fromUnits(amount + fee, scale) };
}

// The most that can arrive: the free balance less the fee, never below zero.
function maxAmount(c) {
  const scale = scaleOfCoin(c);
  const most = units(c.free, scale) - units(c.network.withdrawFee, scale);
  return fromUnits(most > 0n ? most : 0n, scale);
}

// A rule's figure or a sum of the form, without trailing zeros ("1 KGLD", "10.5 KGLD"):
// exact, and shorter to read than the ledger's every decimal.
function amountText(text, asset) {
  return `${formatNumber(trim(text))} ${asset}`;
}

function drawForm() {
  const card = byId("withdraw-card");
  const c = coin();
  const n = c.network;
  // The typed values survive a redraw (a new address book, a language switch).
  const typed = byId("withdraw-amount") ? byId("withdraw-amount").value : "";
  const pickedAddress = byId("withdraw-address") ? byId("withdraw-address").value : "";
  const code = byId("withdraw-code") ? byId("withdraw-code").value : "";
  clear(card);
  const rows = bookRows();
  const message = messageLine("withdraw-message");
  if (formNote) say(message, formNote.text(), formNote.kind);
  const amount = el("input", { id: "withdraw-amount", type: "text", inputmode: "decimal", autocomplete: "off", class: "mono", "aria-describedby": "withdraw-summary" });
  amount.value = typed;
  amount.addEventListener("input", () => {
    confirming = null;
    formNote = null;
    unsay(byId("withdraw-message"));
    drawSummary();
    drawConfirm();
  });
  const picker = rows.length
    ? el(
        "select",
        { id: "withdraw-address" },
        rows.map((row) => el("option", { value: row.address, disabled: !usable(row), text: addressChoice(row) })),
      )
    : null;
  if (picker) {
    const first = rows.find(usable);
    picker.value = rows.some((row) => row.address === pickedAddress && usable(row)) ? pickedAddress : first ? first.address : "";
  }
  const closed = n.withdrawEnable === false;
  const waiting = rows.length > 0 && !rows.some(usable);
  card.append(
    ...present(
      el("h2", { id: "withdraw-form-title", dataset: { i18n: "withdraw.form" } }),
      assetPicker("withdraw-asset", coins, chosen, choose),
      el("p", {}, [el("span", { class: "muted", dataset: { i18n: "wallet.network" } }), " ", el("strong", { id: "withdraw-network", text: n.network })]),
      el("p", {}, [el("span", { class: "muted", dataset: { i18n: "wallet.available" } }), " ", el("strong", { id: "withdraw-available", text: `${formatNumber(c.free)} ${c.coin}` })]),
      closed ? el("p", { id: "withdraw-closed", class: "form-message error", text: t("withdraw.closed", { asset: c.coin }) }) : null,
    ),
  );
  const form = el("form", { id: "withdraw-form", class: "stacked-form", novalidate: true }, [
    picker ? el("label", { for: "withdraw-address", dataset: { i18n: "withdraw.to" } }) : null,
    picker || el("p", { id: "withdraw-no-addresses", class: "muted", dataset: { i18n: "withdraw.noAddresses" } }),
    waiting ? el("p", { id: "withdraw-waiting", class: "muted", dataset: { i18n: "withdraw.noneUsable" } }) : null,
    el("label", { for: "withdraw-amount", dataset: { i18n: "withdraw.amount" } }),
    el("div", { class: "inline-form" }, [
      amount,
      el("button", {
        type: "button",
        id: "withdraw-max",
        class: "button small ghost",
        title: t("withdraw.maxLabel"),
        text: t("withdraw.max"),
        onclick: () => {
          amount.value = maxAmount(coin());
          amount.dispatchEvent(new Event("input", { bubbles: true }));
        },
      }),
    ]),
    el("dl", { id: "withdraw-summary", class: "profile-list" }),
    el("p", { id: "withdraw-approval", class: "muted", text: t("withdraw.approval", { amount: formatNumber(n.approvalThreshold || n.withdrawMax || "0"), asset: c.coin }), hidden: !n.approvalThreshold }),
    codeField("withdraw-code"),
    message,
    el("button", { id: "withdraw-continue", type: "submit", class: "primary", disabled: closed || !picker || waiting, dataset: { i18n: "withdraw.continue" } }),
    el("div", { id: "withdraw-confirm" }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    prepare(message);
  });
  card.append(form);
  if (byId("withdraw-code")) byId("withdraw-code").value = code;
  translate(card);
  drawSummary();
  if (confirming) drawConfirm();
}

function addressChoice(row) {
  const name = row.name ? `${row.name} · ` : "";
  const short = row.address.length > 20 ? `${row.address.slice(0, 10)}…${row.address.slice(-6)}` : row.address;
  const from = usableFrom(row);
  return name + short + (usable(row) ? "" : ` (${t("withdraw.usableFrom", { time: formatDateTime(from, { seconds: false }) })})`);
}

function drawSummary() {
  const c = coin();
  const n = c.network;
  const sums = reckon(c, byId("withdraw-amount").value.trim());
  const item = (key, id, text) => [el("dt", { dataset: { i18n: key }, text: t(key) }), el("dd", { id, text })];
  clear(byId("withdraw-summary")).append(
    ...item("withdraw.fee", "withdraw-fee", amountText(n.withdrawFee || "0", c.coin)),
    ...item("withdraw.total", "withdraw-total", sums ? amountText(sums.total, c.coin) : t("wallet.none")),
    ...item("withdraw.arrives", "withdraw-arrives", sums ? amountText(sums.amount, c.coin) : t("wallet.none")),
    ...item("withdraw.minimum", "withdraw-minimum", amountText(n.withdrawMin || "0", c.coin)),
    ...item("withdraw.dailyLimit", "withdraw-limit", amountText(n.withdrawMax || "0", c.coin)),
  );
}

// Continue: the fields the page can check (chosen, filled in), then the confirm step.
function prepare(message) {
  unsay(message);
  const c = coin();
  const picker = byId("withdraw-address");
  if (!picker || !picker.value) {
    say(message, t("withdraw.addressMissing"));
    return;
  }
  const typed = byId("withdraw-amount").value.trim();
  const sums = reckon(c, typed);
  if (!sums) {
    byId("withdraw-amount").focus();
    say(message, t("withdraw.amountMissing"));
    return;
  }
  const totp = codeValue("withdraw-code", message);
  if (totp === null) return;
  confirming = {
    coin: c.coin,
    network: c.network.network,
    address: picker.value,
    amount: typed,
    totp,
    sums,
    // The page's own name for the request (Binance's withdrawOrderId): one whose answer
    // was lost can be found in the history by it. The buttons are off while it is sent.
    withdrawOrderId: "web-" + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""),
  };
  drawConfirm();
  byId("withdraw-send").focus();
}

function drawConfirm() {
  const box = clear(byId("withdraw-confirm"));
  if (!confirming) {
    box.className = "";
    box.removeAttribute("role");
    box.removeAttribute("aria-labelledby");
    return;
  }
  const r = confirming;
  box.className = "panel withdraw-confirm";
  box.setAttribute("role", "group");
  box.setAttribute("aria-labelledby", "withdraw-confirm-title");
  box.append(
    el("h3", { id: "withdraw-confirm-title", dataset: { i18n: "withdraw.confirmTitle" } }),
    el("p", {
      id: "withdraw-confirm-text",
      text: t("withdraw.confirmText", {
        amount: formatNumber(trim(r.sums.amount)),
        asset: r.coin,
        network: r.network,
        address: r.address,
        total: formatNumber(trim(r.sums.total)),
        fee: formatNumber(trim(r.sums.fee)),
      }),
    }),
    el("div", { class: "card-actions" }, [
      el("button", { type: "button", id: "withdraw-back", class: "ghost", disabled: sending, dataset: { i18n: "withdraw.back" }, onclick: () => { confirming = null; drawConfirm(); byId("withdraw-continue").focus(); } }),
      " ",
      el("button", { type: "button", id: "withdraw-send", class: "primary", disabled: sending, dataset: { i18n: "withdraw.send" }, onclick: send }),
    ]),
  );
  translate(box);
}

async function send() {
  const r = confirming;
  const message = byId("withdraw-message");
  sending = true;
  drawConfirm();
  const params = { coin: r.coin, network: r.network, address: r.address, amount: r.amount, withdrawOrderId: r.withdrawOrderId };
  if (r.totp) params.totp = r.totp;
  const c = coin();
  try {
    await rest("POST", "/sapi/v1/capital/withdraw/apply", params);
  } catch (error) {
    sending = false;
    confirming = null;
    drawConfirm();
    const details = refusalDetails(c, r);
    formNote = { kind: "error", text: () => walletErrorText(error, details) };
    say(message, formNote.text(), formNote.kind);
    return;
  }
  sending = false;
  confirming = null;
  byId("withdraw-amount").value = "";
  if (byId("withdraw-code")) byId("withdraw-code").value = "";
  formNote = { kind: "success", text: () => t("withdraw.requested") };
  await reloadCoins();
  refresh.now();
}

// The figures a refusal's words name, as the page knows them.
function refusalDetails(c, r) {
  const n = c.network;
  return {
    asset: c.coin,
    available: formatNumber(c.free),
    needed: formatNumber(trim(r.sums.total)),
    minimum: n.withdrawMin ? formatNumber(trim(n.withdrawMin)) : "",
    limit: n.withdrawMax ? formatNumber(trim(n.withdrawMax)) : "",
    decimals: c.scale,
    prefix: bech32Prefix(n),
  };
}

async function reloadCoins() {
  const fresh = await loadCoins();
  if (fresh && fresh.length) coins = fresh;
  drawForm();
}

// ---- the withdrawals ----------------------------------------------------------------------

function statusText(row) {
  const key = `withdraw.status.${row.status}`;
  const text = t(key);
  return text === key ? t("withdraw.statusOther", { status: row.status }) : text;
}

// Before it is signed a withdrawal can be taken back: awaiting approval, or processing with
// no transaction yet (the server refuses the others, -7028).
function cancellable(row) {
  return row.status === EMAIL_SENT || row.status === AWAITING_APPROVAL || (row.status === PROCESSING && !row.txId);
}

function drawHistory() {
  if (withdrawals === null) return;
  const body = clear(byId("withdraw-rows"));
  byId("withdraw-empty").hidden = withdrawals.length > 0;
  for (const row of withdrawals) {
    const time = utcMillis(row.applyTime);
    const shortAddress = row.address.length > 20 ? `${row.address.slice(0, 10)}…${row.address.slice(-6)}` : row.address;
    body.append(
      el("tr", { dataset: { id: row.id, status: String(row.status), coin: row.coin } }, [
        el("td", { text: time === null ? row.applyTime : formatDateTime(time) }),
        el("td", { text: row.coin }),
        el("td", { class: "num withdraw-amount", text: formatNumber(row.amount) }),
        el("td", { class: "num withdraw-fee", text: formatNumber(row.transactionFee) }),
        el("td", {}, [el("code", { class: "mono", title: row.address, text: shortAddress })]),
        el("td", { class: "withdraw-status", title: row.info || "", text: statusText(row) }),
        el("td", {}, [hashCell(row.txId)]),
        el("td", {}, [
          cancellable(row)
            ? el("button", { type: "button", class: "button small ghost withdraw-cancel", text: t("withdraw.cancel"), onclick: () => cancel(row) })
            : null,
        ]),
      ]),
    );
  }
}

async function cancel(row) {
  const message = byId("withdraw-history-message");
  unsay(message);
  try {
    await rest("POST", "/sapi/v1/capital/withdraw/cancel", { id: row.id });
  } catch (error) {
    say(message, walletErrorText(error));
    refresh.now();
    return;
  }
  say(message, t("withdraw.cancelled"), "success");
  await reloadCoins();
  refresh.now();
}

let underWaySeen = null;
let readySeen = null; // how many addresses of the book were usable at the last reading

async function loadHistory() {
  const found = await rest("GET", "/sapi/v1/capital/withdraw/history", { limit: HISTORY_LIMIT });
  found.sort((a, b) => (utcMillis(b.applyTime) ?? 0) - (utcMillis(a.applyTime) ?? 0));
  withdrawals = found;
  const underWay = found.filter((row) => UNDER_WAY.includes(row.status)).length;
  // One finished (sent, rejected, failed): the balance above changed.
  if (underWaySeen !== null && underWay < underWaySeen) await reloadCoins();
  underWaySeen = underWay;
  drawHistory();
  // An address whose cooldown ended while the page was open becomes a choice.
  const ready = (book || []).filter(usable).length;
  if (readySeen !== null && ready !== readySeen) {
    drawForm();
    drawBook();
  }
  readySeen = ready;
}

function hurry() {
  return (withdrawals || []).some((row) => UNDER_WAY.includes(row.status));
}

async function choose(code) {
  chosen = code;
  keepCoin(code);
  confirming = null;
  formNote = null;
  drawForm();
  drawBook();
}

async function main() {
  session = await startPage({ active: "wallet" });
  retitle();
  onLanguageChange(retitle);
  if (!session) {
    askToLogIn("withdraw.title");
    return;
  }
  drawFrame();
  const state = byId("wallet-state");
  const found = await coinsOnceAnswered(state);
  if (nothingToShow(found, state, ["withdraw-grid", "withdraw-history"])) return;
  coins = found;
  unsay(state);
  if (coins.some((c) => c.network.busy)) say(state, t("wallet.busy"), "info");
  chosen = firstCoin(coins);
  drawForm();
  drawBook();
  onLanguageChange(() => {
    translate(byId("main"));
    drawForm();
    drawBook();
    drawHistory();
  });
  // The session's two-factor login may be turned on in another tab: the fields follow.
  document.addEventListener("assetport:session-found", (event) => {
    session = event.detail;
    drawForm();
    drawBook();
  });
  try {
    await loadBook();
  } catch (error) {
    say(state, t("wallet.loadFailed", { reason: walletErrorText(error) }));
  }
  refresh = refresher(loadHistory, hurry, (error) => say(byId("withdraw-history-message"), t("wallet.loadFailed", { reason: walletErrorText(error) })));
  await refresh.now();
}

main();
