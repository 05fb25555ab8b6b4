// An item's page (/nft/<code>/<tokenId>): its image, attributes, owners with their units and
// the collection's royalty; its price history (a chart and the figures) and provenance; its
// listings, each with Buy (the split the sale would make, from GET /api/v1/nft/quote, shown
// in a confirmation before anything is bought); its offers (make one; accept one when you
// hold the item); its running auction with the price now (a Dutch auction's falling each
// second) or the next minimum bid (an English one's), a countdown and Bid. A holder lists or
// auctions it here too. The `<code>@nft` stream says when something changed.
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, onLanguageChange, t } from "../lib/i18n.js";
import { dataTable, outcomes } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import {
  accountText,
  asPrimary,
  auctionKind,
  countText,
  countdown,
  currencyScales,
  dutchPriceUnits,
  itemImage,
  keepingFields,
  keepingFocus,
  kindText,
  nftErrorText,
  nftGet,
  nftSend,
  percentText,
  priceText,
  royaltiesOf,
  scaleFor,
  serverNow,
  splitRows,
  standardOf,
  standardText,
  startTicking,
  syncClock,
  traitText,
  typedPrice,
  typedWhole,
  unitsText,
  verifiedBadge,
} from "../lib/nft.js";
import { priceHistory } from "../lib/nft_chart.js";
import { sellForm } from "../lib/nft_sell.js";
import { openStreams } from "../lib/streams.js";
import { askToConfirm } from "../lib/trade_confirm.js";
import { present } from "../lib/wallet.js";

const [, , rawCode, rawToken] = location.pathname.split("/");
const code = decodeURIComponent(rawCode || "");
const tokenId = decodeURIComponent(rawToken || "");
const base = `/collections/${encodeURIComponent(code)}/items/${encodeURIComponent(tokenId)}`;
const OFFER_EXPIRIES = ["1", "7", "30", "never"]; // days
const DAY_MS = 24 * 60 * 60 * 1000;
const REFRESH_AFTER_MS = 300;
const END_CHECK_MS = 3000;
// When the page last looked whether an auction past its end has ended, by auction id.
const endChecks = new Map();
// The auctions this browser bid on, to say "you were outbid" when another bid beat it.
const BIDS_KEY = "assetport.nftBids";
// The fields of the page's forms, kept across a redraw.
const FORM_FIELDS = ["offer-price", "offer-quantity", "offer-expiry", "bid-price"];

const loaded = { collection: null, item: null, history: null, scales: null, error: null, historyError: null };
let session = null;
let refreshTimer = null;
let removeChart = () => {};
const { line, tell } = outcomes();

// ---- reading the item ------------------------------------------------------------------

function scale() {
  const c = loaded.collection;
  return scaleFor(c.currency, loaded.scales, loaded.item && loaded.item.price);
}

function currency() {
  return loaded.collection.currency;
}

function me() {
  return session ? Number(session.userId) : null;
}

// [{account, units, free}] whoever holds units (free, listed or in an auction), most first.
function owners(item) {
  return (item.owners || []).map((o) => ({ account: Number(o.account), units: Number(o.units), free: Number(o.free ?? o.units) }));
}

// Cheapest first, as the API answers them.
function listings() {
  return loaded.item.listings || [];
}

function offers() {
  return loaded.item.offers || [];
}

function auctions() {
  return loaded.item.auctions || [];
}

function remaining(listing) {
  return Number(listing.remaining ?? listing.quantity ?? 1);
}

// Units the person holds free to sell or give to an offer (not in their listings or
// auctions).
function freeUnits() {
  const held = owners(loaded.item).find((o) => o.account === me());
  return held ? held.free : 0;
}

function royalty() {
  return royaltiesOf(loaded.collection);
}

function erc1155() {
  return standardOf(loaded.collection) === "erc1155";
}

function creator() {
  return Number(loaded.collection.creator);
}

function sellerOf(record) {
  return Number(record.seller ?? record.account);
}

function buyerOf(offer) {
  return Number(offer.buyer ?? offer.account);
}

function endsAt(auction) {
  return Number(auction.endTime ?? auction.endAt);
}

function startsAt(auction) {
  return Number(auction.startTime ?? auction.startAt);
}

// ---- the bids this browser made ---------------------------------------------------------

function bidOn() {
  try {
    return JSON.parse(sessionStorage.getItem(BIDS_KEY) || "[]");
  } catch (error) {
    return [];
  }
}

