// A retirement certificate (/assets/certificates/<id>), for anyone: which carbon credits were
// retired (burned for good), how many tonnes, on whose behalf and why, when, and the registry
// serial ranges they came from (GET /api/v1/assets/certificates/{id}).
import { rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatDateTime, onLanguageChange, t } from "../lib/i18n.js";
import { amountText, dataTable } from "../lib/issuance.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/issuance.js";

addMessages(messages);

const UNKNOWN_CERTIFICATE = -7079;
const id = (location.pathname.match(/^\/assets\/certificates\/(\d+)$/) || [])[1] || "";
const loaded = { certificate: null, error: null };

function row(key, value, rowId) {
  return el("tr", { id: rowId }, [el("th", { scope: "row", text: t(key) }), el("td", { text: value })]);
}

function facts(c) {
  return [
    el("table", { id: "certificate-table", class: "info-table" }, [
      el("tbody", {}, [
        row("rwa.certificates.id", `#${c.certificateId}`, "certificate-id"),
        row("rwa.certificate.asset", c.asset, "certificate-asset"),
        row("rwa.certificate.amount", amountText(c.amount, c.asset), "certificate-amount"),
        row("rwa.retire.beneficiary", c.beneficiary, "certificate-beneficiary"),
        row("rwa.retire.purpose", c.purpose || "–", "certificate-purpose"),
        row("rwa.certificate.time", formatDateTime(c.time), "certificate-time"),
      ]),
    ]),
    el("h2", { id: "certificate-serials-title", text: t("rwa.certificate.serials") }),
    dataTable("certificate-serials", [["rwa.lots.serial"], ["rwa.certificate.amount", true]], c.serials.map((s) => el("tr", {}, [el("td", { class: "mono", text: s.serial }), el("td", { class: "num", text: amountText(s.amount, c.asset) })])), "certificate-serials-title"),
    el("p", {}, [el("a", { id: "certificate-asset-link", href: `/assets/${c.asset}`, text: t("rwa.certificate.assetLink", { asset: c.asset }) })]),
  ];
}

function draw() {
  const heading = t("rwa.certificate.title", { id });
  document.title = `${heading} · Assetport`;
  const body = [el("h1", { id: "info-title", text: heading }), el("p", { class: "muted", text: t("rwa.certificate.intro") })];
  if (loaded.error) {
    const unknown = loaded.error.code === UNKNOWN_CERTIFICATE;
    body.push(el("p", { id: unknown ? "certificate-none" : "certificate-error", class: unknown ? "muted" : "form-message error", text: errorText(loaded.error) }));
  } else if (loaded.certificate) {
    body.push(...facts(loaded.certificate));
  } else {
    body.push(el("p", { class: "muted", text: t("common.loading") }));
  }
  clear(byId("main")).append(el("article", { id: "certificate-page", class: "info-page asset-page panel" }, body));
}

async function load() {
  try {
    loaded.certificate = await rest("GET", `/api/v1/assets/certificates/${id}`);
  } catch (error) {
    loaded.error = error;
  }
  draw();
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then(load);
