// The console's roles editor and add box in a bilingual room: roles written with their
// translations (`Burgemeester | fr: Bourgmestre`), roles missing a language the room uses
// flagged, and a preview of the statements being added ("2 statements, French missing for 1").
import { describe, languagesUsed, missing, parseList, problemText } from "./bilingual.js";
import { format } from "./text.js";

function roleItems(state) {
  const labels = state.role_labels || {};
  return state.roles.map((name) => ({ text: name, translations: labels[name] || {} }));
}

function eventItems(state) {
  const statements = (state.statements || []).map((s) => ({ text: s.text, translations: s.translations || {} }));
  return [...statements, ...roleItems(state)];
}

function roleLines(state) {
  return roleItems(state).map((role) =>
    [role.text, ...Object.entries(role.translations).map(([code, name]) => `${code}: ${name}`)].join(" | "),
  ).join("\n");
}

export function bilingualConsole(main, { send }) {
  const rolesForm = main.querySelector("[data-roles-form]");
  const flags = rolesForm.querySelector("[data-roles-flags]");
  const addForm = main.querySelector("[data-add]");
  const preview = addForm.querySelector("[data-add-preview]");
  const problem = addForm.querySelector("[data-add-problem]");
  const texts = JSON.parse(preview.dataset.bilingual);
  let state = null;

  function renderFlags() {
    const lacking = missing(roleItems(state), languagesUsed(eventItems(state)));
    flags.textContent = Object.entries(lacking).map(([language, roles]) =>
      `${format(texts[`missing_${language}`], { n: roles.length })}: ${roles.map((r) => r.text).join(", ")}`,
    ).join(" · ");
    flags.hidden = !flags.textContent;
  }

  function renderPreview() {
    const list = parseList(addForm.texts.value);
    const languages = languagesUsed([...eventItems(state), ...list.statements]);
    preview.textContent = list.statements.length ? describe(texts, list.statements, [], languages) : "";
    problem.textContent = problemText(texts, list.statements);
    problem.hidden = !problem.textContent;
  }

  rolesForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const roles = rolesForm.roles.value.split(/[\n,]/).map((r) => r.trim()).filter(Boolean);
    send({ type: "roles", roles });
  });
  addForm.addEventListener("input", renderPreview);

  return {
    setState(next) {
      const lines = roleLines(next);
      // Roles saved here or from another console show up, unless the moderator is typing.
      if ((!state || roleLines(state) !== lines) && document.activeElement !== rolesForm.roles) {
        rolesForm.roles.value = lines;
      }
      state = next;
      renderFlags();
      renderPreview();
    },
  };
}
