// The issuer console (/issuer): the operator's page for the issuers' steps, over the operator
// endpoints under /api/v1/admin/issuance (docs/issuance.md) with the server's admin token, or
// an issuer agent's own token (which the server lets act for its issuer's tokens only: another
// issuer's token is refused, -7080, and said so in words).
// Per token: mint into and burn from the treasury, record a reserve attestation (the signed
// JSON the attestor's tool prints), set the subscription terms, work the pending redemptions
// (confirm with bars, pay asset and cash price, or reject with a reason), fund the treasury
// and distribute to every holder, move tokens on the issuer's word (allocation, forced
// transfer, recovery), and read the holder register.
//
// The token is asked for on the page and kept in this tab's sessionStorage only: never in a
// cookie (the browser would send it by itself) nor in localStorage (it would outlive the
// tab). Closing the tab, or "Forget", drops it.
import { operator, rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatDateTime, formatNumber, onLanguageChange, t } from "../lib/i18n.js";
import { amountText, bpsText, dataTable, kindText, newRef, outcomes, textField } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import { askToConfirm } from "../lib/trade_confirm.js";
import { present } from "../lib/wallet.js";
import messages from "../messages/issuance.js";

addMessages(messages);

const TOKEN_KEY = "assetport.adminToken";
const UNAUTHORIZED = -1002;
const HOLDERS_PAGE = 100;
const PENDING_LIMIT = 200;
const TRANSFER_KINDS = ["allocation", "forced", "recovery"];
// Every field of the console, kept across a redraw (a language switch, new figures).
const FIELDS = [
  "admin-token", "mint-amount", "attest-json", "terms-quote", "terms-price", "terms-fee", "terms-minimum",
  "confirm-bars", "confirm-pay-asset", "confirm-price", "reject-reason", "fund-asset", "fund-amount",
  "distribute-asset", "distribute-amount", "transfer-kind", "transfer-source", "transfer-target",
  "transfer-amount", "transfer-reason",
];

const state = {
  token: readToken(),
  tokens: null,
  asset: null,
  pending: null,
  holders: null,
  holdersFrom: 0,
  chosen: null, // the pending redemption being confirmed or rejected
  error: null,
};
const { line, tell } = outcomes();
const refs = {};

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch (error) {
    return "";
  }
}

function keepToken(token) {
  state.token = token;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (error) {
    // storage blocked: the token lasts as long as this page
  }
}

// ---- small parts ------------------------------------------------------------------------

function refusal(error) {
  return error && error.code === UNAUTHORIZED ? t("issuer.badToken") : errorText(error);
}

function card(id, titleKey, children) {
  return el("section", { id, class: "panel account-card issuer-card", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), ...present(...children)]);
}

function value(id) {
  return byId(id) ? byId(id).value.trim() : "";
}

function token() {
  return (state.tokens || []).find((x) => x.asset === state.asset) || null;
}

// Runs one operator call once the operator confirmed it: its answer in words in the card's
// message line, the figures read again after. A body with a `ref` gets the step's
// reference, kept while the step has no answer: a retry after a lost answer is the same
// request, which the server applies once.
async function act(name, confirmation, path, body, done) {
  if (confirmation && !(await askToConfirm({ kind: "primary", id: name, back: t("rwa.form.back"), ...confirmation }))) return;
  const step = `${name} ${path}`;
  const sent = "ref" in body ? { ...body, ref: (refs[step] = refs[step] || newRef()) } : body;
  try {
    const answer = await operator(state.token, `issuance/${path}`, sent);
    delete refs[step];
    tell(name, "success", () => (answer && answer.applied === "already" ? t("issuer.already") : done(answer)));
  } catch (error) {
    if (error.status !== 0) delete refs[step]; // answered: the next try is a new request
    tell(name, "error", () => refusal(error));
  }
  await reload();
}

// ---- the token ---------------------------------------------------------------------------

