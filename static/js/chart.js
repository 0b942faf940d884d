// The diverging result bar: disagreeing options grow to the left of the centre line,
// agreeing options to the right, neutral straddles it. Widths animate through CSS.
import { percent, roleLabel, text } from "./text.js";

const SIDE = {
  strongly_disagree: "left", disagree: "left", no: "left",
  neutral: "both",
  agree: "right", strongly_agree: "right", yes: "right",
};

function segment(option) {
  const element = document.createElement("div");
  element.className = `segment opt-${option}`;
  element.dataset.option = option;
  const label = document.createElement("span");
  element.append(label);
  return element;
}

function build(chart, options) {
  const left = chart.querySelector("[data-half=left]");
  const right = chart.querySelector("[data-half=right]");
  const legend = chart.querySelector("[data-legend]");
  left.replaceChildren();
  right.replaceChildren();
  legend.replaceChildren();
  // Both halves keep the scale's order from left to right: strongly disagree at the far
  // left, neutral on either side of the centre line, strongly agree at the far right.
  for (const option of options) {
    const side = SIDE[option];
    if (side === "left" || side === "both") left.append(segment(option));
    if (side === "right" || side === "both") right.append(segment(option));
    const item = document.createElement("li");
    item.className = `opt-${option}`;
    item.dataset.option = option;
    item.innerHTML = '<span class="swatch"></span><span class="name"></span> <strong class="pct"></strong>';
    item.querySelector(".name").textContent = text.options[option] || option;
    legend.append(item);
  }
  chart.dataset.options = options.join(",");
}

export function renderChart(chart, options, results) {
  if (chart.dataset.options !== options.join(",")) build(chart, options);
  const shares = results ? results.percent : {};
  // A percentage goes inside its segment only where it fits: the segment's final width
  // (share of half the bar) against the label's width at the segment's font size.
  const halfWidth = chart.querySelector("[data-bar]").clientWidth / 2;
  const fontSize = parseFloat(getComputedStyle(chart.querySelector(".segment") || chart).fontSize);
  const fits = (share, label) => (share / 100) * halfWidth >= label.length * 0.62 * fontSize + 8;
  let agree = 0;
  let disagree = 0;
  for (const option of options) {
    const share = shares[option] || 0;
    const side = SIDE[option];
    if (side === "left") disagree += share;
    if (side === "right") agree += share;
    const width = side === "both" ? share / 2 : share;
    for (const element of chart.querySelectorAll(`.segment[data-option=${option}]`)) {
      element.style.width = `${width}%`;
      const label = percent(share);
      element.querySelector("span").textContent = side !== "both" && fits(share, label) ? label : "";
    }
    const item = chart.querySelector(`li[data-option=${option}] .pct`);
    item.textContent = percent(share);
  }
  const headline = (side, label, share) => {
    chart.querySelector(`[data-side=${side}]`).textContent = `${label} ${percent(share)}`;
  };
  const hasNo = options.includes("no");
  headline("disagree", hasNo ? text.options.no : text.options.disagree, disagree);
  headline("agree", hasNo ? text.options.yes : text.options.agree, agree);
  chart.classList.toggle("empty", !results || results.voters === results.pass);
}

// A new, empty chart element (the same structure as templates/_chart.html), for pages
// that draw one chart per role or per round.
export function createChart(legend = true) {
  const chart = document.createElement("div");
  chart.className = "chart";
  chart.innerHTML =
    '<div class="chart-headline"><span class="chart-side chart-disagree" data-side="disagree"></span>' +
    '<span class="chart-side chart-agree" data-side="agree"></span></div>' +
    '<div class="chart-bar" data-bar><div class="chart-half chart-left" data-half="left"></div>' +
    '<div class="chart-axis"></div><div class="chart-half chart-right" data-half="right"></div></div>' +
    '<ul class="chart-legend" data-legend></ul>';
  chart.querySelector("[data-legend]").hidden = !legend;
  return chart;
}

// Which way a band leans, for its colour: the words say the rest.
const BAND_SIDE = {
  nearly_all_agree: "agree", most_agree: "agree", divided: "neutral",
  most_disagree: "disagree", nearly_all_disagree: "disagree", no_opinion: "neutral",
};

// One labelled chart per role. The room's split (voting/privacy.py) has roles shown on their
// own ({kind: "role"}) and one block for everybody else ({kind: "others"}), shown as words
// ("most agree") without a size; an empty split says why there is none. The moderator's
// exact split (entries marked private) says it is not for the room, and shows "too few
// votes" next to small groups.
export function renderRoleCharts(container, options, split, labels) {
  const rows = split.filter((entry) => entry.kind === "others" || entry.voters > 0).map((entry) => {
    const row = document.createElement("div");
    row.className = "role-row";
    const name = document.createElement("p");
    name.className = "role-name";
    row.append(name);
    if (entry.kind === "others") {
      row.classList.add("others");
      name.textContent = text.others_together || "";
      const words = document.createElement("p");
      words.className = `band band-${BAND_SIDE[entry.band] || "neutral"}`;
      words.dataset.band = entry.band;
      words.textContent = text[`band_${entry.band}`] || entry.band;
      row.append(words);
      return row;
    }
    row.dataset.role = entry.role === null ? "" : entry.role;
    name.textContent = `${entry.role === null ? labels.none : roleLabel(entry.role)} (${entry.voters})` +
      (entry.too_few && entry.results ? ` · ${labels.tooFew}` : "");
    if (entry.results) {
      const chart = createChart(false);
      row.append(chart);
      renderChart(chart, options, entry.results);
    } else {
      const note = document.createElement("p");
      note.className = "too-few";
      note.textContent = entry.voters ? labels.tooFew : "–";
      row.append(note);
    }
    return row;
  });
  if (split.some((entry) => entry.private)) {
    const note = document.createElement("p");
    note.className = "not-for-room";
    note.textContent = text.not_for_room || "";
    rows.unshift(note);
  }
  if (!split.length) {
    const note = document.createElement("p");
    note.className = "split-too-small";
    note.textContent = text.split_too_small || "";
    rows.push(note);
  }
  container.replaceChildren(...rows);
}
