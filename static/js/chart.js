// The diverging result bar: disagreeing options grow to the left of the centre line,
// agreeing options to the right, neutral straddles it. Widths animate through CSS.
import { text } from "./text.js";

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
  // Left half is drawn from the centre outwards: its children are in reverse order.
  for (const option of options) {
    const side = SIDE[option];
    if (side === "left" || side === "both") left.prepend(segment(option));
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
  const percent = results ? results.percent : {};
  let agree = 0;
  let disagree = 0;
  for (const option of options) {
    const share = percent[option] || 0;
    const side = SIDE[option];
    if (side === "left") disagree += share;
    if (side === "right") agree += share;
    const width = side === "both" ? share / 2 : share;
    for (const element of chart.querySelectorAll(`.segment[data-option=${option}]`)) {
      element.style.width = `${width}%`;
      element.querySelector("span").textContent =
        side !== "both" && share >= 7 ? `${Math.round(share)}%` : "";
    }
    const item = chart.querySelector(`li[data-option=${option}] .pct`);
    item.textContent = `${Math.round(share)}%`;
  }
  const headline = (side, label, share) => {
    chart.querySelector(`[data-side=${side}]`).textContent = `${label} ${Math.round(share)}%`;
  };
  const hasNo = options.includes("no");
  headline("disagree", hasNo ? text.options.no : text.options.disagree, disagree);
  headline("agree", hasNo ? text.options.yes : text.options.agree, agree);
  chart.classList.toggle("empty", !results || results.voters === results.pass);
}
