"""The result chart as a self-contained SVG string, drawn on the server for printed reports.

Same picture as the live chart (static/js/chart.js + static/css/common.css), without any
JavaScript: a diverging horizontal bar, disagreeing options growing left from a centre
line, agreeing options right, neutral straddling the centre half/half. Each half of the
bar is 100 % of its side: a segment is `share` % of a half wide, neutral `share / 2` % on
each side. Headlines "Disagree 27%" (left, red) and "Agree 64%" (right, blue); a segment
shows its rounded percentage when its share is at least 7 % and the text fits.

Percentages are rounded like JavaScript's Math.round (half up). The output is
deterministic, uses no external resources, no scripts and no ids (many charts can be
inlined in one page), and every user-visible text is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "'Liberation Sans', Arial, sans-serif"

INK = "#1a1d21"
MUTED = "#555d66"
WASH = "#f3f4f6"
LINE = "#d0d4da"
WHITE = "#ffffff"

# ColorBrewer RdBu, as in common.css; yes/no take the strong colours.
COLOURS: dict[str, str] = {
    "strongly_disagree": "#b2182b",
    "disagree": "#ef8a62",
    "neutral": "#bababa",
    "agree": "#67a9cf",
    "strongly_agree": "#2166ac",
    "no": "#b2182b",
    "yes": "#2166ac",
    "pass": "#bababa",
}
DISAGREE_COLOUR = COLOURS["strongly_disagree"]
AGREE_COLOUR = COLOURS["strongly_agree"]
DARK_TEXT_ON = frozenset({"disagree", "neutral", "agree", "pass"})  # light fills: ink text

LEFT, RIGHT, BOTH = "left", "right", "both"
SIDE: dict[str, str] = {
    "strongly_disagree": LEFT,
    "disagree": LEFT,
    "no": LEFT,
    "neutral": BOTH,
    "agree": RIGHT,
    "strongly_agree": RIGHT,
    "yes": RIGHT,
}

MIN_LABELLED_SHARE = 7.0
HEADLINE_SIZE = 13
VALUE_SIZE = 12
CAPTION_SIZE = 13
NOTE_SIZE = 12
LEGEND_SIZE = 12
HEADLINE_ROW = 20  # headline baseline area above the bar
BOTTOM_MARGIN = 4
MIN_BAR_HEIGHT = 12
CAPTION_SHARE = 0.3  # part of the width taken by the caption column, when there is one
CAPTION_GAP = 8
AXIS_WIDTH = 2
AXIS_OVERHANG = 3
BOLD_CHAR_WIDTH = 0.65  # rough average advance per character, in em
PLAIN_CHAR_WIDTH = 0.58  # generous: a caption is squeezed rather than run into the bar
LEGEND_CHAR_WIDTH = 0.52


@dataclass(frozen=True)
class _Box:
    """Where the bar goes, in user units."""

    x0: float
    x1: float
    y: float
    height: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def half(self) -> float:
        return (self.x1 - self.x0) / 2

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class _Segment:
    option: str
    side: str
    x: float
    width: float
    share: float


def js_round(value: float) -> int:
    """Math.round: halves round up (towards +infinity), unlike Python's round()."""
    return math.floor(value + 0.5)


def diverging_bar(
    options: Sequence[str],
    summary: Mapping[str, Any] | None,
    labels: Mapping[str, str],
    *,
    width: int = 640,
    height: int = 56,
    title: str = "",
    caption: str = "",
    too_few: str | None = None,
) -> str:
    """One result row as an <svg> element: headline, bar, percentages, centre axis, caption.

    `labels` maps option keys to display text, plus "disagree"/"agree"/"no"/"yes" for the
    headline. `title` and `caption` prefix the accessible text. With `too_few` (a
    translated message) the row shows only that message and none of the data.
    """
    box = _bar_box(width, height, bool(caption))
    parts = [_caption(caption, box)] if caption else []
    if too_few is not None:
        alt = _prefixed(title, caption, too_few)
        parts += [_background(box), _note(too_few, box)]
    else:
        percent = _percentages(options, summary)
        alt = _prefixed(title, caption, _summary_text(options, labels, percent))
        parts += _bar(options, labels, percent, box)
    return _svg(width, height, alt, parts)


def legend(options: Sequence[str], labels: Mapping[str, str]) -> str:
    """A one-line legend, a colour swatch and a label per option, to print once per page."""
    parts: list[str] = []
    x = 0.0
    names = [_label(labels, option) for option in options]
    for option, name in zip(options, names, strict=True):
        parts.append(_legend_item(option, name, x))
        x += 18 + _text_width(name, LEGEND_SIZE, LEGEND_CHAR_WIDTH) + 16
    width = max(1, math.ceil(x - 16))
    return _svg(width, 20, ", ".join(names), parts)


# -- the data --------------------------------------------------------------------------------