function tokenCard() {
  const saved = Boolean(state.token);
  return el("section", { id: "issuer-access", class: "panel account-card", "aria-labelledby": "issuer-access-title" }, [
    el("h2", { id: "issuer-access-title", text: t("issuer.access") }),
    el("p", { class: "field-hint", text: t("issuer.tokenHint") }),
    saved
      ? el("p", { class: "inline-form" }, [
          el("span", { id: "token-state", class: "status on", text: t("issuer.tokenHeld") }),
          el("button", { type: "button", id: "token-forget", class: "button small", text: t("issuer.forget"), onclick: forget }),
        ])
      : el("form", { id: "token-form", class: "inline-form", onsubmit: useToken }, [
          el("label", { for: "admin-token", class: "sr-only", text: t("issuer.token") }),
          el("input", { id: "admin-token", type: "password", autocomplete: "off", maxlength: "200", placeholder: t("issuer.token") }),
          el("button", { type: "submit", id: "token-use", class: "primary", text: t("issuer.use") }),
        ]),
    line("token"),
  ]);
}

async function useToken(event) {
  event.preventDefault();
  const typed = value("admin-token");
  if (!typed) return;
  try {
    // A read that needs the token: the pending redemptions of every token.
    await operator(typed, "issuance/redemptions", { limit: 1 });
  } catch (error) {
    tell("token", "error", () => refusal(error));
    return;
  }
  byId("admin-token").value = "";
  keepToken(typed);
  tell("token", null, null);
  await reload();
}

function forget() {
  keepToken("");
  state.pending = null;
  state.holders = null;
  tell("token", "info", () => t("issuer.forgotten"));
  draw();
}

function tokenPicker() {
  const tokens = state.tokens || [];
  const picker = el("select", { id: "issuer-asset", onchange: (event) => choose(event.target.value) }, tokens.map((x) => el("option", { value: x.asset, text: x.asset })));
  picker.value = state.asset || "";
  const x = token();
  return el("div", { class: "issuer-picker panel" }, [
    el("label", { for: "issuer-asset", text: t("issuer.asset") }),
    picker,
    x
      ? el("p", { id: "issuer-summary", text: t("issuer.summary", { unit: x.unit || "–", kind: kindText(x.kind), issuer: x.issuer, supply: amountText(x.supply, x.asset), reserve: amountText(x.reserve, x.asset), headroom: amountText(x.headroom, x.asset) }) })
      : null,
    x ? el("a", { id: "issuer-asset-page", href: `/assets/${x.asset}`, text: t("issuer.assetPage", { asset: x.asset }) }) : null,
  ]);
}

async function choose(asset) {
  state.asset = asset;
  state.chosen = null;
  state.holdersFrom = 0;
  await reload();
}

// ---- supply ------------------------------------------------------------------------------

function mintCard() {
  const x = token();
  const run = (kind) => async () => {
    const amount = value("mint-amount");
    await act("mint", { title: t(`issuer.${kind}.confirm`, { amount: amountText(amount, x.asset) }), confirm: t(`issuer.${kind}.button`) }, kind, { asset: x.asset, amount, ref: null }, (answer) =>
      t("issuer.supplyNow", { supply: amountText(answer.supply, x.asset) }),
    );
  };
  return card("issuer-mint", "issuer.mint.heading", [
    el("p", { class: "field-hint", text: t("issuer.mint.hint", { headroom: amountText(x.headroom, x.asset) }) }),
    el("form", { id: "mint-form", onsubmit: (event) => event.preventDefault() }, [
      ...textField("mint-amount", "rwa.form.amount", { inputmode: "decimal" }),
      el("p", { class: "card-actions" }, [
        el("button", { type: "button", id: "mint-submit", class: "primary", text: t("issuer.mint.button"), onclick: run("mint") }),
        el("button", { type: "button", id: "burn-submit", class: "danger", text: t("issuer.burn.button"), onclick: run("burn") }),
      ]),
    ]),
    line("mint"),
  ]);
}

