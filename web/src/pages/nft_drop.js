// A primary sale (/nft/drops/<id>): its terms (kind, price, window, cap per account, the lots
// with their items; a mystery box's pool is its published distribution), where it stands
// with a countdown, and buying (a fixed drop's units) or entering (a draw's tickets, boxes).
// A draw or a box sale is decided by a seed the platform committed to before the sale and
// reveals after it: the page shows the commitment from the start, and after the reveal the
// seed, every entry and every result, and re-derives them on request (GET .../verify). The
// person's own boxes open into their items, one at a time or all at once.
import { byId, clear, el } from "../lib/dom.js";
import { formatDateTime, onLanguageChange, t } from "../lib/i18n.js";
import { dataTable, outcomes, shortHex } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import {
  accountText,
  countText,
  countdown,
  currencyScales,
  dropKindText,
  dropStatusText,
  itemImage,
  keepingFields,
  nftErrorText,
  nftGet,
  nftSend,
  percentText,
  priceText,
  scaleFor,
  serverNow,
  startTicking,
  syncClock,
  typedPrice,
  typedWhole,
  unitsText,
} from "../lib/nft.js";
import { askToConfirm } from "../lib/trade_confirm.js";
import { present, refresher } from "../lib/wallet.js";

const dropId = decodeURIComponent(location.pathname.split("/")[3] || "");
// Boxes this browser has seen opened (their cards stay open on a redraw).
const OPENED_KEY = `assetport.nftOpened.${dropId}`;

const { line, tell } = outcomes();
// `items`: the lots' items by token id ({name, image}), `collection` the drop's collection.
const loaded = { drop: null, error: null, verify: null, verifyError: null, scales: null, items: {}, collection: null };
let session = null;
let refresh = null;
let opened = new Set(storedOpened());

function storedOpened() {
  try {
    return JSON.parse(sessionStorage.getItem(OPENED_KEY) || "[]");
  } catch (error) {
    return [];
  }
}

function keepOpened() {
  try {
    sessionStorage.setItem(OPENED_KEY, JSON.stringify([...opened]));
  } catch (error) {
    // storage blocked: the boxes close again on a reload, nothing else
  }
}

// ---- reading the drop --------------------------------------------------------------------

function me() {
  return session ? Number(session.userId) : null;
}

function drop() {
  return loaded.drop;
}

function kind() {
  return String(drop().kind).toLowerCase();
}

function status() {
  return String(drop().status).toLowerCase();
}

function startsAt() {
  return Number(drop().startTime ?? drop().startAt);
}

function endsAt() {
  return Number(drop().endTime ?? drop().endAt);
}

// [{account, count}] in the order they entered.
function entries() {
  return (drop().entries || []).map((e) => ({ account: Number(e.account), count: Number(e.count) }));
}

// The boxes as the reveal opened them: [{serial, account, tokenId}], by serial.
function boxes() {
  return (drop().boxes || []).map((b) => ({ serial: Number(b.serial), account: Number(b.account), tokenId: b.tokenId })).sort((a, b) => a.serial - b.serial);
}

// A draw's result: [{account, won}], the units each account won.
function winners() {
  return (drop().won || []).map((w) => ({ account: Number(w.account), won: Number(w.units) }));
}

function lots() {
  return drop().lots || [];
}

function itemName(tokenId) {
  const item = loaded.items[tokenId];
  return item && item.name ? item.name : `#${tokenId}`;
}

function itemImageOf(tokenId) {
  const item = loaded.items[tokenId];
  return item ? item.image : null;
}

function collectionName() {
  return loaded.collection ? loaded.collection.name : drop().collection;
}

function revealed() {
  return Boolean(drop().seed);
}

function unitWord() {
  return t(`nft.drop.unit.${kind()}`);
}

// ---- the terms ---------------------------------------------------------------------------

