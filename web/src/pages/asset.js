// The page of a tokenized real-world asset (/assets/<CODE>): what one token stands for and
// its market (the words of messages/info.js where the site has them), and, for a token an
// issuer issues (GET /api/v1/assets), what backs it: the terms (unit, custodian, vault,
// kind), supply, reserve and headroom, the supply against the reserve over time, the latest
// reserve attestation with its bar list (a page of lots at a time), the attestations before
// it, the subscription and redemption terms, the documents by SHA-256 and the distributions
// to holders. A logged-in person subscribes, redeems and (carbon credits) retires here, each
// figure shown before they confirm, and follows their redemptions (cancel while pending) and
// retirement certificates. The server judges every request; its refusal is shown in words.
import { rest } from "../lib/api.js";
import { fromUnits, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatDateTime, formatNumber, language, onLanguageChange, t } from "../lib/i18n.js";
import {
  amountText,
  bpsText,
  dataTable,
  kindText,
  newRef,
  outcomes,
  precisionOf,
  redemptionOutcome,
  shortHex,
  statusText,
  subscriptionCost,
  textField,
  typedUnits,
} from "../lib/issuance.js";
import { isSandbox, startPage } from "../lib/layout.js";
import { supplyChart } from "../lib/supply_chart.js";
import { askToConfirm } from "../lib/trade_confirm.js";
import { present, refresher } from "../lib/wallet.js";
import infoMessages, { ASSETS, PAGES } from "../messages/info.js";
import messages from "../messages/issuance.js";

addMessages(infoMessages);
addMessages(messages);

const code = decodeURIComponent(location.pathname.split("/")[2] || "").toUpperCase();
// Lots per page of the bar list (the API's first page with the token is as long).
const LOTS_PAGE = 100;
const HISTORY_LIMIT = 50;
// The fields of the holder's forms, kept across a redraw (a language switch, new figures).
const FORM_FIELDS = ["subscribe-amount", "redeem-amount", "retire-amount", "retire-beneficiary", "retire-purpose"];

const loaded = {
  tokens: null,
  token: null,
  supply: null,
  attestations: null,
  distributions: null,
  lots: null, // the lots of the page shown of the latest attestation
  lotOffset: 0,
  lotSeq: null, // which attestation they are of
  markets: null,
  ticker: null,
  balance: null,
  redemptions: null,
  certificates: null,
  error: null,
  mineError: null,
};
let session = null;
const { line, tell } = outcomes();
let mineRefresh = null;
// Each form's reference while its request has no answer: sent again after a lost answer,
// so that a retry is the same request (the server answers the first, moves nothing twice).
const refs = {};

const words = () => (ASSETS[code] ? ASSETS[code][language()] : null);

function market() {
  const wanted = ASSETS[code] ? ASSETS[code].market : null;
  const markets = loaded.markets || [];
  return markets.find((m) => m.symbol === wanted) || markets.find((m) => m.baseAsset === code && m.quoteAsset === "KRW") || markets.find((m) => m.baseAsset === code) || null;
}

function title() {
  if (words()) return t("info.asset", { code, name: words().name });
  return loaded.token ? `${code}: ${loaded.token.unit}` : code;
}

function row(key, value, id) {
  return el("tr", { id }, [el("th", { scope: "row", text: t(key) }), el("td", { text: value })]);
}

function section(id, titleKey, children) {
  return el("section", { id, class: "info-section", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), ...present(...children)]);
}

function muted(id, key, vars = {}) {
  return el("p", { id, class: "muted", text: t(key, vars) });
}

// ---- what one token is, and its market --------------------------------------------------