function attestationCard() {
  const submit = async (event) => {
    event.preventDefault();
    let attestation;
    try {
      attestation = JSON.parse(value("attest-json"));
    } catch (error) {
      tell("attest", "error", () => t("issuer.attest.notJson"));
      return;
    }
    await act("attest", null, "attestations", { attestation }, (answer) =>
      t("issuer.attest.done", { lots: formatNumber(String(answer.lots)), reserve: amountText(answer.reserve, answer.asset), asset: answer.asset }),
    );
  };
  return card("issuer-attest", "issuer.attest.heading", [
    el("p", { class: "field-hint", text: t("issuer.attest.hint") }),
    el("form", { id: "attest-form", onsubmit: submit }, [
      el("label", { for: "attest-json", text: t("issuer.attest.json") }),
      el("textarea", { id: "attest-json", rows: "6", spellcheck: "false", class: "mono" }),
      el("button", { type: "submit", id: "attest-submit", class: "primary", text: t("issuer.attest.button") }),
    ]),
    line("attest"),
  ]);
}

function termsCard() {
  const x = token();
  const sub = x.subscription;
  const submit = async (event) => {
    event.preventDefault();
    const body = { asset: x.asset, quote: value("terms-quote"), price: value("terms-price"), fee_bps: Number(value("terms-fee")), minimum: value("terms-minimum"), open: byId("terms-open").checked };
    await act("terms", null, "subscription-terms", body, (answer) =>
      t(answer.open ? "issuer.terms.doneOpen" : "issuer.terms.doneClosed", { price: amountText(answer.price, answer.quote), fee: bpsText(answer.fee_bps) }),
    );
  };
  const open = el("input", { id: "terms-open", type: "checkbox", checked: sub ? sub.open : true });
  return card("issuer-terms", "issuer.terms.heading", [
    el("p", { class: "field-hint", text: sub ? t("issuer.terms.now", { price: amountText(sub.price, sub.quote), fee: bpsText(sub.feeBps), minimum: amountText(sub.minimum, x.asset), state: t(sub.open ? "rwa.terms.open" : "rwa.terms.closed") }) : t("rwa.terms.noSubscription") }),
    el("form", { id: "terms-form", onsubmit: submit }, [
      ...textField("terms-quote", "issuer.terms.quote", { value: sub ? sub.quote : "KRW", maxlength: "20" }),
      ...textField("terms-price", "issuer.terms.price", { inputmode: "decimal", value: sub ? sub.price : "" }),
      ...textField("terms-fee", "issuer.terms.fee", { inputmode: "numeric", value: sub ? String(sub.feeBps) : "0" }),
      ...textField("terms-minimum", "rwa.terms.minimum", { inputmode: "decimal", value: sub ? sub.minimum : "" }),
      el("label", { class: "check" }, [open, t("issuer.terms.open")]),
      el("button", { type: "submit", id: "terms-submit", class: "primary", text: t("issuer.terms.button") }),
    ]),
    line("terms"),
  ]);
}

// ---- redemptions -------------------------------------------------------------------------

function pendingRow(r) {
  return el("tr", { dataset: { id: String(r.redemption_id) } }, [
    el("td", { class: "num", text: `#${r.redemption_id}` }),
    el("td", { class: "num", text: String(r.account) }),
    el("td", { class: "num", text: amountText(r.amount) }),
    el("td", { class: "num", text: amountText(r.fee) }),
    el("td", { text: t(r.physical ? "rwa.mine.physical" : "rwa.mine.cash") }),
    el("td", { text: formatDateTime(r.requested_ms) }),
    el("td", {}, [el("button", { type: "button", class: "button small pending-choose", "aria-label": t("issuer.redemptions.chooseOne", { id: r.redemption_id }), text: t("issuer.redemptions.choose"), onclick: () => chooseRedemption(r) })]),
  ]);
}

