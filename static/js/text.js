// The page's translated texts, rendered by the server into <body data-text="…">.
export const text = JSON.parse(document.body.dataset.text || "{}");

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

export function readData(element, name) {
  const raw = element.dataset[name];
  return raw ? JSON.parse(raw) : null;
}
