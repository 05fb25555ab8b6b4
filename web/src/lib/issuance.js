// What the issuance pages share (the asset page, the token list, a retirement certificate,
// the issuer console): the words for a token's kind and a redemption's status, amounts as
// the API writes them (decimal strings in the asset's precision) shown grouped and without
// trailing zeros, and the exact arithmetic of what a subscription costs and what a
// redemption delivers, the engine's own rules (domain/issuance/terms.py) done on BigInt so
// that the figures a person confirms are the ones the ledger will post.
import { fromUnits, scaleOf, toUnits, trim } from "./decimal.js";
import { byId, el } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { messageLine, say } from "./wallet.js";

const BPS = 10000n;
// A holder's request names itself by a reference the page makes (Binance's client order id
// characters): sent twice, the server answers the first and changes nothing.
const REF_BYTES = 8;

export function kindText(kind) {
  return kind ? t(`rwa.kind.${kind}`) : "–";
}

export function statusText(status) {
  return t(`rwa.status.${String(status).toLowerCase()}`);
}

// "1005.0000" of KGLD as "1,005 KGLD": every digit the ledger has, none it has not.
export function amountText(text, asset = "") {
  if (text === null || text === undefined) return "–";
  const shown = formatNumber(trim(String(text)));
  return asset ? `${shown} ${asset}` : shown;
}

// Basis points as a percentage: 25 as "0.25 %".
export function bpsText(bps) {
  return `${formatNumber(trim(fromUnits(BigInt(bps), 2)))} %`;
}

// A hash or a signature shown by its ends; the whole of it is the title and the text a
// screen reader or a copy takes.
export function shortHex(hex, id) {
  const short = hex.length > 24 ? `${hex.slice(0, 12)}…${hex.slice(-8)}` : hex;
  return el("code", { id, class: "mono hex-short", title: hex, "aria-label": hex, text: short });
}

export function newRef() {
  const bytes = crypto.getRandomValues(new Uint8Array(REF_BYTES));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function ceilDiv(a, b) {
  return (a + b - 1n) / b;
}

// A token's decimals: its amounts are written at its precision (the supply always is).
export function precisionOf(token) {
  return scaleOf(token.supply);
}

// The units of an amount typed for `token`, or null when it is not a positive decimal of at
// most its decimals.
export function typedUnits(text, token) {
  const units = toUnits(String(text || "").trim(), precisionOf(token));
  return units !== null && units > 0n ? units : null;
}

// What subscribing `units` costs (SubscriptionTerms: the price per whole token, rounded up to
// a whole quote unit, and the issuer's fee on it, rounded up): decimal strings in the quote.
export function subscriptionCost(token, units) {
  const terms = token.subscription;
  const quoteScale = scaleOf(terms.price);
  const price = toUnits(terms.price, quoteScale);
  const cost = ceilDiv(units * price, 10n ** BigInt(precisionOf(token)));
  const fee = ceilDiv(cost * BigInt(terms.feeBps), BPS);
  return {
    cost: fromUnits(cost, quoteScale),
    fee: fromUnits(fee, quoteScale),
    paid: fromUnits(cost + fee, quoteScale),
    quote: terms.quote,
  };
}

// What redeeming `units` delivers (RedemptionTerms): the fee, rounded up, stays with the
// issuer; of the rest, a physical redemption gets whole lots (bars) and the remainder in
// cash at the price the issuer states when it confirms. Decimal strings in the token.
export function redemptionOutcome(token, redemption, units, physical) {
  const scale = precisionOf(token);
  const fee = ceilDiv(units * BigInt(redemption.feeBps), BPS);
  const net = units - fee;
  const lot = toUnits(redemption.physicalLot, scale) ?? 0n;
  const lots = physical && lot > 0n ? net / lot : 0n;
  return {
    fee: fromUnits(fee, scale),
    net: fromUnits(net, scale),
    lots: lots.toString(),
    delivered: fromUnits(lots * lot, scale),
    cash: fromUnits(net - lots * lot, scale),
    // The engine's rule: a physical request must leave at least one whole lot after the fee.
    tooSmallForLot: physical && (lot === 0n || net < lot),
  };
}

// A labelled text field: [label, input] (`attributes` go on the input).
export function textField(id, labelKey, attributes = {}) {
  return [el("label", { for: id, text: t(labelKey) }), el("input", { id, type: "text", autocomplete: "off", ...attributes })];
}

// The outcome of each of a page's forms, kept across a redraw: `line(name)` is the form's
// message line (`<name>-message`, with its last outcome), `tell(name, kind, text)` says one
// (`text()` is asked again at each redraw, so a language switch rewrites it).
export function outcomes() {
  const kept = {};
  return {
    line(name) {
      const line = messageLine(`${name}-message`);
      if (kept[name]) say(line, kept[name].text(), kept[name].kind);
      return line;
    },
    tell(name, kind, text) {
      kept[name] = text ? { kind, text } : null;
      const line = byId(`${name}-message`);
      if (line && text) say(line, text(), kind);
    },
  };
}

// A table of `rows` under `headings` ([text key, numeric?]) in a box that scrolls where the
// screen is narrow: one Tab stop, named by `labelId` (its heading), so that a keyboard can
// scroll it too.
export function dataTable(id, headings, rows, labelId, boxClass = "") {
  return el("div", { class: `table-scroll ${boxClass}`.trim(), tabindex: "0", role: "region", "aria-labelledby": labelId }, [
    el("table", { id, class: "info-table" }, [
      el("thead", {}, [el("tr", {}, headings.map(([key, numeric]) => el("th", { scope: "col", class: numeric ? "num" : null, text: t(key) })))]),
      el("tbody", {}, rows),
    ]),
  ]);
}
