// The NFT marketplace (/nft): the collections, by volume, floor or newest first (a sortable
// table, a column's header sorts it); the drops on sale now or soon and the auctions ending
// soonest, each with its countdown. Everything is public (GET /api/v1/nft/...); a logged-in
// person also gets the links to their NFTs and the creator studio.
import { byId, clear, el } from "../lib/dom.js";
import { onLanguageChange, t } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import {
  auctionKind,
  auctionPriceLine,
  countText,
  countdown,
  dropKindText,
  dropStatusText,
  itemImage,
  keepingFocus,
  nftErrorText,
  nftGet,
  pageOf,
  priceText,
  startTicking,
  syncClock,
  verifiedBadge,
} from "../lib/nft.js";
import { present } from "../lib/wallet.js";

const SORTS = ["volume", "floor", "new"];
const SORT_KEY = "assetport.nftSort";
const COLLECTIONS = 100;
const SHOWN_AUCTIONS = 8;
const SHOWN_DROPS = 8;

const loaded = { collections: null, auctions: null, drops: null, error: null, sideError: null };
let session = null;
let sort = storedSort();

function storedSort() {
  try {
    const kept = localStorage.getItem(SORT_KEY);
    if (SORTS.includes(kept)) return kept;
  } catch (error) {
    // no storage: the default order
  }
  return "volume";
}

function keepSort(value) {
  try {
    localStorage.setItem(SORT_KEY, value);
  } catch (error) {
    // private mode: the order holds for this page only
  }
}

// ---- the collections ------------------------------------------------------------------

function collectionRow(c, index) {
  const s = c;
  return el("tr", { dataset: { code: c.code } }, [
    el("td", { class: "num muted", text: String(index + 1) }),
    el("th", { scope: "row", class: "nft-collection-cell" }, [
      el("a", { class: "market-link nft-collection-link", href: `/nft/${encodeURIComponent(c.code)}` }, [
        itemImage(c.cover, "", "nft-thumb"),
        el("span", { class: "nft-collection-name", text: c.name }),
      ]),
      c.verified ? verifiedBadge() : null,
    ]),
    el("td", { class: "num nft-floor", text: priceText(s.floor, c.currency) }),
    el("td", { class: "num nft-volume", text: priceText(s.volume, c.currency) }),
    el("td", { class: "num nft-volume-24h", text: priceText(s.volume24h, c.currency) }),
    el("td", { class: "num nft-items", text: countText(s.items) }),
    el("td", { class: "num nft-owners", text: countText(s.owners) }),
  ]);
}

// A column a person can sort by: its header is a button; aria-sort says the order shown
// (the API sorts volume and floor highest first).
function sortHeader(key, labelKey) {
  const active = sort === key;
  return el("th", { scope: "col", class: "num", "aria-sort": active ? "descending" : null }, [
    el("button", { type: "button", class: "sort-button", id: `nft-sort-${key}`, "aria-pressed": String(active), onclick: () => changeSort(key) }, [
      t(labelKey),
      el("span", { class: "sort-mark", "aria-hidden": "true", text: active ? " ▼" : "" }),
    ]),
  ]);
}

function collectionsTable() {
  const rows = loaded.collections.map(collectionRow);
  const head = el("thead", {}, [
    el("tr", {}, [
      el("th", { scope: "col", class: "num", text: "#" }),
      el("th", { scope: "col", text: t("nft.collection") }),
      sortHeader("floor", "nft.floor"),
      sortHeader("volume", "nft.volume"),
      el("th", { scope: "col", class: "num", text: t("nft.volume24h") }),
      el("th", { scope: "col", class: "num", text: t("nft.items") }),
      el("th", { scope: "col", class: "num", text: t("nft.owners") }),
    ]),
  ]);
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "nft-collections-title" }, [
    el("table", { id: "nft-collections", class: "info-table nft-table" }, [head, el("tbody", {}, rows)]),
  ]);
}

function changeSort(key) {
  sort = key;
  keepSort(key);
  loadCollections().then(() => keepingFocus(draw));
}

function collectionsSection() {
  const parts = [
    el("div", { class: "nft-section-head" }, [
      el("h2", { id: "nft-collections-title", text: t("nft.explore.collections") }),
      el("label", { class: "nft-inline-label" }, [
        t("nft.sortBy"),
        " ",
        el(
          "select",
          { id: "nft-sort", onchange: (event) => changeSort(event.target.value) },
          SORTS.map((key) => el("option", { value: key, selected: key === sort, text: t(`nft.sort.${key}`) })),
        ),
      ]),
    ]),
  ];
  if (loaded.error) parts.push(el("p", { id: "nft-error", class: "form-message error", role: "alert", text: t("nft.loadFailed", { reason: nftErrorText(loaded.error) }) }));
  else if (!loaded.collections) parts.push(el("p", { class: "muted", text: t("common.loading") }));
  else if (!loaded.collections.length) parts.push(el("p", { id: "nft-none", class: "muted", text: t("nft.explore.none") }));
  else parts.push(collectionsTable());
  return el("section", { id: "nft-collections-section", class: "nft-section", "aria-labelledby": "nft-collections-title" }, parts);
}

// ---- drops and auctions ------------------------------------------------------------------

// A collection's name where the page has it (a drop names only its code).
function collectionName(code) {
  const found = (loaded.collections || []).find((c) => c.code === code);
  return found ? found.name : code;
}

