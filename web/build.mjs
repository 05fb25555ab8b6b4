// Bundles the pages (web/src/pages/*.js) and the style sheet into
// src/assetport/web/static, which the server serves under /static. `make web` runs this.
import { build } from "esbuild";
import { readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "assetport", "web", "static");
const pages = readdirSync(join(here, "src", "pages"))
  .filter((name) => name.endsWith(".js"))
  .map((name) => join(here, "src", "pages", name));

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [...pages, join(here, "src", "style.css")],
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2020"],
  logLevel: "warning",
});
// The server refuses to start the pages without this file: a missing build is named.
writeFileSync(join(out, "BUILT"), new Date().toISOString() + "\n");