function rememberBid(auctionId) {
  const ids = new Set(bidOn());
  ids.add(Number(auctionId));
  try {
    sessionStorage.setItem(BIDS_KEY, JSON.stringify([...ids]));
  } catch (error) {
    // storage blocked: the notice is missing, the bid stands
  }
}

// Whether the person bid on `auction` before (this browser remembers it, or the item's
// history names their bid: a bid's `refId` is its auction).
function hasBid(auction) {
  if (bidOn().includes(Number(auction.auctionId))) return true;
  return (historyEvents() || []).some((e) => String(e.kind).toLowerCase() === "bid" && Number(e.account) === me() && Number(e.refId) === Number(auction.auctionId));
}

// ---- the header ------------------------------------------------------------------------

function royaltyText() {
  const c = loaded.collection;
  if (!c.royaltyBps) return t("nft.royalty.none");
  const shares = royalty().map((share) => t("nft.royalty.share", { rate: percentText(share.bps), account: accountText(share.account, session) }));
  return `${percentText(c.royaltyBps)} (${shares.join(", ")})`;
}

function fact(id, labelKey, value) {
  return el("div", { class: "nft-fact", id }, [el("dt", { text: t(labelKey) }), el("dd", {}, [value])]);
}

function ownerLine() {
  const list = owners(loaded.item);
  if (!list.length) return t("nft.item.noOwner");
  if (list.length === 1) return t("nft.item.ownedBy", { owner: accountText(list[0].account, session) });
  return t("nft.item.ownerCount", { count: countText(list.length) });
}

function summary() {
  const c = loaded.collection;
  const item = loaded.item;
  const name = item.name || `#${tokenId}`;
  const cheapest = listings()[0];
  return el("div", { class: "nft-item-top" }, [
    el("div", { class: "nft-item-media-box" }, [itemImage(item.image, name, "nft-item-media")]),
    el("div", { class: "nft-item-intro" }, [
      el("p", { class: "nft-item-collection" }, present(el("a", { id: "nft-collection-link", href: `/nft/${encodeURIComponent(code)}`, text: c.name }), c.verified ? " " : null, c.verified ? verifiedBadge() : null)),
      el("h1", { id: "nft-title", text: name }),
      el("p", { id: "nft-owner", class: "muted", text: ownerLine() }),
      item.description ? el("p", { id: "nft-description", class: "nft-description", text: item.description }) : null,
      el("dl", { class: "nft-facts" }, present(
        fact("nft-fact-price", "nft.item.price", cheapest ? priceText(cheapest.price, currency()) : t("nft.item.notListed")),
        fact("nft-fact-last", "nft.item.last", item.lastSale ? priceText(item.lastSale.price, currency()) : "–"),
        fact("nft-fact-token", "nft.item.tokenId", el("span", { class: "mono", text: `#${tokenId}` })),
        fact("nft-fact-standard", "nft.item.standard", standardText(standardOf(c))),
        erc1155() ? fact("nft-fact-supply", "nft.item.supply", countText(item.supply)) : null,
        fact("nft-fact-royalty", "nft.royalty", royaltyText()),
      )),
      el("p", { class: "muted nft-royalty-note", text: t(c.royaltyBps ? "nft.royalty.note" : "nft.royalty.noteNone") }),
    ]),
  ]);
}

function section(id, titleKey, children, vars = {}) {
  return el("section", { id, class: "nft-section panel", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey, vars) }), ...present(...children)]);
}

function attributesSection() {
  const attributes = loaded.item.attributes || [];
  return section("nft-attributes", "nft.item.attributes", [
    attributes.length
      ? el("ul", { class: "nft-traits" }, attributes.map((trait) => el("li", { class: "nft-trait" }, [el("span", { class: "muted", text: trait.trait_type ?? trait.traitType }), el("strong", { text: trait.value ?? trait.traitValue })])))
      : el("p", { class: "muted", text: t("nft.item.noAttributes") }),
  ]);
}

function ownersSection() {
  const rows = owners(loaded.item).map((o) => el("tr", { dataset: { account: String(o.account) } }, [el("td", { text: accountText(o.account, session) }), el("td", { class: "num", text: countText(o.units) })]));
  return section("nft-owners", "nft.item.owners", [rows.length ? dataTable("nft-owners-table", [["nft.owner"], ["nft.units", true]], rows, "nft-owners-title") : el("p", { class: "muted", text: t("nft.item.noOwner") })]);
}