def _percentages(options: Sequence[str], summary: Mapping[str, Any] | None) -> dict[str, float]:
    """Share per option, or {} when there is nothing to draw (no summary, no opinion votes)."""
    if summary is None or _opinion_votes(summary) <= 0:
        return {}
    percent = summary.get("percent") or {}
    return {option: _share(percent.get(option)) for option in options}


def _opinion_votes(summary: Mapping[str, Any]) -> int:
    if "voters" in summary:
        return int(summary.get("voters") or 0) - int(summary.get("pass") or 0)
    return sum(int(n) for n in (summary.get("counts") or {}).values())


def _share(value: object) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return max(0.0, min(100.0, float(value)))


def _side_totals(options: Sequence[str], percent: Mapping[str, float]) -> tuple[float, float]:
    """(disagree, agree) shares, summed in option order as the browser does."""
    disagree = agree = 0.0
    for option in options:
        side = SIDE.get(option)
        if side == LEFT:
            disagree += percent.get(option, 0.0)
        elif side == RIGHT:
            agree += percent.get(option, 0.0)
    return disagree, agree


def _headlines(
    options: Sequence[str], labels: Mapping[str, str], percent: Mapping[str, float]
) -> tuple[str, str]:
    disagree, agree = _side_totals(options, percent)
    no_key, yes_key = ("no", "yes") if "no" in options else ("disagree", "agree")
    return (
        f"{_label(labels, no_key)} {_percent(labels, disagree)}",
        f"{_label(labels, yes_key)} {_percent(labels, agree)}",
    )


def _percent(labels: Mapping[str, str], share: float) -> str:
    """A percentage as the reader's language writes it: labels["percent"] is a pattern
    such as "{n} %" (French); "{n}%" when not given."""
    return labels.get("percent", "{n}%").format(n=js_round(share))


def _summary_text(options: Sequence[str], labels: Mapping[str, str], percent: Mapping[str, float]) -> str:
    """The text alternative: "Agree 64%, Disagree 27%, Neutral 9%"."""
    disagree, agree = _headlines(options, labels, percent)
    parts = [agree, disagree]
    neutral = [o for o in options if SIDE.get(o) == BOTH]
    parts += [f"{_label(labels, o)} {_percent(labels, percent.get(o, 0.0))}" for o in neutral]
    return ", ".join(parts)


def _prefixed(title: str, caption: str, text: str) -> str:
    prefix = " – ".join(part for part in (_clean(title), _clean(caption)) if part)
    return f"{prefix}: {text}" if prefix else text


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key) or key


# -- the geometry ----------------------------------------------------------------------------


def _bar_box(width: int, height: int, captioned: bool) -> _Box:
    x0 = round(width * CAPTION_SHARE) if captioned else 0
    bar_height = max(MIN_BAR_HEIGHT, height - HEADLINE_ROW - BOTTOM_MARGIN)
    return _Box(x0=float(x0), x1=float(width), y=float(HEADLINE_ROW), height=float(bar_height))


def _segments(options: Sequence[str], percent: Mapping[str, float], box: _Box) -> list[_Segment]:
    """Segments from the centre outwards: neutral's halves first, the extremes last."""
    left = [o for o in reversed(options) if SIDE.get(o) in (LEFT, BOTH)]
    right = [o for o in options if SIDE.get(o) in (RIGHT, BOTH)]
    return _half(left, percent, box, LEFT) + _half(right, percent, box, RIGHT)


def _half(order: Sequence[str], percent: Mapping[str, float], box: _Box, side: str) -> list[_Segment]:
    segments: list[_Segment] = []
    extent = 0.0  # distance from the centre reached so far; a half never overflows
    for option in order:
        share = percent.get(option, 0.0)
        part = share / 2 if SIDE[option] == BOTH else share
        reach = min(box.half, extent + part / 100 * box.half)
        if reach > extent:
            x = box.centre + extent if side == RIGHT else box.centre - reach
            segments.append(_Segment(option, SIDE[option], x, reach - extent, share))
        extent = reach
    return segments


def _text_width(text: str, size: float, char_width: float) -> float:
    return len(text) * char_width * size


def _fits(text: str, width: float, size: float) -> bool:
    return _text_width(text, size, BOLD_CHAR_WIDTH) + 4 <= width


# -- the drawing -----------------------------------------------------------------------------


def _bar(
    options: Sequence[str], labels: Mapping[str, str], percent: Mapping[str, float], box: _Box
) -> list[str]:
    segments = _segments(options, percent, box)
    disagree, agree = _headlines(options, labels, percent)
    values = [_value(s, box) for s in segments if s.side != BOTH and _labelled(s, s.width)]
    neutral = _neutral_value(segments, box)
    parts = [_headline(disagree, box.x0, "start", DISAGREE_COLOUR)]
    parts += [_headline(agree, box.x1, "end", AGREE_COLOUR), _background(box)]
    parts += [_rect(s, box) for s in segments]
    parts += _axis(box, gap=neutral is not None)
    return parts + values + ([neutral] if neutral else [])


