// Selling an item one holds: at a fixed price (a listing, with an expiry), in an English
// auction (start price, optional reserve and buy-now price, anti-sniping) or in a Dutch one
// (the price falls from a start to an end price). Used by the item page and by My NFTs.
// Before anything is sent the person sees what they would receive at that price (the split
// by the engine's rule, lib/nft.js splitOf); the server judges the request, and its refusal
// is shown in words.
import { byId, el } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { outcomes } from "./issuance.js";
import {
  accountText,
  countText,
  nftErrorText,
  nftSend,
  percentText,
  priceText,
  royaltiesOf,
  serverNow,
  splitOf,
  standardOf,
  typedPrice,
  typedWhole,
  unitsText,
} from "./nft.js";
import { askToConfirm } from "./trade_confirm.js";
import { present } from "./wallet.js";

const MINUTE_MS = 60 * 1000;
const UNITS_MS = { minutes: MINUTE_MS, hours: 60 * MINUTE_MS, days: 24 * 60 * MINUTE_MS };
const EXPIRIES = ["never", "1", "7", "30"]; // days
const SNIPING_MINUTES = 5;
// The server starts an auction a second after the request: an auction of "1 minute" must
// still last a whole minute from its start.
const START_MARGIN_MS = 2000;

const { line, tell } = outcomes();
// The mode and fields of the form, kept across redraws (a language switch, new figures).
const kept = {};

function keepField(id, value) {
  kept[id] = value;
}

function field(id, labelKey, attributes = {}, hintKey = null) {
  const input = el("input", { id, type: "text", autocomplete: "off", inputmode: "decimal", value: kept[id] ?? "", oninput: (event) => keepField(id, event.target.value), "aria-describedby": hintKey ? `${id}-hint` : null, ...attributes });
  return el("div", { class: "nft-field" }, present(el("label", { for: id, text: t(labelKey) }), input, hintKey ? el("p", { id: `${id}-hint`, class: "field-hint", text: t(hintKey) }) : null));
}

function select(id, labelKey, options, fallback) {
  const chosen = kept[id] ?? fallback;
  return el("div", { class: "nft-field" }, [
    el("label", { for: id, text: t(labelKey) }),
    el("select", { id, onchange: (event) => keepField(id, event.target.value) }, options.map(([value, key, vars]) => el("option", { value, selected: value === chosen, text: t(key, vars) }))),
  ]);
}

