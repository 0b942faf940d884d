// The organiser's form: a live preview of the pasted list ("6 statements, 4 roles,
// French missing for 2") and the first line the server would refuse.
import { describe, parseList, parseRoles, problemText } from "./bilingual.js";

const form = document.querySelector("form[action=\"/admin/events\"]");
const preview = form.querySelector("[data-preview]");
const problem = form.querySelector("[data-preview-problem]");
const texts = JSON.parse(preview.dataset.bilingual);

function update() {
  const list = parseList(form.statements.value);
  const typed = parseRoles(form.roles.value);
  const roles = typed.length ? typed : list.roles; // the roles field wins over a `roles:` line
  const empty = !list.statements.length && !roles.length;
  preview.textContent = empty ? "" : describe(texts, list.statements, roles);
  problem.textContent = problemText(texts, [...list.statements, ...roles]);
  problem.hidden = !problem.textContent;
}

form.addEventListener("input", update);
update();
