// The tokenized real-world assets (/assets): every token an issuer issues here
// (GET /api/v1/assets), what one token is, its supply against its attested reserve, and
// whether new tokens can be bought from the issuer now; each links its own page.
import { rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, onLanguageChange, t } from "../lib/i18n.js";
import { amountText, dataTable, kindText } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/issuance.js";

addMessages(messages);

const loaded = { tokens: null, error: null };

function subscription(token) {
  const sub = token.subscription;
  if (!sub) return t("rwa.terms.noSubscription");
  if (!sub.open) return t("rwa.terms.closed");
  return t("rwa.terms.perToken", { price: amountText(sub.price, sub.quote), asset: token.asset });
}

function tokenRow(token) {
  return el("tr", { dataset: { asset: token.asset } }, [
    el("th", { scope: "row" }, [el("a", { class: "market-link", href: `/assets/${token.asset}`, text: token.asset })]),
    el("td", { text: token.unit || "–" }),
    el("td", { text: kindText(token.kind) }),
    el("td", { class: "num token-supply", text: amountText(token.supply) }),
    el("td", { class: "num token-reserve", text: amountText(token.reserve) }),
    el("td", { class: "num token-headroom", text: amountText(token.headroom) }),
    el("td", { class: "token-subscription", text: subscription(token) }),
  ]);
}

function draw() {
  document.title = `${t("rwa.list.title")} · Assetport`;
  const body = [el("h1", { id: "info-title", text: t("rwa.list.title") }), el("p", { text: t("rwa.list.intro") })];
  if (loaded.error) {
    body.push(el("p", { id: "assets-error", class: "form-message error", text: t("rwa.loadFailed", { reason: errorText(loaded.error) }) }));
  } else if (!loaded.tokens) {
    body.push(el("p", { class: "muted", text: t("common.loading") }));
  } else if (loaded.tokens.length === 0) {
    body.push(el("p", { id: "assets-none", class: "muted", text: t("rwa.list.none") }));
  } else {
    const headings = [["rwa.list.token"], ["rwa.unit"], ["rwa.kind"], ["rwa.supply", true], ["rwa.reserve", true], ["rwa.headroom", true], ["rwa.terms.subscription"]];
    body.push(dataTable("assets-table", headings, loaded.tokens.map(tokenRow), "info-title"));
  }
  const article = el("article", { id: "assets-page", class: "info-page asset-page panel" }, body);
  clear(byId("main")).append(article);
}

async function load() {
  try {
    loaded.tokens = await rest("GET", "/api/v1/assets");
  } catch (error) {
    loaded.error = error;
  }
  draw();
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then(load);