function termsSection() {
  const d = drop();
  const row = (key, value, id) => el("tr", { id }, [el("th", { scope: "row", text: t(key) }), el("td", {}, [value])]);
  const units = lots().reduce((sum, l) => sum + Number(l.units), 0);
  return section("drop-terms", "nft.drop.terms", [
    el("table", { class: "info-table" }, [
      el("tbody", {}, present(
        row("nft.collection", el("a", { href: `/nft/${encodeURIComponent(d.collection)}`, text: collectionName() }), "drop-collection"),
        row("nft.drop.kindLabel", dropKindText(kind()), "drop-kind"),
        row("nft.drop.price", t("nft.drop.pricePer", { price: priceText(d.price, d.currency), unit: unitWord() }), "drop-price"),
        row("nft.drop.window", `${formatDateTime(startsAt())} – ${formatDateTime(endsAt())}`, "drop-window"),
        row("nft.drop.cap", Number(d.perAccount) ? t("nft.drop.capValue", { cap: countText(d.perAccount), unit: unitWord() }) : t("nft.drop.noCap"), "drop-cap"),
        row("nft.drop.supply", countText(units), "drop-supply"),
        row(kind() === "fixed" ? "nft.drop.sold" : "nft.drop.entered", countText(kind() === "fixed" ? Number(d.units) - Number(d.left) : d.entered), "drop-progress"),
        row("nft.drop.creator", accountText(d.creator, session), "drop-creator"),
      )),
    ]),
    el("p", { class: "field-hint", text: t(`nft.drop.explain.${kind()}`) }),
  ]);
}

function lotsSection() {
  const total = lots().reduce((sum, l) => sum + BigInt(l.units), 0n);
  const rows = lots().map((l) =>
    el("tr", { dataset: { tokenId: String(l.tokenId) } }, present(
      el("td", {}, [itemImage(itemImageOf(l.tokenId), "", "nft-thumb")]),
      el("th", { scope: "row" }, [el("a", { href: `/nft/${encodeURIComponent(drop().collection)}/${l.tokenId}`, text: itemName(l.tokenId) }), el("span", { class: "muted mono", text: ` #${l.tokenId}` })]),
      el("td", { class: "num", text: countText(l.units) }),
      kind() === "box" ? el("td", { class: "num lot-chance", text: total ? percentText((BigInt(l.units) * 10000n) / total) : "–" }) : null,
    )),
  );
  const headings = [["nft.mine.image"], ["nft.item"], ["nft.units", true]];
  if (kind() === "box") headings.push(["nft.studio.drop.chance", true]);
  return section("drop-lots", kind() === "box" ? "nft.drop.pool" : "nft.drop.lots", [
    kind() === "box" ? el("p", { class: "field-hint", text: t("nft.drop.poolHint") }) : null,
    dataTable("drop-lots-table", headings, rows, "drop-lots-title"),
  ]);
}

function section(id, titleKey, children) {
  return el("section", { id, class: "nft-section panel", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), ...present(...children)]);
}

// ---- buying and entering -------------------------------------------------------------------

function mineCount() {
  return entries().filter((e) => e.account === me()).reduce((sum, e) => sum + e.count, 0);
}

function buySection() {
  const s = status();
  if (s !== "open") return null;
  if (!session) return section("drop-buy", `nft.drop.buy.${kind()}`, [el("p", { class: "muted" }, [t("nft.drop.loginToBuy"), " ", el("a", { href: "/login?" + new URLSearchParams({ next: location.pathname }).toString(), text: t("nft.loginLink") })])]);
  const d = drop();
  return section("drop-buy", `nft.drop.buy.${kind()}`, [
    el("form", { id: "drop-buy-form", class: "nft-form", onsubmit: buy }, [
      el("label", { for: "drop-quantity", text: t("nft.drop.quantity", { unit: unitWord() }) }),
      el("div", { class: "nft-inline" }, [
        el("input", { id: "drop-quantity", type: "text", inputmode: "numeric", autocomplete: "off", value: "1", "aria-describedby": "drop-quantity-hint" }),
        el("button", { type: "submit", id: "drop-buy-submit", class: "buy", text: t(`nft.drop.buy.${kind()}`) }),
      ]),
      el("p", { id: "drop-quantity-hint", class: "field-hint", text: Number(d.perAccount) ? t("nft.drop.capHint", { cap: countText(d.perAccount), mine: countText(mineCount()), unit: unitWord() }) : t("nft.drop.priceHint", { price: priceText(d.price, d.currency), unit: unitWord() }) }),
    ]),
    line("buy"),
  ]);
}

