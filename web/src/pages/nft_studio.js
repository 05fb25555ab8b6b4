// The creator studio (/nft/studio): create a collection (its royalty split between up to ten
// receivers, checked as it is typed: the shares must add up to the royalty, 10 % at most in
// all), upload images (dropped or picked; the server judges each file by its bytes and its
// refusal of a disguised or oversize file is shown in words), mint items one at a time or in
// a batch (a small table of rows), and set up a primary sale: a fixed-price drop, a
// subscription draw or a mystery box (lots, price, window, cap per account).
import { assetPrecisions } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { onLanguageChange, t } from "../lib/i18n.js";
import { dataTable, outcomes } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import {
  accountText,
  countText,
  exchangeInfo,
  dropKindText,
  itemImage,
  keepingFields,
  keepingFocus,
  nftErrorText,
  nftGet,
  nftSend,
  pageOf,
  percentText,
  royaltiesOf,
  scaleFor,
  serverNow,
  standardOf,
  standardText,
  syncClock,
  typedBps,
  typedPrice,
  typedWhole,
  uploadMedia,
} from "../lib/nft.js";
import { askToLogIn, present } from "../lib/wallet.js";

const MAX_ROYALTY_BPS = 1000n;
const MAX_RECEIVERS = 10;
const MAX_MINT_ROWS = 100; // rows the page's table takes at once (the API takes 1000)
const MAX_LOTS = 100;
const UPLOADS_KEY = "assetport.nftUploads";
const CODE = /^[a-z0-9](?:[a-z0-9-]{1,30}[a-z0-9])$/;
const KINDS = ["fixed", "draw", "box"];

const { line, tell } = outcomes();
let session = null;
const state = {
  currencies: [],
  scales: null,
  collections: null, // the person's own
  collectionsError: null,
  receivers: [], // [{account, share}] as typed
  mintRows: [],
  lots: [],
  uploads: storedUploads(),
};

// ---- what the person uploaded (kept for this tab, to pick as a cover or an item's image) --

function storedUploads() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(UPLOADS_KEY) || "[]");
    return Array.isArray(kept) ? kept.filter((u) => u && /^[0-9a-f]{64}$/.test(u.sha256)) : [];
  } catch (error) {
    return [];
  }
}

function keepUploads() {
  try {
    sessionStorage.setItem(UPLOADS_KEY, JSON.stringify(state.uploads.slice(-50)));
  } catch (error) {
    // storage blocked: the uploads are listed until the page is left
  }
}

// A picker of the images uploaded in this tab (a collection's cover, an item's image).
function imageChoice(id, chosen, onChange) {
  const select = el("select", { id, class: "nft-image-choice", onchange: (event) => onChange(event.target.value) });
  fillImages(select, chosen);
  return select;
}

function fillImages(select, chosen) {
  select.replaceChildren(
    el("option", { value: "", text: t("nft.studio.noImage") }),
    ...state.uploads.map((u) => el("option", { value: u.sha256, selected: u.sha256 === chosen, text: `${u.name} (${u.sha256.slice(0, 8)}…)` })),
  );
}

// ---- fields ------------------------------------------------------------------------------

function field(id, labelKey, attributes = {}, hintKey = null, vars = {}) {
  const control = attributes.multiline ? el("textarea", { id, rows: "3", maxlength: attributes.maxlength, "aria-describedby": hintKey ? `${id}-hint` : null }) : el("input", { id, type: "text", autocomplete: "off", "aria-describedby": hintKey ? `${id}-hint` : null, ...attributes });
  return el("div", { class: "nft-field" }, present(el("label", { for: id, text: t(labelKey) }), control, hintKey ? el("p", { id: `${id}-hint`, class: "field-hint", text: t(hintKey, vars) }) : null));
}

function value(id) {
  return byId(id) ? byId(id).value.trim() : "";
}

function section(id, titleKey, children) {
  return el("section", { id, class: "nft-section panel", "aria-labelledby": `${id}-title` }, [el("h2", { id: `${id}-title`, text: t(titleKey) }), ...present(...children)]);
}

