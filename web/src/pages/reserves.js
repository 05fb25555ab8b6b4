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
// The published roots the page lists (the API's default; the server keeps more).
const HISTORY_LIMIT = 30;
const loaded = { root: null, proof: null, rootError: null, proofError: null, session: null, history: null, historyError: null };

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

// A moment as "2026-12-05 04:30:12", in UTC: the page gives every time of a proof in UTC
// (said beside it), so that it reads the same for everyone comparing it with the chain.
function utcTime(ms) {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

// The root's `reserves_read`: which chain, at which block the reserves were read (a line
// under the root's facts), or nothing when they were not read from a chain node.
function readLine(read) {
  if (!read || typeof read !== "object") return null;
  const vars = { network: String(read.network ?? "?"), chainId: String(read.chainId ?? "?"), block: String(read.block ?? "?") };
  const text = Number.isFinite(read.readAt) ? t("reserves.read", { ...vars, time: utcTime(read.readAt) }) : t("reserves.readNoTime", vars);
  return el("p", { id: "reserves-read", text });
}

function rootSection(root) {
  const precision = Object.fromEntries(root.assets.map((a) => [a.asset, a.precision]));
  const when = utcTime(Number(BigInt(root.as_of.time_us) / 1000n));
  return el("section", { id: "reserves-root", class: "info-section" }, [
    el("p", { id: "reserves-as-of", text: t("reserves.asOf", { time: when }) }),
    el("table", { class: "info-table", id: "reserves-facts" }, [
      el("tbody", {}, [
        el("tr", {}, [el("th", { scope: "row", text: t("reserves.hash") }), el("td", { id: "reserves-hash", class: "hash", text: root.hash })]),
        el("tr", {}, [el("th", { scope: "row", text: t("reserves.accounts") }), el("td", { id: "reserves-accounts", text: formatNumber(String(root.accounts)) })]),
      ]),
    ]),
    readLine(root.reserves_read),
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

// One history entry's ratios, "BTC: 101.25 %", for the assets with stated reserves.
function historyRatios(entry) {
  const owed = Object.fromEntries(entry.totals.map((total) => [total.asset, total.units]));
  const assets = Object.keys(entry.reserves || {}).filter((asset) => asset in owed).sort();
  if (assets.length === 0) return [el("span", { class: "muted", text: t("reserves.notStated") })];
  return assets.map((asset) => el("span", { class: "history-ratio", dataset: { asset }, text: `${asset}: ${ratio(entry.reserves[asset], owed[asset])}` }));
}

function historyRow(entry, currentHash) {
  const current = entry.hash === currentHash;
  const generated = Date.parse(entry.generated);
  return el("tr", { class: current ? "current" : null, dataset: { hash: entry.hash } }, [
    el("td", { class: "published", text: Number.isNaN(generated) ? String(entry.generated) : utcTime(generated) }),
    el("td", { class: "num seq", text: String(entry.as_of.seq) }),
    el("td", { class: "num accounts", text: formatNumber(String(entry.accounts)) }),
    // The whole hash is the cell's text (copied whole, found by the browser's search, read
    // whole by a screen reader); the style only cuts what is shown, the title shows it all.
    el("td", {}, [
      el("code", { class: "hash-short", title: entry.hash, text: entry.hash }),
      current ? el("span", { class: "badge history-current", text: t("reserves.current") }) : null,
    ]),
    el("td", { class: "ratios" }, historyRatios(entry)),
  ]);
}

// Every root published (the latest HISTORY_LIMIT), newest first: whoever kept a proof of
// an older build finds its root hash here.
function historySection() {
  let content;
  if (loaded.historyError) {
    content = el("p", { id: "reserves-history-error", class: "form-message error", text: t("reserves.historyFailed", { reason: errorText(loaded.historyError) }) });
  } else if (!loaded.history) {
    return null;
  } else if (loaded.history.length === 0) {
    content = el("p", { id: "reserves-history-none", class: "muted", text: t("reserves.historyNone") });
  } else {
    const currentHash = loaded.root ? loaded.root.hash : null;
    content = el("div", { class: "table-scroll" }, [
      el("table", { class: "info-table", id: "reserves-history-table", "aria-labelledby": "reserves-history-title" }, [
        el("thead", {}, [el("tr", {}, [
          el("th", { scope: "col", text: t("reserves.published") }),
          el("th", { scope: "col", class: "num", text: t("reserves.seq") }),
          el("th", { scope: "col", class: "num", text: t("reserves.accounts") }),
          el("th", { scope: "col", text: t("reserves.hash") }),
          el("th", { scope: "col", text: t("reserves.ratio") }),
        ])]),
        el("tbody", {}, loaded.history.map((entry) => historyRow(entry, currentHash))),
      ]),
    ]);
  }
  return el("section", { id: "reserves-history", class: "info-section" }, [
    el("h2", { id: "reserves-history-title", text: t("reserves.history") }),
    el("p", { text: t("reserves.historyIntro") }),
    content,
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
  body.push(historySection());
  const article = el("article", { id: "reserves-page", class: "info-page panel" }, body);
  clear(byId("main")).append(article);
  translate(article);
}

async function loadHistory() {
  try {
    loaded.history = await rest("GET", "/api/v1/proof-of-reserves/history", { limit: HISTORY_LIMIT });
  } catch (error) {
    loaded.historyError = error;
  }
}

async function load() {
  // The history is fetched beside the root: the current row is marked once both are here.
  const history = loadHistory();
  try {
    loaded.root = await rest("GET", "/api/v1/proof-of-reserves/root");
  } catch (error) {
    loaded.rootError = error;
  }
  await history;
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