function dropCard(drop) {
  const running = drop.status === "open";
  const ends = running ? drop.endTime : drop.startTime;
  return el("li", { class: "nft-tile", dataset: { dropId: String(drop.dropId) } }, [
    el("a", { href: `/nft/drops/${drop.dropId}`, class: "nft-tile-link" }, [
      el("span", { class: "nft-tile-title", text: collectionName(drop.collection) }),
      el("span", { class: "badge", text: dropKindText(drop.kind) }),
      el("span", { class: `badge nft-status-${drop.status}`, text: dropStatusText(drop.status) }),
      el("span", { class: "nft-tile-price", text: priceText(drop.price, drop.currency) }),
    ]),
    drop.status === "open" || drop.status === "upcoming" ? countdown(ends, { prefixKey: running ? "nft.time.endsIn" : "nft.time.startsIn" }) : null,
  ]);
}

function auctionCard(auction) {
  const href = `/nft/${encodeURIComponent(auction.collection)}/${auction.tokenId}`;
  const name = auction.name ? `${auction.name} · ${auction.collection}` : `${auction.collection} #${auction.tokenId}`;
  return el("li", { class: "nft-tile", dataset: { auctionId: String(auction.auctionId) } }, [
    el("a", { href, class: "nft-tile-link" }, [
      itemImage(auction.image, name, "nft-tile-media"),
      el("span", { class: "nft-tile-title", text: name }),
      el("span", { class: "badge", text: t(`nft.auction.${auctionKind(auction)}`) }),
      el("span", { class: "nft-tile-price", text: auctionPriceLine(auction) }),
    ]),
    countdown(auction.endTime, { prefixKey: "nft.time.endsIn" }),
  ]);
}

function sideSection(id, titleKey, items, card, noneKey) {
  const body = items === null ? el("p", { class: "muted", text: t("common.loading") }) : items.length ? el("ul", { id: `${id}-list`, class: "nft-tiles" }, items.map(card)) : el("p", { id: `${id}-none`, class: "muted", text: t(noneKey) });
  return el("section", { id, class: "nft-section", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), body]);
}

// ---- drawing and loading ----------------------------------------------------------------

function draw() {
  document.title = `${t("nft.explore.title")} · Assetport`;
  const links = session
    ? el("p", { class: "nft-links" }, [
        el("a", { id: "nft-to-mine", class: "button", href: "/nft/mine", text: t("nft.mine.title") }),
        " ",
        el("a", { id: "nft-to-studio", class: "button", href: "/nft/studio", text: t("nft.studio.title") }),
      ])
    : el("p", { class: "nft-links muted" }, [t("nft.explore.visitor"), " ", el("a", { href: "/login?next=%2Fnft", text: t("nft.loginLink") })]);
  const page = el("article", { id: "nft-page", class: "nft-page" }, present(
    el("h1", { id: "nft-title", text: t("nft.explore.title") }),
    el("p", { class: "muted", text: t("nft.explore.intro") }),
    links,
    loaded.sideError ? el("p", { class: "form-message error", role: "alert", text: t("nft.loadFailed", { reason: nftErrorText(loaded.sideError) }) }) : null,
    sideSection("nft-drops", "nft.explore.drops", loaded.drops && loaded.drops.slice(0, SHOWN_DROPS), dropCard, "nft.explore.noDrops"),
    sideSection("nft-auctions", "nft.explore.auctions", loaded.auctions && loaded.auctions.slice(0, SHOWN_AUCTIONS), auctionCard, "nft.explore.noAuctions"),
    collectionsSection(),
  ));
  clear(byId("main")).append(page);
}

async function loadCollections() {
  try {
    loaded.collections = pageOf(await nftGet("/collections", { sort, limit: COLLECTIONS }), "collections").rows;
    loaded.error = null;
  } catch (error) {
    loaded.error = error;
  }
}

async function loadAuctions() {
  const auctions = await nftGet("/auctions", { limit: SHOWN_AUCTIONS });
  // The list names each auction's item by its token id: its name and image come with the
  // auction's own answer.
  loaded.auctions = await Promise.all(auctions.map((a) => nftGet(`/auctions/${a.auctionId}`).catch(() => a)));
}

async function loadDrops() {
  const drops = pageOf(await nftGet("/drops"), "drops").rows;
  // The drops on sale or coming: an ended one is on its own page, not here.
  loaded.drops = drops.filter((drop) => drop.status === "open" || drop.status === "upcoming");
}

async function loadSide() {
  const failures = (await Promise.allSettled([loadAuctions(), loadDrops()])).filter((r) => r.status === "rejected");
  loaded.sideError = failures.length ? failures[0].reason : null;
  loaded.auctions = loaded.auctions || [];
  loaded.drops = loaded.drops || [];
}

draw();
onLanguageChange(draw);
startPage({ active: "nft" }).then(async (found) => {
  session = found;
  await syncClock();
  await Promise.all([loadCollections(), loadSide()]);
  draw();
  startTicking();
  // Drops open and auctions end while the page is open: their lists again now and then.
  setInterval(async () => {
    if (document.visibilityState !== "visible") return;
    await Promise.all([loadCollections(), loadSide()]);
    keepingFocus(draw);
  }, 30000);
});