async function buy(event) {
  event.preventDefault();
  const d = drop();
  const quantity = typedWhole(byId("drop-quantity").value);
  if (quantity === null) return tell("buy", "error", () => t("nft.form.badQuantity"));
  const scale = scaleFor(d.currency, loaded.scales, d.price);
  const total = unitsText(typedPrice(d.price, scale).units * quantity, scale);
  const confirmed = await askToConfirm({
    id: "drop-buy",
    kind: "buy",
    title: t(`nft.drop.confirm.${kind()}`, { count: countText(quantity) }),
    text: t(`nft.drop.confirmText.${kind()}`),
    rows: [
      [t("nft.drop.price"), priceText(d.price, d.currency), "price"],
      [t("nft.quantity"), countText(quantity), "quantity"],
      [t(kind() === "fixed" ? "nft.split.total" : "nft.drop.held"), priceText(total, d.currency), "total"],
    ],
    confirm: t(`nft.drop.buy.${kind()}`),
    back: t("nft.back"),
  });
  if (!confirmed) return;
  const button = byId("drop-buy-submit");
  button.disabled = true;
  try {
    await nftSend("POST", "/drops/buy", { dropId, quantity: quantity.toString() });
    tell("buy", "success", () => t(`nft.drop.bought.${kind()}`, { count: countText(quantity) }));
  } catch (error) {
    tell("buy", "error", () => dropErrorText(error, d.currency));
  }
  await refresh.now();
  const again = byId("drop-buy-submit");
  if (again) again.disabled = false;
}

// A refusal of a purchase in the drop's words (-7135 unknown drop, -7136 not open, -7137 past
// a limit, -7122 one's own).
function dropErrorText(error, currency) {
  const key = { [-7135]: "nft.drop.refused.gone", [-7136]: "nft.drop.refused.closed", [-7137]: "nft.drop.refused.terms", [-7122]: "nft.drop.refused.own" }[error.code];
  return key ? t(key) : nftErrorText(error, { asset: currency });
}

// ---- the person's boxes and tickets ---------------------------------------------------------

function boxCard(box) {
  const open = opened.has(box.serial);
  const name = itemName(box.tokenId);
  return el("li", { class: open ? "nft-box opened" : "nft-box", dataset: { serial: String(box.serial) } }, [
    el("div", { class: "nft-box-inner" }, [
      el("div", { class: "nft-box-face nft-box-front", "aria-hidden": open ? "true" : null }, [
        el("span", { class: "nft-box-mark", "aria-hidden": "true", text: "?" }),
        el("span", { text: t("nft.drop.box", { serial: box.serial }) }),
        open ? null : el("button", { type: "button", class: "button small primary", id: `box-open-${box.serial}`, text: t("nft.drop.open"), "aria-label": t("nft.drop.openOne", { serial: box.serial }), onclick: () => openBoxes([box.serial]) }),
      ]),
      el("div", { class: "nft-box-face nft-box-back", "aria-hidden": open ? null : "true" }, [
        itemImage(itemImageOf(box.tokenId), name, "nft-box-media"),
        el("a", { href: `/nft/${encodeURIComponent(drop().collection)}/${box.tokenId}`, class: "nft-box-item", id: `box-item-${box.serial}`, tabindex: open ? null : "-1", text: name }),
      ]),
    ]),
  ]);
}

// The boxes open one after another (a moment each), as boxes are opened by hand.
function openBoxes(serials) {
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  serials.forEach((serial, index) => {
    setTimeout(() => {
      opened.add(serial);
      keepOpened();
      const box = boxes().find((b) => b.serial === serial);
      const card = document.querySelector(`.nft-box[data-serial="${serial}"]`);
      if (!card || !box) return;
      card.replaceWith(boxCard(box));
      const said = byId("boxes-opened");
      if (said) said.textContent = t("nft.drop.openedInto", { serial, name: itemName(box.tokenId) });
      if (index === serials.length - 1) {
        byId(`box-item-${serial}`)?.focus();
        const all = byId("boxes-open-all");
        if (all && boxes().filter((b) => b.account === me()).every((b) => opened.has(b.serial))) all.remove();
      }
    }, reduced ? 0 : index * 350);
  });
}

