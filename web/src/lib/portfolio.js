// A portfolio in KRW: what each holding is worth now, what it cost on average and the profit
// or loss so far. Exact arithmetic on BigInt fixed-point values (SCALE decimals), never
// float: the figures come from the API's decimal strings and go back out as strings.
//
// Average cost is the moving average Korean exchanges show (Upbit's 매수평균가): a buy adds
// what it cost, fee included, and what it brought, fee excluded; a sale takes its share of
// the cost away at the average, leaving the average as it was. Only trades in the asset's
// KRW market count. What came in otherwise (the faucet, a deposit) has no known cost: it is
// valued, but left out of the profit and loss, and the page says so.
import { fromUnits, toUnits } from "./decimal.js";

export const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);
export const HOME = "KRW";

// "12.5" -> 12.5 at SCALE; null for anything that is not a plain non-negative decimal.
export function fixed(text) {
  const value = String(text).trim();
  const digits = value.includes(".") ? value.split(".")[1].length : 0;
  // Digits beyond SCALE cannot be kept exactly: cut them rather than refuse the figure.
  const kept = digits > SCALE ? value.slice(0, value.length - (digits - SCALE)) : value;
  return toUnits(kept, SCALE);
}

export function text(value) {
  return fromUnits(value, SCALE);
}

function mul(a, b) {
  return (a * b) / ONE;
}

function div(a, b) {
  return b === 0n ? 0n : (a * ONE) / b;
}

// The cost basis of one asset from its trades in one market (Binance myTrades rows of that
// market, any order): {quantity, cost} at SCALE, in the base asset and the quote asset.
export function costBasis(trades, base, quote) {
  const ordered = [...trades].sort((a, b) => a.time - b.time || a.id - b.id);
  let quantity = 0n;
  let cost = 0n;
  for (const trade of ordered) {
    const qty = fixed(trade.qty);
    const commission = fixed(trade.commission);
    if (trade.isBuyer) {
      quantity += qty - (trade.commissionAsset === base ? commission : 0n);
      cost += fixed(trade.quoteQty) + (trade.commissionAsset === quote ? commission : 0n);
    } else if (quantity > 0n) {
      const sold = qty < quantity ? qty : quantity;
      cost -= div(mul(cost, sold), quantity);
      quantity -= sold;
      if (quantity === 0n) cost = 0n;
    }
  }
  return { quantity, cost };
}

// What one unit of `asset` is worth in KRW at the last prices ({symbol: price string}),
// through its KRW market, or through a market that links it to an asset with a KRW price
// (USDT through BTCUSDT and BTCKRW); null when nothing prices it. A market that has not
// traded yet (last price 0) prices nothing.
export function homePrice(asset, markets, lastPrices) {
  if (asset === HOME) return ONE;
  const last = (market) => {
    const price = market && lastPrices[market.symbol] ? fixed(lastPrices[market.symbol]) : null;
    return price ? price : null;
  };
  const inHome = (code) => last(markets.find((m) => m.base === code && m.quote === HOME));
  const direct = inHome(asset);
  if (direct !== null) return direct;
  for (const m of markets) {
    // `asset` quotes a market whose base has a KRW price: one `asset` buys 1/last of it.
    if (m.quote === asset && last(m) !== null && inHome(m.base) !== null) return div(inHome(m.base), last(m));
    // `asset` is the base of a market whose quote has a KRW price.
    if (m.base === asset && m.quote !== HOME && last(m) !== null && inHome(m.quote) !== null) return mul(last(m), inHome(m.quote));
  }
  return null;
}

// One row per asset held: {asset, amount, price, value, averageCost, costed, profit,
// profitRate}, all at SCALE (price, value and profit in KRW; profitRate a fraction), null
// where unknown. `balances` are the account's ({asset, free, locked}); `bases` maps an asset
// to its cost basis (costBasis above) from its KRW market's trades.
export function holdings(balances, markets, lastPrices, bases) {
  const rows = [];
  for (const balance of balances) {
    const amount = fixed(balance.free) + fixed(balance.locked);
    if (amount === 0n) continue;
    const price = homePrice(balance.asset, markets, lastPrices);
    const value = price === null ? null : mul(amount, price);
    const basis = bases[balance.asset];
    let averageCost = null;
    let costed = 0n;
    let profit = null;
    let profitRate = null;
    if (basis && basis.quantity > 0n) {
      averageCost = div(basis.cost, basis.quantity);
      // Only what the trades explain has a cost: what is held beyond it came without one.
      costed = amount < basis.quantity ? amount : basis.quantity;
      const paid = mul(costed, averageCost);
      if (price !== null) {
        profit = mul(costed, price) - paid;
        profitRate = paid > 0n ? div(profit, paid) : null;
      }
    }
    rows.push({ asset: balance.asset, amount, price, value, averageCost, costed, profit, profitRate });
  }
  rows.sort(byValue);
  return rows;
}

// The largest value first; what has no price last; then by asset code.
function byValue(a, b) {
  const x = a.value ?? -1n;
  const y = b.value ?? -1n;
  if (x !== y) return x > y ? -1 : 1;
  return a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
}

// The totals of the rows: {value, profit, paid, profitRate}; value sums what has a price,
// profit and paid what has a cost.
export function totals(rows) {
  let value = 0n;
  let profit = 0n;
  let paid = 0n;
  for (const row of rows) {
    if (row.value !== null) value += row.value;
    if (row.profit !== null) {
      profit += row.profit;
      paid += mul(row.costed, row.averageCost);
    }
  }
  return { value, profit, paid, profitRate: paid > 0n ? div(profit, paid) : null };
}
