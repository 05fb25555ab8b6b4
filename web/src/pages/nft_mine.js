// My NFTs (/nft/mine): the items the person holds (how many units, which of them are listed
// or in an auction), listed or auctioned from here; their open listings, offers and bids
// (cancel a listing or an offer); their sales and purchases, each with its split (the fee,
// every royalty share, what the seller received); the royalties they received as a
// creator; and their balances in the collections' currencies (held: what offers and bids
// set aside).
import { rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, onLanguageChange, t } from "../lib/i18n.js";
import { dataTable, outcomes } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import {
  accountText,
  auctionKind,
  countText,
  countdown,
  currencyScales,
  itemImage,
  keepingFields,
  kindText,
  nftErrorText,
  nftGet,
  nftSend,
  priceText,
  scaleFor,
  startTicking,
  syncClock,
  traitText,
} from "../lib/nft.js";
import { sellForm } from "../lib/nft_sell.js";
import { askToLogIn, present, refresher } from "../lib/wallet.js";

const LIMIT = 100;
const FRESH_MS = 10000;
const openedAt = Date.now();
const { line, tell } = outcomes();
const loaded = { items: null, listings: [], offers: [], bids: [], auctions: [], sales: [], royalties: [], balances: [], scales: null, error: null };
let session = null;
// The item being sold here ({collection, tokenId, name, free}) and its collection.
const selling = { item: null, collection: null };
let refresh = null;

function itemLink(record, name) {
  return el("a", { href: `/nft/${encodeURIComponent(record.collection)}/${record.tokenId}`, text: name || `${record.collection} #${record.tokenId}` });
}

function section(id, titleKey, children) {
  return el("section", { id, class: "nft-section panel", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), ...present(...children)]);
}

function none(id, key) {
  return el("p", { id, class: "muted", text: t(key) });
}

// ---- held items ------------------------------------------------------------------------------

function unitsIn(records, item, field) {
  return records.filter((r) => r.collection === item.collection && Number(r.tokenId) === Number(item.tokenId)).reduce((sum, r) => sum + Number(r[field] ?? r.quantity ?? 1), 0);
}

function itemRow(item) {
  const listed = unitsIn(loaded.listings, item, "remaining");
  const auctioned = unitsIn(loaded.auctions, item, "quantity");
  const key = `${item.collection}-${item.tokenId}`;
  const states = present(
    listed ? el("span", { class: "badge nft-state-listed", text: t("nft.state.listedUnits", { units: countText(listed) }) }) : null,
    auctioned ? el("span", { class: "badge nft-state-auction", text: t("nft.state.auctionUnits", { units: countText(auctioned) }) }) : null,
  );
  return el("tr", { dataset: { item: key } }, [
    el("td", {}, [itemImage(item.image, "", "nft-thumb")]),
    el("th", { scope: "row" }, [itemLink(item, item.name), el("span", { class: "muted mono", text: ` ${item.collection} #${item.tokenId}` })]),
    el("td", { class: "num", text: countText(item.units) }),
    el("td", { class: "num item-free", text: countText(item.free) }),
    el("td", { class: "item-state" }, states.length ? states : [el("span", { class: "muted", text: t("nft.state.held") })]),
    el("td", {}, [
      item.free > 0
        ? el("button", { type: "button", class: "button small primary", id: `sell-${key}`, text: t("nft.mine.sell"), "aria-label": t("nft.mine.sellOne", { name: item.name || `#${item.tokenId}` }), onclick: () => chooseToSell(item) })
        : null,
    ]),
  ]);
}

async function chooseToSell(item) {
  try {
    selling.collection = await nftGet(`/collections/${encodeURIComponent(item.collection)}`);
    selling.item = { collection: item.collection, tokenId: item.tokenId, name: item.name || `#${item.tokenId}`, free: item.free };
    tell("mine", null, null);
  } catch (error) {
    tell("mine", "error", () => nftErrorText(error));
  }
  draw();
  const panel = byId("nft-sell");
  if (panel) {
    panel.scrollIntoView({ block: "start" });
    byId("sell-mode-fixed")?.focus();
  }
}