function marketTable() {
  const m = market();
  const w = words();
  const token = loaded.token;
  const filter = (type) => m && m.filters.find((f) => f.filterType === type);
  const price = filter("PRICE_FILTER");
  const lot = filter("LOT_SIZE");
  const notional = filter("NOTIONAL") || filter("MIN_NOTIONAL");
  const quote = m ? m.quoteAsset : "";
  const name = m ? `${m.baseAsset}/${m.quoteAsset}` : "";
  return el("div", { class: "asset-block" }, [
    el("table", { id: "asset-table", class: "info-table" }, [
      el("tbody", {}, present(
        row("asset.unit", w ? w.unit : token ? token.unit : "–", "asset-unit"),
        row("asset.kind", w ? w.kind : kindText(token && token.kind), "asset-kind"),
        w ? row("asset.backing", w.backing, "asset-backing") : null,
        m ? row("asset.market", name, "asset-market") : null,
        loaded.ticker ? row("asset.last", `${formatNumber(trim(loaded.ticker.price))} ${quote}`, "asset-last") : null,
        price ? row("asset.tick", `${formatNumber(trim(price.tickSize))} ${quote}`, "asset-tick") : null,
        lot ? row("asset.step", `${formatNumber(trim(lot.stepSize))} ${code}`, "asset-step") : null,
        notional ? row("asset.minOrder", `${formatNumber(trim(notional.minNotional))} ${quote}`, "asset-min-order") : null,
      )),
    ]),
    m ? el("p", {}, [el("a", { id: "asset-trade", class: "button primary", href: `/trade/${m.symbol}`, text: t("asset.trade", { market: name }) })]) : null,
  ]);
}

// The information pages' words on the token (what it is; in the sandbox, that it is not
// backed by anything real), where it has a market they can name.
function aboutSections() {
  const m = market();
  if (!m) return [];
  const w = words();
  const vars = { code, unit: w ? w.unit : loaded.token ? loaded.token.unit : code, market: `${m.baseAsset}/${m.quoteAsset}` };
  const fill = (text) => text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
  let body = PAGES[language()].asset;
  if (!isSandbox()) body = body.slice(0, 1);
  return body.map(([heading, ...paragraphs], index) =>
    el("section", { class: "info-section", id: `asset-section-${index + 1}` }, [el("h2", { text: fill(heading) }), ...paragraphs.map((p) => el("p", { text: fill(p) }))]),
  );
}

// ---- what backs it ----------------------------------------------------------------------

function backingSection() {
  const token = loaded.token;
  return section("asset-facts", "rwa.backing", [
    el("table", { id: "asset-terms-table", class: "info-table" }, [
      el("tbody", {}, present(
        row("rwa.unit", token.unit || "–", "asset-token-unit"),
        row("rwa.kind", kindText(token.kind), "asset-token-kind"),
        row("rwa.issuer", t("rwa.issuerAccount", { account: token.issuer }), "asset-issuer"),
        row("rwa.custodian", token.custodian || "–", "asset-custodian"),
        row("rwa.vault", token.vault || "–", "asset-vault"),
        row("rwa.supply", amountText(token.supply, code), "asset-supply"),
        row("rwa.reserve", amountText(token.reserve, code), "asset-reserve"),
        row("rwa.headroom", amountText(token.headroom, code), "asset-headroom"),
        token.attestedAt ? row("rwa.attestedAt", formatDateTime(token.attestedAt), "asset-attested-at") : null,
      )),
    ]),
    el("p", { class: "muted", text: t("rwa.backingNote") }),
  ]);
}

function chartSection() {
  const points = loaded.supply || [];
  return section("asset-chart", "rwa.chart.heading", [points.length ? supplyChart(points, code) : muted("asset-chart-none", "rwa.chart.none")]);
}

function lotRows(lots) {
  const token = loaded.token;
  const scale = precisionOf(token);
  return lots.map((lot) =>
    el("tr", { dataset: { serial: lot.serial } }, [
      el("td", { class: "mono lot-serial", text: lot.serial }),
      el("td", { text: lot.description }),
      el("td", { text: lot.vault }),
      el("td", { class: "num", text: lot.gross ? amountText(fromUnits(BigInt(lot.gross), scale)) : "–" }),
      el("td", { class: "num", text: lot.fineness ? formatNumber(fromUnits(BigInt(lot.fineness), 1)) : "–" }),
      el("td", { class: "num lot-amount", text: amountText(lot.amount) }),
    ]),
  );
}

async function showLots(offset) {
  const latest = loaded.token.latestAttestation;
  try {
    const page = await rest("GET", `/api/v1/assets/${code}/attestations`, { seq: latest.seq, offset, limit: LOTS_PAGE });
    loaded.lots = page.lots;
    loaded.lotOffset = offset;
    tell("lots", null, null);
  } catch (error) {
    tell("lots", "error", () => errorText(error));
  }
  draw();
  byId(offset > 0 ? "lots-prev" : "lots-next")?.focus();
}