// ---- listings and buying -----------------------------------------------------------------

function listingRow(listing) {
  const mine = sellerOf(listing) === me();
  const left = remaining(listing);
  const id = listing.listingId;
  let action = null;
  if (mine) {
    action = el("button", { type: "button", class: "button small danger", id: `listing-cancel-${id}`, text: t("nft.cancel"), "aria-label": t("nft.listing.cancelOne", { id }), onclick: () => cancelListing(listing) });
  } else if (session) {
    action = el("div", { class: "nft-inline" }, present(
      erc1155() && left > 1 ? el("input", { id: `listing-quantity-${id}`, type: "text", inputmode: "numeric", class: "nft-qty", value: "1", "aria-label": t("nft.listing.quantityOf", { id }) }) : null,
      el("button", { type: "button", class: "buy", id: `listing-buy-${id}`, text: t("nft.buy"), "aria-label": t("nft.listing.buyOne", { id, price: priceText(listing.price, currency()) }), onclick: () => buy(listing) }),
    ));
  }
  return el("tr", { dataset: { listingId: String(id) } }, [
    el("td", { text: accountText(sellerOf(listing), session) }),
    el("td", { class: "num listing-price", text: priceText(listing.price, currency()) }),
    el("td", { class: "num", text: countText(left) }),
    el("td", { class: "nowrap", text: listing.expireTime ? formatDateTime(listing.expireTime) : t("nft.never") }),
    el("td", {}, present(action)),
  ]);
}

function listingsSection() {
  const rows = listings().map(listingRow);
  const login = !session && rows.length ? el("p", { class: "muted" }, [t("nft.loginToBuy"), " ", loginLink()]) : null;
  return section("nft-listings", "nft.item.listings", [
    line("listing"),
    rows.length ? dataTable("nft-listings-table", [["nft.seller"], ["nft.price", true], ["nft.units", true], ["nft.expires"], ["nft.action"]], rows, "nft-listings-title") : el("p", { id: "nft-listings-none", class: "muted", text: t("nft.item.noListings") }),
    login,
  ]);
}

function loginLink() {
  return el("a", { href: "/login?" + new URLSearchParams({ next: location.pathname }).toString(), text: t("nft.loginLink") });
}

