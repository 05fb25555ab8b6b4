// What the NFT marketplace's pages share (pages/nft*.js): the calls to /api/v1/nft, images
// by their SHA-256, prices in a collection's currency (exact decimal strings, typed prices
// checked against the currency's decimals), the server's clock for countdowns and a Dutch
// auction's falling price, the words for a refusal, and the small pieces every page draws
// (an item's card, the verified badge, an account, a trait).
import { ApiError, rest } from "./api.js";
import { assetPrecisions, fromUnits, scaleOf, toUnits, trim } from "./decimal.js";
import { el } from "./dom.js";
import { errorText } from "./errors.js";
import { addMessages, formatNumber, t } from "./i18n.js";
import { amountText } from "./issuance.js";
import messages from "../messages/nft.js";

addMessages(messages);

export const NFT_API = "/api/v1/nft";
const BPS = 10000n;

export function nftGet(path, params = {}) {
  return rest("GET", NFT_API + path, params);
}

// A signed write (the session's cookie and CSRF token): parameters in the query string, as
// every Binance client sends them; the signature is the session's.
export function nftSend(method, path, params = {}) {
  return rest(method, NFT_API + path, params);
}

export function mediaUrl(sha256) {
  return `${NFT_API}/media/${encodeURIComponent(sha256)}`;
}

// An image as the API names it: a path (`/api/v1/nft/media/<sha256>`, what the public reads
// answer) or the bare SHA-256 (what a mint took); null for none.
export function mediaSrc(image) {
  if (!image) return null;
  if (/^[0-9a-f]{64}$/.test(image)) return mediaUrl(image);
  return image.startsWith(`${NFT_API}/media/`) ? image : null;
}

// ---- the API's records, read the same whichever endpoint wrote them ------------------------
// (the public reads write "ERC721" and "ENGLISH", the signed writes "erc721" and "english")

export function standardOf(collection) {
  return String(collection.standard || "").toLowerCase();
}

export function auctionKind(auction) {
  return String(auction.kind || "").toLowerCase();
}

// A collection's royalty receivers: [{account, bps}].
export function royaltiesOf(collection) {
  return collection.royalties || collection.royaltySplits || (collection.royalty && collection.royalty.receivers) || [];
}

export function traitOf(trait) {
  return { type: trait.trait_type ?? trait.traitType, value: trait.value ?? trait.traitValue };
}

// A page of a list the API answers either as a list or as {<name>: [...], cursor}.
export function pageOf(answer, name) {
  if (Array.isArray(answer)) return { rows: answer, cursor: null };
  return { rows: answer[name] || [], cursor: answer.cursor || null };
}

// ---- amounts --------------------------------------------------------------------------

// A price as the API writes it ("150000", "0.01000000"), grouped and without trailing zeros,
// with its currency; a dash for none.
export function priceText(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "–";
  return amountText(amount, currency);
}

// Basis points as a percentage: 750 as "7.5 %".
export function percentText(bps) {
  return `${formatNumber(trim(fromUnits(BigInt(bps || 0), 2)))} %`;
}

// A percentage typed by a person ("7.5") as basis points (750n); null when it is no number
// with at most two decimals.
export function typedBps(text) {
  const value = String(text ?? "").trim();
  if (value === "") return null;
  return toUnits(value, 2);
}

// exchangeInfo, asked once per page: the listed assets and their decimals.
let info = null;
export async function exchangeInfo() {
  if (!info) info = rest("GET", "/api/v3/exchangeInfo");
  try {
    return await info;
  } catch (error) {
    info = null;
    throw error;
  }
}

// The decimals of every listed asset: {KRW: 0, USDT: 8, ...}.
export async function currencyScales() {
  return assetPrecisions(await exchangeInfo());
}

// The decimals a price of `currency` has: from exchangeInfo, or else from an amount the API
// wrote in it (every amount of a currency is written at its precision).
export function scaleFor(currency, scales, sample) {
  if (scales && scales[currency] !== undefined) return scales[currency];
  return sample ? scaleOf(String(sample)) : 0;
}

// A price typed by a person, as units of a currency with `scale` decimals: {units} or
// {error} (the words to show). Zero and negative prices are refused here, as the server does.
export function typedPrice(text, scale) {
  const value = String(text ?? "").trim().replace(/,/g, "");
  if (value === "") return { error: t("nft.form.priceMissing") };
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) return { error: t("nft.form.priceNumber") };
  const units = toUnits(value.replace(/\.$/, ""), scale);
  if (units === null) return { error: t("nft.form.priceDecimals", { decimals: scale }) };
  if (units <= 0n) return { error: t("nft.form.priceZero") };
  return { units, text: fromUnits(units, scale) };
}