function chooseRedemption(r) {
  state.chosen = r;
  draw();
  byId("confirm-bars")?.focus();
}

function decisionForm() {
  const r = state.chosen;
  const x = token();
  if (!r) return null;
  const sub = x.subscription;
  const confirm = async (event) => {
    event.preventDefault();
    const bars = value("confirm-bars").split(/[\s,]+/).filter(Boolean);
    const payAsset = value("confirm-pay-asset");
    const body = { redemption_id: r.redemption_id, bars, ...(payAsset ? { pay_asset: payAsset, cash_price: value("confirm-price") } : {}) };
    const rows = [[t("rwa.mine.bars"), bars.join(", ") || "–", "bars"], [t("issuer.redemptions.payAsset"), payAsset || "–", "pay"], [t("issuer.redemptions.price"), payAsset ? value("confirm-price") : "–", "price"]];
    // Once done, the redemption is no longer pending and the form goes with it (reload).
    await act("decide", { title: t("issuer.redemptions.confirmTitle", { id: r.redemption_id }), rows, confirm: t("issuer.redemptions.confirm") }, "redemptions/confirm", body, (answer) =>
      t("issuer.redemptions.confirmed", { id: answer.redemption_id, burned: amountText(answer.burned, x.asset), bars: answer.bars.join(", ") || "–", cash: answer.cash ? amountText(answer.cash, payAsset) : "–" }),
    );
  };
  const reject = async () => {
    await act("decide", { title: t("issuer.redemptions.rejectTitle", { id: r.redemption_id }), confirm: t("issuer.redemptions.reject") }, "redemptions/reject", { redemption_id: r.redemption_id, reason: value("reject-reason") }, (answer) =>
      t("issuer.redemptions.rejected", { id: answer.redemption_id }),
    );
  };
  return el("form", { id: "decide-form", class: "decide-form", "aria-labelledby": "decide-title", onsubmit: confirm }, [
    el("h3", { id: "decide-title", text: t("issuer.redemptions.decide", { id: r.redemption_id, amount: amountText(r.amount, x.asset), account: r.account }) }),
    r.physical ? el("p", { class: "field-hint", text: t("issuer.redemptions.barsHint") }) : null,
    ...textField("confirm-bars", "issuer.redemptions.bars", { disabled: !r.physical }),
    ...textField("confirm-pay-asset", "issuer.redemptions.payAsset", { value: sub ? sub.quote : "KRW", maxlength: "20" }),
    ...textField("confirm-price", "issuer.redemptions.price", { inputmode: "decimal", value: sub ? sub.price : "" }),
    el("button", { type: "submit", id: "confirm-submit", class: "primary", text: t("issuer.redemptions.confirm") }),
    ...textField("reject-reason", "issuer.redemptions.reason", { maxlength: "200" }),
    el("button", { type: "button", id: "reject-submit", class: "danger", text: t("issuer.redemptions.reject"), onclick: reject }),
  ]);
}

function redemptionsCard() {
  const rows = (state.pending || []).map(pendingRow);
  const headings = [["issuer.redemptions.id"], ["issuer.account"], ["rwa.form.amount"], ["rwa.redeem.fee"], ["rwa.mine.how"], ["rwa.time"], ["rwa.mine.action"]];
  return card("issuer-redemptions", "issuer.redemptions.heading", [
    rows.length
      ? dataTable("pending-table", headings, rows, "issuer-redemptions-title")
      : el("p", { id: "pending-none", class: "muted", text: t("issuer.redemptions.none") }),
    decisionForm(),
    line("decide"),
  ]);
}

// ---- distributions -----------------------------------------------------------------------

