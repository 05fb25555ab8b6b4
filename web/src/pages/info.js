// The information pages, one script for all (the server serves each address with this
// page; the path says which): /help, /fees, /api-guide, /terms, /risk-disclosure, /sandbox
// (the sandbox explainer); a token's page, /assets/<CODE>, is pages/asset.js. Texts are in
// messages/info.js; what the exchange itself knows (its markets, fee rates) is read from the
// API, never written into the page.
import { rest } from "../lib/api.js";
import { fromUnits, toUnits, trim } from "../lib/decimal.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatNumber, language, onLanguageChange, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import { TERMS_VERSION } from "../lib/welcome.js";
import messages, { PAGES } from "../messages/info.js";

addMessages(messages);

const TOPICS = {
  "/help": "help",
  "/fees": "fees",
  "/api-guide": "api",
  "/terms": "terms",
  "/risk-disclosure": "risk",
  "/sandbox": "sandbox",
};

const topic = TOPICS[location.pathname] || "help";
// What the page read from the API, kept so a language switch redraws without asking again.
const loaded = { markets: null, rates: null, error: null };
let session = null;

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

function vars() {
  return { origin: location.origin, wsOrigin: location.origin.replace(/^http/, "ws") };
}

function title() {
  return t(`info.${topic}`);
}

function sections() {
  const values = vars();
  const body = PAGES[language()][topic];
  return body.map(([heading, ...paragraphs], index) =>
    el("section", { class: "info-section", id: `${topic}-section-${index + 1}` }, [
      el("h2", { text: fill(heading, values) }),
      ...paragraphs.map((paragraph) =>
        Array.isArray(paragraph)
          ? el("ul", {}, paragraph.map((item) => el("li", { text: fill(item, values) })))
          : el("p", { text: fill(paragraph, values) }),
      ),
    ]),
  );
}

// The page's sections, with the fee table right after the one that introduces it.
function bodyWithData() {
  const body = sections();
  if (topic === "fees") body.splice(2, 0, feeTable());
  return body;
}

function draw() {
  const heading = title();
  document.title = `${heading} · Assetport`;
  const article = el("article", { id: "info-page", class: "info-page panel", dataset: { topic } }, [
    el("h1", { id: "info-title", text: heading }),
    topic === "terms" || topic === "risk" ? el("p", { id: "terms-version", class: "muted", text: t("info.updated", { version: TERMS_VERSION }) }) : null,
    ...bodyWithData(),
    topic === "api" ? el("p", {}, [el("a", { id: "api-reference", class: "button", href: "/docs", text: "/docs" })]) : null,
  ]);
  clear(byId("main")).append(article);
  translate(article);
}

// Every market with the maker and taker fee this account pays in it (GET
// /api/v3/account/commission, the rate the engine settles by). A visitor sees the markets'
// standard rates, and that an account may have rates of its own.
function feeTable() {
  if (loaded.error) return el("p", { id: "fees-error", class: "form-message error", text: loaded.error });
  if (!loaded.markets) return el("p", { class: "muted", text: t("fees.loading") });
  const rows = loaded.markets.map((market) => {
    const rates = loaded.rates && loaded.rates[market.symbol];
    return el("tr", { dataset: { symbol: market.symbol } }, [
      el("th", { scope: "row", text: `${market.baseAsset}/${market.quoteAsset}` }),
      el("td", { class: "num fee-maker", text: rates ? percent(rates.maker) : "–" }),
      el("td", { class: "num fee-taker", text: rates ? percent(rates.taker) : "–" }),
    ]);
  });
  return el("div", { class: "fees-block" }, [
    session
      ? el("p", { id: "fees-note", text: t("fees.yours") })
      : el("p", { id: "fees-note" }, [t("fees.visitor"), " ", el("a", { id: "fees-login", href: "/login?next=/fees", text: t("fees.loginLink") })]),
    el("div", { class: "table-scroll" }, [
      el("table", { id: "fees-table", class: "info-table" }, [
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: t("fees.market") }), el("th", { scope: "col", class: "num", text: t("fees.maker") }), el("th", { scope: "col", class: "num", text: t("fees.taker") })])]),
        el("tbody", {}, rows),
      ]),
    ]),
  ]);
}

// The markets' standard rates, which the server writes into the page for a visitor
// ({symbol: [maker, taker]} in basis points; one basis point is 10,000 units of 1e-8).
function standardRates() {
  const given = JSON.parse(document.body.dataset.marketFees || "{}");
  return Object.fromEntries(
    Object.entries(given).map(([symbol, [maker, taker]]) => [symbol, { maker: BigInt(maker) * 10000n, taker: BigInt(taker) * 10000n }]),
  );
}

// Binance's effective rate of a market, as a fraction in units of 1e-8: the standard,
// special and tax parts of GET /api/v3/account/commission added.
function rateUnits(answer, side) {
  const parts = [answer.standardCommission, answer.specialCommission, answer.taxCommission].filter(Boolean);
  return parts.reduce((sum, part) => sum + (toUnits(part[side], 8) ?? 0n), 0n);
}

// A rate in units of 1e-8 as a percentage ("0.05 %"), exactly: the digits shifted two places.
function percent(units) {
  return `${formatNumber(trim(fromUnits(units, 6)))} %`;
}

async function load() {
  if (topic !== "fees") return;
  try {
    const info = await rest("GET", "/api/v3/exchangeInfo");
    loaded.markets = info.symbols;
    if (session) {
      const answers = await Promise.all(
        loaded.markets.map((market) => rest("GET", "/api/v3/account/commission", { symbol: market.symbol })),
      );
      loaded.rates = Object.fromEntries(answers.map((answer) => [answer.symbol, { maker: rateUnits(answer, "maker"), taker: rateUnits(answer, "taker") }]));
    } else {
      loaded.rates = standardRates();
    }
  } catch (error) {
    loaded.error = errorText(error);
  }
  draw();
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then((found) => {
  session = found;
  load();
});