// A picker of the person's collections; `onChange()` when another is chosen.
function mineOptions(id, onChange) {
  const select = el("select", { id, class: "nft-collection-choice", onchange: onChange });
  fillCollections(select, "");
  return select;
}

function fillCollections(select, chosen) {
  const own = state.collections || [];
  select.replaceChildren(...(own.length ? own.map((c) => el("option", { value: c.code, text: `${c.name} (${c.code})` })) : [el("option", { value: "", text: t("nft.studio.noCollections") })]));
  if (own.some((c) => c.code === chosen)) select.value = chosen;
}

function chosenCollection(id) {
  return (state.collections || []).find((c) => c.code === value(id)) || null;
}

// ---- the royalty, checked as it is typed -------------------------------------------------

function receiversNow() {
  return state.receivers.map((row, index) => ({ account: value(`royalty-account-${index}`), share: value(`royalty-share-${index}`) }));
}

// What is wrong with the royalty as typed (the words to show), or null; and its basis points.
function royaltyProblem() {
  const total = typedBps(value("collection-royalty") || "0");
  if (total === null) return { problem: t("nft.studio.royaltyDecimals") };
  if (total > MAX_ROYALTY_BPS) return { problem: t("nft.rule.royaltyTotal") };
  const rows = receiversNow();
  if (total === 0n) return { problem: null, total, shares: [] };
  if (!rows.length) return { problem: t("nft.studio.noReceivers") };
  if (rows.length > MAX_RECEIVERS) return { problem: t("nft.rule.receivers") };
  const shares = [];
  const seen = new Set();
  for (const row of rows) {
    const account = typedWhole(row.account);
    const bps = typedBps(row.share);
    if (account === null) return { problem: t("nft.studio.badReceiver") };
    if (bps === null || bps <= 0n) return { problem: t("nft.rule.receiverAccount") };
    if (seen.has(account)) return { problem: t("nft.rule.receiverTwice") };
    seen.add(account);
    shares.push({ account: Number(account), bps: Number(bps) });
  }
  const sum = shares.reduce((acc, share) => acc + BigInt(share.bps), 0n);
  if (sum !== total) return { problem: t("nft.studio.sharesSum", { sum: percentText(sum), total: percentText(total) }) };
  return { problem: null, total, shares };
}

function checkRoyalty() {
  const box = byId("royalty-check");
  if (!box) return;
  const { problem, total } = royaltyProblem();
  box.className = problem ? "nft-check error" : "nft-check ok";
  box.textContent = problem || (total ? t("nft.studio.royaltyOk", { total: percentText(total), count: receiversNow().length }) : t("nft.studio.royaltyNone"));
  const add = byId("royalty-add");
  if (add) add.disabled = state.receivers.length >= MAX_RECEIVERS;
}

function receiverRow(row, index) {
  return el("tr", {}, [
    el("td", {}, [el("input", { id: `royalty-account-${index}`, type: "text", inputmode: "numeric", autocomplete: "off", value: row.account, "aria-label": t("nft.studio.receiverAccount", { n: index + 1 }), oninput: (event) => { row.account = event.target.value; checkRoyalty(); } })]),
    el("td", {}, [el("input", { id: `royalty-share-${index}`, type: "text", inputmode: "decimal", autocomplete: "off", value: row.share, "aria-label": t("nft.studio.receiverShare", { n: index + 1 }), oninput: (event) => { row.share = event.target.value; checkRoyalty(); } })]),
    el("td", {}, [el("button", { type: "button", class: "button small", id: `royalty-remove-${index}`, text: t("nft.remove"), "aria-label": t("nft.studio.removeReceiver", { n: index + 1 }), onclick: () => { state.receivers.splice(index, 1); redrawReceivers(); } })]),
  ]);
}

function receiversTable() {
  return el("div", { id: "royalty-receivers" }, [
    el("table", { class: "info-table nft-edit-table" }, [
      el("caption", { class: "sr-only", text: t("nft.studio.receivers") }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: t("nft.studio.account") }), el("th", { scope: "col", text: t("nft.studio.share") }), el("th", { scope: "col", text: t("nft.action") })])]),
      el("tbody", {}, state.receivers.map(receiverRow)),
    ]),
  ]);
}

