// Compares what scope-lint (`check --format json`) and Spectral (`lint -f json`, with
// .spectral.yaml) found in the same names: findings per rule code, and the names on which they
// disagree. Usage: node compare.mjs SCOPE_LINT.json SPECTRAL.json
import { readFileSync } from "node:fs";

const [scopeLintFile, spectralFile] = process.argv.slice(2);
if (!scopeLintFile || !spectralFile) {
  console.error("usage: node compare.mjs SCOPE_LINT.json SPECTRAL.json");
  process.exit(2);
}

// One finding per (name, code) on both sides: scope-lint reports a rule once per name, Spectral
// once per rule and key.
const scopeLint = new Set(
  JSON.parse(readFileSync(scopeLintFile, "utf8")).map((d) => `${d.code}\u0000${d.name}`),
);
const spectral = new Set(
  JSON.parse(readFileSync(spectralFile, "utf8"))
    .filter((d) => /^SL\d{3}-/.test(String(d.code)))
    .map((d) => `${String(d.code).slice(0, 5)}\u0000${d.path[d.path.length - 1]}`),
);

const codes = new Map();
const count = (set, side) => {
  for (const key of set) {
    const code = key.slice(0, 5);
    const row = codes.get(code) ?? { scopeLint: 0, spectral: 0 };
    row[side] += 1;
    codes.set(code, row);
  }
};
count(scopeLint, "scopeLint");
count(spectral, "spectral");

console.log("code    scope-lint   spectral");
for (const code of [...codes.keys()].sort()) {
  const { scopeLint: a, spectral: b } = codes.get(code);
  const note = code.startsWith("SL2") ? "   (catalog-context rule, in-batch: no Spectral equivalent)" : a === b ? "" : "   DIFFERENT";
  console.log(`${code}  ${String(a).padStart(10)} ${String(b).padStart(10)}${note}`);
}

// Disagreements on the rules both have (SL0xx and SL1xx).
const shared = (key) => !key.startsWith("SL2") && !key.startsWith("SL3");
const onlyScopeLint = [...scopeLint].filter((k) => shared(k) && !spectral.has(k));
const onlySpectral = [...spectral].filter((k) => !scopeLint.has(k));
const show = (list) => list.slice(0, 10).map((k) => `    ${k.replace("\u0000", " ")}`).join("\n");
if (onlyScopeLint.length === 0 && onlySpectral.length === 0) {
  console.log("syntax and naming findings (SL0xx, SL1xx): identical, name by name");
} else {
  console.log(`only scope-lint: ${onlyScopeLint.length}\n${show(onlyScopeLint)}`);
  console.log(`only Spectral: ${onlySpectral.length}\n${show(onlySpectral)}`);
}
