// The page's translated texts, rendered by the server into <body data-text="…">.
export const text = JSON.parse(document.body.dataset.text || "{}");

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

// A statement in the page's language when it has a translation, else as written.
export function statementText(statement, language = document.documentElement.lang) {
  return (statement.translations && statement.translations[language]) || statement.text;
}

export function readData(element, name) {
  const raw = element.dataset[name];
  return raw ? JSON.parse(raw) : null;
}