function redrawReceivers() {
  const old = byId("royalty-receivers");
  if (old) old.replaceWith(receiversTable());
  checkRoyalty();
}

function collectionForm() {
  const standard = (value) => el("label", { class: "check" }, [el("input", { type: "radio", name: "collection-standard", id: `collection-standard-${value}`, value, checked: value === "erc721" }), standardText(value)]);
  return el("form", { id: "collection-form", class: "nft-form", "aria-labelledby": "nft-create-title", onsubmit: createCollection }, [
    field("collection-code", "nft.studio.code", { maxlength: "32", spellcheck: "false" }, "nft.studio.codeHint"),
    field("collection-name", "nft.studio.name", { maxlength: "100" }),
    field("collection-description", "nft.studio.description", { multiline: true, maxlength: "2000" }),
    el("fieldset", { class: "nft-modes" }, [el("legend", { text: t("nft.studio.standard") }), standard("erc721"), standard("erc1155")]),
    el("div", { class: "nft-field" }, [
      el("label", { for: "collection-currency", text: t("nft.studio.currency") }),
      el("select", { id: "collection-currency" }, state.currencies.map((code) => el("option", { value: code, text: code }))),
    ]),
    el("div", { class: "nft-field" }, [el("label", { for: "collection-cover", text: t("nft.studio.cover") }), imageChoice("collection-cover", "", () => {})]),
    el("fieldset", { class: "nft-royalty" }, [
      el("legend", { text: t("nft.royalty") }),
      field("collection-royalty", "nft.studio.royaltyTotal", { inputmode: "decimal", oninput: checkRoyalty, value: "0" }, "nft.studio.royaltyHint"),
      receiversTable(),
      el("button", { type: "button", id: "royalty-add", class: "button small", text: t("nft.studio.addReceiver"), onclick: () => { state.receivers.push({ account: "", share: "" }); redrawReceivers(); byId(`royalty-account-${state.receivers.length - 1}`)?.focus(); } }),
      el("p", { id: "royalty-check", class: "nft-check", "aria-live": "polite" }),
    ]),
    el("button", { type: "submit", id: "collection-submit", class: "primary", text: t("nft.studio.create") }),
    line("collection"),
  ]);
}

async function createCollection(event) {
  event.preventDefault();
  const code = value("collection-code");
  if (!CODE.test(code)) return tell("collection", "error", () => t("nft.rule.code"));
  if (!value("collection-name")) return tell("collection", "error", () => t("nft.rule.name"));
  const { problem, total, shares } = royaltyProblem();
  if (problem) return tell("collection", "error", () => problem);
  // An empty optional field is left out: the API refuses an empty parameter.
  const params = {
    code,
    name: value("collection-name"),
    standard: document.querySelector('input[name="collection-standard"]:checked').value,
    currency: value("collection-currency"),
    royaltyBps: total.toString(),
  };
  if (value("collection-description")) params.description = value("collection-description");
  if (value("collection-cover")) params.cover = value("collection-cover");
  if (shares.length) params.royaltySplits = JSON.stringify(shares);
  const button = byId("collection-submit");
  button.disabled = true;
  try {
    const created = await nftSend("POST", "/collections", params);
    tell("collection", "success", () => t("nft.studio.created", { name: created.name, code: created.code }));
    byId("collection-form").reset();
    state.receivers = [{ account: String(session.userId), share: "" }];
    await loadCollections();
    drawLists();
    redrawReceivers();
    // The new collection is the one to mint into next.
    if (byId("mint-collection")) {
      byId("mint-collection").value = created.code;
      state.mintRows = [newMintRow(0)];
      redrawMint();
    }
  } catch (error) {
    tell("collection", "error", () => nftErrorText(error));
  } finally {
    button.disabled = false;
  }
}

// ---- uploads -------------------------------------------------------------------------------

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

