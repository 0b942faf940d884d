// The page's translated texts, rendered by the server into <body data-text="…">.
export const text = JSON.parse(document.body.dataset.text || "{}");

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

// A statement in the page's language when it has a translation, else as written.
export function statementText(statement, language = document.documentElement.lang) {
  return (statement.translations && statement.translations[language]) || statement.text;
}

// Role names in the page's language where the event translates them (the state's
// role_labels: {"Burgemeester": {"fr": "Bourgmestre"}}); votes keep the role's own name.
// socket.js keeps the labels up to date from every state frame.
let roleLabels = {};

export function setRoleLabels(labels) {
  roleLabels = labels || {};
}

export function roleLabel(name, language = document.documentElement.lang) {
  return (name && roleLabels[name] && roleLabels[name][language]) || name;
}

const pageState = document.querySelector("[data-state]");
if (pageState) setRoleLabels(JSON.parse(pageState.dataset.state || "{}").role_labels);

// Numbers and percentages as the page's language writes them ("67 %" in French, "0,55" in Dutch).
const locale = document.documentElement.lang || "nl";
const percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });

export function percent(share) {
  return percentFormat.format(Math.round(share) / 100);
}

export function decimal(value) {
  return value === null || value === undefined ? "–" : decimalFormat.format(value);
}

export function readData(element, name) {
  const raw = element.dataset[name];
  return raw ? JSON.parse(raw) : null;
}