function lotPager(latest) {
  const from = loaded.lotOffset;
  const to = from + loaded.lots.length;
  if (latest.lotCount <= LOTS_PAGE) return null;
  return el("div", { class: "lot-pager" }, [
    el("button", { type: "button", id: "lots-prev", class: "button small", disabled: from === 0, text: t("rwa.lots.prev"), onclick: () => showLots(Math.max(0, from - LOTS_PAGE)) }),
    el("span", { id: "lots-range", role: "status", text: t("rwa.lots.range", { from: formatNumber(String(from + 1)), to: formatNumber(String(to)), count: formatNumber(String(latest.lotCount)) }) }),
    el("button", { type: "button", id: "lots-next", class: "button small", disabled: to >= latest.lotCount, text: t("rwa.lots.next"), onclick: () => showLots(to) }),
  ]);
}

function attestationSection() {
  const latest = loaded.token.latestAttestation;
  if (!latest) return section("asset-attestation", "rwa.attestation.heading", [muted("asset-attestation-none", "rwa.attestation.none")]);
  const metal = loaded.token.kind === "metal";
  return section("asset-attestation", "rwa.attestation.heading", [
    el("table", { id: "attestation-facts", class: "info-table" }, [
      el("tbody", {}, [
        row("rwa.attestation.attestor", latest.attestor, "attestation-attestor"),
        row("rwa.attestation.asOf", formatDateTime(latest.asOf), "attestation-as-of"),
        row("rwa.attestation.total", amountText(latest.reserve, code), "attestation-total"),
        row("rwa.attestation.lotCount", formatNumber(String(latest.lotCount)), "attestation-lot-count"),
        el("tr", { id: "attestation-signature" }, [el("th", { scope: "row", text: t("rwa.attestation.signature") }), el("td", {}, [shortHex(latest.signature)])]),
      ]),
    ]),
    el("h3", { id: "lots-title", text: t(metal ? "rwa.lots.bars" : "rwa.lots.heading") }),
    // A page of lots scrolls in its own box, down as well as across.
    dataTable("lots-table", [["rwa.lots.serial"], [metal ? "rwa.lots.refiner" : "rwa.lots.description"], ["rwa.vault"], ["rwa.lots.gross", true], ["rwa.lots.fineness", true], ["rwa.lots.fine", true]], lotRows(loaded.lots || []), "lots-title", "lots-scroll"),
    lotPager(latest),
    line("lots"),
  ]);
}

function historySection() {
  const rows = (loaded.attestations || []).map((a) =>
    el("tr", { dataset: { seq: String(a.seq) } }, [
      el("td", { text: formatDateTime(a.asOf) }),
      el("td", { text: formatDateTime(a.time) }),
      el("td", { text: a.attestor }),
      el("td", { class: "num", text: amountText(a.reserve) }),
      el("td", { class: "num", text: formatNumber(String(a.lotCount)) }),
      el("td", { class: "num", text: amountText(a.supply) }),
    ]),
  );
  return section("asset-history", "rwa.history.heading", [
    rows.length ? dataTable("attestations-table", [["rwa.attestation.asOf"], ["rwa.history.recorded"], ["rwa.attestation.attestor"], ["rwa.reserve", true], ["rwa.attestation.lotCount", true], ["rwa.history.supply", true]], rows, "asset-history-title") : muted("asset-history-none", "rwa.attestation.none"),
  ]);
}