function uploadsList() {
  if (!state.uploads.length) return el("p", { id: "uploads-none", class: "muted", text: t("nft.studio.noUploads") });
  return el("ul", { id: "uploads", class: "nft-uploads" }, state.uploads.slice().reverse().map((u) =>
    el("li", { class: "nft-upload", dataset: { sha256: u.sha256 } }, [
      itemImage(u.sha256, u.name, "nft-thumb"),
      el("div", {}, [
        el("strong", { text: u.name }),
        el("p", { class: "muted", text: t("nft.studio.uploadFacts", { type: u.contentType.replace("image/", "").toUpperCase(), width: u.width, height: u.height, size: sizeText(u.size) }) }),
        el("code", { class: "mono hash-full", text: u.sha256 }),
      ]),
    ]),
  ));
}

async function upload(files) {
  for (const file of files) {
    tell("upload", "info", () => t("nft.studio.uploading", { name: file.name }));
    try {
      const kept = await uploadMedia(file, session.csrfToken);
      state.uploads = state.uploads.filter((u) => u.sha256 !== kept.sha256).concat([{ ...kept, name: file.name }]);
      keepUploads();
      tell("upload", "success", () => t("nft.studio.uploaded", { name: file.name }));
    } catch (error) {
      tell("upload", "error", () => t("nft.studio.uploadRefused", { name: file.name, reason: nftErrorText(error) }));
    }
    keepingFocus(drawUploads);
  }
}

function dropZone() {
  const input = el("input", { type: "file", id: "upload-file", accept: "image/png,image/jpeg,image/gif,image/webp", multiple: true, "aria-describedby": "upload-hint", onchange: (event) => { upload([...event.target.files]); event.target.value = ""; } });
  const zone = el("div", {
    id: "upload-zone",
    class: "nft-drop-zone",
    ondragover: (event) => { event.preventDefault(); zone.classList.add("over"); },
    ondragleave: () => zone.classList.remove("over"),
    ondrop: (event) => { event.preventDefault(); zone.classList.remove("over"); upload([...event.dataTransfer.files]); },
  }, [
    el("p", { text: t("nft.studio.dropHere") }),
    el("label", { for: "upload-file", class: "button", text: t("nft.studio.pickFile") }),
    input,
    el("p", { id: "upload-hint", class: "field-hint", text: t("nft.studio.uploadHint") }),
  ]);
  return zone;
}

function drawUploads() {
  const box = byId("nft-uploads-list");
  if (box) clear(box).append(uploadsList());
  // The image pickers of the other forms take the new files at once.
  for (const select of document.querySelectorAll("select.nft-image-choice")) fillImages(select, select.value);
}

// ---- minting -------------------------------------------------------------------------------

function newMintRow(index) {
  const c = chosenCollection("mint-collection");
  const first = c ? Number(c.items || 0) + 1 : 1;
  return { tokenId: String(first + index), name: "", supply: "1", image: "", attributes: "" };
}

function mintRow(row, index, erc1155) {
  const input = (name, attributes = {}) =>
    el("input", { id: `mint-${name}-${index}`, type: "text", autocomplete: "off", value: row[name], "aria-label": t(`nft.studio.mint.${name}Of`, { n: index + 1 }), oninput: (event) => (row[name] = event.target.value), ...attributes });
  const image = imageChoice(`mint-image-${index}`, row.image, (chosen) => (row.image = chosen));
  image.setAttribute("aria-label", t("nft.studio.mint.imageOf", { n: index + 1 }));
  return el("tr", {}, present(
    el("td", {}, [input("tokenId", { inputmode: "numeric", class: "nft-qty" })]),
    el("td", {}, [input("name", { maxlength: "100" })]),
    erc1155 ? el("td", {}, [input("supply", { inputmode: "numeric", class: "nft-qty" })]) : null,
    el("td", {}, [image]),
    el("td", {}, [input("attributes", { placeholder: t("nft.studio.mint.attributesExample") })]),
    el("td", {}, [state.mintRows.length > 1 ? el("button", { type: "button", class: "button small", id: `mint-remove-${index}`, text: t("nft.remove"), "aria-label": t("nft.studio.mint.removeOf", { n: index + 1 }), onclick: () => { state.mintRows.splice(index, 1); redrawMint(); } }) : null]),
  ));
}