function sellSection() {
  if (!selling.item || !selling.collection) return null;
  const c = selling.collection;
  const held = (loaded.items || []).find((i) => i.collection === selling.item.collection && Number(i.tokenId) === Number(selling.item.tokenId));
  if (!held || held.free <= 0) return null;
  const item = { ...selling.item, free: held.free };
  return el("section", { id: "nft-sell", class: "nft-section panel", "aria-labelledby": "nft-sell-title" }, [
    el("h2", { id: "nft-sell-title", text: t("nft.mine.sellTitle", { name: item.name }) }),
    sellForm({ prefix: "sell", collection: c, item, scale: scaleFor(c.currency, loaded.scales, c.floor), feeBps: c.feeBps, session, onDone: (answer, text) => { tell("mine", "success", text); return refresh.now(); } }),
    el("button", { type: "button", class: "button small", id: "sell-close", text: t("nft.mine.closeSell"), onclick: () => { selling.item = null; draw(); } }),
  ]);
}

// ---- open listings, offers, bids, auctions --------------------------------------------------

async function cancel(kind, params, doneKey) {
  try {
    await nftSend("DELETE", `/${kind}`, params);
    tell("mine", "success", () => t(doneKey));
  } catch (error) {
    tell("mine", "error", () => nftErrorText(error));
  }
  await refresh.now();
}

function listingsTable() {
  if (!loaded.listings.length) return none("my-listings-none", "nft.mine.noListings");
  const rows = loaded.listings.map((l) =>
    el("tr", { dataset: { listingId: String(l.listingId) } }, [
      el("td", {}, [itemLink(l)]),
      el("td", { class: "num", text: priceText(l.price, l.currency) }),
      el("td", { class: "num", text: `${countText(l.remaining)} / ${countText(l.quantity)}` }),
      el("td", { class: "nowrap", text: l.expiresAt ? formatDateTime(l.expiresAt) : t("nft.never") }),
      el("td", {}, [el("button", { type: "button", class: "button small danger", id: `my-listing-cancel-${l.listingId}`, text: t("nft.cancel"), "aria-label": t("nft.listing.cancelOne", { id: l.listingId }), onclick: () => cancel("listings", { listingId: l.listingId }, "nft.listing.canceled") })]),
    ]),
  );
  return dataTable("my-listings", [["nft.item"], ["nft.price", true], ["nft.mine.unitsLeft", true], ["nft.expires"], ["nft.action"]], rows, "nft-my-listings-title");
}

function offerTarget(o) {
  if (o.tokenId !== null && o.tokenId !== undefined) return itemLink(o);
  if (o.trait) return `${o.collection}: ${traitText(o.trait)}`;
  return t("nft.mine.anyOf", { collection: o.collection });
}

function offersTable() {
  if (!loaded.offers.length) return none("my-offers-none", "nft.mine.noOffers");
  const rows = loaded.offers.map((o) =>
    el("tr", { dataset: { offerId: String(o.offerId) } }, [
      el("td", {}, [offerTarget(o)]),
      el("td", { class: "num", text: priceText(o.price, o.currency) }),
      el("td", { class: "num", text: `${countText(o.remaining)} / ${countText(o.quantity)}` }),
      el("td", { class: "num", text: priceText(o.held, o.currency) }),
      el("td", { class: "nowrap", text: o.expiresAt ? formatDateTime(o.expiresAt) : t("nft.never") }),
      el("td", {}, [el("button", { type: "button", class: "button small danger", id: `my-offer-cancel-${o.offerId}`, text: t("nft.cancel"), "aria-label": t("nft.offer.cancelOne", { id: o.offerId }), onclick: () => cancel("offers", { offerId: o.offerId }, "nft.offer.canceledShort") })]),
    ]),
  );
  return dataTable("my-offers", [["nft.item"], ["nft.price", true], ["nft.mine.unitsLeft", true], ["nft.offer.held", true], ["nft.expires"], ["nft.action"]], rows, "nft-my-offers-title");
}