async function buy(listing) {
  const id = listing.listingId;
  let quantity = 1n;
  const box = byId(`listing-quantity-${id}`);
  if (box) {
    quantity = typedWhole(box.value);
    if (quantity === null || quantity > BigInt(remaining(listing))) return tell("listing", "error", () => t("nft.listing.badQuantity", { units: countText(remaining(listing)) }));
  }
  let quote;
  try {
    quote = await nftGet("/quote", { listingId: id, quantity: quantity.toString() });
  } catch (error) {
    tell("listing", "error", () => nftErrorText(error, { asset: currency() }));
    return reload();
  }
  const confirmed = await askToConfirm({
    id: "buy",
    kind: "buy",
    title: t("nft.buy.title", { name: loaded.item.name || `#${tokenId}` }),
    text: t("nft.buy.text"),
    rows: splitRows(quote, session),
    confirm: t("nft.buy.confirm", { total: priceText(quote.total, quote.currency) }),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  await act("listing", () => nftSend("POST", "/buy", { listingId: id, quantity: quantity.toString(), price: quote.price }), (sale) => {
    const vars = { quantity: countText(sale.quantity), name: loaded.item.name || `#${tokenId}`, total: priceText(sale.total, sale.currency), royalty: priceText(sale.royalty, sale.currency) };
    return t(sale.royalties && sale.royalties.length ? "nft.buy.doneRoyalty" : "nft.buy.done", vars);
  });
}

async function cancelListing(listing) {
  await act("listing", () => nftSend("DELETE", "/listings", { listingId: listing.listingId }), () => t("nft.listing.canceled"));
}

// Runs `call`; says `done(answer)` or the refusal on the `name` line; reloads the item.
async function act(name, call, done) {
  try {
    const answer = await call();
    tell(name, "success", () => done(answer));
  } catch (error) {
    tell(name, "error", () => nftErrorText(error, { asset: currency() }));
  }
  await reload();
}

// ---- offers ------------------------------------------------------------------------------

function offerTarget(offer) {
  if (offer.tokenId !== null && offer.tokenId !== undefined) return t("nft.offer.thisItem");
  if (offer.trait) return t("nft.offer.trait", { trait: traitText(offer.trait) });
  return t("nft.offer.anyItem");
}

function offerRow(offer, free) {
  const id = offer.offerId;
  const mine = buyerOf(offer) === me();
  let action = null;
  if (mine) action = el("button", { type: "button", class: "button small danger", id: `offer-cancel-${id}`, text: t("nft.cancel"), "aria-label": t("nft.offer.cancelOne", { id }), onclick: () => cancelOffer(offer) });
  else if (free > 0) action = el("button", { type: "button", class: "button small primary", id: `offer-accept-${id}`, text: t("nft.offer.accept"), "aria-label": t("nft.offer.acceptOne", { id, price: priceText(offer.price, currency()) }), onclick: () => acceptOffer(offer, free) });
  return el("tr", { dataset: { offerId: String(id) } }, [
    el("td", { text: accountText(buyerOf(offer), session) }),
    el("td", { class: "num offer-price", text: priceText(offer.price, currency()) }),
    el("td", { class: "num", text: countText(offer.remaining ?? offer.quantity) }),
    el("td", { text: offerTarget(offer) }),
    el("td", { class: "nowrap", text: offer.expireTime ? formatDateTime(offer.expireTime) : t("nft.never") }),
    el("td", {}, present(action)),
  ]);
}

function expiryText(days) {
  if (days === "never") return t("nft.sell.never");
  return days === "1" ? t("nft.sell.oneDay") : t("nft.sell.days", { days });
}

function offerForm() {
  if (!session) return el("p", { class: "muted" }, [t("nft.loginToOffer"), " ", loginLink()]);
  const fieldOf = (id, key, attributes = {}) => el("div", { class: "nft-field" }, [el("label", { for: id, text: t(key) }), el("input", { id, type: "text", autocomplete: "off", inputmode: "decimal", ...attributes })]);
  return el("form", { id: "offer-form", class: "nft-form", "aria-labelledby": "offer-form-title", onsubmit: makeOffer }, present(
    el("h3", { id: "offer-form-title", text: t("nft.offer.make") }),
    fieldOf("offer-price", "nft.offer.pricePerUnit"),
    erc1155() ? fieldOf("offer-quantity", "nft.quantity", { inputmode: "numeric", placeholder: "1" }) : null,
    el("div", { class: "nft-field" }, [
      el("label", { for: "offer-expiry", text: t("nft.sell.expiry") }),
      el("select", { id: "offer-expiry" }, OFFER_EXPIRIES.map((days) => el("option", { value: days, text: expiryText(days) }))),
    ]),
    el("p", { class: "field-hint", text: t("nft.offer.hint", { currency: currency() }) }),
    el("button", { type: "submit", id: "offer-submit", class: "primary", text: t("nft.offer.submit") }),
  ));
}

function offersSection() {
  const free = freeUnits();
  const rows = offers().map((offer) => offerRow(offer, free));
  return section("nft-offers", "nft.item.offers", [
    line("offer"),
    rows.length ? dataTable("nft-offers-table", [["nft.offer.from"], ["nft.price", true], ["nft.units", true], ["nft.offer.for"], ["nft.expires"], ["nft.action"]], rows, "nft-offers-title") : el("p", { id: "nft-offers-none", class: "muted", text: t("nft.item.noOffers") }),
    offerForm(),
  ]);
}

async function makeOffer(event) {
  event.preventDefault();
  const price = typedPrice(byId("offer-price").value, scale());
  if (price.error) return tell("offer", "error", () => price.error);
  let quantity = 1n;
  if (byId("offer-quantity") && byId("offer-quantity").value.trim()) {
    quantity = typedWhole(byId("offer-quantity").value);
    if (quantity === null) return tell("offer", "error", () => t("nft.form.badQuantity"));
  }
  const days = byId("offer-expiry").value;
  const held = unitsText(price.units * quantity, scale());
  const confirmed = await askToConfirm({
    id: "offer",
    kind: "primary",
    title: t("nft.offer.confirmTitle", { name: loaded.item.name || `#${tokenId}` }),
    text: t("nft.offer.confirmText"),
    rows: [
      [t("nft.offer.pricePerUnit"), priceText(price.text, currency()), "price"],
      [t("nft.quantity"), countText(quantity), "quantity"],
      [t("nft.offer.held"), priceText(held, currency()), "held"],
      [t("nft.sell.expiry"), expiryText(days), "expiry"],
    ],
    confirm: t("nft.offer.submit"),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  const params = { collection: code, tokenId, quantity: quantity.toString(), price: price.text };
  if (days !== "never") params.expiresAt = String(serverNow() + Number(days) * DAY_MS);
  await act("offer", () => nftSend("POST", "/offers", params), (answer) => {
    if (byId("offer-price")) byId("offer-price").value = "";
    return t("nft.offer.made", { held: priceText(answer.held, answer.currency) });
  });
}

async function acceptOffer(offer, free) {
  const quantity = Math.min(free, Number(offer.remaining ?? offer.quantity ?? 1));
  let quote;
  try {
    quote = await nftGet("/quote", { offerId: offer.offerId, quantity: String(quantity) });
  } catch (error) {
    tell("offer", "error", () => nftErrorText(error));
    return reload();
  }
  if (me() === creator()) quote = asPrimary(quote, scale());
  const confirmed = await askToConfirm({
    id: "accept",
    kind: "primary",
    title: t("nft.offer.acceptTitle", { name: loaded.item.name || `#${tokenId}` }),
    text: t("nft.offer.acceptText"),
    rows: splitRows(quote, session),
    confirm: t("nft.offer.acceptConfirm", { amount: priceText(quote.sellerReceives, quote.currency) }),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  await act("offer", () => nftSend("POST", "/offers/accept", { offerId: offer.offerId, tokenId, quantity: String(quantity) }), (sale) => t("nft.offer.accepted", { amount: priceText(sale.sellerReceives, sale.currency) }));
}

async function cancelOffer(offer) {
  await act("offer", () => nftSend("DELETE", "/offers", { offerId: offer.offerId }), (answer) => t("nft.offer.canceled", { released: priceText(answer.released, answer.currency) }));
}

// ---- the auction ---------------------------------------------------------------------------

// The least a bid must be now, as the API's decimal: a Dutch auction's price of this
// second, an English one's next minimum bid.
function minimumNow(auction) {
  if (auctionKind(auction) === "dutch") return unitsText(dutchPriceUnits(auction, serverNow(), scale()), scale());
  return auction.nextMinimumBid ?? auction.startPrice;
}

function auctionState(auction) {
  const bidder = auction.highestBidder ? Number(auction.highestBidder) : null;
  if (!session || auctionKind(auction) === "dutch") return null;
  if (sellerOf(auction) === me()) return el("p", { class: "nft-notice", id: `auction-seller-${auction.auctionId}`, text: t("nft.auction.yours") });
  if (bidder === me()) return el("p", { class: "nft-notice success", id: "auction-leading", role: "status", text: t("nft.auction.leading") });
  if (hasBid(auction)) return el("p", { class: "nft-notice warn", id: "auction-outbid", role: "status", text: t("nft.auction.outbid", { price: priceText(auction.highestBid, currency()) }) });
  return null;
}

function auctionFacts(auction) {
  const row = (key, value, id) => el("tr", { id }, [el("th", { scope: "row", text: t(key) }), el("td", { class: "num", text: value })]);
  const english = auctionKind(auction) === "english";
  return el("table", { class: "info-table nft-auction-facts" }, [
    el("tbody", {}, present(
      row("nft.seller", accountText(sellerOf(auction), session), "auction-seller"),
      erc1155() ? row("nft.quantity", countText(auction.quantity), "auction-quantity") : null,
      row(english ? "nft.sell.startPrice" : "nft.sell.dutchStart", priceText(auction.startPrice, currency()), "auction-start-price"),
      english ? null : row("nft.sell.dutchEnd", priceText(auction.endPrice, currency()), "auction-end-price"),
      // The reserve itself is not public: only that the highest bid falls short of it.
      english && auction.highestBid && auction.reserveMet === false ? row("nft.sell.reserve", t("nft.auction.reserveNotMet"), "auction-reserve") : null,
      english && auction.buyNowPrice ? row("nft.sell.buyNow", priceText(auction.buyNowPrice, currency()), "auction-buy-now") : null,
      english ? row("nft.auction.highestBid", auction.highestBid ? `${priceText(auction.highestBid, currency())} · ${accountText(auction.highestBidder, session)}` : t("nft.auction.noBids"), "auction-highest") : null,
      english && auction.bids !== undefined ? row("nft.auction.bids", countText(auction.bids), "auction-bids") : null,
      english && auction.minRaiseBps ? row("nft.auction.minRaise", percentText(auction.minRaiseBps), "auction-raise") : null,
    )),
  ]);
}

function bidForm(auction) {
  const id = auction.auctionId;
  if (!session) return el("p", { class: "muted" }, [t("nft.loginToBid"), " ", loginLink()]);
  if (sellerOf(auction) === me()) {
    return auction.highestBid ? null : el("button", { type: "button", class: "button danger", id: `auction-cancel-${id}`, text: t("nft.auction.cancel"), onclick: () => cancelAuction(auction) });
  }
  if (serverNow() < startsAt(auction)) return el("p", { class: "muted", text: t("nft.auction.notStarted") });
  if (auctionKind(auction) === "dutch") {
    return el("button", { type: "button", class: "buy", id: `auction-buy-${id}`, text: t("nft.auction.buyAtPrice"), onclick: () => bid(auction, minimumNow(auction)) });
  }
  return el("form", { class: "nft-form nft-bid-form", id: `bid-form-${id}`, "aria-label": t("nft.auction.bidForm"), onsubmit: (event) => {
    event.preventDefault();
    const typed = typedPrice(byId("bid-price").value, scale());
    if (typed.error) return tell("auction", "error", () => typed.error);
    bid(auction, typed.text);
  } }, [
    el("label", { for: "bid-price", text: t("nft.auction.yourBid") }),
    el("div", { class: "nft-inline" }, [
      el("input", { id: "bid-price", type: "text", inputmode: "decimal", autocomplete: "off", value: minimumNow(auction), "aria-describedby": "bid-hint" }),
      el("button", { type: "submit", class: "buy", id: `auction-bid-${id}`, text: t("nft.auction.bid") }),
    ]),
    el("p", { id: "bid-hint", class: "field-hint", text: t("nft.auction.bidHint", { currency: currency() }) }),
  ]);
}

function auctionBlock(auction) {
  const kind = auctionKind(auction);
  const dutch = kind === "dutch";
  const started = serverNow() >= startsAt(auction);
  auction.drawnBeforeStart = !started;
  const priceLabel = dutch ? "nft.auction.priceNowLabel" : "nft.auction.minimumLabel";
  return el("div", { class: "nft-auction", id: `auction-${auction.auctionId}`, dataset: { auctionId: String(auction.auctionId), kind } }, present(
    el("p", { class: "nft-auction-kind" }, [el("span", { class: "badge", text: t(`nft.auction.${kind}`) }), " ", started ? countdown(endsAt(auction), { id: "auction-countdown", prefixKey: "nft.time.endsIn" }) : countdown(startsAt(auction), { id: "auction-countdown", prefixKey: "nft.time.startsIn", endedKey: "nft.time.started" })]),
    el("p", { class: "nft-auction-price" }, [el("span", { class: "muted", text: t(priceLabel) }), " ", el("strong", { id: dutch ? "auction-price-now" : "auction-minimum", class: "mono", text: priceText(minimumNow(auction), currency()) })]),
    auctionState(auction),
    auctionFacts(auction),
    bidForm(auction),
  ));
}

function auctionSection() {
  const running = auctions();
  if (!running.length) return null;
  return section("nft-auction", "nft.item.auction", [line("auction"), ...running.map(auctionBlock)]);
}

async function bid(auction, price) {
  let quote = null;
  try {
    quote = await nftGet("/quote", { auctionId: auction.auctionId, price });
  } catch (error) {
    tell("auction", "error", () => nftErrorText(error, { asset: currency() }));
    return reload();
  }
  // A bid that buys at once (a Dutch auction, or an English one's buy-now price) shows the
  // split of the sale; a bid that waits for the end shows what is held for it, and the split
  // the sale would make if it wins.
  const bidUnits = typedPrice(price, scale()).units;
  const buyNow = auction.buyNowPrice ? typedPrice(auction.buyNowPrice, scale()).units : null;
  const buysNow = auctionKind(auction) === "dutch" || (buyNow !== null && bidUnits >= buyNow);
  const quantity = BigInt(auction.quantity || 1);
  const rows = buysNow
    ? splitRows(quote, session)
    : [
        [t("nft.auction.yourBid"), priceText(price, currency()), "price"],
        [t("nft.offer.held"), priceText(unitsText(bidUnits * quantity, scale()), currency()), "held"],
        ...splitRows(quote, session).slice(3),
      ];
  const confirmed = await askToConfirm({
    id: "bid",
    kind: "buy",
    title: t(buysNow ? "nft.auction.buyTitle" : "nft.auction.bidTitle", { name: loaded.item.name || `#${tokenId}` }),
    text: t(buysNow ? "nft.auction.buyText" : "nft.auction.bidText"),
    rows,
    confirm: t(buysNow ? "nft.auction.buyConfirm" : "nft.auction.bidConfirm", { price: priceText(buysNow ? quote.price : price, currency()) }),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  rememberBid(auction.auctionId);
  await act("auction", () => nftSend("POST", "/bids", { auctionId: auction.auctionId, price }).then((answer) => {
    // The next bid starts from the new minimum, not from this one.
    if (byId("bid-price")) byId("bid-price").value = "";
    return answer;
  }), (answer) =>
    answer.status === "SOLD" ? t("nft.auction.bought", { total: priceText(answer.sale.total, answer.sale.currency) }) : t("nft.auction.bidPlaced", { price: priceText(answer.price, answer.currency), held: priceText(answer.held, answer.currency) }),
  );
}

async function cancelAuction(auction) {
  await act("auction", () => nftSend("DELETE", "/auctions", { auctionId: auction.auctionId }), () => t("nft.auction.canceled"));
}

// A Dutch auction's price falls each second; an auction's end comes: the page follows.
function tick(now) {
  for (const auction of auctions()) {
    if (auctionKind(auction) === "dutch") {
      const box = byId("auction-price-now");
      if (box) box.textContent = priceText(minimumNow(auction), currency());
    }
    if (now >= startsAt(auction) && auction.drawnBeforeStart) {
      auction.drawnBeforeStart = false; // it opens: the bid form takes the countdown's place
      keepingFields(draw);
    }
    // Its time has come: the server's settle timer ends it within a second or two. The page
    // looks again shortly, and again every few seconds while it still shows it.
    const id = auction.auctionId;
    if (now >= endsAt(auction) && now - (endChecks.get(id) || 0) > END_CHECK_MS) {
      endChecks.set(id, now);
      setTimeout(reload, 1500);
    }
  }
}

// ---- selling ----------------------------------------------------------------------------

// A listing or an auction was made: said on its own section's line (the form may be gone).
async function sold(answer, text) {
  tell(answer.auctionId ? "auction" : "listing", "success", text);
  await reload();
}

function sellSection() {
  const free = freeUnits();
  if (!session || free <= 0) return null;
  const item = { collection: code, tokenId, name: loaded.item.name || `#${tokenId}`, free };
  return section("nft-sell", "nft.sell.title", [sellForm({ prefix: "sell", collection: loaded.collection, item, scale: scale(), feeBps: loaded.item.feeBps ?? loaded.collection.feeBps, session, onDone: sold })]);
}

// ---- history ------------------------------------------------------------------------------

// The item's provenance, newest first.
function historyEvents() {
  const h = loaded.history;
  return h ? h.provenance || [] : null;
}

// The sales a price chart shows: wash trades (between one person's accounts) are left out,
// as the collection's statistics leave them out.
function sales() {
  const h = loaded.history;
  return h ? (h.priceHistory || []).filter((sale) => !sale.wash) : [];
}

function historySection() {
  const container = el("div", { id: "nft-history-chart" });
  return section("nft-history", "nft.item.history", [loaded.historyError ? el("p", { class: "form-message error", role: "alert", text: nftErrorText(loaded.historyError) }) : null, container]);
}

function provenanceSection() {
  const events = historyEvents();
  if (!events) return section("nft-provenance", "nft.item.provenance", [el("p", { class: "muted", text: t("common.loading") })]);
  const rows = events.map((e) => {
    const kind = String(e.kind).toLowerCase();
    const to = kind === "bid" ? null : e.counterparty;
    return el("tr", { dataset: { kind } }, [
      el("td", { text: kindText(kind) }),
      el("td", { class: "num", text: e.price ? priceText(e.price, e.currency || currency()) : "–" }),
      el("td", { class: "num", text: e.quantity ? countText(e.quantity) : "–" }),
      el("td", { text: e.account ? accountText(e.account, session) : "–" }),
      el("td", { text: to ? accountText(to, session) : "–" }),
      el("td", { class: "nowrap", text: e.time ? formatDateTime(e.time) : "–" }),
    ]);
  });
  return section("nft-provenance", "nft.item.provenance", [rows.length ? dataTable("nft-provenance-table", [["nft.activity.event"], ["nft.price", true], ["nft.quantity", true], ["nft.from"], ["nft.to"], ["nft.time"]], rows, "nft-provenance-title") : el("p", { class: "muted", text: t("nft.history.none") })]);
}

// ---- drawing and loading ------------------------------------------------------------------

// What the person typed or chose in the forms (a field the page filled, such as the bid's
// minimum, is drawn afresh: a new minimum replaces the old one).
function kept() {
  return FORM_FIELDS.map((id) => byId(id)).filter((field) => field && field.dataset.typed && field.value !== "").map((field) => [field.id, field.value]);
}

function draw() {
  const values = kept();
  removeChart();
  removeChart = () => {};
  const main = clear(byId("main"));
  const item = loaded.item;
  document.title = `${item ? item.name || `#${tokenId}` : `${code} #${tokenId}`} · Assetport`;
  if (loaded.error) {
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [
      el("h1", { id: "nft-title", text: `${code} #${tokenId}` }),
      el("p", { id: "nft-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.error) }),
      el("p", {}, [el("a", { href: `/nft/${encodeURIComponent(code)}`, text: t("nft.backToCollection") })]),
    ]));
    return;
  }
  if (!item || !loaded.collection) {
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [el("h1", { id: "nft-title", text: `${code} #${tokenId}` }), el("p", { class: "muted", text: t("common.loading") })]));
    return;
  }
  main.append(el("article", { id: "nft-page", class: "nft-page nft-item-page" }, present(
    el("p", { class: "nft-breadcrumb" }, [el("a", { href: "/nft", text: t("nft.explore.title") }), " › ", el("a", { href: `/nft/${encodeURIComponent(code)}`, text: loaded.collection.name })]),
    summary(),
    el("div", { class: "nft-item-columns" }, present(
      el("div", { class: "nft-item-main" }, present(auctionSection(), listingsSection(), offersSection(), sellSection())),
      el("div", { class: "nft-item-side" }, [attributesSection(), ownersSection()]),
    )),
    historySection(),
    provenanceSection(),
  )));
  for (const [id, value] of values) {
    const field = byId(id);
    if (!field) continue;
    field.value = value;
    field.dataset.typed = "1";
  }
  if (loaded.history) {
    const decimals = scale();
    removeChart = priceHistory(byId("nft-history-chart"), sales(), { currency: currency(), decimals, session });
  }
}

async function loadItem() {
  const [collection, item, scales] = await Promise.all([nftGet(`/collections/${encodeURIComponent(code)}`), nftGet(base), currencyScales().catch(() => null)]);
  loaded.collection = collection;
  loaded.item = item;
  if (scales) loaded.scales = scales;
}

async function loadHistory() {
  try {
    loaded.history = await nftGet(`${base}/history`);
    loaded.historyError = null;
  } catch (error) {
    loaded.historyError = error;
    loaded.history = loaded.history || [];
  }
}

async function reload() {
  try {
    await Promise.all([loadItem(), loadHistory()]);
    loaded.error = null;
  } catch (error) {
    if (!loaded.item) loaded.error = error;
  }
  keepingFocus(draw);
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(reload, REFRESH_AFTER_MS);
}

// A field the person typed in or chose from keeps its value across a redraw (see kept()).
byId("main").addEventListener("input", (event) => {
  if (FORM_FIELDS.includes(event.target.id)) event.target.dataset.typed = "1";
});
byId("main").addEventListener("change", (event) => {
  if (FORM_FIELDS.includes(event.target.id)) event.target.dataset.typed = "1";
});

draw();
onLanguageChange(() => keepingFocus(draw));
startPage({ active: "nft" }).then(async (found) => {
  session = found;
  await syncClock();
  await reload();
  if (loaded.item) {
    startTicking(tick);
    // Only what concerns this item (a collection's stream names every item's events).
    openStreams([`${code}@nft`], (stream, data) => {
      if (data && String(data.tokenId) === String(tokenId)) refreshSoon();
    });
  }
});