function termsSection() {
  const token = loaded.token;
  const sub = token.subscription;
  const red = token.redemption;
  return section("asset-conditions", "rwa.terms.heading", [
    el("h3", { text: t("rwa.terms.subscription") }),
    sub
      ? el("table", { id: "subscription-terms", class: "info-table" }, [
          el("tbody", {}, [
            row("rwa.terms.price", t("rwa.terms.perToken", { price: amountText(sub.price, sub.quote), asset: code }), "subscription-price"),
            row("rwa.terms.fee", bpsText(sub.feeBps), "subscription-fee"),
            row("rwa.terms.minimum", amountText(sub.minimum, code), "subscription-minimum"),
            row("rwa.terms.state", t(sub.open ? "rwa.terms.open" : "rwa.terms.closed"), "subscription-state"),
          ]),
        ])
      : muted("subscription-none", "rwa.terms.noSubscription"),
    el("h3", { text: t("rwa.terms.redemption") }),
    red
      ? el("table", { id: "redemption-terms", class: "info-table" }, [
          el("tbody", {}, [
            row("rwa.terms.minimum", amountText(red.minimum, code), "redemption-minimum"),
            row("rwa.terms.fee", bpsText(red.feeBps), "redemption-fee"),
            row("rwa.terms.physical", Number(red.physicalLot) > 0 ? t("rwa.terms.lots", { lot: amountText(red.physicalLot, code) }) : t("rwa.terms.noPhysical"), "redemption-physical"),
            row("rwa.terms.cash", t(red.cash ? "rwa.terms.cashYes" : "rwa.terms.cashNo"), "redemption-cash"),
          ]),
        ])
      : muted("redemption-none", "rwa.terms.noRedemption"),
  ]);
}

function documentsSection() {
  const documents = loaded.token.documents || [];
  // The document itself is served by its hash, so the link can only open the bytes the terms bound.
  const rows = documents.map((d) => el("tr", {}, [
    el("td", {}, [el("a", { href: `/api/v1/assets/documents/${encodeURIComponent(d.sha256)}`, text: d.name })]),
    el("td", {}, [el("code", { class: "mono hash-full", text: d.sha256 })]),
  ]));
  return section("asset-documents", "rwa.documents.heading", [
    rows.length ? el("p", { class: "muted", text: t("rwa.documents.note") }) : null,
    rows.length ? dataTable("documents-table", [["rwa.documents.name"], ["rwa.documents.sha256"]], rows, "asset-documents-title") : muted("documents-none", "rwa.documents.none"),
  ]);
}

function distributionsSection() {
  const rows = (loaded.distributions || []).map((d) =>
    el("tr", { dataset: { id: String(d.distributionId) } }, [
      el("td", { text: formatDateTime(d.time) }),
      el("td", { class: "num", text: amountText(d.paid, d.payAsset) }),
      el("td", { class: "num", text: formatNumber(String(d.holders)) }),
      el("td", { class: "num", text: amountText(d.remainder, d.payAsset) }),
    ]),
  );
  return section("asset-distributions", "rwa.distributions.heading", [
    rows.length ? dataTable("distributions-table", [["rwa.time"], ["rwa.distributions.paid", true], ["rwa.distributions.holders", true], ["rwa.distributions.remainder", true]], rows, "asset-distributions-title") : muted("distributions-none", "rwa.distributions.none"),
  ]);
}

// ---- the holder's forms -----------------------------------------------------------------

function amountField(id, hint) {
  return textField(id, "rwa.form.amount", { inputmode: "decimal", "aria-describedby": `${id}-hint ${id}-preview`, oninput: updatePreviews }).concat([
    el("p", { id: `${id}-hint`, class: "field-hint", text: hint }),
    el("p", { id: `${id}-preview`, class: "form-preview", "aria-live": "polite" }),
  ]);
}

function subscribeForm() {
  const sub = loaded.token.subscription;
  if (!sub) return null;
  if (!sub.open) return el("div", { class: "holder-form" }, [el("h3", { text: t("rwa.subscribe.heading") }), muted("subscribe-closed", "rwa.subscribe.closed")]);
  const hint = t("rwa.subscribe.hint", { price: amountText(sub.price, sub.quote), fee: bpsText(sub.feeBps), minimum: amountText(sub.minimum, code) });
  return el("form", { id: "subscribe-form", class: "holder-form", "aria-labelledby": "subscribe-title", onsubmit: subscribe }, [
    el("h3", { id: "subscribe-title", text: t("rwa.subscribe.heading") }),
    ...amountField("subscribe-amount", hint),
    el("button", { type: "submit", id: "subscribe-submit", class: "primary", text: t("rwa.subscribe.submit") }),
    line("subscribe"),
  ]);
}