function mintTable() {
  const c = chosenCollection("mint-collection");
  const erc1155 = c && standardOf(c) === "erc1155";
  return el("div", { id: "mint-rows", class: "table-scroll", tabindex: "0", role: "region", "aria-label": t("nft.studio.mint.rows") }, [
    el("table", { class: "info-table nft-edit-table" }, [
      el("thead", {}, [el("tr", {}, present(
        el("th", { scope: "col", text: t("nft.item.tokenId") }),
        el("th", { scope: "col", text: t("nft.studio.mint.name") }),
        erc1155 ? el("th", { scope: "col", text: t("nft.item.supply") }) : null,
        el("th", { scope: "col", text: t("nft.studio.mint.image") }),
        el("th", { scope: "col", text: t("nft.item.attributes") }),
        el("th", { scope: "col", text: t("nft.action") }),
      ))]),
      el("tbody", {}, state.mintRows.map((row, index) => mintRow(row, index, erc1155))),
    ]),
  ]);
}

function redrawMint() {
  const old = byId("mint-rows");
  if (old) old.replaceWith(mintTable());
  const add = byId("mint-add");
  if (add) add.disabled = state.mintRows.length >= MAX_MINT_ROWS;
}

function mintForm() {
  return el("form", { id: "mint-form", class: "nft-form", "aria-labelledby": "nft-mint-title", onsubmit: mint }, [
    el("div", { class: "nft-field" }, [el("label", { for: "mint-collection", text: t("nft.collection") }), mineOptions("mint-collection", () => { state.mintRows = [newMintRow(0)]; redrawMint(); })]),
    el("p", { class: "field-hint", text: t("nft.studio.mint.hint") }),
    mintTable(),
    el("div", { class: "nft-inline" }, [
      el("button", { type: "button", id: "mint-add", class: "button small", text: t("nft.studio.mint.add"), onclick: () => { state.mintRows.push(newMintRowAfter()); redrawMint(); byId(`mint-name-${state.mintRows.length - 1}`)?.focus(); } }),
      el("button", { type: "submit", id: "mint-submit", class: "primary", text: t("nft.studio.mint.submit") }),
    ]),
    line("mint"),
  ]);
}

// A new row's token id follows the last row's.
function newMintRowAfter() {
  const last = state.mintRows[state.mintRows.length - 1];
  const row = newMintRow(0);
  const previous = last ? typedWhole(last.tokenId, { min: 0n }) : null;
  if (previous !== null) row.tokenId = (previous + 1n).toString();
  return row;
}

// "Member: Ara; Stage: Seoul" as the metadata's attributes.
function parsedAttributes(text) {
  const attributes = [];
  for (const part of text.split(/[;\n]/)) {
    if (!part.trim()) continue;
    const colon = part.indexOf(":");
    if (colon <= 0 || !part.slice(colon + 1).trim()) return null;
    attributes.push({ trait_type: part.slice(0, colon).trim(), value: part.slice(colon + 1).trim() });
  }
  return attributes;
}

async function mint(event) {
  event.preventDefault();
  const c = chosenCollection("mint-collection");
  if (!c) return tell("mint", "error", () => t("nft.studio.needCollection"));
  const items = [];
  for (const [index, row] of state.mintRows.entries()) {
    const tokenId = typedWhole(row.tokenId, { min: 0n });
    if (tokenId === null) return tell("mint", "error", () => t("nft.studio.mint.badTokenId", { n: index + 1 }));
    if (!row.name.trim()) return tell("mint", "error", () => t("nft.studio.mint.badName", { n: index + 1 }));
    const supply = standardOf(c) === "erc1155" ? typedWhole(row.supply) : 1n;
    if (supply === null) return tell("mint", "error", () => t("nft.studio.mint.badSupply", { n: index + 1 }));
    const attributes = parsedAttributes(row.attributes);
    if (attributes === null) return tell("mint", "error", () => t("nft.studio.mint.badAttributes", { n: index + 1 }));
    const item = { tokenId: Number(tokenId), name: row.name.trim(), supply: Number(supply), attributes };
    if (row.image) item.image = row.image;
    items.push(item);
  }
  const button = byId("mint-submit");
  button.disabled = true;
  try {
    const minted = await nftSend("POST", `/collections/${encodeURIComponent(c.code)}/mint`, { items: JSON.stringify(items) });
    tell("mint", "success", () => t("nft.studio.mint.done", { count: countText(minted.count), ids: minted.tokenIds.map((id) => `#${id}`).join(", ") }));
    drawMinted(c.code, minted.tokenIds);
    await loadCollections();
    state.mintRows = [newMintRow(0)];
    drawLists();
    redrawMint();
  } catch (error) {
    tell("mint", "error", () => nftErrorText(error));
  } finally {
    const again = byId("mint-submit");
    if (again) again.disabled = false;
  }
}