// The form for `item` ({collection, tokenId, name, free}) of `collection` (its currency,
// royalty and the platform's fee, when the page knows it). `scale`: the currency's decimals.
// `onDone(answer, text)` after a success: the page reloads what it shows and says `text()`.
export function sellForm({ prefix, collection, item, scale, feeBps, session, onDone }) {
  const mode = kept[`${prefix}-mode`] || "fixed";
  const setMode = (value) => {
    kept[`${prefix}-mode`] = value;
    const form = byId(`${prefix}-form`);
    if (form) form.replaceWith(sellForm({ prefix, collection, item, scale, feeBps, session, onDone }));
    byId(`${prefix}-mode-${value}`)?.focus();
  };
  const modes = el("fieldset", { class: "nft-modes" }, [
    el("legend", { text: t("nft.sell.how") }),
    ...["fixed", "english", "dutch"].map((value) =>
      el("label", { class: "check" }, [el("input", { type: "radio", name: `${prefix}-mode`, id: `${prefix}-mode-${value}`, value, checked: mode === value, onchange: () => setMode(value) }), t(`nft.sell.mode.${value}`)]),
    ),
  ]);
  const erc1155 = standardOf(collection) === "erc1155";
  const fields = [];
  if (erc1155) fields.push(field(`${prefix}-quantity`, "nft.quantity", { inputmode: "numeric", placeholder: "1" }, null));
  if (mode === "fixed") {
    fields.push(field(`${prefix}-price`, "nft.sell.pricePerUnit"));
    fields.push(select(`${prefix}-expiry`, "nft.sell.expiry", EXPIRIES.map((days) => [days, days === "never" ? "nft.sell.never" : days === "1" ? "nft.sell.oneDay" : "nft.sell.days", { days }]), "never"));
  } else {
    fields.push(field(`${prefix}-start-price`, mode === "dutch" ? "nft.sell.dutchStart" : "nft.sell.startPrice"));
    if (mode === "dutch") fields.push(field(`${prefix}-end-price`, "nft.sell.dutchEnd"));
    if (mode === "english") {
      fields.push(field(`${prefix}-reserve`, "nft.sell.reserve", {}, "nft.sell.optional"));
      fields.push(field(`${prefix}-buy-now`, "nft.sell.buyNow", {}, "nft.sell.optional"));
    }
    fields.push(
      el("div", { class: "nft-field nft-duration" }, [
        el("label", { for: `${prefix}-duration`, text: t("nft.sell.duration") }),
        el("div", { class: "nft-inline" }, [
          el("input", { id: `${prefix}-duration`, type: "text", inputmode: "numeric", autocomplete: "off", value: kept[`${prefix}-duration`] ?? "1", oninput: (event) => keepField(`${prefix}-duration`, event.target.value) }),
          el("select", { id: `${prefix}-duration-unit`, "aria-label": t("nft.sell.durationUnit"), onchange: (event) => keepField(`${prefix}-duration-unit`, event.target.value) }, ["minutes", "hours", "days"].map((unit) => el("option", { value: unit, selected: (kept[`${prefix}-duration-unit`] ?? "days") === unit, text: t(`nft.sell.unit.${unit}`) }))),
        ]),
      ]),
    );
    if (mode === "english") {
      fields.push(el("label", { class: "check" }, [
        el("input", { type: "checkbox", id: `${prefix}-sniping`, checked: kept[`${prefix}-sniping`] === true, onchange: (event) => keepField(`${prefix}-sniping`, event.target.checked) }),
        t("nft.sell.sniping", { minutes: SNIPING_MINUTES }),
      ]));
    }
  }
  return el("form", { id: `${prefix}-form`, class: "nft-form", "aria-label": t("nft.sell.titleOf", { name: item.name }), onsubmit: (event) => submit(event, { prefix, mode, collection, item, scale, feeBps, session, onDone }) }, [
    el("p", { class: "muted", id: `${prefix}-held`, text: t("nft.sell.held", { units: countText(item.free) }) }),
    modes,
    ...fields,
    el("button", { type: "submit", id: `${prefix}-submit`, class: "primary", text: t(mode === "fixed" ? "nft.sell.list" : "nft.sell.startAuction") }),
    line(prefix),
  ]);
}

function value(id) {
  const input = byId(id);
  return input ? input.value.trim() : "";
}

function optionalPrice(id, scale) {
  return value(id) === "" ? { units: 0n } : typedPrice(value(id), scale);
}

// What the seller would receive for `priceUnits` × `quantity` at the fee and royalty now.
function receiveRows(collection, priceUnits, quantity, scale, feeBps, session) {
  if (feeBps === null || feeBps === undefined) return [];
  // The creator's own sale is a primary sale: no royalty (engine/nft/settlement.py).
  const primary = session && Number(collection.creator) === Number(session.userId);
  const royalty = primary ? [] : royaltiesOf(collection).map((share) => ({ account: share.account, bps: share.bps }));
  const split = splitOf(priceUnits * quantity, feeBps, royalty);
  const amount = (units) => priceText(unitsText(units, scale), collection.currency);
  return [
    [t("nft.split.feeRate", { rate: percentText(feeBps) }), amount(split.fee), "fee"],
    ...split.royalties.map((share, index) => [t("nft.split.royaltyTo", { account: accountText(share.account, session) }), amount(share.units), `royalty-${index}`]),
    [t("nft.split.youReceive"), amount(split.seller), "seller"],
  ];
}

