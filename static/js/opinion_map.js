// The opinion map: the dot drawing (shared with the projector) and the console's map view
// (GET /m/<code>/map.json, polled while the view is open; docs/protocol.md).
import { format } from "./text.js";

const SVG = "http://www.w3.org/2000/svg";
export const GROUP_COLOURS = ["#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#c2185b"];
const ROLE_COLOURS = ["#8c564b", "#2ca02c", "#e6ab02", "#17becf", "#9467bd", "#bcbd22", "#e377c2", "#7f7f7f"];
export const OUTSIDE = "#b7bdc5"; // not in a group: too few votes, or a group too small to show
const POLL_MS = 3000;

export function groupName(id) {
  return String.fromCharCode(65 + id); // A, B, C …
}

function node(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

// Dots on a square map (viewBox −1…1): points {x, y}, their colour from `colour(point)`,
// and a lettered marker at each group's centre. The scale fits the farthest point.
export function drawMap(svg, points, groups, colour) {
  svg.setAttribute("viewBox", "-1.12 -1.12 2.24 2.24");
  const far = Math.max(1e-9, ...points.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))));
  const at = (value) => (value / far).toFixed(4);
  const radius = points.length > 2000 ? 0.012 : points.length > 300 ? 0.02 : 0.035;
  const layer = node("g", { class: "dots" });
  for (const point of points) {
    layer.append(node("circle", { cx: at(point.x), cy: at(-point.y), r: radius, fill: colour(point) }));
  }
  const axes = node("g", { class: "axes" });
  axes.append(node("line", { x1: -1.1, y1: 0, x2: 1.1, y2: 0 }), node("line", { x1: 0, y1: -1.1, x2: 0, y2: 1.1 }));
  const labels = node("g", { class: "group-labels" });
  for (const group of groups) {
    const label = node("g", { transform: `translate(${at(group.x)} ${at(-group.y)})` });
    const letter = node("text", { "text-anchor": "middle", "dominant-baseline": "central" });
    letter.textContent = groupName(group.id);
    label.append(node("circle", { r: 0.08, fill: "#fff", stroke: GROUP_COLOURS[group.id % 5] }), letter);
    labels.append(label);
  }
  svg.replaceChildren(axes, layer, labels);
}

export function element(name, className, content) {
  const el = document.createElement(name);
  if (className) el.className = className;
  if (content !== undefined) el.textContent = content;
  return el;
}