function drawMinted(code, ids) {
  const box = byId("mint-links");
  if (!box) return;
  clear(box).append(...ids.slice(0, 20).map((id) => el("a", { class: "button small", href: `/nft/${encodeURIComponent(code)}/${id}`, text: `#${id}` })));
}

// ---- drops -----------------------------------------------------------------------------------

function lotRow(row, index) {
  return el("tr", {}, [
    el("td", {}, [el("input", { id: `lot-token-${index}`, type: "text", inputmode: "numeric", class: "nft-qty", autocomplete: "off", value: row.tokenId, "aria-label": t("nft.studio.drop.tokenOf", { n: index + 1 }), oninput: (event) => { row.tokenId = event.target.value; showDistribution(); } })]),
    el("td", {}, [el("input", { id: `lot-units-${index}`, type: "text", inputmode: "numeric", class: "nft-qty", autocomplete: "off", value: row.units, "aria-label": t("nft.studio.drop.unitsOf", { n: index + 1 }), oninput: (event) => { row.units = event.target.value; showDistribution(); } })]),
    el("td", { class: "num lot-chance", id: `lot-chance-${index}` }),
    el("td", {}, [state.lots.length > 1 ? el("button", { type: "button", class: "button small", id: `lot-remove-${index}`, text: t("nft.remove"), "aria-label": t("nft.studio.drop.removeOf", { n: index + 1 }), onclick: () => { state.lots.splice(index, 1); redrawLots(); } }) : null]),
  ]);
}

function lotsTable() {
  return el("div", { id: "drop-lots" }, [
    el("table", { class: "info-table nft-edit-table" }, [
      el("caption", { class: "sr-only", text: t("nft.studio.drop.lots") }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: t("nft.item.tokenId") }), el("th", { scope: "col", text: t("nft.units") }), el("th", { scope: "col", class: "num", text: t("nft.studio.drop.chance") }), el("th", { scope: "col", text: t("nft.action") })])]),
      el("tbody", {}, state.lots.map(lotRow)),
    ]),
  ]);
}

function redrawLots() {
  const old = byId("drop-lots");
  if (old) old.replaceWith(lotsTable());
  showDistribution();
}

// A box's chance of each lot is its share of the pool: the published distribution.
function showDistribution() {
  const units = state.lots.map((row) => typedWhole(row.units) ?? 0n);
  const total = units.reduce((sum, n) => sum + n, 0n);
  units.forEach((n, index) => {
    const cell = byId(`lot-chance-${index}`);
    if (cell) cell.textContent = total ? `${percentText((n * 10000n) / total)}` : "–";
  });
  const box = byId("drop-total");
  if (box) box.textContent = t("nft.studio.drop.total", { units: countText(total) });
}