function mineSection() {
  if (!session) return null;
  const count = mineCount();
  if (!count) return null;
  const k = kind();
  const parts = [];
  if (k === "fixed") {
    parts.push(el("p", { id: "drop-mine", text: t("nft.drop.mine.fixed", { count: countText(count) }) }));
  } else if (!revealed()) {
    parts.push(el("p", { id: "drop-mine", text: t(`nft.drop.mine.waiting.${k}`, { count: countText(count) }) }));
    if (k === "box") parts.push(el("ul", { class: "nft-boxes" }, Array.from({ length: Math.min(count, 50) }, (_, i) => el("li", { class: "nft-box" }, [el("div", { class: "nft-box-inner" }, [el("div", { class: "nft-box-face nft-box-front" }, [el("span", { class: "nft-box-mark", "aria-hidden": "true", text: "?" }), el("span", { text: t("nft.drop.boxWaiting", { n: i + 1 }) })])])]))));
  } else if (k === "draw") {
    const mine = winners().filter((w) => w.account === me()).reduce((sum, w) => sum + w.won, 0);
    parts.push(el("p", { id: "drop-mine", text: t("nft.drop.mine.drawn", { count: countText(count), won: countText(mine) }) }));
  } else {
    const mine = boxes().filter((b) => b.account === me());
    const closed = mine.filter((b) => !opened.has(b.serial));
    parts.push(el("p", { id: "drop-mine", text: t("nft.drop.mine.boxes", { count: countText(mine.length) }) }));
    if (closed.length) parts.push(el("button", { type: "button", id: "boxes-open-all", class: "primary", text: t("nft.drop.openAll"), onclick: () => openBoxes(closed.map((b) => b.serial)) }));
    parts.push(el("p", { id: "boxes-opened", class: "sr-only", role: "status" }));
    parts.push(el("ul", { id: "my-boxes", class: "nft-boxes" }, mine.map(boxCard)));
  }
  return section("drop-mine-section", `nft.drop.mine.title.${k}`, parts);
}

// ---- verification ------------------------------------------------------------------------------

// Boxes are numbered from 1 in the order bought (domain/nft/drops.py open_boxes), tickets
// from 0 (domain/nft/draws.py, as docs/nft-draws.md re-derives them).
function entriesTable() {
  let first = kind() === "box" ? 1 : 0;
  const rows = entries().map((e) => {
    const from = first;
    first += e.count;
    const range = kind() === "fixed" ? "" : e.count === 1 ? `${from}` : `${from}–${from + e.count - 1}`;
    const won = kind() === "draw" && revealed() ? winners().filter((w) => w.account === e.account).reduce((sum, w) => sum + w.won, 0) : null;
    return el("tr", { dataset: { account: String(e.account) } }, present(
      el("td", { text: accountText(e.account, session) }),
      el("td", { class: "num", text: countText(e.count) }),
      kind() === "fixed" ? null : el("td", { class: "num mono", text: range }),
      won === null ? null : el("td", { class: "num", text: countText(won) }),
    ));
  });
  const headings = [["nft.drop.account"], [`nft.drop.count.${kind()}`, true]];
  if (kind() !== "fixed") headings.push([kind() === "box" ? "nft.drop.serials" : "nft.drop.tickets", true]);
  if (kind() === "draw" && revealed()) headings.push(["nft.drop.won", true]);
  return rows.length ? dataTable("drop-entries", headings, rows, "drop-entries-title") : el("p", { class: "muted", id: "drop-entries-none", text: t("nft.drop.noEntries") });
}

function boxesTable() {
  const rows = boxes().map((b) =>
    el("tr", { dataset: { serial: String(b.serial) } }, [
      el("td", { class: "num mono", text: String(b.serial) }),
      el("td", { text: accountText(b.account, session) }),
      el("td", {}, [el("a", { href: `/nft/${encodeURIComponent(drop().collection)}/${b.tokenId}`, text: `${itemName(b.tokenId)} (#${b.tokenId})` })]),
    ]),
  );
  return rows.length ? dataTable("drop-boxes", [["nft.drop.serial", true], ["nft.drop.account"], ["nft.drop.openedIntoLabel"]], rows, "drop-results-title") : null;
}

function verifyResult() {
  if (loaded.verifyError) return el("p", { id: "drop-verify-result", class: "form-message error", role: "alert", text: nftErrorText(loaded.verifyError) });
  const v = loaded.verify;
  if (!v) return el("p", { id: "drop-verify-result", class: "form-message", role: "status" });
  const matches = v.matches;
  return el("div", { id: "drop-verify-box" }, present(
    el("p", { id: "drop-verify-result", role: "status", class: matches ? "nft-check ok" : "nft-check error", text: t(matches ? "nft.drop.verify.matches" : "nft.drop.verify.differs") }),
    v.seedOpensCommitment !== undefined ? el("p", { id: "drop-verify-commitment", class: "muted", text: t(v.seedOpensCommitment ? "nft.drop.verify.commitmentOk" : "nft.drop.verify.commitmentBad") }) : null,
    el("h3", { id: "drop-rederived-title", text: t("nft.drop.verify.rederived") }),
    kind() === "box" ? rederivedBoxes(v) : rederivedWins(v),
  ));
}