// A whole number typed by a person (a quantity, a token id, an account): a BigInt or null.
export function typedWhole(text, { min = 1n } = {}) {
  const value = String(text ?? "").trim().replace(/,/g, "");
  if (!/^\d{1,19}$/.test(value)) return null;
  const number = BigInt(value);
  return number >= min && number <= 9223372036854775807n ? number : null;
}

export function unitsText(units, scale) {
  return fromUnits(BigInt(units), scale);
}

// The split of a sale of `total` units (BigInt), the engine's rule (domain/nft/split.py):
// the fee and the royalty rounded down, each receiver its share of the royalty rounded
// down and the first what that leaves, the seller the rest. `royalty` is [{account, bps}].
export function splitOf(total, feeBps, royalty) {
  const fee = (total * BigInt(feeBps)) / BPS;
  const royaltyBps = royalty.reduce((sum, share) => sum + BigInt(share.bps), 0n);
  if (!royaltyBps) return { fee, royalties: [], royalty: 0n, seller: total - fee };
  const whole = (total * royaltyBps) / BPS;
  const shares = royalty.map((share) => (whole * BigInt(share.bps)) / royaltyBps);
  shares[0] += whole - shares.reduce((sum, units) => sum + units, 0n);
  return { fee, royalties: royalty.map((share, index) => ({ account: share.account, units: shares[index] })), royalty: whole, seller: total - fee - whole };
}

// The split of an offer's quote when the collection's creator accepts it: a creator's own
// sale is a primary sale and pays no royalty (domain/nft/split.py), but an offer's quote,
// which cannot know who will accept it, counts one: the royalty goes back to the seller here.
export function asPrimary(quote, scale) {
  const units = (text) => toUnits(String(text), scale);
  const seller = units(quote.total) - units(quote.fee);
  return { ...quote, royalty: fromUnits(0n, scale), royalties: [], sellerReceives: fromUnits(seller, scale) };
}

// The rows of a confirmation dialog that show a sale's split, from a quote or a sale
// (api/rest_nft_trade.py split_json): what is paid, the platform's fee, each royalty
// receiver's share (named), and what the seller receives. `data-field`s name them for tests.
export function splitRows(split, session) {
  const currency = split.currency;
  const rows = [
    [t("nft.split.price"), priceText(split.price, currency), "price"],
    [t("nft.quantity"), countText(split.quantity), "quantity"],
    [t("nft.split.total"), priceText(split.total, currency), "total"],
    [split.feeBps !== undefined ? t("nft.split.feeRate", { rate: percentText(split.feeBps) }) : t("nft.split.fee"), priceText(split.fee, currency), "fee"],
  ];
  (split.royalties || []).forEach((share, index) => {
    rows.push([t("nft.split.royaltyTo", { account: accountText(share.account, session) }), priceText(share.amount, currency), `royalty-${index}`]);
  });
  rows.push([t("nft.split.seller"), priceText(split.sellerReceives, currency), "seller"]);
  return rows;
}

// ---- the server's clock ---------------------------------------------------------------

// Countdowns and a Dutch auction's price follow the server's clock (its sequencer decides
// when an auction ends), not the device's, which may be off by minutes.
let clockOffset = 0;
export async function syncClock() {
  try {
    const before = Date.now();
    const answer = await rest("GET", "/api/v3/time");
    const after = Date.now();
    clockOffset = answer.serverTime - Math.round((before + after) / 2);
  } catch (error) {
    clockOffset = 0; // the device's clock meanwhile
  }
}

export function serverNow() {
  return Date.now() + clockOffset;
}

