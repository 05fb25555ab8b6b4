// "Convert small balances": the balances too small to sell with an order of their own (under
// their market's minimum order or quantity), sold to the exchange for KRW at the last price
// less a 2 % service fee, as Binance and Upbit offer it. The panel lists what the exchange
// says can be converted (POST /sapi/v1/asset/dust-convert/query-convertible-assets), lets the
// person pick, asks once more, and converts (POST .../convert), all or none.
import { rest } from "./api.js";
import { fromUnits, toUnits } from "./decimal.js";
import { byId, clear, el } from "./dom.js";
import { errorText } from "./errors.js";
import { formatAsset, formatNumber, t, translate } from "./i18n.js";

export const DUST_TARGET = "KRW";
const QUERY = "/sapi/v1/asset/dust-convert/query-convertible-assets";
const CONVERT = "/sapi/v1/asset/dust-convert/convert";

// `container` receives the panel; `onConverted()` runs after a conversion (to reload balances).
export function createDustPanel(container, { precision, onConverted }) {
  let offer = null; // the last answer of the query
  let error = "";
  let message = "";
  let confirming = false;
  let busy = false;
  const chosen = new Set();

  const won = (text) => `${formatNumber(text, { decimals: 0, round: "down" })} ${DUST_TARGET}`;

  function picked() {
    return offer ? offer.details.filter((row) => chosen.has(row.asset)) : [];
  }

  // What the picked balances bring, after the fee: a sum of the exchange's own figures,
  // exact in the target's units.
  function total() {
    const scale = precision[DUST_TARGET] ?? 0;
    const units = picked().reduce((sum, row) => sum + (toUnits(row.toTargetAssetOffExchange, scale) ?? 0n), 0n);
    return fromUnits(units, scale);
  }

  function draw() {
    const panel = clear(container);
    panel.append(
      el("h2", { id: "dust-title", dataset: { i18n: "dust.title" } }),
      el("p", { class: "muted", id: "dust-explain", text: t("dust.explain", { fee: "2" }) }),
    );
    if (error) panel.append(el("p", { id: "dust-error", class: "form-message error", role: "alert", text: error }));
    if (message) panel.append(el("p", { id: "dust-message", class: "form-message", role: "status", text: message }));
    if (!offer) {
      panel.append(el("p", { class: "muted", text: t("common.loading") }));
    } else if (!offer.details.length) {
      panel.append(el("p", { id: "dust-none", class: "muted", text: t("dust.none") }));
    } else {
      panel.append(table(), actions());
    }
    translate(panel);
  }

  function table() {
    const rows = offer.details.map((row) =>
      el("tr", { dataset: { asset: row.asset } }, [
        el("td", {}, [
          el("input", {
            type: "checkbox",
            id: `dust-pick-${row.asset}`,
            checked: chosen.has(row.asset),
            disabled: busy || confirming,
            onchange: (event) => {
              if (event.target.checked) chosen.add(row.asset);
              else chosen.delete(row.asset);
              message = "";
              draw();
            },
          }),
          " ",
          el("label", { for: `dust-pick-${row.asset}`, text: row.asset }),
        ]),
        el("td", { class: "num dust-amount", text: formatAsset(row.amountFree, row.asset, precision[row.asset]) }),
        el("td", { class: "num dust-value", text: won(row.toTargetAssetAmount) }),
        el("td", { class: "num dust-fee", text: won(row.exchange) }),
        el("td", { class: "num dust-get", text: won(row.toTargetAssetOffExchange) }),
      ]),
    );
    return el("div", { class: "table-scroll" }, [
      el("table", { id: "dust-table", class: "portfolio-table" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { dataset: { i18n: "portfolio.asset" } }),
            el("th", { class: "num", dataset: { i18n: "portfolio.amount" } }),
            el("th", { class: "num", dataset: { i18n: "dust.value" } }),
            el("th", { class: "num", dataset: { i18n: "dust.fee" } }),
            el("th", { class: "num", dataset: { i18n: "dust.get" } }),
          ]),
        ]),
        el("tbody", {}, rows),
      ]),
    ]);
  }

  function actions() {
    const count = picked().length;
    const sum = won(total());
    if (confirming) {
      return el("div", { class: "dust-actions", id: "dust-confirm", role: "group", "aria-labelledby": "dust-confirm-text" }, [
        el("p", { id: "dust-confirm-text", text: t("dust.confirm", { count, total: sum }) }),
        el("button", { type: "button", id: "dust-back", class: "button", disabled: busy, onclick: () => { confirming = false; draw(); }, text: t("dust.back") }),
        " ",
        el("button", { type: "button", id: "dust-yes", class: "button primary", disabled: busy, onclick: convert, text: t("dust.yes") }),
      ]);
    }
    return el("div", { class: "dust-actions" }, [
      el("p", { id: "dust-total", class: "muted", text: t("dust.total", { total: sum }) }),
      el("button", {
        type: "button",
        id: "dust-convert",
        class: "button primary",
        disabled: !count || busy,
        onclick: () => { confirming = true; message = ""; draw(); byId("dust-yes").focus(); },
        text: t("dust.convert", { count }),
      }),
    ]);
  }

  async function convert() {
    busy = true;
    draw();
    try {
      const answer = await rest("POST", CONVERT, { asset: picked().map((row) => row.asset).join(","), targetAsset: DUST_TARGET });
      message = t("dust.done", { count: answer.transferResult.length, total: won(answer.totalTransfered) });
      error = "";
      chosen.clear();
      confirming = false;
      await onConverted();
      await load();
    } catch (failure) {
      error = errorText(failure);
      confirming = false;
    } finally {
      busy = false;
      draw();
    }
  }

  async function load() {
    try {
      offer = await rest("POST", QUERY, { targetAsset: DUST_TARGET });
      // Everything small is picked until the person says otherwise, as Binance's dialog does.
      for (const row of offer.details) chosen.add(row.asset);
      for (const asset of [...chosen]) if (!offer.details.some((row) => row.asset === asset)) chosen.delete(asset);
    } catch (failure) {
      error = errorText(failure);
    }
    draw();
  }

  draw();
  return { load, redraw: draw };
}