const same = (equal) => el("span", { class: equal ? "nft-check ok" : "nft-check error", text: t(equal ? "nft.drop.verify.same" : "nft.drop.verify.notSame") });

// Every box worked out again from the seed, beside what it was settled as.
function rederivedBoxes(v) {
  const settled = new Map(boxes().map((b) => [b.serial, b.tokenId]));
  const rows = (v.boxes || []).map((b) =>
    el("tr", { dataset: { serial: String(b.serial) } }, [
      el("td", { class: "num mono", text: String(b.serial) }),
      el("td", { text: `${itemName(b.tokenId)} (#${b.tokenId})` }),
      el("td", { text: settled.has(b.serial) ? `${itemName(settled.get(b.serial))} (#${settled.get(b.serial)})` : "–" }),
      el("td", {}, [same(settled.get(b.serial) === b.tokenId)]),
    ]),
  );
  return dataTable("drop-rederived", [["nft.drop.serial", true], ["nft.drop.verify.fromSeed"], ["nft.drop.verify.settled"], ["nft.drop.verify.check"]], rows, "drop-rederived-title");
}

// Every entry's winning tickets worked out again, beside what it was settled as.
function rederivedWins(v) {
  const settled = new Map(winners().map((w) => [w.account, w.won]));
  const rows = (v.won || []).map((w) =>
    el("tr", { dataset: { account: String(w.account) } }, [
      el("td", { text: accountText(w.account, session) }),
      el("td", { class: "num", text: countText(w.units) }),
      el("td", { class: "num", text: countText(settled.get(Number(w.account)) ?? 0) }),
      el("td", {}, [same(settled.get(Number(w.account)) === Number(w.units))]),
    ]),
  );
  return rows.length ? dataTable("drop-rederived", [["nft.drop.account"], ["nft.drop.verify.fromSeed", true], ["nft.drop.verify.settled", true], ["nft.drop.verify.check"]], rows, "drop-rederived-title") : el("p", { class: "muted", text: t("nft.drop.noEntries") });
}

function verifySection() {
  const d = drop();
  if (kind() === "fixed") return section("drop-entries-section", "nft.drop.buyers", [entriesTable()]);
  const parts = [
    el("p", { class: "field-hint", text: t("nft.drop.verify.explain") }),
    el("table", { class: "info-table" }, [
      el("tbody", {}, present(
        el("tr", { id: "drop-commitment" }, [el("th", { scope: "row", text: t("nft.drop.commitment") }), el("td", {}, [el("code", { class: "mono hash-full", text: d.commitment })])]),
        el("tr", { id: "drop-seed" }, [el("th", { scope: "row", text: t("nft.drop.seed") }), el("td", {}, [revealed() ? el("code", { class: "mono hash-full", text: d.seed }) : el("span", { class: "muted", text: t(status() === "canceled" ? "nft.drop.seedNever" : "nft.drop.seedLater") })])]),
        d.revealBy && !revealed() && status() !== "canceled" ? el("tr", {}, [el("th", { scope: "row", text: t("nft.drop.revealBy") }), el("td", { text: formatDateTime(d.revealBy) })]) : null,
      )),
    ]),
    el("h3", { id: "drop-entries-title", text: t("nft.drop.entries") }),
    entriesTable(),
  ];
  if (revealed() && kind() === "box") parts.push(el("h3", { id: "drop-results-title", text: t("nft.drop.results") }), boxesTable());
  if (revealed()) {
    parts.push(
      el("button", { type: "button", id: "drop-verify", class: "button primary", text: t("nft.drop.verify.button"), onclick: verify }),
      verifyResult(),
      el("p", { class: "field-hint" }, [t("nft.drop.verify.yourself"), " ", el("code", { class: "mono", text: `assetport nft verify-drop --url ${location.origin} --drop ${dropId}` })]),
    );
  }
  return section("drop-verification", "nft.drop.verification", parts);
}

async function verify() {
  const button = byId("drop-verify");
  if (button) button.disabled = true;
  try {
    loaded.verify = await nftGet(`/drops/${encodeURIComponent(dropId)}/verify`);
    loaded.verifyError = null;
  } catch (error) {
    loaded.verifyError = error;
  }
  const old = byId("drop-verify-box") || byId("drop-verify-result");
  if (old) old.replaceWith(verifyResult());
  if (byId("drop-verify")) byId("drop-verify").disabled = false;
}