function payoutCard() {
  const x = token();
  const fund = async (event) => {
    event.preventDefault();
    const asset = value("fund-asset");
    const amount = value("fund-amount");
    await act("fund", { title: t("issuer.fund.confirm", { amount: amountText(amount, asset), issuer: x.issuer }), confirm: t("issuer.fund.button") }, "fund", { issuer: x.issuer, asset, amount, ref: null }, () =>
      t("issuer.fund.done", { amount: amountText(amount, asset), issuer: x.issuer }),
    );
  };
  const distribute = async (event) => {
    event.preventDefault();
    const asset = value("distribute-asset");
    const amount = value("distribute-amount");
    await act("distribute", { title: t("issuer.distribute.confirm", { amount: amountText(amount, asset), asset: x.asset }), confirm: t("issuer.distribute.button") }, "distribute", { asset: x.asset, pay_asset: asset, amount, ref: null }, (answer) =>
      t("issuer.distribute.done", { holders: formatNumber(String(answer.holders_paid)), paid: amountText(answer.paid, asset), remainder: amountText(answer.remainder, asset) }),
    );
  };
  return card("issuer-payouts", "issuer.payouts.heading", [
    el("form", { id: "fund-form", onsubmit: fund }, [
      el("p", { class: "field-hint", text: t("issuer.fund.hint", { issuer: x.issuer }) }),
      ...textField("fund-asset", "issuer.payAsset", { value: "KRW", maxlength: "20" }),
      ...textField("fund-amount", "rwa.form.amount", { inputmode: "decimal" }),
      el("button", { type: "submit", id: "fund-submit", text: t("issuer.fund.button") }),
    ]),
    line("fund"),
    el("form", { id: "distribute-form", onsubmit: distribute }, [
      el("p", { class: "field-hint", text: t("issuer.distribute.hint", { asset: x.asset }) }),
      ...textField("distribute-asset", "issuer.payAsset", { value: "KRW", maxlength: "20" }),
      ...textField("distribute-amount", "rwa.form.amount", { inputmode: "decimal" }),
      el("button", { type: "submit", id: "distribute-submit", class: "primary", text: t("issuer.distribute.button") }),
    ]),
    line("distribute"),
  ]);
}

// ---- transfers and the register ----------------------------------------------------------

function transferCard() {
  const x = token();
  const submit = async (event) => {
    event.preventDefault();
    const kind = value("transfer-kind");
    const body = { asset: x.asset, kind, source: Number(value("transfer-source")), target: Number(value("transfer-target")), reason: value("transfer-reason"), ref: null };
    const amount = value("transfer-amount");
    if (amount) body.amount = amount;
    const rows = [[t("issuer.transfer.source"), String(body.source), "source"], [t("issuer.transfer.target"), String(body.target), "target"], [t("rwa.form.amount"), amount ? amountText(amount, x.asset) : t("issuer.transfer.whole"), "amount"]];
    await act("transfer", { title: t("issuer.transfer.confirm", { kind: t(`issuer.transfer.${kind}`) }), rows, confirm: t("issuer.transfer.button") }, "transfer", body, (answer) =>
      t("issuer.transfer.done", { amount: amountText(answer.amount, x.asset), source: answer.source, target: answer.target }),
    );
  };
  const kinds = el("select", { id: "transfer-kind" }, TRANSFER_KINDS.map((kind) => el("option", { value: kind, text: t(`issuer.transfer.${kind}`) })));
  return card("issuer-transfer", "issuer.transfer.heading", [
    el("p", { class: "field-hint", text: t("issuer.transfer.hint") }),
    el("form", { id: "transfer-form", onsubmit: submit }, [
      el("label", { for: "transfer-kind", text: t("issuer.transfer.kind") }),
      kinds,
      ...textField("transfer-source", "issuer.transfer.source", { inputmode: "numeric", value: String(x.issuer) }),
      ...textField("transfer-target", "issuer.transfer.target", { inputmode: "numeric" }),
      ...textField("transfer-amount", "rwa.form.amount", { inputmode: "decimal" }),
      ...textField("transfer-reason", "issuer.transfer.reason", { maxlength: "200" }),
      el("button", { type: "submit", id: "transfer-submit", class: "primary", text: t("issuer.transfer.button") }),
    ]),
    line("transfer"),
  ]);
}