function auctionsTable(records, id, noneKey, mine) {
  if (!records.length) return none(`${id}-none`, noneKey);
  const rows = records.map((a) =>
    el("tr", { dataset: { auctionId: String(a.auctionId) } }, [
      el("td", {}, [itemLink(a)]),
      el("td", { text: t(`nft.auction.${auctionKind(a)}`) }),
      el("td", { class: "num", text: a.highestBid ? priceText(a.highestBid, a.currency) : t("nft.auction.noBids") }),
      el("td", { text: a.highestBidder ? accountText(a.highestBidder, session) : "–" }),
      el("td", { class: "num", text: mine ? priceText(a.priceNow, a.currency) : priceText(a.held, a.currency) }),
      el("td", {}, [countdown(Number(a.endAt ?? a.endTime), { prefixKey: "nft.time.endsIn" })]),
    ]),
  );
  return dataTable(id, [["nft.item"], ["nft.auction.kind"], ["nft.auction.highestBid", true], ["nft.auction.bidder"], [mine ? "nft.auction.minimumLabel" : "nft.offer.held", true], ["nft.expires"]], rows, `${id}-title`);
}

// ---- history ---------------------------------------------------------------------------------

function royaltyCell(sale) {
  if (!sale.royalties || !sale.royalties.length) return priceText(sale.royalty, sale.currency);
  return `${priceText(sale.royalty, sale.currency)} (${sale.royalties.map((r) => `${accountText(r.account, session)} ${priceText(r.amount, sale.currency)}`).join(", ")})`;
}

function salesTable() {
  if (!loaded.sales.length) return none("my-sales-none", "nft.mine.noSales");
  const mine = Number(session.userId);
  const rows = loaded.sales.map((s) => {
    const sold = Number(s.seller) === mine;
    return el("tr", { dataset: { saleId: String(s.saleId), role: sold ? "seller" : "buyer" } }, [
      el("td", { class: "nowrap", text: formatDateTime(s.time) }),
      el("td", {}, [itemLink(s)]),
      el("td", { text: t(sold ? "nft.mine.sold" : "nft.mine.bought") }),
      el("td", { text: kindText(s.kind) }),
      el("td", { class: "num", text: countText(s.quantity) }),
      el("td", { class: "num sale-total", text: priceText(s.total, s.currency) }),
      el("td", { class: "num sale-fee", text: priceText(s.fee, s.currency) }),
      el("td", { class: "num sale-royalty", text: royaltyCell(s) }),
      el("td", { class: "num sale-seller", text: priceText(s.sellerReceives, s.currency) }),
    ]);
  });
  return dataTable("my-sales", [["nft.time"], ["nft.item"], ["nft.mine.role"], ["nft.mine.how"], ["nft.quantity", true], ["nft.split.total", true], ["nft.split.fee", true], ["nft.royalty", true], ["nft.split.seller", true]], rows, "nft-my-sales-title");
}

function royaltiesTable() {
  if (!loaded.royalties.length) return none("my-royalties-none", "nft.mine.noRoyalties");
  const rows = loaded.royalties.map((r) =>
    el("tr", { dataset: { saleId: String(r.saleId) } }, [
      el("td", { class: "nowrap", text: formatDateTime(r.time) }),
      el("td", {}, [itemLink(r)]),
      el("td", { class: "num royalty-amount", text: priceText(r.amount, r.currency) }),
    ]),
  );
  return dataTable("my-royalties", [["nft.time"], ["nft.item"], ["nft.mine.amount", true]], rows, "nft-my-royalties-title");
}

function balancesList() {
  if (!loaded.balances.length) return none("my-balances-none", "nft.mine.noBalances");
  return el("dl", { id: "my-balances", class: "nft-facts" }, loaded.balances.map((b) =>
    el("div", { class: "nft-fact", dataset: { asset: b.asset } }, [el("dt", { text: b.asset }), el("dd", { class: "balance-free", text: t("nft.mine.balance", { free: priceText(b.free, b.asset), held: priceText(b.locked, b.asset) }) })]),
  ));
}

// ---- drawing and loading ----------------------------------------------------------------------