// ---- drawing and loading ---------------------------------------------------------------------

function stateLine() {
  const s = status();
  const parts = [el("span", { class: `badge nft-status-${s}`, id: "drop-status", text: dropStatusText(s) })];
  if (s === "upcoming") parts.push(" ", countdown(startsAt(), { id: "drop-countdown", prefixKey: "nft.time.startsIn", endedKey: "nft.time.started" }));
  if (s === "open") parts.push(" ", countdown(endsAt(), { id: "drop-countdown", prefixKey: "nft.time.endsIn" }));
  if (s === "drawing") parts.push(" ", el("span", { class: "muted", text: t(`nft.drop.drawing.${kind()}`) }));
  return el("p", { class: "nft-drop-state" }, parts);
}

function draw() {
  const main = clear(byId("main"));
  if (loaded.error) {
    document.title = `${t("nft.drop.title", { id: dropId })} · Assetport`;
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [
      el("h1", { id: "nft-title", text: t("nft.drop.title", { id: dropId }) }),
      el("p", { id: "nft-error", class: "form-message error", role: "alert", text: nftErrorText(loaded.error) }),
      el("p", {}, [el("a", { href: "/nft", text: t("nft.backToExplore") })]),
    ]));
    return;
  }
  if (!loaded.drop) {
    main.append(el("article", { id: "nft-page", class: "nft-page" }, [el("h1", { id: "nft-title", text: t("nft.drop.title", { id: dropId }) }), el("p", { class: "muted", text: t("common.loading") })]));
    return;
  }
  const d = drop();
  const title = t("nft.drop.titleOf", { kind: dropKindText(kind()), name: collectionName() });
  document.title = `${title} · Assetport`;
  main.append(el("article", { id: "nft-page", class: "nft-page nft-drop-page" }, present(
    el("p", { class: "nft-breadcrumb" }, [el("a", { href: "/nft", text: t("nft.explore.title") }), " › ", el("a", { href: `/nft/${encodeURIComponent(d.collection)}`, text: collectionName() })]),
    el("h1", { id: "nft-title", text: title }),
    stateLine(),
    buySection(),
    mineSection(),
    termsSection(),
    lotsSection(),
    verifySection(),
  )));
}

// The lots' items are named once, and again for a box that opened into one not named yet
// (at most ITEMS_NAMED: a drop of a thousand lots shows the rest by token id).
const ITEMS_NAMED = 50;

async function nameItems(d) {
  const wanted = [...new Set([...(d.lots || []).map((l) => l.tokenId), ...(d.boxes || []).map((b) => b.tokenId)])]
    .filter((id) => !(id in loaded.items))
    .slice(0, Math.max(0, ITEMS_NAMED - Object.keys(loaded.items).length));
  const base = `/collections/${encodeURIComponent(d.collection)}`;
  const found = await Promise.all(wanted.map((id) => nftGet(`${base}/items/${id}`).catch(() => null)));
  wanted.forEach((id, index) => (loaded.items[id] = found[index] ? { name: found[index].name, image: found[index].image } : null));
}

async function load() {
  const d = await nftGet(`/drops/${encodeURIComponent(dropId)}`);
  if (!loaded.collection) loaded.collection = await nftGet(`/collections/${encodeURIComponent(d.collection)}`).catch(() => null);
  await nameItems(d);
  loaded.drop = d;
  loaded.error = null;
}

startPage({ active: "nft" }).then(async (found) => {
  session = found;
  await syncClock();
  loaded.scales = await currencyScales().catch(() => null);
  onLanguageChange(() => keepingFields(draw));
  startTicking((now) => {
    // The window opens or closes: the page asks where the drop stands now.
    if (!loaded.drop) return;
    const s = status();
    if ((s === "upcoming" && now >= startsAt()) || (s === "open" && now >= endsAt())) refresh.now();
  });
  let shown = null;
  refresh = refresher(
    async () => {
      await load();
      const now = JSON.stringify(loaded.drop);
      if (now === shown) return;
      shown = now;
      keepingFields(draw);
    },
    () => loaded.drop && ["upcoming", "open", "drawing"].includes(status()),
    (error) => {
      if (!loaded.drop) loaded.error = error;
      keepingFields(draw);
    },
  );
  draw();
  refresh.now();
});
