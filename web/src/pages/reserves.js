// The proof-of-reserves page: the published root (what users are owed per asset, the
// reserves stated beside it, their ratio) for anyone, and for a logged-in person their own
// balances in the tree with their proof, the root and the stand-alone verifier to download
// and run (docs/proof-of-reserves.md). The page checks nothing itself: the point is that the
// person checks with a program they can read, not with the operator's page.
import { rest } from "../lib/api.js";
import { byId, clear, el } from "../lib/dom.js";
import { errorText } from "../lib/errors.js";
import { addMessages, formatAsset, formatNumber, onLanguageChange, t, translate } from "../lib/i18n.js";
import { startPage } from "../lib/layout.js";
import messages from "../messages/reserves.js";

addMessages(messages);

const NOT_PUBLISHED = -7011;
const NOT_INCLUDED = -7012;
const loaded = { root: null, proof: null, rootError: null, proofError: null, session: null };

// A download of `data` as a JSON file, made in the page (nothing leaves the browser).
function jsonLink(id, key, name, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }));
  return el("a", { id, class: "button", href: url, download: name, text: t(key) });
}

function ratio(reserve, owed) {
  if (!reserve) return "–";
  const have = BigInt(reserve.units);
  const want = BigInt(owed);
  if (want === 0n) return "–";
  // Percent with two decimals, rounded down: exact on BigInt, never a float.
  const basis = (have * 10000n) / want;
  return `${formatNumber(`${basis / 100n}.${String(basis % 100n).padStart(2, "0")}`)} %`;
}

function rootSection(root) {
  const precision = Object.fromEntries(root.assets.map((a) => [a.asset, a.precision]));
  const when = new Date(Number(BigInt(root.as_of.time_us) / 1000n)).toISOString().replace("T", " ").slice(0, 19);
  return el("section", { id: "reserves-root", class: "info-section" }, [
    el("p", { id: "reserves-as-of", text: t("reserves.asOf", { time: when }) }),
    el("table", { class: "info-table", id: "reserves-facts" }, [
      el("tbody", {}, [
        el("tr", {}, [el("th", { scope: "row", text: t("reserves.hash") }), el("td", { id: "reserves-hash", class: "hash", text: root.hash })]),
        el("tr", {}, [el("th", { scope: "row", text: t("reserves.accounts") }), el("td", { id: "reserves-accounts", text: formatNumber(String(root.accounts)) })]),
      ]),
    ]),
    el("div", { class: "table-scroll" }, [
      el("table", { class: "info-table", id: "reserves-totals" }, [
        el("thead", {}, [el("tr", {}, [
          el("th", { scope: "col", text: t("reserves.asset") }),
          el("th", { scope: "col", class: "num", text: t("reserves.liabilities") }),
          el("th", { scope: "col", class: "num", text: t("reserves.reserves") }),
          el("th", { scope: "col", class: "num", text: t("reserves.ratio") }),
        ])]),
        el("tbody", {}, root.totals.map((total) => {
          const reserve = root.reserves[total.asset];
          return el("tr", { dataset: { asset: total.asset } }, [
            el("th", { scope: "row", text: total.asset }),
            el("td", { class: "num owed", text: formatAsset(total.amount, total.asset, precision[total.asset]) }),
            el("td", { class: "num stated", text: reserve ? formatAsset(reserve.total, total.asset, precision[total.asset]) : t("reserves.notStated") }),
            el("td", { class: "num ratio", text: ratio(reserve, total.units) }),
          ]);
        })),
      ]),
    ]),
  ]);
}

function mineSection() {
  if (!loaded.session) {
    return el("p", { id: "reserves-login" }, [t("reserves.login"), " ", el("a", { href: "/login?next=/proof-of-reserves", text: t("reserves.loginLink") })]);
  }
  if (loaded.proofError) {
    const code = loaded.proofError.code;
    const text = code === NOT_INCLUDED ? t("reserves.notIncluded") : errorText(loaded.proofError);
    return el("p", { id: "reserves-mine-error", class: code === NOT_INCLUDED ? "muted" : "form-message error", text });
  }
  if (!loaded.proof) return null;
  const proof = loaded.proof;
  const precision = Object.fromEntries(proof.root.assets.map((a) => [a.asset, a.precision]));
  return el("section", { id: "reserves-mine", class: "info-section" }, [
    el("h2", { text: t("reserves.yours") }),
    el("table", { class: "info-table", id: "reserves-balances" }, [
      el("tbody", {}, proof.leaf.balances.map((b) =>
        el("tr", { dataset: { asset: b.asset } }, [el("th", { scope: "row", text: b.asset }), el("td", { class: "num", text: formatAsset(b.amount, b.asset, precision[b.asset]) })]),
      )),
    ]),
    el("h2", { text: t("reserves.check") }),
    el("p", { text: t("reserves.steps") }),
    el("pre", { id: "reserves-command", class: "command", text: "python3 verify.py proof.json --root root.json" }),
    el("p", { class: "reserves-downloads" }, [
      jsonLink("reserves-proof-download", "reserves.downloadProof", "proof.json", proof),
      " ",
      jsonLink("reserves-root-download", "reserves.downloadRoot", "root.json", loaded.root),
      " ",
      el("a", { id: "reserves-verifier", class: "button", href: "/proof-of-reserves/verify.py", download: "verify.py", text: t("reserves.downloadVerifier") }),
    ]),
    el("p", { class: "muted", text: t("reserves.secret") }),
  ]);
}

function draw() {
  document.title = `${t("reserves.title")} · Assetport`;
  // The information pages' ids and classes: the footer's pages share their layout.
  const body = [
    el("h1", { id: "info-title", text: t("reserves.title") }),
    el("section", { class: "info-section", id: "reserves-intro" }, [el("p", { text: t("reserves.intro") })]),
  ];
  if (loaded.rootError) {
    const none = loaded.rootError.code === NOT_PUBLISHED;
    body.push(el("p", { id: none ? "reserves-none" : "reserves-error", class: none ? "muted" : "form-message error", text: none ? t("reserves.none") : t("reserves.loadFailed", { reason: errorText(loaded.rootError) }) }));
  } else if (loaded.root) {
    body.push(rootSection(loaded.root), mineSection());
  } else {
    body.push(el("p", { class: "muted", text: t("common.loading") }));
  }
  const article = el("article", { id: "reserves-page", class: "info-page panel" }, body);
  clear(byId("main")).append(article);
  translate(article);
}

async function load() {
  try {
    loaded.root = await rest("GET", "/api/v1/proof-of-reserves/root");
  } catch (error) {
    loaded.rootError = error;
  }
  if (loaded.root && loaded.session) {
    try {
      loaded.proof = await rest("GET", "/api/v1/proof-of-reserves/proof");
    } catch (error) {
      loaded.proofError = error;
    }
  }
  draw();
}

draw();
onLanguageChange(draw);
startPage({ active: null }).then((session) => {
  loaded.session = session;
  load();
});
