// A collection's page (/nft/<code>): its header (cover, name, creator, royalty, verified
// badge, floor, volume, items, owners), its items in a grid filtered by traits (a checkbox
// group per trait type, from the collection's trait counts) and listed items only, sorted,
// a page at a time ("Load more" follows the API's cursor), and its activity (sales with
// their price, listings, bids). The `<code>@nft` stream tells the page when something
// happened; it then asks for the figures again.
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, onLanguageChange, t } from "../lib/i18n.js";
import { dataTable } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import {
  PAGE_SIZE,
  accountText,
  countText,
  itemCard,
  itemImage,
  keepingFocus,
  kindText,
  nftErrorText,
  nftGet,
  pageOf,
  percentText,
  priceText,
  standardText,
  verifiedBadge,
} from "../lib/nft.js";
import { openStreams } from "../lib/streams.js";
import { present } from "../lib/wallet.js";

const code = decodeURIComponent(location.pathname.split("/")[2] || "");
const SORTS = ["price_asc", "price_desc", "recent", "token_id"];
const ACTIVITY_PAGE = 50;
// Events of the stream come in bursts (a sale ends a listing): one refresh after them.
const REFRESH_AFTER_MS = 400;

const query = new URLSearchParams(location.search);
const ACTIVITY_SHOWN = ["sold", "listed", "bid", "offer_made", "minted"];
const state = {
  tab: query.get("tab") === "activity" ? "activity" : "items",
  sort: SORTS.includes(query.get("sort")) ? query.get("sort") : "price_asc",
  listed: query.get("listed") === "true",
  traits: new Set(query.getAll("trait")),
  filtersOpen: !window.matchMedia("(max-width: 900px)").matches,
  activityKind: ACTIVITY_SHOWN.includes(query.get("kind")) ? query.get("kind") : "",
};
const loaded = {
  collection: null,
  error: null,
  items: null,
  cursor: null,
  itemsError: null,
  activity: null,
  activityCursor: null,
  activityError: null,
  loadingMore: false,
};
let session = null;
let refreshTimer = null;

// ---- the collection's figures -----------------------------------------------------------

// The trait counts as [{type, values: [{value, count}]}], whether the API answers them as a
// map (type -> value -> count) or as a list.
function traitGroups(collection) {
  const traits = collection.traits || {};
  if (Array.isArray(traits)) {
    return traits.map((group) => ({ type: group.traitType ?? group.trait_type ?? group.type, values: (group.values || []).map((v) => ({ value: v.value, count: v.count })) }));
  }
  return Object.entries(traits).map(([type, values]) => ({ type, values: Object.entries(values).map(([value, count]) => ({ value, count })) }));
}

function fact(id, labelKey, value) {
  return el("div", { class: "nft-fact", id }, [el("dt", { text: t(labelKey) }), el("dd", { text: value })]);
}

function royaltyText(c) {
  if (!c.royaltyBps) return t("nft.royalty.none");
  return percentText(c.royaltyBps);
}

function header() {
  const c = loaded.collection;
  const s = c;
  return el("header", { class: "nft-collection-header panel" }, [
    itemImage(c.cover, t("nft.coverOf", { name: c.name }), "nft-cover"),
    el("div", { class: "nft-collection-intro" }, [
      el("h1", { id: "nft-title" }, present(el("span", { text: c.name }), c.verified ? " " : null, c.verified ? verifiedBadge() : null)),
      el("p", { class: "muted nft-byline" }, [
        el("span", { id: "nft-creator", text: t("nft.by", { creator: accountText(c.creator, session) }) }),
        " · ",
        el("span", { text: standardText(c.standard) }),
        " · ",
        el("span", { class: "mono", text: c.code }),
      ]),
      c.description ? el("p", { id: "nft-description", class: "nft-description", text: c.description }) : null,
      el("dl", { class: "nft-facts" }, [
        fact("nft-fact-floor", "nft.floor", priceText(s.floor, c.currency)),
        fact("nft-fact-volume", "nft.volume", priceText(s.volume, c.currency)),
        fact("nft-fact-items", "nft.items", countText(s.items)),
        fact("nft-fact-owners", "nft.owners", countText(s.owners)),
        fact("nft-fact-listed", "nft.listed", countText(s.listed)),
        fact("nft-fact-royalty", "nft.royalty", royaltyText(c)),
      ]),
    ]),
  ]);
}