def _labelled(segment: _Segment, width: float) -> bool:
    return segment.share >= MIN_LABELLED_SHARE and _fits(f"{js_round(segment.share)}%", width, VALUE_SIZE)


def _value(segment: _Segment, box: _Box) -> str:
    return _value_text(segment.option, segment.share, segment.x + segment.width / 2, box)


def _neutral_value(segments: Sequence[_Segment], box: _Box) -> str | None:
    """Neutral's percentage, centred on the axis (which is interrupted behind it)."""
    halves = [s for s in segments if s.side == BOTH]
    if not halves or not _labelled(halves[0], sum(s.width for s in halves)):
        return None
    return _value_text(halves[0].option, halves[0].share, box.centre, box)


def _value_text(option: str, share: float, x: float, box: _Box) -> str:
    fill = INK if option in DARK_TEXT_ON else WHITE
    return (
        f'<text x="{_num(x)}" y="{_num(_baseline(box.middle, VALUE_SIZE))}" text-anchor="middle" '
        f'font-size="{VALUE_SIZE}" font-weight="700" fill="{fill}">{js_round(share)}%</text>'
    )


def _headline(text: str, x: float, anchor: str, colour: str) -> str:
    return (
        f'<text x="{_num(x)}" y="{HEADLINE_ROW - 6}" text-anchor="{anchor}" font-size="{HEADLINE_SIZE}" '
        f'font-weight="700" fill="{colour}">{_text(text)}</text>'
    )


def _background(box: _Box) -> str:
    return (
        f'<rect x="{_num(box.x0 + 0.5)}" y="{_num(box.y + 0.5)}" width="{_num(box.x1 - box.x0 - 1)}" '
        f'height="{_num(box.height - 1)}" fill="{WASH}" stroke="{LINE}" stroke-width="1"/>'
    )


def _rect(segment: _Segment, box: _Box) -> str:
    return (
        f'<rect x="{_num(segment.x)}" y="{_num(box.y)}" width="{_num(segment.width)}" '
        f'height="{_num(box.height)}" fill="{COLOURS[segment.option]}" data-option="{segment.option}"/>'
    )


def _axis(box: _Box, *, gap: bool) -> list[str]:
    top, bottom = box.y - AXIS_OVERHANG, box.y + box.height + AXIS_OVERHANG
    if not gap:
        return [_axis_line(box.centre, top, bottom)]
    half_gap = VALUE_SIZE * 0.6
    return [
        _axis_line(box.centre, top, box.middle - half_gap),
        _axis_line(box.centre, box.middle + half_gap, bottom),
    ]


def _axis_line(x: float, y1: float, y2: float) -> str:
    return (
        f'<line x1="{_num(x)}" y1="{_num(y1)}" x2="{_num(x)}" y2="{_num(y2)}" '
        f'stroke="{INK}" stroke-width="{AXIS_WIDTH}" data-axis="centre"/>'
    )


def _caption(caption: str, box: _Box) -> str:
    available = box.x0 - CAPTION_GAP
    squeeze = ""
    if _text_width(_clean(caption), CAPTION_SIZE, PLAIN_CHAR_WIDTH) > available:
        squeeze = f' textLength="{_num(available)}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="0" y="{_num(_baseline(box.middle, CAPTION_SIZE))}" font-size="{CAPTION_SIZE}" '
        f'fill="{INK}"{squeeze}>{_text(caption)}</text>'
    )


def _note(message: str, box: _Box) -> str:
    return (
        f'<text x="{_num(box.centre)}" y="{_num(_baseline(box.middle, NOTE_SIZE))}" text-anchor="middle" '
        f'font-size="{NOTE_SIZE}" font-style="italic" fill="{MUTED}">{_text(message)}</text>'
    )


def _legend_item(option: str, name: str, x: float) -> str:
    colour = COLOURS.get(option, COLOURS["neutral"])
    return (
        f'<rect x="{_num(x)}" y="4" width="12" height="12" rx="2" fill="{colour}" data-option="{option}"/>'
        f'<text x="{_num(x + 18)}" y="14.5" font-size="{LEGEND_SIZE}" fill="{INK}">{_text(name)}</text>'
    )


def _svg(width: int, height: int, alt: str, parts: Sequence[str]) -> str:
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label={quoteattr(_clean(alt))} font-family="{FONT_FAMILY}">'
    )
    return head + f"<title>{_text(alt)}</title>" + "".join(parts) + "</svg>"


def _baseline(middle: float, size: float) -> float:
    """Baseline that centres digits and capitals vertically on `middle`."""
    return middle + size * 0.35


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clean(text: str) -> str:
    """One line of characters XML 1.0 can carry (no controls, no lone surrogates)."""
    kept = "".join(ch for ch in text if _xml_char(ch))
    return " ".join(kept.split())


def _xml_char(ch: str) -> bool:
    code = ord(ch)
    if code < 0x20:
        return ch in "\t\n\r"
    return not (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))


def _text(text: str) -> str:
    return escape(_clean(text))
