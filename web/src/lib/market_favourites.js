// The markets a person starred, kept in this browser's localStorage (no account needed: a
// visitor has favourites too). Other tabs of the site learn of a change through the storage
// event, so a star set on one tab shows on the others without a reload.

const STORAGE_KEY = "assetport.favouriteMarkets";
const listeners = [];

function read() {
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
  } catch (error) {
    stored = null; // unreadable or private mode: start with none
  }
  return new Set(Array.isArray(stored) ? stored.filter((symbol) => typeof symbol === "string") : []);
}

let favourites = read();

function write() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...favourites]));
  } catch (error) {
    // private mode or storage full: the star holds for this page only
  }
}

export function isFavourite(symbol) {
  return favourites.has(symbol);
}

export function favouriteSymbols() {
  return new Set(favourites);
}

// Stars the market, or unstars it; returns whether it is a favourite now.
export function toggleFavourite(symbol) {
  if (favourites.has(symbol)) favourites.delete(symbol);
  else favourites.add(symbol);
  write();
  for (const listener of listeners) listener();
  return favourites.has(symbol);
}

// `listener()` runs after a change here or in another tab.
export function onFavouritesChange(listener) {
  listeners.push(listener);
}

window.addEventListener("storage", (event) => {
  if (event.key !== STORAGE_KEY && event.key !== null) return;
  favourites = read();
  for (const listener of listeners) listener();
});