function localInput(ms) {
  const date = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function dropForm() {
  const kind = (value) => el("label", { class: "check" }, [el("input", { type: "radio", name: "drop-kind", id: `drop-kind-${value}`, value, checked: value === "box" }), dropKindText(value)]);
  return el("form", { id: "drop-form", class: "nft-form", "aria-labelledby": "nft-drop-title", onsubmit: createDrop }, [
    el("div", { class: "nft-field" }, [el("label", { for: "drop-collection", text: t("nft.collection") }), mineOptions("drop-collection", () => {})]),
    el("fieldset", { class: "nft-modes" }, [el("legend", { text: t("nft.studio.drop.kind") }), ...KINDS.map(kind)]),
    el("p", { class: "field-hint", text: t("nft.studio.drop.kindHint") }),
    field("drop-price", "nft.studio.drop.price", { inputmode: "decimal" }),
    field("drop-start", "nft.studio.drop.start", { type: "datetime-local", step: "1" }, "nft.studio.drop.startHint"),
    field("drop-end", "nft.studio.drop.end", { type: "datetime-local", step: "1", value: localInput(serverNow() + 24 * 3600 * 1000) }),
    field("drop-cap", "nft.studio.drop.cap", { inputmode: "numeric", value: "0" }, "nft.studio.drop.capHint"),
    el("fieldset", {}, [
      el("legend", { text: t("nft.studio.drop.lots") }),
      el("p", { class: "field-hint", text: t("nft.studio.drop.lotsHint") }),
      lotsTable(),
      el("p", { id: "drop-total", class: "muted", "aria-live": "polite" }),
      el("button", { type: "button", id: "lot-add", class: "button small", text: t("nft.studio.drop.addLot"), onclick: () => { if (state.lots.length < MAX_LOTS) state.lots.push({ tokenId: "", units: "1" }); redrawLots(); byId(`lot-token-${state.lots.length - 1}`)?.focus(); } }),
    ]),
    el("button", { type: "submit", id: "drop-submit", class: "primary", text: t("nft.studio.drop.submit") }),
    line("drop"),
    el("p", { id: "drop-link" }),
  ]);
}

function timeOf(id) {
  const text = value(id);
  if (!text) return null;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? NaN : ms;
}

async function createDrop(event) {
  event.preventDefault();
  const c = chosenCollection("drop-collection");
  if (!c) return tell("drop", "error", () => t("nft.studio.needCollection"));
  const kind = document.querySelector('input[name="drop-kind"]:checked').value;
  const price = typedPrice(value("drop-price"), scaleFor(c.currency, state.scales, c.floor));
  if (price.error) return tell("drop", "error", () => price.error);
  const start = timeOf("drop-start");
  const end = timeOf("drop-end");
  if (Number.isNaN(start) || end === null || Number.isNaN(end)) return tell("drop", "error", () => t("nft.studio.drop.badTimes"));
  if (end <= (start ?? serverNow())) return tell("drop", "error", () => t("nft.studio.drop.endAfterStart"));
  const cap = typedWhole(value("drop-cap") || "0", { min: 0n });
  if (cap === null) return tell("drop", "error", () => t("nft.studio.drop.badCap"));
  const lots = [];
  for (const [index, row] of state.lots.entries()) {
    const tokenId = typedWhole(row.tokenId, { min: 0n });
    const units = typedWhole(row.units);
    if (tokenId === null || units === null) return tell("drop", "error", () => t("nft.studio.drop.badLot", { n: index + 1 }));
    lots.push({ tokenId: Number(tokenId), units: Number(units) });
  }
  const params = { collection: c.code, kind, price: price.text, endAt: String(end), perAccount: cap.toString(), lots: JSON.stringify(lots) };
  if (start !== null) params.startAt = String(Math.max(start, serverNow()));
  const button = byId("drop-submit");
  button.disabled = true;
  try {
    const drop = await nftSend("POST", "/drops", params);
    tell("drop", "success", () => t("nft.studio.drop.done", { id: drop.dropId, kind: dropKindText(drop.kind) }));
    clear(byId("drop-link")).append(el("a", { id: "drop-open", class: "button", href: `/nft/drops/${drop.dropId}`, text: t("nft.studio.drop.open", { id: drop.dropId }) }));
  } catch (error) {
    tell("drop", "error", () => nftErrorText(error, { asset: c.currency }));
  } finally {
    button.disabled = false;
  }
}

// ---- the person's collections ---------------------------------------------------------------

function collectionsList() {
  if (state.collectionsError) return el("p", { class: "form-message error", role: "alert", text: nftErrorText(state.collectionsError) });
  if (!state.collections) return el("p", { class: "muted", text: t("common.loading") });
  if (!state.collections.length) return el("p", { id: "my-collections-none", class: "muted", text: t("nft.studio.noCollections") });
  const rows = state.collections.map((c) =>
    el("tr", { dataset: { code: c.code } }, [
      el("th", { scope: "row" }, [el("a", { href: `/nft/${encodeURIComponent(c.code)}`, text: c.name })]),
      el("td", { class: "mono", text: c.code }),
      el("td", { text: standardText(c.standard) }),
      el("td", { class: "num", text: c.royaltyBps ? percentText(c.royaltyBps) : t("nft.royalty.none") }),
      el("td", { text: royaltiesOf(c).map((s) => `${accountText(s.account, session)} ${percentText(s.bps)}`).join(", ") || "–" }),
      el("td", { class: "num", text: countText(c.items) }),
    ]),
  );
  return dataTable("my-collections", [["nft.collection"], ["nft.studio.code"], ["nft.studio.standard"], ["nft.royalty", true], ["nft.studio.receivers"], ["nft.items", true]], rows, "nft-mine-title");
}

function drawLists() {
  const box = byId("my-collections-box");
  if (box) clear(box).append(collectionsList());
  for (const select of document.querySelectorAll("select.nft-collection-choice")) fillCollections(select, select.value);
}

// ---- drawing and loading ----------------------------------------------------------------------

function draw() {
  document.title = `${t("nft.studio.title")} · Assetport`;
  const main = clear(byId("main"));
  main.append(el("article", { id: "nft-page", class: "nft-page nft-studio" }, [
    el("p", { class: "nft-breadcrumb" }, [el("a", { href: "/nft", text: t("nft.explore.title") })]),
    el("h1", { id: "nft-title", text: t("nft.studio.title") }),
    el("p", { class: "muted", text: t("nft.studio.intro", { account: session.userId }) }),
    el("div", { class: "nft-studio-grid" }, [
      section("nft-create", "nft.studio.createTitle", [collectionForm()]),
      section("nft-upload", "nft.studio.uploadTitle", [dropZone(), line("upload"), el("div", { id: "nft-uploads-list" }, [uploadsList()])]),
      section("nft-mint", "nft.studio.mintTitle", [mintForm(), el("p", { id: "mint-links", class: "nft-inline" })]),
      section("nft-drop", "nft.studio.dropTitle", [dropForm()]),
      section("nft-mine", "nft.studio.mineTitle", [el("div", { id: "my-collections-box" }, [collectionsList()])]),
    ]),
  ]));
  checkRoyalty();
  showDistribution();
}

async function loadCollections() {
  try {
    // The person's own among every collection (the API lists 100 at a time).
    const own = [];
    for (let offset = 0; offset < 1000; offset += 100) {
      const page = pageOf(await nftGet("/collections", { sort: "new", limit: 100, offset }), "collections").rows;
      own.push(...page.filter((c) => Number(c.creator) === Number(session.userId)));
      if (page.length < 100) break;
    }
    state.collections = own;
    state.collectionsError = null;
  } catch (error) {
    state.collectionsError = error;
  }
}

// The currencies a collection may price in: the markets' quote assets (money, not tokens),
// KRW first.
async function loadCurrencies() {
  try {
    const info = await exchangeInfo();
    state.scales = assetPrecisions(info);
    const quotes = [...new Set(info.symbols.map((m) => m.quoteAsset))];
    state.currencies = quotes.sort((a, b) => (a === "KRW" ? -1 : b === "KRW" ? 1 : a.localeCompare(b)));
  } catch (error) {
    state.currencies = ["KRW"];
  }
}

startPage({ active: "nft" }).then(async (found) => {
  session = found;
  if (!session) {
    askToLogIn("nft.studio.title");
    return;
  }
  state.receivers = [{ account: String(session.userId), share: "" }];
  await syncClock();
  await Promise.all([loadCurrencies(), loadCollections()]);
  state.mintRows = [newMintRow(0)];
  state.lots = [{ tokenId: "", units: "1" }];
  draw();
  onLanguageChange(() => keepingFields(draw));
});