async function submit(event, { prefix, mode, collection, item, scale, feeBps, session, onDone }) {
  event.preventDefault();
  const button = byId(`${prefix}-submit`);
  if (button.disabled) return;
  const fail = (text) => tell(prefix, "error", () => text);
  let quantity = 1n;
  if (standardOf(collection) === "erc1155") {
    quantity = value(`${prefix}-quantity`) === "" ? 1n : typedWhole(value(`${prefix}-quantity`));
    if (quantity === null) return fail(t("nft.form.badQuantity"));
  }
  if (quantity > BigInt(item.free)) return fail(t("nft.sell.notEnough", { units: countText(item.free) }));
  const params = { collection: collection.code, tokenId: String(item.tokenId), quantity: quantity.toString() };
  let path;
  let rows;
  let priceUnits;
  if (mode === "fixed") {
    const price = typedPrice(value(`${prefix}-price`), scale);
    if (price.error) return fail(price.error);
    priceUnits = price.units;
    params.price = price.text;
    const days = value(`${prefix}-expiry`) || "never";
    if (days !== "never") params.expiresAt = String(serverNow() + Number(days) * UNITS_MS.days);
    path = "/listings";
    rows = [[t("nft.split.price"), priceText(price.text, collection.currency), "price"], [t("nft.quantity"), countText(quantity), "quantity"]];
  } else {
    const start = typedPrice(value(`${prefix}-start-price`), scale);
    if (start.error) return fail(start.error);
    const duration = typedWhole(value(`${prefix}-duration`));
    if (duration === null) return fail(t("nft.sell.badDuration"));
    const unit = value(`${prefix}-duration-unit`) || "days";
    const lasts = Number(duration) * UNITS_MS[unit];
    if (lasts < MINUTE_MS) return fail(t("nft.rule.auctionMinute"));
    params.kind = mode;
    params.startPrice = start.text;
    params.endAt = String(serverNow() + lasts + START_MARGIN_MS);
    priceUnits = start.units;
    rows = [[t(mode === "dutch" ? "nft.sell.dutchStart" : "nft.sell.startPrice"), priceText(start.text, collection.currency), "start"]];
    if (mode === "dutch") {
      const end = typedPrice(value(`${prefix}-end-price`), scale);
      if (end.error) return fail(end.error);
      if (end.units >= start.units) return fail(t("nft.rule.dutchPrices"));
      params.endPrice = end.text;
      priceUnits = end.units;
      rows.push([t("nft.sell.dutchEnd"), priceText(end.text, collection.currency), "end"]);
    } else {
      const reserve = optionalPrice(`${prefix}-reserve`, scale);
      if (reserve.error) return fail(reserve.error);
      const buyNow = optionalPrice(`${prefix}-buy-now`, scale);
      if (buyNow.error) return fail(buyNow.error);
      if (buyNow.units && (buyNow.units < start.units || buyNow.units < reserve.units)) return fail(t("nft.rule.buyNow"));
      if (reserve.units) {
        params.reservePrice = reserve.text;
        rows.push([t("nft.sell.reserve"), priceText(reserve.text, collection.currency), "reserve"]);
      }
      if (buyNow.units) {
        params.buyNowPrice = buyNow.text;
        rows.push([t("nft.sell.buyNow"), priceText(buyNow.text, collection.currency), "buy-now"]);
      }
      if (byId(`${prefix}-sniping`)?.checked) {
        params.extendWithinMinutes = String(SNIPING_MINUTES);
        params.extensionMinutes = String(SNIPING_MINUTES);
      }
    }
    rows.push([t("nft.quantity"), countText(quantity), "quantity"], [t("nft.sell.endsAt"), formatDateTime(Number(params.endAt)), "ends"]);
    path = "/auctions";
  }
  const confirmed = await askToConfirm({
    id: `${prefix}-confirm`,
    kind: "primary",
    title: t(mode === "fixed" ? "nft.sell.confirmList" : "nft.sell.confirmAuction", { name: item.name }),
    text: t(mode === "fixed" ? "nft.sell.confirmListText" : mode === "dutch" ? "nft.sell.confirmDutchText" : "nft.sell.confirmEnglishText"),
    rows: rows.concat(receiveRows(collection, priceUnits, quantity, scale, feeBps, session)),
    confirm: t(mode === "fixed" ? "nft.sell.list" : "nft.sell.startAuction"),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  button.disabled = true;
  try {
    const answer = await nftSend("POST", path, params);
    for (const key of Object.keys(kept)) if (key.startsWith(prefix) && !key.endsWith("-mode")) delete kept[key];
    tell(prefix, null, null);
    // The form goes once nothing is left to sell: the page says it went well where it shows
    // the new listing or auction.
    await onDone(answer, () => (mode === "fixed" ? t("nft.sell.listed", { id: answer.listingId }) : t("nft.sell.auctionStarted", { id: answer.auctionId })));
  } catch (error) {
    tell(prefix, "error", () => nftErrorText(error, { asset: collection.currency }));
  } finally {
    const again = byId(`${prefix}-submit`);
    if (again) again.disabled = false;
  }
}

// The line of a sell form's last outcome, kept for a page that draws the form again.
export { line as sellLine };