// ---- the items -------------------------------------------------------------------------

function filters() {
  const groups = traitGroups(loaded.collection);
  const sortSelect = el(
    "select",
    { id: "nft-items-sort", onchange: (event) => changeFilter(() => (state.sort = event.target.value)) },
    SORTS.map((key) => el("option", { value: key, selected: state.sort === key, text: t(`nft.itemSort.${key}`) })),
  );
  return el("form", { id: "nft-filters", class: "nft-filters", "aria-label": t("nft.filters"), onsubmit: (event) => event.preventDefault() }, [
    el("label", { for: "nft-items-sort", text: t("nft.sortBy") }),
    sortSelect,
    el("label", { class: "check nft-listed-toggle" }, [
      el("input", { type: "checkbox", id: "nft-listed-only", checked: state.listed, onchange: (event) => changeFilter(() => (state.listed = event.target.checked)) }),
      t("nft.listedOnly"),
    ]),
    ...groups.map((group, index) =>
      el("fieldset", { class: "nft-trait-group" }, [
        el("legend", { text: group.type }),
        ...group.values.map((v, valueIndex) => {
          const key = `${group.type}:${v.value}`;
          const id = `nft-trait-${index}-${valueIndex}`;
          return el("div", { class: "check nft-trait-choice" }, [
            el("input", { type: "checkbox", id, value: key, checked: state.traits.has(key), onchange: (event) => changeFilter(() => (event.target.checked ? state.traits.add(key) : state.traits.delete(key))) }),
            el("label", { for: id }, [v.value, " ", el("span", { class: "muted", text: `(${countText(v.count)})` })]),
          ]);
        }),
      ]),
    ),
    state.traits.size ? el("button", { type: "button", id: "nft-clear-traits", class: "button small", text: t("nft.clearTraits"), onclick: () => changeFilter(() => state.traits.clear()) }) : null,
  ]);
}

