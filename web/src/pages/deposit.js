// The deposit page (/wallet/deposit): for the asset chosen, the account's deposit address on
// the chain in both of its forms (0x, and bech32 for the city chain's Cosmos side) with a QR
// code, the minimum and the confirmations a deposit waits for, and a warning that only this
// chain's transfers arrive. Below, the account's deposits: a pending one shows its
// confirmations ("2/12") and the list refreshes every few seconds until it is credited.
// In the sandbox a button asks the chain's faucet to send test funds to the address, so a
// learner watches a deposit arrive. Everything comes from Binance's wallet endpoints
// (/sapi/v1/capital/...), which any client can call too.
import QRCode from "qrcode";
import { rest } from "../lib/api.js";
import { trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, formatNumber, onLanguageChange, t, translate } from "../lib/i18n.js";
import { isSandbox, startPage } from "../lib/layout.js";
import {
  askToLogIn,
  assetPicker,
  coinsOnceAnswered,
  copyButton,
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
  walletErrorText,
  walletTabs,
} from "../lib/wallet.js";

const HISTORY_LIMIT = 50;
const PENDING = 0;
// After the faucet sends, the deposit shows once the watcher has seen its block: the list
// is read often meanwhile.
const EXPECT_MS = 120000;
const QR_SIZE = 200;

let coins = [];
let chosen = null;
const addresses = {}; // coin -> {address, addressBech32}
let deposits = null;
let creditedSeen = null; // how many credited deposits the balance was read with
let expectUntil = 0;
let faucetNote = null; // {kind, text()} of the faucet's last answer
let refresh = null;

function coin() {
  return coins.find((c) => c.coin === chosen);
}

function retitle() {
  document.title = `${t("deposit.title")} · Assetport`;
}

