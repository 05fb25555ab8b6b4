// The page for an address or a market that does not exist (served with status 404 by
// src/assetport/web/pages.py, already written in the browser's preferred language): redrawn
// in the language chosen on the site, with the usual header so the way on is at hand.
import { byId, clear, el } from "../lib/dom.js";
import { onLanguageChange, t } from "../lib/i18n.js";
import { page, startPage } from "../lib/layout.js";

const symbol = page.symbol || "";

function draw() {
  const heading = symbol ? t("notFound.marketTitle", { symbol }) : t("notFound.title");
  document.title = `${heading} · Assetport`;
  clear(byId("main")).append(
    el("section", { id: "not-found", class: "not-found panel" }, [
      el("h1", { text: heading }),
      el("p", { text: symbol ? t("notFound.marketText", { symbol }) : t("notFound.text") }),
      el("p", {}, [el("a", { id: "to-markets", class: "button primary", href: "/", text: t("notFound.toMarkets") })]),
    ]),
  );
}

draw();
onLanguageChange(draw);
startPage({ active: null });