function redeemForm() {
  const red = loaded.token.redemption;
  if (!red) return null;
  const physical = Number(red.physicalLot) > 0;
  const choice = (value, key, checked) =>
    el("label", { class: "check" }, [el("input", { type: "radio", name: "redeem-how", id: `redeem-${value}`, value, checked, onchange: updatePreviews }), t(key, { lot: amountText(red.physicalLot, code) })]);
  const hint = t("rwa.redeem.hint", { minimum: amountText(red.minimum, code), fee: bpsText(red.feeBps) });
  return el("form", { id: "redeem-form", class: "holder-form", "aria-labelledby": "redeem-title", onsubmit: redeem }, [
    el("h3", { id: "redeem-title", text: t("rwa.redeem.heading") }),
    ...amountField("redeem-amount", hint),
    el("fieldset", { class: "permissions" }, present(
      el("legend", { text: t("rwa.redeem.how") }),
      physical ? choice("physical", "rwa.redeem.physical", true) : null,
      red.cash ? choice("cash", "rwa.redeem.cash", !physical) : null,
    )),
    el("button", { type: "submit", id: "redeem-submit", class: "primary", text: t("rwa.redeem.submit") }),
    line("redeem"),
  ]);
}

function retireForm() {
  if (loaded.token.kind !== "carbon") return null;
  return el("form", { id: "retire-form", class: "holder-form", "aria-labelledby": "retire-title", onsubmit: retire }, [
    el("h3", { id: "retire-title", text: t("rwa.retire.heading") }),
    el("p", { class: "field-hint", text: t("rwa.retire.hint") }),
    ...textField("retire-amount", "rwa.form.amount", { inputmode: "decimal" }),
    ...textField("retire-beneficiary", "rwa.retire.beneficiary", { maxlength: "200" }),
    ...textField("retire-purpose", "rwa.retire.purpose", { maxlength: "200" }),
    el("button", { type: "submit", id: "retire-submit", class: "primary", text: t("rwa.retire.submit") }),
    line("retire"),
  ]);
}

function balanceLine() {
  const balance = loaded.balance;
  if (!balance) return muted("asset-balance", "common.loading");
  return el("p", { id: "asset-balance", text: t("rwa.balance", { free: amountText(balance.free, code), held: amountText(balance.locked, code) }) });
}

function holderSection() {
  if (!session) {
    const next = "/login?" + new URLSearchParams({ next: location.pathname }).toString();
    return section("asset-holder", "rwa.holder.heading", [el("p", { id: "asset-login" }, [t("rwa.holder.login"), " ", el("a", { href: next, text: t("rwa.holder.loginLink") })])]);
  }
  return section("asset-holder", "rwa.holder.heading", [
    balanceLine(),
    el("div", { class: "holder-forms" }, present(subscribeForm(), redeemForm(), retireForm())),
  ]);
}

function checkedHow() {
  const physical = byId("redeem-physical");
  return physical ? physical.checked : false;
}

function updatePreviews() {
  const token = loaded.token;
  const subscribeBox = byId("subscribe-amount-preview");
  if (subscribeBox) {
    const units = typedUnits(byId("subscribe-amount").value, token);
    subscribeBox.textContent = units === null ? "" : previewOfSubscription(units);
  }
  const redeemBox = byId("redeem-amount-preview");
  if (redeemBox) {
    const units = typedUnits(byId("redeem-amount").value, token);
    redeemBox.textContent = units === null ? "" : previewOfRedemption(units, checkedHow());
  }
}

function previewOfSubscription(units) {
  const c = subscriptionCost(loaded.token, units);
  return t("rwa.subscribe.preview", { cost: amountText(c.cost, c.quote), fee: amountText(c.fee, c.quote), paid: amountText(c.paid, c.quote) });
}

function previewOfRedemption(units, physical) {
  const o = redemptionOutcome(loaded.token, loaded.token.redemption, units, physical);
  if (o.tooSmallForLot) return t("rwa.redeem.tooSmall", { lot: amountText(loaded.token.redemption.physicalLot, code) });
  const vars = { fee: amountText(o.fee, code), lots: formatNumber(o.lots), delivered: amountText(o.delivered, code), cash: amountText(o.cash, code) };
  return t(physical ? "rwa.redeem.previewPhysical" : "rwa.redeem.previewCash", vars);
}

function unitsOr(name, id) {
  const units = typedUnits(byId(id).value, loaded.token);
  if (units === null) tell(name, "error", () => t("rwa.form.badAmount", { decimals: precisionOf(loaded.token) }));
  return units;
}

