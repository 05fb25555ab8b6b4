// Finding a market the way a trader types it: the symbol ("BTCKRW"), the pair ("BTC/KRW",
// "btc-krw", "btc krw"), an asset's code ("GLD" finds KGLD) or its name in either language
// ("gold", "금", "비트코인"), and, as Korean exchanges allow, the initial consonants of a Korean
// name ("ㅂㅌ" finds 비트코인). Used by the markets page's filter and the trade page's switcher.
import { language } from "./i18n.js";

// Every name a person might type for the demo assets, the first of each language being the
// one a page shows. A listed asset missing here is still found by its code.
export const ASSET_NAMES = {
  KRW: { en: ["Korean won", "won"], ko: ["원화", "원"] },
  USDT: { en: ["Tether", "US dollar"], ko: ["테더", "달러"] },
  BTC: { en: ["Bitcoin"], ko: ["비트코인"] },
  ETH: { en: ["Ether", "Ethereum"], ko: ["이더리움", "이더"] },
  KGLD: { en: ["Tokenized gold", "Gold token", "gold"], ko: ["토큰화 금", "금 토큰", "금", "골드"] },
  KSLV: { en: ["Tokenized silver", "Silver token", "silver"], ko: ["토큰화 은", "은 토큰", "은", "실버"] },
  KCU: { en: ["Tokenized copper", "Copper token", "copper"], ko: ["토큰화 구리", "구리 토큰", "구리"] },
  KOIL: { en: ["Tokenized oil", "Oil token", "crude oil"], ko: ["토큰화 원유", "원유 토큰", "원유", "석유"] },
  KRE1: { en: ["Tokenized real estate", "Property share", "real estate", "building"], ko: ["토큰화 부동산", "부동산 지분", "부동산", "빌딩"] },
  KCO2: { en: ["Carbon credit", "Carbon token", "carbon", "CO2"], ko: ["탄소배출권", "탄소 토큰", "탄소", "배출권"] },
};

// The asset's name in the page's language (or `lang`); its code when it has none. The one
// table of names: the markets page, the trade page and the switcher all show these.
export function assetName(code, lang = language()) {
  return knownAssetName(code, lang) || code;
}

// The asset's name, or "" for an asset this table does not name (a row that shows the code
// already need not show it twice).
export function knownAssetName(code, lang = language()) {
  const names = ASSET_NAMES[code];
  return (names && names[lang] && names[lang][0]) || "";
}

// Case, spaces and Unicode composition do not matter: "금토큰" finds "금 토큰".
function squash(text) {
  return String(text).normalize("NFC").toLowerCase().replace(/\s+/g, "");
}

// Hangul syllables are composed from jamo: 588 syllables share each of 19 initial consonants.
const INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const FIRST_SYLLABLE = 0xac00;
const LAST_SYLLABLE = 0xd7a3;
const SYLLABLES_PER_INITIAL = 588;

function initialsOf(text) {
  let initials = "";
  for (const char of text) {
    const code = char.codePointAt(0);
    initials +=
      code >= FIRST_SYLLABLE && code <= LAST_SYLLABLE
        ? INITIALS[Math.floor((code - FIRST_SYLLABLE) / SYLLABLES_PER_INITIAL)]
        : char;
  }
  return initials;
}

const ONLY_INITIALS = new RegExp(`^[${INITIALS}]+$`);

function namesOf(code) {
  const names = ASSET_NAMES[code];
  return names ? [...names.en, ...names.ko].map(squash) : [];
}

// How well `term` (squashed) names the asset `code`: 0 its code, 1 the start of its code or
// of a name, 2 inside one, null not at all.
function assetRank(code, term) {
  const upper = term.toUpperCase();
  if (code === upper) return 0;
  let best = code.startsWith(upper) ? 1 : code.includes(upper) ? 2 : null;
  const useInitials = ONLY_INITIALS.test(term);
  for (const name of namesOf(code)) {
    const searched = useInitials ? initialsOf(name) : name;
    const rank = searched.startsWith(term) ? 1 : searched.includes(term) ? 2 : null;
    if (rank !== null && (best === null || rank < best)) best = rank;
  }
  return best;
}

function partsOf(market) {
  return {
    symbol: String(market.symbol).toUpperCase(),
    base: String(market.base ?? market.baseAsset).toUpperCase(),
    quote: String(market.quote ?? market.quoteAsset).toUpperCase(),
  };
}

// How well the query finds the market: a number, lower is better, or null for no match.
// "BTC/KRW" (or "-") names the base then the quote, either side possibly cut short ("BTC/"
// lists every BTC market); otherwise each word must find the market by its symbol, its base
// or its quote asset. The rank is the worst word's.
export function marketRank(market, query) {
  const { symbol, base, quote } = partsOf(market);
  const text = String(query || "").trim();
  if (!text) return 0;
  const pair = text.split(/\s*[/-]\s*/);
  if (pair.length === 2) {
    const [baseTerm, quoteTerm] = pair.map(squash);
    const baseRank = baseTerm ? assetRank(base, baseTerm) : 1;
    const quoteRank = quoteTerm ? assetRank(quote, quoteTerm) : 1;
    if (baseRank === null || quoteRank === null) return null;
    return Math.max(baseRank, quoteRank);
  }
  let worst = 0;
  for (const word of text.split(/\s+/).map(squash)) {
    const upper = word.toUpperCase();
    const symbolRank = symbol === upper ? 0 : symbol.startsWith(upper) ? 1 : symbol.includes(upper) ? 2 : null;
    const quoteRank = assetRank(quote, word);
    // A quote asset is shared by many markets: a market found by its quote ranks below one
    // found by its base.
    const ranks = [symbolRank, assetRank(base, word), quoteRank === null ? null : quoteRank + 1];
    const found = ranks.filter((rank) => rank !== null);
    if (!found.length) return null;
    worst = Math.max(worst, Math.min(...found));
  }
  return worst;
}

export function marketMatches(market, query) {
  return marketRank(market, query) !== null;
}

// The markets the query finds, best first; markets that rank alike keep their order.
export function searchMarkets(markets, query) {
  return markets
    .map((market, index) => ({ market, index, rank: marketRank(market, query) }))
    .filter((entry) => entry.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.market);
}
