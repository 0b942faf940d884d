// The opinion map on the projector, while the moderator shows it (state.show_map; off again
// on the next statement). Its data comes from GET /p/<code>/map.json, the room-safe map:
// no roles, no participant ids, no group below the privacy minimum described by itself.
// Dots are coloured by opinion group only, never by role.
import { GROUP_COLOURS, OUTSIDE, drawMap, element, groupName } from "./opinion_map.js";
import { format } from "./text.js";

const POLL_MS = 3000;
const LINES = 4; // statements on screen in all (2 groups: 2 each; 3–5 groups: 1 each)


export function projectorMap(main) {
  const screen = main.querySelector("[data-map-screen]");
  const t = JSON.parse(screen.dataset.mapText || "{}");
  const svg = screen.querySelector("[data-map-svg]");
  const beliefs = screen.querySelector("[data-map-beliefs]");
  const note = screen.querySelector("[data-map-note]");
  let data = null;
  let timer = null;
  let on = false;

  function statementText(id) {
    const entry = data.texts[String(id)];
    const lang = document.documentElement.lang;
    return entry ? (entry.translations && entry.translations[lang]) || entry.text : "";
  }

  function render() {
    const ok = Boolean(data && data.status === "ok" && data.groups.length);
    drawMap(svg, ok ? data.points : [], ok ? data.groups : [],
      (point) => (point.group === null ? OUTSIDE : GROUP_COLOURS[point.group % 5]));
    note.textContent = !data ? "" : ok ? t.how_to_read : t.not_yet;
    const each = ok ? Math.max(1, Math.min(3, Math.floor(LINES / data.groups.length))) : 0;
    beliefs.replaceChildren(...(ok ? data.groups : []).map((group) => {
      const item = element("li", "belief");
      item.style.setProperty("--group", GROUP_COLOURS[group.id % 5]);
      item.append(element("p", "belief-name", `${format(t.group, { name: groupName(group.id) })} · ${format(t.people, { n: group.members })}`));
      const list = element("ul", "belief-statements");
      for (const rep of group.representative.slice(0, each)) {
        const line = element("li", `belief-statement ${rep.direction}`);
        line.append(element("strong", "", rep.direction === "agree" ? t.agrees : t.disagrees), " ",
          element("span", "", statementText(rep.statement)));
        list.append(line);
      }
      item.append(list);
      return item;
    }));
  }

  async function poll() {
    try {
      const response = await fetch(`/p/${main.dataset.code}/map.json`, { credentials: "same-origin" });
      if (response.status === 200) {
        data = await response.json();
        if (on) render();
      }
    } catch (error) {
      console.warn("voting: map", error);
    }
  }

  return {
    render(state) {
      const wanted = Boolean(state.show_map && !state.ended);
      main.classList.toggle("map-on", wanted);
      screen.hidden = !wanted;
      if (wanted === on) return;
      on = wanted;
      clearInterval(timer);
      timer = null;
      if (on) {
        data = null;
        render();
        poll();
        timer = setInterval(poll, POLL_MS);
      }
    },
  };
}