function itemsPanel() {
  const parts = [];
  if (loaded.itemsError) parts.push(el("p", { id: "nft-items-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.itemsError) }));
  if (!loaded.items) parts.push(el("p", { class: "muted", text: t("common.loading") }));
  else if (!loaded.items.length) parts.push(el("p", { id: "nft-items-none", class: "muted", text: t(state.traits.size || state.listed ? "nft.items.noneFiltered" : "nft.items.none") }));
  else {
    parts.push(el("p", { id: "nft-items-count", class: "muted", role: "status", text: t("nft.items.shown", { count: countText(loaded.items.length) }) }));
    parts.push(el("ul", { id: "nft-items", class: "nft-grid" }, loaded.items.map((item) => itemCard(item, loaded.collection))));
  }
  if (loaded.cursor) {
    parts.push(el("button", { type: "button", id: "nft-load-more", class: "button", disabled: loaded.loadingMore, text: t(loaded.loadingMore ? "common.loading" : "nft.loadMore"), onclick: loadMoreItems }));
  }
  // The filters fold away on a narrow screen, above the grid, until asked for.
  const folded = el("details", { class: "nft-filters-box", id: "nft-filters-box", open: state.filtersOpen, ontoggle: (event) => (state.filtersOpen = event.target.open) }, [
    el("summary", { text: state.traits.size || state.listed ? t("nft.filtersOn", { count: countText(state.traits.size + (state.listed ? 1 : 0)) }) : t("nft.filters") }),
    filters(),
  ]);
  return el("div", { class: "nft-items-layout" }, [folded, el("div", { class: "nft-items-panel" }, parts)]);
}

// ---- activity --------------------------------------------------------------------------

// One thing that happened, as the history records it: `account` did it (a sale's seller,
// a bid's bidder, a mint's creator), `counterparty` is the other side where there is one (a
// sale's buyer, the receiver of a mint or a gift, an auction's winner; for a bid, the bid it
// beat, which is not shown as a receiver).
function activityRow(a) {
  const c = loaded.collection;
  const kind = String(a.kind || "").toLowerCase();
  const item = a.tokenId !== undefined && a.tokenId !== null ? el("a", { href: `/nft/${encodeURIComponent(code)}/${a.tokenId}`, text: `#${a.tokenId}` }) : "–";
  const to = kind === "bid" ? null : a.counterparty;
  return el("tr", { dataset: { kind } }, [
    el("td", { class: "nft-activity-kind", text: kindText(kind) }),
    el("td", {}, [item]),
    el("td", { class: "num nft-activity-price", text: a.price ? priceText(a.price, a.currency || c.currency) : "–" }),
    el("td", { class: "num", text: a.quantity ? countText(a.quantity) : "–" }),
    el("td", { text: a.account ? accountText(a.account, session) : "–" }),
    el("td", { text: to ? accountText(to, session) : "–" }),
    el("td", { class: "nowrap", text: a.time ? formatDateTime(a.time) : "–" }),
  ]);
}

// What the activity shows: everything, or one kind (the API's `kind`).
const ACTIVITY_KINDS = ["", ...ACTIVITY_SHOWN];

function activityPanel() {
  const parts = [
    el("h2", { id: "nft-activity-title", class: "sr-only", text: t("nft.tab.activity") }),
    el("label", { class: "nft-inline-label" }, [
      t("nft.activity.show"),
      " ",
      el("select", { id: "nft-activity-kind", onchange: (event) => { state.activityKind = event.target.value; remember(); loadActivity().then(() => keepingFocus(draw)); } },
        ACTIVITY_KINDS.map((kind) => el("option", { value: kind, selected: state.activityKind === kind, text: kind ? kindText(kind) : t("nft.activity.all") }))),
    ]),
  ];
  if (loaded.activityError) parts.push(el("p", { id: "nft-activity-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.activityError) }));
  if (!loaded.activity) parts.push(el("p", { class: "muted", text: t("common.loading") }));
  else if (!loaded.activity.length) parts.push(el("p", { id: "nft-activity-none", class: "muted", text: t("nft.activity.none") }));
  else {
    const headings = [["nft.activity.event"], ["nft.item"], ["nft.price", true], ["nft.quantity", true], ["nft.from"], ["nft.to"], ["nft.time"]];
    parts.push(dataTable("nft-activity", headings, loaded.activity.map(activityRow), "nft-activity-title"));
  }
  if (loaded.activityCursor) parts.push(el("button", { type: "button", id: "nft-activity-more", class: "button", text: t("nft.loadMore"), onclick: loadMoreActivity }));
  return el("div", {}, parts);
}

// ---- tabs ------------------------------------------------------------------------------

function tab(name) {
  const selected = state.tab === name;
  return el("button", {
    type: "button",
    role: "tab",
    id: `nft-tab-${name}`,
    class: selected ? "nft-tab active" : "nft-tab",
    "aria-selected": String(selected),
    "aria-controls": `nft-panel-${name}`,
    tabindex: selected ? "0" : "-1",
    text: t(`nft.tab.${name}`),
    onclick: () => chooseTab(name),
    onkeydown: (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        chooseTab(name === "items" ? "activity" : "items");
        byId(`nft-tab-${state.tab}`).focus();
      }
    },
  });
}

function chooseTab(name) {
  state.tab = name;
  remember();
  if (name === "activity" && !loaded.activity) loadActivity().then(() => keepingFocus(draw));
  keepingFocus(draw);
}

// ---- drawing ---------------------------------------------------------------------------

function draw() {
  const c = loaded.collection;
  document.title = `${c ? c.name : code} · Assetport`;
  const main = clear(byId("main"));
  if (loaded.error) {
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [
      el("h1", { id: "nft-title", text: code }),
      el("p", { id: "nft-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.error) }),
      el("p", {}, [el("a", { href: "/nft", text: t("nft.backToExplore") })]),
    ]));
    return;
  }
  if (!c) {
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [el("h1", { id: "nft-title", text: code }), el("p", { class: "muted", text: t("common.loading") })]));
    return;
  }
  const panel = state.tab === "items" ? itemsPanel() : activityPanel();
  main.append(el("article", { id: "nft-page", class: "nft-page" }, [
    el("p", { class: "nft-breadcrumb" }, [el("a", { href: "/nft", text: t("nft.explore.title") })]),
    header(),
    el("div", { class: "nft-tabs", role: "tablist", "aria-label": t("nft.tabs") }, [tab("items"), tab("activity")]),
    el("section", { id: `nft-panel-${state.tab}`, class: "nft-tab-panel", role: "tabpanel", "aria-labelledby": `nft-tab-${state.tab}` }, [panel]),
  ]));
}

// The filters, sort and tab in the address: a link shows the same items.
function remember() {
  const params = new URLSearchParams();
  if (state.tab !== "items") params.set("tab", state.tab);
  if (state.sort !== "price_asc") params.set("sort", state.sort);
  if (state.listed) params.set("listed", "true");
  for (const trait of state.traits) params.append("trait", trait);
  if (state.tab === "activity" && state.activityKind) params.set("kind", state.activityKind);
  const search = params.toString();
  history.replaceState(null, "", location.pathname + (search ? `?${search}` : ""));
}

// ---- loading ---------------------------------------------------------------------------

// The items' query: one trait as `trait`, several as `traits` (a JSON array: the API takes no
// repeated parameter).
function itemsQuery(cursor) {
  const params = { sort: state.sort, limit: String(PAGE_SIZE) };
  if (state.listed) params.listed = "true";
  const traits = [...state.traits];
  if (traits.length === 1) params.trait = traits[0];
  else if (traits.length > 1) params.traits = JSON.stringify(traits);
  if (cursor) params.cursor = cursor;
  return params;
}

async function fetchItems(cursor) {
  const page = pageOf(await nftGet(`/collections/${encodeURIComponent(code)}/items`, itemsQuery(cursor)), "items");
  return { items: page.rows, cursor: page.cursor };
}

async function loadItems() {
  try {
    const page = await fetchItems(null);
    loaded.items = page.items;
    loaded.cursor = page.cursor;
    loaded.itemsError = null;
  } catch (error) {
    loaded.itemsError = error;
    loaded.items = loaded.items || [];
  }
}

async function loadMoreItems() {
  if (loaded.loadingMore || !loaded.cursor) return;
  loaded.loadingMore = true;
  keepingFocus(draw);
  const first = loaded.items.length;
  try {
    const page = await fetchItems(loaded.cursor);
    loaded.items = loaded.items.concat(page.items);
    loaded.cursor = page.cursor;
    loaded.itemsError = null;
  } catch (error) {
    loaded.itemsError = error;
  }
  loaded.loadingMore = false;
  keepingFocus(draw);
  // The keyboard goes on at the first new item, not back to the top of the grid.
  const next = document.querySelectorAll("#nft-items .nft-card-link")[first];
  if (next) next.focus();
  else if (byId("nft-load-more")) byId("nft-load-more").focus();
}

function activityPage(answer) {
  return pageOf(answer, "activity");
}

async function loadActivity() {
  try {
    const page = activityPage(await nftGet(`/collections/${encodeURIComponent(code)}/activity`, { limit: ACTIVITY_PAGE, kind: state.activityKind || undefined }));
    loaded.activity = page.rows;
    loaded.activityCursor = page.cursor;
    loaded.activityError = null;
  } catch (error) {
    loaded.activityError = error;
    loaded.activity = loaded.activity || [];
  }
}

async function loadMoreActivity() {
  try {
    const page = activityPage(await nftGet(`/collections/${encodeURIComponent(code)}/activity`, { limit: ACTIVITY_PAGE, cursor: loaded.activityCursor, kind: state.activityKind || undefined }));
    loaded.activity = loaded.activity.concat(page.rows);
    loaded.activityCursor = page.cursor;
  } catch (error) {
    loaded.activityError = error;
  }
  keepingFocus(draw);
}

async function loadCollection() {
  try {
    loaded.collection = await nftGet(`/collections/${encodeURIComponent(code)}`);
    loaded.error = null;
  } catch (error) {
    // Once drawn, a failed refresh keeps the figures shown.
    if (!loaded.collection) loaded.error = error;
  }
}

function changeFilter(change) {
  change();
  remember();
  loaded.items = null;
  loaded.cursor = null;
  keepingFocus(draw);
  loadItems().then(() => keepingFocus(draw));
}

// Something happened in the collection: its figures, the first page of items (when no more
// were loaded) and the activity again, once the burst is over.
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const waits = [loadCollection()];
    if (loaded.items && loaded.items.length <= PAGE_SIZE) waits.push(loadItems());
    if (loaded.activity) waits.push(loadActivity());
    await Promise.all(waits);
    keepingFocus(draw);
  }, REFRESH_AFTER_MS);
}

draw();
onLanguageChange(() => keepingFocus(draw));
startPage({ active: "nft" }).then(async (found) => {
  session = found;
  await loadCollection();
  if (loaded.collection) {
    await Promise.all([loadItems(), state.tab === "activity" ? loadActivity() : null]);
    openStreams([`${code}@nft`], refreshSoon);
  }
  draw();
});
