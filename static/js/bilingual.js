// Lines with their translations after a bar, read as the server reads them (voting/models.py):
//   Meer camera's op pleinen. | fr: Plus de caméras sur les places. | en: More cameras on squares.
//   Burgemeester | fr: Bourgmestre | en: Mayor
// and the preview the organiser and the moderator see while typing:
//   "6 statements, 4 roles, French missing for 2".
import { format } from "./text.js";

export const LANGUAGES = ["nl", "fr", "en"];

// One line: its text, its translations, and the first thing wrong with it (or null).
export function parseLine(line) {
  const [original, ...others] = line.split(" | ");
  const item = { text: original.trim(), translations: {}, problem: null };
  for (const part of others) {
    const colon = part.indexOf(":");
    const language = colon < 0 ? "" : part.slice(0, colon).trim().toLowerCase();
    if (colon < 0) {
      item.problem = item.problem || { kind: "bad_line", line: line.trim().slice(0, 60) };
    } else if (!LANGUAGES.includes(language)) {
      item.problem = item.problem || { kind: "bad_language", language, line: line.trim().slice(0, 60) };
    } else if (part.slice(colon + 1).trim()) {
      item.translations[language] = part.slice(colon + 1).trim();
    }
  }
  return item;
}

// Roles: separated by commas or lines, each with its translations.
export function parseRoles(text) {
  return text.split(/[\n,]/).map((entry) => entry.trim()).filter(Boolean).map(parseLine);
}

// A pasted list: statements one per line (# comments and blank lines skipped) and an
// optional `roles:` line.
export function parseList(text) {
  const list = { statements: [], roles: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.toLowerCase().startsWith("roles:")) {
      list.roles = parseRoles(line.slice(6));
    } else {
      list.statements.push(parseLine(line));
    }
  }
  return list;
}

// The languages a room uses: every language some statement or role is translated into.
export function languagesUsed(items) {
  return LANGUAGES.filter((language) => items.some((item) => item.translations[language]));
}

// Per language in use, the items without it: {fr: [item, …]}.
export function missing(items, languages = languagesUsed(items)) {
  const found = {};
  for (const language of languages) {
    const lacking = items.filter((item) => !item.translations[language]);
    if (lacking.length) found[language] = lacking;
  }
  return found;
}

function count(texts, key, n) {
  return format(n === 1 ? texts[`${key}_one`] : texts[`${key}_other`], { n });
}

// "6 statements, 4 roles, French missing for 2" in the page's language (texts from the page).
export function describe(texts, statements, roles, languages) {
  const items = [...statements, ...roles];
  const parts = [count(texts, "statements", statements.length)];
  if (roles.length) parts.push(count(texts, "roles", roles.length));
  for (const [language, lacking] of Object.entries(missing(items, languages || languagesUsed(items)))) {
    parts.push(format(texts[`missing_${language}`], { n: lacking.length }));
  }
  return parts.join(", ");
}

// The first line the server would refuse, said as it would say it; "" when all are fine.
export function problemText(texts, items) {
  const wrong = items.find((item) => item.problem);
  if (!wrong) return "";
  return format(texts[wrong.problem.kind], wrong.problem);
}
