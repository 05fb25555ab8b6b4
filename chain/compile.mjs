// Compiles every chain/contracts/*.sol with solc-js (standard JSON) and writes one artifact
// per contract to src/assetport/chain/artifacts/<Contract>.json (or to the folder given as
// the first argument, which scripts/contracts.sh uses to check the committed ones).
// The output is byte-identical across runs and folders: keys sorted, no paths of this
// machine, a trailing newline.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = join(here, "contracts");
const outDir = resolve(process.argv[2] ?? join(here, "..", "src", "assetport", "chain", "artifacts"));

// Must equal HARDFORK in src/assetport/chain/anvil.py: OpenZeppelin >= 5.5 emits `mcopy`,
// so the contracts need Cancun, and the node (and any chain they go to) must run it too.
const EVM_VERSION = "cancun";
const OPTIMIZER = { enabled: true, runs: 200 };
const OPENZEPPELIN = require("@openzeppelin/contracts/package.json").version;

const sources = {};
for (const file of readdirSync(contractsDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[file] = { content: readFileSync(join(contractsDir, file), "utf8") };
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: OPTIMIZER,
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), "utf8") };
  } catch (error) {
    return { error: `cannot resolve ${path}: ${error.message}` };
  }
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const message of output.errors ?? []) {
  console.error(message.formattedMessage);
}
if (errors.length > 0) {
  console.error(`compile.mjs: ${errors.length} compiler error(s)`);
  process.exit(1);
}

// Plain objects with their keys sorted at every level, so JSON.stringify is canonical.
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted(value[key])]),
    );
  }
  return value;
}

mkdirSync(outDir, { recursive: true });
const written = [];
for (const file of Object.keys(sources)) {
  for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
    const artifact = {
      contractName: name,
      abi: contract.abi,
      bytecode: `0x${contract.evm.bytecode.object}`,
      compiler: {
        solc: solc.version(),
        evmVersion: EVM_VERSION,
        optimizer: OPTIMIZER,
        openzeppelin: OPENZEPPELIN,
      },
    };
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(sorted(artifact), null, 2)}\n`);
    written.push(name);
  }
}
console.log(`compiled ${written.join(", ")} (solc ${solc.version()}, ${EVM_VERSION}) into ${outDir}`);