async function holdersFrom(start) {
  state.holdersFrom = start;
  await reload();
}

function holdersCard() {
  const holders = state.holders || [];
  const rows = holders.map((h) => el("tr", { dataset: { account: String(h.account) } }, [el("td", { class: "num", text: String(h.account) }), el("td", { class: "num holder-free", text: amountText(h.free) }), el("td", { class: "num holder-held", text: amountText(h.held) })]));
  const last = holders.length ? holders[holders.length - 1].account : 0;
  return card("issuer-holders", "issuer.holders.heading", [
    rows.length
      ? dataTable("holders-table", [["issuer.account", true], ["issuer.holders.free", true], ["issuer.holders.held", true]], rows, "issuer-holders-title")
      : el("p", { id: "holders-none", class: "muted", text: t("issuer.holders.none") }),
    el("p", { class: "card-actions" }, [
      el("button", { type: "button", id: "holders-first", class: "button small", disabled: state.holdersFrom === 0, text: t("issuer.holders.first"), onclick: () => holdersFrom(0) }),
      el("button", { type: "button", id: "holders-next", class: "button small", disabled: holders.length < HOLDERS_PAGE, text: t("issuer.holders.next"), onclick: () => holdersFrom(last + 1) }),
      el("button", { type: "button", id: "holders-refresh", class: "button small", text: t("issuer.refresh"), onclick: reload }),
    ]),
  ]);
}

// ---- drawing and loading ------------------------------------------------------------------

function typedValues() {
  return FIELDS.map((id) => [id, byId(id) ? byId(id).value : null]).filter(([, v]) => v !== null);
}

let drawnAsset = null;

function draw() {
  // What was typed stays across a redraw of the same token; another token's forms start
  // from its own figures.
  const kept = state.asset === drawnAsset ? typedValues() : [];
  drawnAsset = state.asset;
  document.title = `${t("issuer.title")} · Assetport`;
  const body = [el("h1", { id: "issuer-title", text: t("issuer.title") }), el("p", { class: "muted", text: t("issuer.intro") }), tokenCard()];
  if (state.error) body.push(el("p", { id: "issuer-error", class: "form-message error", text: refusal(state.error) }));
  if (state.token && state.tokens && state.tokens.length === 0) body.push(el("p", { id: "issuer-no-tokens", class: "muted", text: t("rwa.list.none") }));
  if (state.token && token()) {
    body.push(
      tokenPicker(),
      el("div", { class: "issuer-grid" }, [mintCard(), attestationCard(), termsCard(), redemptionsCard(), payoutCard(), transferCard(), holdersCard()]),
    );
  }
  clear(byId("main")).append(el("div", { id: "issuer-page", class: "issuer-page" }, body));
  for (const [id, typed] of kept) if (byId(id)) byId(id).value = typed;
}

async function reload() {
  state.error = null;
  try {
    state.tokens = await rest("GET", "/api/v1/assets");
    if (!token() && state.tokens.length) state.asset = state.tokens[0].asset;
    if (state.token && token()) {
      const [pending, holders] = await Promise.all([
        operator(state.token, "issuance/redemptions", { asset: state.asset, limit: PENDING_LIMIT }),
        operator(state.token, "issuance/holders", { asset: state.asset, from_account: state.holdersFrom, limit: HOLDERS_PAGE }),
      ]);
      state.pending = pending;
      state.holders = holders;
      if (state.chosen && !pending.some((r) => r.redemption_id === state.chosen.redemption_id)) state.chosen = null;
    }
  } catch (error) {
    state.error = error;
    // A token the server no longer takes (a new data directory, a rotated token) is dropped.
    if (error.code === UNAUTHORIZED) keepToken("");
  }
  draw();
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then(reload);