function drawFrame() {
  const main = clear(byId("main"));
  main.append(
    el("h1", { dataset: { i18n: "deposit.title" } }),
    walletTabs("deposit"),
    el("p", { id: "wallet-state", class: "muted", role: "status" }),
    el("section", { id: "deposit-card", class: "panel account-card", "aria-labelledby": "deposit-address-title" }),
    el("section", { id: "deposit-history", class: "panel account-card", "aria-labelledby": "deposit-history-title" }, [
      el("h2", { id: "deposit-history-title", dataset: { i18n: "deposit.history" } }),
      el("div", { class: "table-scroll" }, [
        el("table", { id: "deposit-table", class: "portfolio-table" }, [
          el("thead", {}, [
            el("tr", {}, [
              el("th", { scope: "col", dataset: { i18n: "wallet.time" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.asset" } }),
              el("th", { scope: "col", class: "num", dataset: { i18n: "wallet.amount" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.status" } }),
              el("th", { scope: "col", dataset: { i18n: "wallet.transaction" } }),
            ]),
          ]),
          el("tbody", { id: "deposit-rows" }),
        ]),
      ]),
      el("p", { id: "deposit-empty", class: "muted", hidden: true, dataset: { i18n: "deposit.empty" } }),
    ]),
  );
  translate(main);
}

function drawCard() {
  const card = clear(byId("deposit-card"));
  const c = coin();
  const network = c.network;
  const found = addresses[c.coin];
  const vars = { asset: c.coin, network: network.network };
  const qr = el("img", { id: "deposit-qr", class: "totp-qr", width: String(QR_SIZE), height: String(QR_SIZE), alt: "" });
  const prefix = found && found.addressBech32 ? found.addressBech32.split("1")[0] : "";
  card.append(
    ...present(
      assetPicker("deposit-asset", coins, chosen, choose),
      el("p", {}, [el("span", { class: "muted", dataset: { i18n: "wallet.network" } }), " ", el("strong", { id: "deposit-network", text: network.network }), " ", el("span", { class: "muted", text: network.name && network.name !== network.network ? network.name : "" })]),
      el("p", {}, [el("span", { class: "muted", dataset: { i18n: "wallet.available" } }), " ", el("strong", { id: "deposit-balance", text: `${formatNumber(c.free)} ${c.coin}` })]),
      el("h2", { id: "deposit-address-title", text: t("deposit.address", vars) }),
      found
        ? el("div", { class: "totp-setup deposit-address" }, [
            qr,
            el("dl", { class: "profile-list" }, [
              el("dt", { dataset: { i18n: "deposit.hex" } }),
              el("dd", { class: "copy-row" }, [el("code", { id: "deposit-address", class: "secret-text mono", text: found.address }), " ", copyButton("deposit-copy", () => found.address)]),
              found.addressBech32 ? el("dt", { text: t("deposit.bech32", { prefix }) }) : null,
              found.addressBech32
                ? el("dd", { class: "copy-row" }, [el("code", { id: "deposit-address-bech32", class: "secret-text mono", text: found.addressBech32 }), " ", copyButton("deposit-copy-bech32", () => found.addressBech32)])
                : null,
            ]),
          ])
        : el("p", { class: "muted", text: t("common.loading") }),
      el("dl", { class: "profile-list deposit-facts" }, [
        el("dt", { dataset: { i18n: "deposit.minimum" } }),
        el("dd", { id: "deposit-minimum", text: `${formatNumber(trim(network.depositDust || "0"))} ${c.coin}` }),
        el("dt", { dataset: { i18n: "deposit.confirmations" } }),
        el("dd", { id: "deposit-confirmations", text: t("deposit.confirmationsValue", { count: network.minConfirm }) }),
      ]),
      el("p", { id: "deposit-warning", class: "key-warning", role: "note", text: t("deposit.warning", vars) }),
      el("p", { class: "muted", dataset: { i18n: "deposit.belowMinimum" } }),
      network.depositEnable === false ? el("p", { id: "deposit-closed", class: "form-message error", text: t("deposit.closed", vars) }) : null,
      isSandbox() ? faucetBlock(c) : null,
    ),
  );
  translate(card);
  if (found) {
    qr.alt = t("deposit.qr", { address: found.address });
    QRCode.toDataURL(found.address, { errorCorrectionLevel: "M", margin: 2, width: QR_SIZE })
      .then((url) => (qr.src = url))
      .catch(() => say(byId("wallet-state"), t("deposit.qrFailed")));
  }
}

// The faucet's button, and what its last press brought (kept across redraws, in words of
// the language shown).
function faucetBlock(c) {
  const message = messageLine("deposit-faucet-message");
  if (faucetNote) say(message, faucetNote.text(), faucetNote.kind);
  const button = el("button", { type: "button", id: "deposit-faucet", class: "button primary", dataset: { i18n: "deposit.faucet" } });
  button.addEventListener("click", async () => {
    button.disabled = true;
    unsay(message);
    try {
      const answer = await rest("POST", "/sapi/v1/sandbox/chain-faucet", { coin: c.coin });
      const vars = { asset: c.coin, tx: shortTx(answer.txId), count: c.network.minConfirm };
      faucetNote = { kind: "success", text: () => t("deposit.faucetSent", vars) };
      expectUntil = Date.now() + EXPECT_MS;
      refresh.now();
    } catch (error) {
      faucetNote = { kind: "error", text: () => faucetRefusal(error, c.coin) };
    } finally {
      button.disabled = false;
    }
    say(message, faucetNote.text(), faucetNote.kind);
  });
  return el("div", { id: "deposit-sandbox", class: "deposit-sandbox" }, [el("p", { class: "muted", text: t("deposit.faucetHint", { asset: c.coin }) }), button, message]);
}

// The chain faucet gives each asset once a minute: its -7005 says when to try again.
function faucetRefusal(error, asset) {
  if (error.code !== -7005) return walletErrorText(error);
  return error.retryAfter ? t("deposit.faucetWait.detail", { asset, seconds: error.retryAfter }) : t("deposit.faucetWait", { asset });
}

function shortTx(tx) {
  return tx && tx.length > 20 ? `${tx.slice(0, 10)}…${tx.slice(-8)}` : tx || "";
}

function statusText(row) {
  const key = `deposit.status.${row.status}`;
  const text = t(key);
  return text === key ? t("deposit.statusOther", { status: row.status }) : text;
}

function drawHistory() {
  if (deposits === null) return;
  const body = clear(byId("deposit-rows"));
  byId("deposit-empty").hidden = deposits.length > 0;
  for (const row of deposits) {
    const pending = row.status === PENDING;
    body.append(
      el("tr", { dataset: { tx: row.txId, status: String(row.status), coin: row.coin } }, [
        el("td", { text: formatDateTime(row.insertTime) }),
        el("td", { text: row.coin }),
        el("td", { class: "num deposit-amount", text: formatNumber(row.amount) }),
        el("td", { class: pending ? "deposit-status pending" : "deposit-status" }, [
          el("span", { class: "deposit-status-word", text: statusText(row) }),
          pending ? el("span", { class: "muted deposit-confirmations", text: " · " + t("deposit.confirmTimes", { count: row.confirmTimes }) }) : null,
        ]),
        el("td", {}, [hashCell(row.txId)]),
      ]),
    );
  }
}

async function loadHistory() {
  const found = await rest("GET", "/sapi/v1/capital/deposit/hisrec", { limit: HISTORY_LIMIT });
  found.sort((a, b) => b.insertTime - a.insertTime);
  deposits = found;
  const credited = found.filter((row) => row.status !== PENDING).length;
  if (creditedSeen !== null && credited !== creditedSeen) {
    // A deposit was credited: the balance above changed.
    const fresh = await loadCoins();
    if (fresh && fresh.length) coins = fresh;
    drawCard();
  }
  creditedSeen = credited;
  unsay(byId("wallet-state"));
  drawState();
  drawHistory();
}

function drawState() {
  const c = coin();
  if (c && c.network.busy) say(byId("wallet-state"), t("wallet.busy"), "info");
}

async function loadAddress(code) {
  if (addresses[code]) return;
  const c = coins.find((x) => x.coin === code);
  addresses[code] = await rest("GET", "/sapi/v1/capital/deposit/address", { coin: code, network: c.network.network });
}

async function choose(code) {
  chosen = code;
  keepCoin(code);
  faucetNote = null;
  drawCard();
  try {
    await loadAddress(code);
  } catch (error) {
    say(byId("wallet-state"), walletErrorText(error));
    return;
  }
  if (chosen === code) drawCard();
}

function hurry() {
  return (deposits || []).some((row) => row.status === PENDING) || Date.now() < expectUntil;
}

async function main() {
  const session = await startPage({ active: "wallet" });
  retitle();
  onLanguageChange(retitle);
  if (!session) {
    askToLogIn("deposit.title");
    return;
  }
  drawFrame();
  const state = byId("wallet-state");
  const found = await coinsOnceAnswered(state);
  if (nothingToShow(found, state, ["deposit-card", "deposit-history"])) return;
  coins = found;
  unsay(state);
  drawState();
  onLanguageChange(() => {
    translate(byId("main"));
    drawCard();
    drawHistory();
  });
  refresh = refresher(loadHistory, hurry, (error) => say(byId("wallet-state"), t("wallet.loadFailed", { reason: walletErrorText(error) })));
  await choose(firstCoin(coins));
  await refresh.now();
}

main();