function draw() {
  document.title = `${t("nft.mine.title")} · Assetport`;
  const main = clear(byId("main"));
  const items = loaded.items;
  const itemsBody = loaded.error
    ? el("p", { id: "nft-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.error) })
    : !items
      ? el("p", { class: "muted", text: t("common.loading") })
      : items.length
        ? dataTable("my-items", [["nft.mine.image"], ["nft.item"], ["nft.units", true], ["nft.mine.free", true], ["nft.mine.state"], ["nft.action"]], items.map(itemRow), "nft-my-items-title")
        : el("p", { id: "my-items-none", class: "muted" }, [t("nft.mine.noItems"), " ", el("a", { href: "/nft", text: t("nft.mine.explore") })]);
  main.append(el("article", { id: "nft-page", class: "nft-page nft-mine" }, present(
    el("p", { class: "nft-breadcrumb" }, [el("a", { href: "/nft", text: t("nft.explore.title") }), " · ", el("a", { href: "/nft/studio", text: t("nft.studio.title") })]),
    el("h1", { id: "nft-title", text: t("nft.mine.title") }),
    line("mine"),
    section("nft-my-balances", "nft.mine.balances", [balancesList()]),
    section("nft-my-items", "nft.mine.items", [itemsBody]),
    sellSection(),
    section("nft-my-listings", "nft.mine.listings", [listingsTable()]),
    section("nft-my-offers", "nft.mine.offers", [offersTable()]),
    section("nft-my-bids", "nft.mine.bids", [el("p", { class: "field-hint", text: t("nft.mine.bidsHint") }), auctionsTable(loaded.bids, "nft-my-bids-table", "nft.mine.noBids", false)]),
    section("nft-my-auctions", "nft.mine.auctions", [auctionsTable(loaded.auctions, "nft-my-auctions-table", "nft.mine.noAuctions", true)]),
    section("nft-my-sales", "nft.mine.sales", [salesTable()]),
    section("nft-my-royalties", "nft.mine.royalties", [royaltiesTable()]),
  )));
}

async function load() {
  const get = (path, params = {}) => nftGet(path, { limit: LIMIT, ...params });
  const [items, listings, offers, bids, auctions, sales, royalties, account] = await Promise.all([
    get("/my/items"),
    get("/my/listings"),
    get("/my/offers"),
    get("/my/bids"),
    get("/my/auctions"),
    get("/my/sales"),
    get("/my/royalties"),
    rest("GET", "/api/v3/account"),
  ]);
  Object.assign(loaded, { items, listings, offers, bids, auctions, sales, royalties, error: null });
  // The balances of the currencies the person's NFTs trade in (KRW always).
  const currencies = new Set(["KRW", ...listings.map((l) => l.currency), ...offers.map((o) => o.currency), ...sales.map((s) => s.currency), ...royalties.map((r) => r.currency), ...bids.map((b) => b.currency)]);
  loaded.balances = account.balances.filter((b) => currencies.has(b.asset));
  for (const asset of currencies) if (!loaded.balances.some((b) => b.asset === asset)) loaded.balances.push({ asset, free: "0", locked: "0" });
}

startPage({ active: "nft" }).then(async (found) => {
  session = found;
  if (!session) {
    askToLogIn("nft.mine.title");
    return;
  }
  await syncClock();
  loaded.scales = await currencyScales().catch(() => null);
  draw();
  onLanguageChange(() => keepingFields(draw));
  startTicking();
  let shown = null;
  refresh = refresher(
    async () => {
      await load();
      // Drawn again only when something changed: a form being filled is left alone.
      const now = JSON.stringify([loaded.items, loaded.listings, loaded.offers, loaded.bids, loaded.auctions, loaded.sales, loaded.royalties, loaded.balances]);
      if (now === shown) return;
      shown = now;
      keepingFields(draw);
    },
    // Quickly while an auction runs, and in the first seconds: a sale just made reaches the
    // history (sales, royalties) a moment after the balance.
    () => loaded.bids.length > 0 || loaded.auctions.length > 0 || Date.now() - openedAt < FRESH_MS,
    (error) => {
      loaded.error = error;
      keepingFields(draw);
    },
  );
  refresh.now();
});