// How long until `ms` (or since, when past): "2d 03:04:05" / "2일 03:04:05", "04:05".
export function durationText(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n) => String(n).padStart(2, "0");
  const hours = Math.floor((total % 86400) / 3600);
  const clock = `${pad(hours)}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  if (days) return t("nft.time.days", { days, clock });
  return clock;
}

// A countdown to `endMs`, redrawn every second by `startTicking`; `endedKey` is what it says
// once the time has come. role=timer: a screen reader reads it when asked, not every second.
export function countdown(endMs, { id, endedKey = "nft.time.ended", prefixKey = null } = {}) {
  const node = el("span", { id, class: "nft-countdown mono", role: "timer", dataset: { ends: String(endMs), endedKey, prefixKey: prefixKey || "" } });
  drawCountdown(node);
  return node;
}

function drawCountdown(node) {
  const left = Number(node.dataset.ends) - serverNow();
  if (left <= 0) {
    node.textContent = t(node.dataset.endedKey);
    node.classList.add("ended");
    return;
  }
  const clock = durationText(left);
  node.textContent = node.dataset.prefixKey ? t(node.dataset.prefixKey, { time: clock }) : clock;
}

const tickers = new Set();
let ticking = null;

// Every countdown on the page, and each `onTick(now)` added, once a second.
export function startTicking(onTick) {
  if (onTick) tickers.add(onTick);
  if (ticking) return;
  ticking = setInterval(() => {
    for (const node of document.querySelectorAll(".nft-countdown[data-ends]")) drawCountdown(node);
    const now = serverNow();
    for (const tick of tickers) tick(now);
  }, 1000);
}

// A Dutch auction's price per unit at `nowMs`, the engine's rule (domain/nft/trading.py
// dutch_price): a straight line from the start price to the end price, the fall rounded
// down (so the price is rounded up), in the currency's units.
export function dutchPriceUnits(auction, nowMs, scale) {
  const start = toUnits(auction.startPrice, scale);
  const end = toUnits(auction.endPrice, scale);
  const startsAt = BigInt(auction.startTime ?? auction.startAt);
  const endsAt = BigInt(auction.endTime ?? auction.endAt);
  const now = BigInt(Math.floor(nowMs));
  if (now <= startsAt) return start;
  if (now >= endsAt) return end;
  return start - ((start - end) * (now - startsAt)) / (endsAt - startsAt);
}

// ---- who -----------------------------------------------------------------------------

// An account as the marketplace shows it: "You" for the person's own, else its number.
export function accountText(account, session) {
  if (account === null || account === undefined) return "–";
  if (session && Number(account) === Number(session.userId)) return t("nft.you");
  return t("nft.account", { account });
}

// ---- refusals ------------------------------------------------------------------------

// The rules the server names after a refusal's text (api/rest_nft_trade.py appends the
// domain's rule that failed): the page says the same rule in the person's language.
const RULES = [
  [/royalties are at most 10/i, "nft.rule.royaltyTotal"],
  [/split between at most/i, "nft.rule.receivers"],
  [/each royalty receiver is named once/i, "nft.rule.receiverTwice"],
  [/royalty receiver is an account/i, "nft.rule.receiverAccount"],
  [/royaltySplits must sum/i, "nft.rule.splitsSum"],
  [/collection code is 3 to 32/i, "nft.rule.code"],
  [/collection's name is/i, "nft.rule.name"],
  [/listed fiat currency or coin/i, "nft.rule.currency"],
  [/ERC-721 item is unique/i, "nft.rule.unique"],
  [/token id is a whole number/i, "nft.rule.tokenId"],
  [/item's name is/i, "nft.rule.itemName"],
  [/each trait type appears once/i, "nft.rule.traitOnce"],
  [/trait types and values are/i, "nft.rule.traitLength"],
  [/a mint has 1 to/i, "nft.rule.mintCount"],
  [/at least a minute/i, "nft.rule.auctionMinute"],
  [/a drop starts now or later/i, "nft.rule.dropWindow"],
  [/within 90 days/i, "nft.rule.window"],
  [/buy-now price is at least/i, "nft.rule.buyNow"],
  [/Dutch auction's price falls/i, "nft.rule.dutchPrices"],
  [/only \d+ units are left/i, "nft.rule.unitsLeft"],
  [/a drop sells (1 to|at most)/i, "nft.rule.dropSize"],
  [/each lot names a different token id/i, "nft.rule.lots"],
];

// The words for a refusal of an NFT call: the rule the server named when it names one, the
// code's text otherwise (messages/errors.js); a short balance names the currency.
export function nftErrorText(error, details = {}) {
  if (error instanceof ApiError) {
    if (error.code === -7101 && error.status === 400) return t("nft.upload.empty");
    for (const [pattern, key] of RULES) {
      if (pattern.test(error.msg || "")) return t(key);
    }
  }
  return errorText(error, details);
}

// ---- small pieces ----------------------------------------------------------------------

export function verifiedBadge() {
  return el("span", { class: "nft-verified", title: t("nft.verified"), "aria-label": t("nft.verified"), role: "img" }, [el("span", { "aria-hidden": "true", text: "✓" })]);
}

// An item's image, or a plain tile saying there is none. `alt` names it for a screen reader
// ("" for an image beside the words that already name it).
export function itemImage(image, alt, className = "nft-media") {
  const src = mediaSrc(image);
  if (!src) {
    const tile = el("div", { class: `${className} nft-no-media` }, [el("span", { "aria-hidden": "true", text: "◆" })]);
    if (alt) {
      tile.setAttribute("role", "img");
      tile.setAttribute("aria-label", alt);
    }
    return tile;
  }
  return el("img", { class: className, src, alt, loading: "lazy", decoding: "async" });
}

export function traitText(trait) {
  const { type, value } = traitOf(trait);
  return `${type}: ${value}`;
}

// A card of an item in a grid: its image, name, token id, and its price or last sale.
export function itemCard(item, collection) {
  const href = `/nft/${encodeURIComponent(collection.code)}/${item.tokenId}`;
  const name = item.name || `#${item.tokenId}`;
  const price = item.price
    ? el("span", { class: "nft-card-price", text: priceText(item.price, collection.currency) })
    : el("span", { class: "nft-card-price muted", text: t("nft.item.notListed") });
  const last = item.lastSale ? item.lastSale.price : item.lastPrice;
  return el("li", { class: "nft-card", dataset: { tokenId: String(item.tokenId) } }, [
    el("a", { href, class: "nft-card-link" }, [
      itemImage(item.image, name, "nft-card-media"),
      el("span", { class: "nft-card-name", text: name }),
      el("span", { class: "nft-card-id muted mono", text: `#${item.tokenId}` }),
      price,
      item.auction ? el("span", { class: "badge nft-state-auction", text: t("nft.state.auction") }) : null,
      last ? el("span", { class: "nft-card-last muted", text: t("nft.item.lastSale", { price: priceText(last, collection.currency) }) }) : null,
    ]),
  ]);
}

