// Fails when the English and Spanish catalogs differ in keys or in the {{placeholders}} of a message,
// or when a message is empty. Run by `npm run check` (tests/e2e/test_i18n_catalogs.py checks the same).
import { readFileSync } from "node:fs";

const dir = new URL("../src/lib/i18n/", import.meta.url);
const catalogs = Object.fromEntries(
  ["en", "es"].map((lang) => [lang, JSON.parse(readFileSync(new URL(`${lang}.json`, dir), "utf8"))]),
);

function flatten(node, prefix, out) {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else if (value && typeof value === "object" && !Array.isArray(value)) flatten(value, path, out);
    else out.set(path, null);
  }
  return out;
}

const placeholders = (text) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort().join(",");
const flat = Object.fromEntries(Object.entries(catalogs).map(([lang, tree]) => [lang, flatten(tree, "", new Map())]));
const problems = [];
for (const [lang, messages] of Object.entries(flat)) {
  for (const [key, text] of messages) {
    if (typeof text !== "string" || !text.trim()) problems.push(`${lang}: ${key} is not a non-empty string`);
  }
  for (const [other, otherMessages] of Object.entries(flat)) {
    if (other === lang) continue;
    for (const key of messages.keys()) {
      if (!otherMessages.has(key)) problems.push(`${other}.json lacks ${key} (present in ${lang}.json)`);
    }
  }
}
for (const [key, text] of flat.en) {
  const other = flat.es.get(key);
  if (typeof text === "string" && typeof other === "string" && placeholders(text) !== placeholders(other)) {
    problems.push(`${key}: placeholders differ: en {${placeholders(text)}} es {${placeholders(other)}}`);
  }
}
if (problems.length) {
  console.error(`i18n catalogs disagree:\n  ${[...new Set(problems)].join("\n  ")}`);
  process.exit(1);
}
console.log(`i18n catalogs agree: ${flat.en.size} messages in en and es`);