const percent = new Intl.NumberFormat(document.documentElement.lang || "nl", { style: "percent", maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(document.documentElement.lang || "nl", { maximumFractionDigits: 2 });

// The console's map view: `root` is the [data-map-view] section, `send` the console's.
export function opinionMapView(root, { code, send, roleLabel }) {
  const t = JSON.parse(root.dataset.mapText || "{}");
  const svg = root.querySelector("[data-map-svg]");
  const details = root.querySelector("[data-map-details]");
  const status = root.querySelector("[data-map-status]");
  const legend = root.querySelector("[data-map-legend]");
  let data = null;
  let colourBy = "group";
  let timer = null;
  let showMap = false;

  const statementText = (id) => {
    const entry = data.texts[String(id)];
    if (!entry) return `#${id}`;
    const lang = document.documentElement.lang;
    return (entry.translations && entry.translations[lang]) || entry.text;
  };
  const roleName = (role) => (role ? roleLabel(role) : t.no_role);

  function colourOf(point) {
    if (colourBy === "role") {
      const index = data.role_order.indexOf(point.role);
      return index < 0 ? OUTSIDE : ROLE_COLOURS[index % ROLE_COLOURS.length];
    }
    return point.group === null ? OUTSIDE : GROUP_COLOURS[point.group % 5];
  }

  function renderLegend() {
    const entries = colourBy === "role"
      ? [...data.role_order.map((role, i) => [roleName(role), ROLE_COLOURS[i % ROLE_COLOURS.length]]), [t.no_role, OUTSIDE]]
      : [...data.groups.map((g) => [format(t.group, { name: groupName(g.id) }), GROUP_COLOURS[g.id % 5]]), [t.outside, OUTSIDE]];
    legend.replaceChildren(...entries.map(([label, colour]) => {
      const item = element("span", "legend-item", label);
      const swatch = element("span", "swatch");
      swatch.style.background = colour;
      item.prepend(swatch);
      return item;
    }));
  }

  function repLine(rep, who) {
    const item = element("li", `rep ${rep.direction}`);
    item.append(element("span", "rep-text", statementText(rep.statement)));
    const share = rep.n_trials ? rep.n_success / rep.n_trials : 0;
    const others = rep.repness > 0 ? rep.p_success / rep.repness : 0;
    item.append(element("span", "reading", format(rep.direction === "agree" ? t.rep_agree : t.rep_disagree, {
      who, pct: percent.format(share), n: rep.n_success, total: rep.n_trials, others: percent.format(others),
    })));
    return item;
  }

  function block(title, className) {
    const section = element("section", `map-block ${className || ""}`);
    section.append(element("h3", "", title));
    details.append(section);
    return section;
  }

  function topStatements(values, count) {
    return data.statements
      .map((s, i) => ({ id: s.statement, value: values[i] }))
      .filter((s) => s.value !== null)
      .sort((a, b) => b.value - a.value)
      .slice(0, count);
  }

  function scoreList(entries) {
    const list = element("ol", "scores");
    for (const entry of entries) {
      const item = element("li", "", statementText(entry.id));
      item.append(element("span", "reading", format(t.score, { value: decimal.format(entry.value) })));
      list.append(item);
    }
    return list;
  }

  function renderGroups() {
    const groups = block(t.groups_heading, "groups");
    for (const group of data.groups) {
      const card = element("article", "group-card");
      card.style.borderColor = GROUP_COLOURS[group.id % 5];
      const name = format(t.group, { name: groupName(group.id) });
      const head = element("h4", "", `${name} · ${format(t.people, { n: group.members })}`);
      if (group.members < data.role_minimum) head.append(element("span", "small-group", t.small_group));
      const reps = element("ul", "reps");
      reps.append(...group.representative.map((rep) => repLine(rep, name)));
      card.append(head, reps);
      groups.append(card);
    }
  }

  function renderConsensus() {
    const section = block(t.consensus_heading, "consensus");
    const sides = [["agree", t.everyone_agrees], ["disagree", t.everyone_disagrees]];
    const list = element("ul", "reps");
    for (const [side, template] of sides) {
      for (const c of data.consensus[side]) {
        const item = element("li", `rep ${side}`);
        item.append(element("span", "rep-text", statementText(c.statement)));
        item.append(element("span", "reading", format(template, {
          pct: percent.format(c.n_trials ? c.n_success / c.n_trials : 0), n: c.n_success, total: c.n_trials,
        })));
        list.append(item);
      }
    }
    if (!list.children.length) section.append(element("p", "hint", t.no_consensus));
    else section.append(list);
    if (data.groups.length) {
      section.append(element("h4", "", t.group_consensus));
      section.append(scoreList(topStatements(data.statements.map((s) => s.consensus_agree), 3)));
    }
  }

  function renderRoles() {
    const roles = data.roles;
    const section = block(t.roles_heading, "roles");
    if (!roles) {
      section.append(element("p", "hint", t.roles_none));
      return;
    }
    const ami = element("p", "ami");
    ami.append(element("strong", "", roles.ami === null ? "–" : format(t.ami, { value: decimal.format(roles.ami) })),
      document.createTextNode(` ${t.readings[roles.reading] || roles.reading}`));
    section.append(ami);
    section.append(element("h4", "", t.cross_role));
    section.append(scoreList(topStatements(roles.consensus_agree, 3)));
    section.append(element("h4", "", t.typical_heading));
    const list = element("ul", "reps");
    for (const role of roles.roles) {
      const rep = role.typical[0];
      if (!rep) continue;
      const who = `${roleName(role.role)} (${role.members})`;
      list.append(repLine(rep, who));
    }
    section.append(list);
  }

  function renderEmpty() {
    const message = data.status === "no_differences" ? t.no_differences
      : data.status === "computing" ? t.computing
      : format(t.not_enough, { participants: data.participants || 0, statements: data.statements_voted || 0 });
    details.append(element("p", "map-empty", message));
  }

  function render() {
    root.querySelector("[data-action=toggle-show-map]").setAttribute("aria-pressed", String(showMap));
    if (!data) return;
    details.replaceChildren();
    const ok = data.status === "ok";
    root.classList.toggle("map-ok", ok);
    status.textContent = ok
      ? format(t.summary, { participants: data.participants, analysed: data.in_analysis, groups: data.groups.length })
      : "";
    drawMap(svg, ok ? data.points : [], ok ? data.groups : [], colourOf);
    svg.setAttribute("aria-label", status.textContent || t.map_label);
    if (ok) {
      renderLegend();
      renderGroups();
      renderConsensus();
      renderRoles();
    } else {
      legend.replaceChildren();
      renderEmpty();
    }
  }

  async function poll() {
    const since = data && data.computed_at ? `?since=${data.computed_at}` : "";
    try {
      const response = await fetch(`/m/${code}/map.json${since}`, { credentials: "same-origin" });
      if (response.status === 200) {
        data = await response.json();
        render();
      } else if (response.status === 503 && !data) {
        data = { status: "computing" };
        render();
      }
    } catch (error) {
      console.warn("voting: map", error);
    }
  }

  function setOpen(open) {
    root.hidden = !open;
    document.body.classList.toggle("map-open", open);
    document.querySelectorAll("[data-action=toggle-map-view]").forEach((b) => b.setAttribute("aria-expanded", String(open)));
    clearInterval(timer);
    timer = null;
    if (open) {
      poll();
      timer = setInterval(() => { if (!document.hidden) poll(); }, POLL_MS);
    }
  }

  root.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-map-colour]");
    if (choice) {
      colourBy = choice.dataset.mapColour;
      root.querySelectorAll("[data-map-colour]").forEach((b) => b.setAttribute("aria-pressed", String(b === choice)));
      render();
    }
  });

  return {
    toggle: () => setOpen(root.hidden),
    toggleProjector: () => send({ type: "settings", show_map: !showMap }),
    update(state) {
      showMap = Boolean(state.show_map);
      document.querySelectorAll("[data-action=toggle-show-map]").forEach((b) => b.setAttribute("aria-pressed", String(showMap)));
    },
  };
}