// The kind of a sale or an activity, in words.
export function kindText(kind) {
  return t(`nft.kind.${String(kind || "").toLowerCase()}`);
}

export function dropKindText(kind) {
  return t(`nft.drop.kind.${kind}`);
}

export function dropStatusText(status) {
  return t(`nft.drop.status.${status}`);
}

// What an auction asks now, in one line: a Dutch auction's price of the moment, an English
// one's highest bid (or its start price before the first bid).
export function auctionPriceLine(auction) {
  if (auctionKind(auction) === "dutch") return t("nft.auction.priceNow", { price: priceText(auction.currentPrice ?? auction.priceNow, auction.currency) });
  if (auction.highestBid) return t("nft.auction.highest", { price: priceText(auction.highestBid, auction.currency) });
  return t("nft.auction.startsAt", { price: priceText(auction.startPrice, auction.currency) });
}

// Redraws with `draw()` and puts the keyboard's focus back on the control that had it (by its
// id): a page redrawn with new figures does not throw a keyboard user back to the top.
export function keepingFocus(draw) {
  const active = document.activeElement;
  const focused = active && active.id;
  const caret = active && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  draw();
  const again = focused && document.getElementById(focused);
  if (!again) return;
  again.focus({ preventScroll: true });
  if (caret && typeof again.setSelectionRange === "function" && again.value.length >= caret[1]) {
    try {
      again.setSelectionRange(caret[0], caret[1]);
    } catch (error) {
      // a field that takes no selection (a number field): the focus is enough
    }
  }
}

// Redraws with `draw()` keeping what was typed and chosen in the page's fields (by id) and
// the focus: a language switch rewrites the words, not the person's input.
export function keepingFields(draw) {
  const fields = [...document.querySelectorAll("#main input[id], #main select[id], #main textarea[id]")]
    .filter((field) => field.type !== "file")
    .map((field) => [field.id, field.type === "checkbox" || field.type === "radio" ? { checked: field.checked } : { value: field.value }]);
  keepingFocus(() => {
    draw();
    for (const [id, kept] of fields) {
      const field = document.getElementById(id);
      if (!field) continue;
      if ("checked" in kept) field.checked = kept.checked;
      else field.value = kept.value;
    }
  });
}

export function standardText(standard) {
  return String(standard).toLowerCase() === "erc1155" ? t("nft.standard.erc1155") : t("nft.standard.erc721");
}

// "n items" with the number grouped as the reader's language does.
export function countText(count) {
  return formatNumber(String(count ?? 0));
}

// The items a collection's page asks for at once (the next with the API's cursor).
export const PAGE_SIZE = 24;

// ---- uploading an image ------------------------------------------------------------------

// POST /api/v1/nft/media with the file's bytes as the body: the session's cookie and CSRF
// token authenticate it (lib/api.js sends query parameters only, so the body is sent here).
// Resolves to the server's {sha256, contentType, size, width, height, url}; a refusal is an
// ApiError like every other call's. The file's type and name are sent as the browser knows
// them: the server judges the bytes, and says when they disagree (a disguised file).
export async function uploadMedia(file, csrfToken) {
  const query = new URLSearchParams({ fileName: file.name.slice(0, 255) }).toString();
  let response;
  try {
    response = await fetch(`${NFT_API}/media?${query}`, {
      method: "POST",
      body: file,
      headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": csrfToken || "" },
      credentials: "same-origin",
    });
  } catch (error) {
    throw new ApiError(0, -1001, "The server cannot be reached.");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    throw new ApiError(response.status, -1000, text.slice(0, 200));
  }
  if (!response.ok) {
    // A body past the upload limit is refused by the server's transport before the media
    // endpoint sees it (Binance's -1101, "body too large"): to the person, a file too large.
    if (response.status === 413) throw new ApiError(413, -7100, (data && data.msg) || "too large");
    throw new ApiError(response.status, data && typeof data.code === "number" ? data.code : -1000, (data && data.msg) || `HTTP ${response.status}`);
  }
  return data;
}