// Sends `params` once the person confirmed `confirmation`'s figures; a second click while
// it is on its way does nothing.
async function send(name, path, params, confirmation, done) {
  const button = byId(`${name}-submit`);
  if (button.disabled) return;
  const confirmed = await askToConfirm({ ...confirmation, kind: "primary", id: name, back: t("rwa.form.back") });
  if (!confirmed) return;
  button.disabled = true;
  refs[name] = refs[name] || newRef();
  try {
    const answer = await rest("POST", path, { ...params, clientRef: refs[name] });
    delete refs[name];
    tell(name, "success", () => done(answer));
    for (const id of FORM_FIELDS) if (byId(id) && id.startsWith(name)) byId(id).value = "";
    await reloadAfterAction();
  } catch (error) {
    if (error.status !== 0) delete refs[name]; // an answer, not a lost one: the next is new
    tell(name, "error", () => errorText(error, { asset: code }));
  } finally {
    const again = byId(`${name}-submit`);
    if (again) again.disabled = false;
  }
}

async function subscribe(event) {
  event.preventDefault();
  const units = unitsOr("subscribe", "subscribe-amount");
  if (units === null) return;
  const amount = byId("subscribe-amount").value.trim();
  const c = subscriptionCost(loaded.token, units);
  await send("subscribe", "/api/v1/assets/subscribe", { asset: code, amount }, {
    title: t("rwa.subscribe.confirmTitle", { amount: amountText(amount, code) }),
    rows: [
      [t("rwa.subscribe.cost"), amountText(c.cost, c.quote), "cost"],
      [t("rwa.subscribe.fee"), amountText(c.fee, c.quote), "fee"],
      [t("rwa.subscribe.paid"), amountText(c.paid, c.quote), "paid"],
    ],
    confirm: t("rwa.subscribe.confirm"),
  }, (answer) => t("rwa.subscribe.done", { amount: amountText(answer.amount, code), paid: amountText(answer.paid, answer.quote) }));
}

async function redeem(event) {
  event.preventDefault();
  const units = unitsOr("redeem", "redeem-amount");
  if (units === null) return;
  const amount = byId("redeem-amount").value.trim();
  const physical = checkedHow();
  const o = redemptionOutcome(loaded.token, loaded.token.redemption, units, physical);
  const rows = [[t("rwa.redeem.fee"), amountText(o.fee, code), "fee"]];
  if (physical) rows.push([t("rwa.redeem.bars"), t("rwa.redeem.barsValue", { lots: formatNumber(o.lots), delivered: amountText(o.delivered, code) }), "bars"]);
  rows.push([t("rwa.redeem.inCash"), amountText(o.cash, code), "cash"]);
  await send("redeem", "/api/v1/assets/redeem", { asset: code, amount, physical: String(physical) }, {
    title: t("rwa.redeem.confirmTitle", { amount: amountText(amount, code) }),
    text: t("rwa.redeem.confirmText"),
    rows,
    confirm: t("rwa.redeem.confirm"),
  }, (answer) => t("rwa.redeem.done", { id: answer.redemptionId }));
}

async function retire(event) {
  event.preventDefault();
  const units = unitsOr("retire", "retire-amount");
  if (units === null) return;
  const amount = byId("retire-amount").value.trim();
  const beneficiary = byId("retire-beneficiary").value.trim();
  const purpose = byId("retire-purpose").value.trim();
  if (!beneficiary) {
    tell("retire", "error", () => t("rwa.retire.noBeneficiary"));
    return;
  }
  await send("retire", "/api/v1/assets/retire", { asset: code, amount, beneficiary, purpose }, {
    title: t("rwa.retire.confirmTitle", { amount: amountText(amount, code) }),
    text: t("rwa.retire.confirmText"),
    rows: [[t("rwa.retire.beneficiary"), beneficiary, "beneficiary"], ...(purpose ? [[t("rwa.retire.purpose"), purpose, "purpose"]] : [])],
    confirm: t("rwa.retire.confirm"),
  }, (answer) => t("rwa.retire.done", { id: answer.certificateId }));
}

// ---- the holder's own: redemptions and certificates --------------------------------------

function delivered(r) {
  if (!r.bars.length) return "–";
  return r.bars.map((bar) => `${bar.serial} (${amountText(bar.amount)})`).join(", ");
}

function cashPaid(r) {
  if (!r.cash) return "–";
  return t("rwa.mine.cashValue", { cash: amountText(r.cash, r.payAsset), amount: amountText(r.cashAmount, code) });
}

async function cancelRedemption(r) {
  try {
    await rest("DELETE", "/api/v1/assets/redeem", { redemptionId: r.redemptionId });
    tell("mine", "success", () => t("rwa.mine.canceled", { id: r.redemptionId }));
  } catch (error) {
    tell("mine", "error", () => errorText(error));
  }
  await reloadAfterAction();
}

function redemptionRow(r) {
  const pending = r.status === "PENDING";
  return el("tr", { dataset: { id: String(r.redemptionId), status: r.status } }, [
    el("td", { text: formatDateTime(r.requestTime) }),
    el("td", { class: "num", text: amountText(r.amount) }),
    el("td", { class: "num", text: amountText(r.fee) }),
    el("td", { text: t(r.physical ? "rwa.mine.physical" : "rwa.mine.cash") }),
    el("td", { class: "redemption-status" }, [el("span", { class: `badge status-${r.status.toLowerCase()}`, text: statusText(r.status) }), r.reason ? el("span", { class: "muted", text: ` ${r.reason}` }) : null]),
    el("td", { class: "redemption-bars", text: delivered(r) }),
    el("td", { class: "num redemption-cash", text: cashPaid(r) }),
    el("td", {}, [pending ? el("button", { type: "button", class: "button small danger redemption-cancel", text: t("rwa.mine.cancel"), "aria-label": t("rwa.mine.cancelOne", { id: r.redemptionId }), onclick: () => cancelRedemption(r) }) : null]),
  ]);
}

function certificateRows() {
  return (loaded.certificates || []).filter((c) => c.asset === code).map((c) =>
    el("tr", { dataset: { id: String(c.certificateId) } }, [
      el("td", {}, [el("a", { href: `/assets/certificates/${c.certificateId}`, text: `#${c.certificateId}` })]),
      el("td", { text: formatDateTime(c.time) }),
      el("td", { class: "num", text: amountText(c.amount) }),
      el("td", { text: c.beneficiary }),
    ]),
  );
}

function mineSection() {
  if (!session) return null;
  if (loaded.mineError) return section("asset-mine", "rwa.mine.heading", [el("p", { id: "asset-mine-error", class: "form-message error", text: errorText(loaded.mineError) })]);
  if (!loaded.redemptions) return section("asset-mine", "rwa.mine.heading", [muted("asset-mine-loading", "common.loading")]);
  const rows = loaded.redemptions.map(redemptionRow);
  const parts = [
    line("mine"),
    rows.length
      ? dataTable("redemptions-table", [["rwa.time"], ["rwa.form.amount", true], ["rwa.redeem.fee", true], ["rwa.mine.how"], ["rwa.mine.status"], ["rwa.mine.bars"], ["rwa.mine.cashPaid", true], ["rwa.mine.action"]], rows, "asset-mine-title")
      : muted("redemptions-none", "rwa.mine.none"),
  ];
  if (loaded.token.kind === "carbon") {
    const certificates = certificateRows();
    parts.push(
      el("h3", { id: "certificates-title", text: t("rwa.certificates.heading") }),
      certificates.length ? dataTable("certificates-table", [["rwa.certificates.id"], ["rwa.time"], ["rwa.form.amount", true], ["rwa.retire.beneficiary"]], certificates, "certificates-title") : muted("certificates-none", "rwa.certificates.none"),
    );
  }
  return section("asset-mine", "rwa.mine.heading", parts);
}

// ---- drawing and loading ----------------------------------------------------------------

function typedValues() {
  return FORM_FIELDS.map((id) => [id, byId(id) ? byId(id).value : null]).filter(([, value]) => value);
}

function draw() {
  const kept = typedValues();
  const how = byId("redeem-cash") && byId("redeem-cash").checked ? "cash" : null;
  document.title = `${title()} · Assetport`;
  const token = loaded.token;
  const body = [el("h1", { id: "info-title", text: title() })];
  if (loaded.error) body.push(el("p", { id: "asset-error", class: "form-message error", text: t("rwa.loadFailed", { reason: errorText(loaded.error) }) }));
  if (!loaded.tokens && !loaded.error) body.push(muted("asset-loading", "common.loading"));
  if (words() || token) body.push(marketTable());
  if (token) {
    // The bar list, the longest part, comes last.
    body.push(backingSection(), holderSection(), mineSection(), chartSection(), termsSection(), documentsSection(), distributionsSection(), historySection(), attestationSection());
  } else if (loaded.tokens && !words()) {
    body.push(muted("asset-not-token", "rwa.notToken", { code }));
  }
  body.push(...aboutSections());
  if (loaded.tokens) body.push(el("p", {}, [el("a", { id: "asset-all", href: "/assets", text: t("rwa.list.link") })]));
  const article = el("article", { id: "info-page", class: "info-page asset-page panel", dataset: { topic: "asset" } }, present(...body));
  clear(byId("main")).append(article);
  for (const [id, value] of kept) if (byId(id)) byId(id).value = value;
  if (how) byId("redeem-cash").checked = true;
  if (token) updatePreviews();
}

function drawMine() {
  const old = byId("asset-mine");
  const fresh = mineSection();
  if (old && fresh) old.replaceWith(fresh);
  const balance = byId("asset-balance");
  if (balance) balance.replaceWith(balanceLine());
}

async function loadToken() {
  const [token, supply, attestations, distributions] = await Promise.all([
    rest("GET", `/api/v1/assets/${code}`),
    rest("GET", `/api/v1/assets/${code}/supply`),
    rest("GET", `/api/v1/assets/${code}/attestations`, { limit: HISTORY_LIMIT }),
    rest("GET", `/api/v1/assets/${code}/distributions`, { limit: HISTORY_LIMIT }),
  ]);
  loaded.token = token;
  loaded.supply = supply;
  loaded.attestations = attestations;
  loaded.distributions = distributions;
  const latest = token.latestAttestation;
  // The first page of lots comes with the token; a later page shown stays where it was
  // while the attestation is the same one.
  if (!latest || !loaded.lots || loaded.lotSeq !== latest.seq) {
    loaded.lots = latest ? latest.lots : [];
    loaded.lotOffset = 0;
    loaded.lotSeq = latest ? latest.seq : null;
  }
}

async function loadMine() {
  if (!session || !loaded.token) return;
  const carbon = loaded.token.kind === "carbon";
  const [account, redemptions, certificates] = await Promise.all([
    rest("GET", "/api/v3/account"),
    rest("GET", "/api/v1/assets/redemptions", { asset: code, limit: HISTORY_LIMIT }),
    carbon ? rest("GET", "/api/v1/assets/certificates", { limit: HISTORY_LIMIT }) : null,
  ]);
  loaded.balance = account.balances.find((b) => b.asset === code) || { free: "0", locked: "0" };
  loaded.redemptions = redemptions;
  loaded.certificates = certificates;
  loaded.mineError = null;
}

const anyPending = () => (loaded.redemptions || []).some((r) => r.status === "PENDING");

// After the holder's request: the token's figures again, and their own at once (the
// refresh then follows a redemption that now waits every few seconds).
async function reloadAfterAction() {
  loaded.error = null;
  try {
    await loadToken();
  } catch (error) {
    loaded.error = error;
  }
  draw();
  if (mineRefresh) await mineRefresh.now();
}

async function load() {
  try {
    const [tokens, info] = await Promise.all([rest("GET", "/api/v1/assets"), rest("GET", "/api/v3/exchangeInfo")]);
    loaded.tokens = tokens;
    loaded.markets = info.symbols;
    const m = market();
    const waits = [m ? rest("GET", "/api/v3/ticker/price", { symbol: m.symbol }).then((ticker) => (loaded.ticker = ticker)).catch(() => null) : null];
    if (tokens.some((token) => token.asset === code)) waits.push(loadToken());
    await Promise.all(waits);
  } catch (error) {
    loaded.error = error;
  }
  draw();
  if (session && loaded.token) {
    // The redemptions are asked again every few seconds while one waits for the issuer.
    mineRefresh = refresher(
      async () => {
        await loadMine();
        drawMine();
      },
      anyPending,
      (error) => {
        loaded.mineError = error;
        drawMine();
      },
    );
    mineRefresh.now();
  }
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then((found) => {
  session = found;
  load();
});
