from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from voting.models import PASS, SCALES
from voting.results import summarize
from voting.svg import COLOURS, diverging_bar, js_round, legend

NS = "{http://www.w3.org/2000/svg}"
LIKERT = SCALES["likert5"].options
AGREE3 = SCALES["agree3"].options
YESNO = SCALES["yesno"].options
LABELS = {
    "strongly_disagree": "Helemaal oneens",
    "disagree": "Oneens",
    "neutral": "Neutraal",
    "agree": "Eens",
    "strongly_agree": "Helemaal eens",
    "no": "Nee",
    "yes": "Ja",
    PASS: "Geen mening",
}
PALETTE = set(COLOURS.values())


def likert_summary() -> dict[str, Any]:
    """11 votes: percents 9.1 / 18.2 / 9.1 / 36.4 / 27.3 (plus two passes)."""
    counts = {"strongly_disagree": 1, "disagree": 2, "neutral": 1, "agree": 4, "strongly_agree": 3}
    return summarize(SCALES["likert5"], {**counts, PASS: 2})


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def segments(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{NS}rect") if rect.get("data-option")]


def geometry(root: ET.Element) -> list[tuple[str, float, float]]:
    """(option, x, width) of every segment, ordered left to right."""
    found = [
        (r.get("data-option", ""), float(r.get("x", "")), float(r.get("width", ""))) for r in segments(root)
    ]
    return sorted(found, key=lambda item: item[1])


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{NS}text")]


def percent_texts(root: ET.Element) -> list[str]:
    return [t for t in texts(root) if t.endswith("%") and t[:-1].isdigit()]


def test_the_known_summary_really_has_the_documented_percentages() -> None:
    assert list(likert_summary()["percent"].values()) == [9.1, 18.2, 9.1, 36.4, 27.3]


def test_segment_widths_are_shares_of_each_half_growing_from_the_centre() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS))  # bar 0..640, centre 320, half 320
    expected = [
        # left half, 320 wide: strongly disagree, disagree, then half of neutral next to the centre
        ("strongly_disagree", 320 - 3.2 * (18.2 + 9.1 + 4.55), 3.2 * 9.1),
        ("disagree", 320 - 3.2 * (18.2 + 4.55), 3.2 * 18.2),
        ("neutral", 320 - 3.2 * 4.55, 3.2 * 4.55),
        # right half: the other half of neutral from the centre, then agree, strongly agree
        ("neutral", 320, 3.2 * 4.55),
        ("agree", 320 + 3.2 * 4.55, 3.2 * 36.4),
        ("strongly_agree", 320 + 3.2 * (4.55 + 36.4), 3.2 * 27.3),
    ]
    actual = geometry(root)
    assert [option for option, _, _ in actual] == [option for option, _, _ in expected]
    for (_, x, width), (_, want_x, want_width) in zip(actual, expected, strict=True):
        assert x == pytest.approx(want_x, abs=0.1)
        assert width == pytest.approx(want_width, abs=0.1)
    assert [(round(x, 1), round(w, 1)) for _, x, w in actual[:3]] == [
        (218.1, 29.1),
        (247.2, 58.2),
        (305.4, 14.6),
    ]


def test_a_caption_takes_a_column_on_the_left_and_the_bar_keeps_its_proportions() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS, caption="Burgemeester (12)"))
    # caption column: 30 % of 640 = 192; the bar runs 192..640, centre 416, half 224
    background = next(r for r in root.iter(f"{NS}rect") if not r.get("data-option"))
    assert float(background.get("x", "")) == pytest.approx(192, abs=1)
    by_option = {(option, x >= 416): (x, w) for option, x, w in geometry(root)}
    assert by_option[("agree", True)] == pytest.approx((416 + 2.24 * 4.55, 2.24 * 36.4), abs=0.1)
    assert by_option[("strongly_disagree", False)] == pytest.approx(
        (416 - 2.24 * (9.1 + 18.2 + 4.55), 2.24 * 9.1), abs=0.1
    )
    caption = next(t for t in root.iter(f"{NS}text") if t.text == "Burgemeester (12)")
    assert caption.get("x") == "0"


def test_segments_take_the_palette_colour_of_their_option() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS))
    colours = {r.get("data-option"): r.get("fill") for r in segments(root)}
    assert colours == {
        "strongly_disagree": "#b2182b",
        "disagree": "#ef8a62",
        "neutral": "#bababa",
        "agree": "#67a9cf",
        "strongly_agree": "#2166ac",
    }


def test_headlines_use_the_labels_and_round_like_javascript() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS))
    headlines = {t.get("fill"): t.text for t in root.iter(f"{NS}text") if t.get("font-size") == "13"}
    assert headlines == {"#b2182b": "Oneens 27%", "#2166ac": "Eens 64%"}
    left = next(t for t in root.iter(f"{NS}text") if t.text == "Oneens 27%")
    right = next(t for t in root.iter(f"{NS}text") if t.text == "Eens 64%")
    assert left.get("text-anchor") == "start" and right.get("text-anchor") == "end"


def test_math_round_rounds_halves_up() -> None:
    assert [js_round(v) for v in (0.5, 1.5, 2.5, 64.5, 27.3, 0.49, 99.95)] == [1, 2, 3, 65, 27, 0, 100]
    summary = {"voters": 4, "pass": 0, "percent": {"agree": 32.25, "strongly_agree": 32.25, "neutral": 35.5}}
    root = parse(diverging_bar(LIKERT, summary, LABELS))
    assert "Eens 65%" in texts(root)  # Python's round() would say 64


def test_percentages_inside_segments_from_seven_percent() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS))
    assert sorted(percent_texts(root)) == sorted(["9%", "18%", "9%", "36%", "27%"])
    neutral = [t for t in root.iter(f"{NS}text") if t.text == "9%" and t.get("fill") == "#1a1d21"]
    assert [t.get("x") for t in neutral] == ["320"]  # neutral's value sits on the centre line
    small = {"voters": 20, "pass": 0, "percent": {"disagree": 5.0, "neutral": 50.0, "agree": 45.0}}
    shown = percent_texts(parse(diverging_bar(AGREE3, small, LABELS)))
    assert sorted(shown) == ["45%", "50%"]  # 5 % is drawn but not labelled


def test_value_text_is_centred_in_its_segment_with_readable_contrast() -> None:
    root = parse(diverging_bar(LIKERT, likert_summary(), LABELS))
    value = next(t for t in root.iter(f"{NS}text") if t.text == "36%")
    assert float(value.get("x", "")) == pytest.approx(320 + 3.2 * 4.55 + 3.2 * 36.4 / 2, abs=0.1)
    assert value.get("fill") == "#1a1d21"  # ink on the light blue
    strong = next(t for t in root.iter(f"{NS}text") if t.text == "27%")
    assert strong.get("fill") == "#ffffff"  # white on the dark blue


def test_yes_no_scale() -> None:
    summary = summarize(SCALES["yesno"], {"no": 1, "yes": 2})
    root = parse(diverging_bar(YESNO, summary, LABELS))
    (no, no_x, no_width), (yes, yes_x, yes_width) = geometry(root)
    assert (no, yes) == ("no", "yes")
    assert (no_x, no_width) == pytest.approx((320 - 3.2 * 33.3, 3.2 * 33.3), abs=0.1)
    assert (yes_x, yes_width) == pytest.approx((320, 3.2 * 66.7), abs=0.1)
    assert {r.get("data-option"): r.get("fill") for r in segments(root)} == {
        "no": "#b2182b",
        "yes": "#2166ac",
    }
    assert {"Nee 33%", "Ja 67%", "33%", "67%"} <= set(texts(root))
    assert root.get("aria-label") == "Ja 67%, Nee 33%"


@pytest.mark.parametrize(
    "summary",
    [None, summarize(SCALES["likert5"], {}), summarize(SCALES["likert5"], {PASS: 3})],
    ids=["none", "no-votes", "only-passes"],
)
def test_an_empty_summary_draws_an_empty_bar_with_zero_headlines(summary: dict[str, Any] | None) -> None:
    root = parse(diverging_bar(LIKERT, summary, LABELS))
    assert segments(root) == []
    assert percent_texts(root) == []
    assert {"Oneens 0%", "Eens 0%"} <= set(texts(root))
    assert len(list(root.iter(f"{NS}line"))) == 1  # the centre axis
    assert root.get("aria-label") == "Eens 0%, Oneens 0%, Neutraal 0%"


def test_too_few_votes_shows_only_the_message_and_none_of_the_data() -> None:
    svg = diverging_bar(LIKERT, likert_summary(), LABELS, caption="Justitie (2)", too_few="Te weinig stemmen")
    root = parse(svg)
    assert "%" not in svg
    assert segments(root) == []
    assert not any(r.get("fill") in PALETTE for r in root.iter(f"{NS}rect"))
    assert not any(t.get("fill") in PALETTE for t in root.iter(f"{NS}text"))
    assert texts(root) == ["Justitie (2)", "Te weinig stemmen"]
    assert root.get("aria-label") == "Justitie (2): Te weinig stemmen"
    assert root.findtext(f"{NS}title") == "Justitie (2): Te weinig stemmen"


def test_user_text_is_escaped_and_the_output_parses() -> None:
    hostile = '<script>alert(1)</script> & "x"'
    labels = {**LABELS, "agree": "Eens & <b>'zeker'</b>", "disagree": 'Oneens "niet"'}
    svg = diverging_bar(LIKERT, likert_summary(), labels, caption=hostile, title="Stelling <1> & 'twee'")
    root = parse(svg)
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in svg
    assert hostile in texts(root)
    assert "Eens & <b>'zeker'</b> 64%" in texts(root)
    alt = f"Stelling <1> & 'twee' – {hostile}: Eens & <b>'zeker'</b> 64%, Oneens \"niet\" 27%, Neutraal 9%"
    assert root.get("aria-label") == alt
    assert root.findtext(f"{NS}title") == alt
    assert list(root.iter(f"{NS}script")) == []


def test_characters_xml_cannot_carry_are_dropped() -> None:
    root = parse(diverging_bar(LIKERT, None, LABELS, caption="Bur\x00ge\x1bmeester\ud800 (3)\n"))
    assert "Burgemeester (3)" in texts(root)


def test_title_and_aria_label_describe_the_result() -> None:
    svg = diverging_bar(LIKERT, likert_summary(), LABELS, title="Stelling 3", caption="Politie (11)")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Stelling 3 – Politie (11): Eens 64%, Oneens 27%, Neutraal 9%"
    assert root[0].tag == f"{NS}title"
    assert root[0].text == root.get("aria-label")
    plain = parse(
        diverging_bar(AGREE3, {"voters": 4, "pass": 0, "percent": {"agree": 75.0, "disagree": 25.0}}, LABELS)
    )
    assert plain.get("aria-label") == "Eens 75%, Oneens 25%, Neutraal 0%"


def test_the_svg_is_self_contained_and_sized() -> None:
    svg = diverging_bar(LIKERT, likert_summary(), LABELS, width=800, height=64, caption="x")
    root = parse(svg)
    assert root.get("viewBox") == "0 0 800 64"
    assert (root.get("width"), root.get("height")) == ("800", "64")
    assert "Liberation Sans" in root.get("font-family", "") and "sans-serif" in root.get("font-family", "")
    for forbidden in ("<script", "href", "url(", "http://", "@import", " id="):
        assert forbidden not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{NS}text")]
    assert min(sizes) >= 12
    bar_bottom = max(float(r.get("y", "")) + float(r.get("height", "")) for r in root.iter(f"{NS}rect"))
    assert bar_bottom <= 64


def test_output_is_deterministic() -> None:
    summary = likert_summary()
    reordered = {**summary, "percent": dict(reversed(list(summary["percent"].items())))}
    first = diverging_bar(LIKERT, summary, LABELS, caption="Burgemeester (12)")
    assert diverging_bar(LIKERT, summary, LABELS, caption="Burgemeester (12)") == first
    assert diverging_bar(LIKERT, reordered, LABELS, caption="Burgemeester (12)") == first
    assert legend(LIKERT, LABELS) == legend(LIKERT, LABELS)


def test_a_half_never_overflows_even_when_rounded_shares_exceed_100() -> None:
    summary = {"voters": 6, "pass": 0, "percent": {"agree": 50.1, "strongly_agree": 50.1}}
    root = parse(diverging_bar(LIKERT, summary, LABELS))
    right_end = max(x + w for _, x, w in geometry(root))
    assert right_end == pytest.approx(640, abs=0.01)


def test_legend_has_a_swatch_and_a_label_per_option() -> None:
    root = parse(legend(AGREE3, LABELS))
    swatches = [(r.get("data-option"), r.get("fill")) for r in root.iter(f"{NS}rect")]
    assert swatches == [("disagree", "#ef8a62"), ("neutral", "#bababa"), ("agree", "#67a9cf")]
    assert texts(root) == ["Oneens", "Neutraal", "Eens"]
    xs = [float(r.get("x", "")) for r in root.iter(f"{NS}rect")]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert float(root.get("width", "0")) > xs[-1]
    assert root.get("aria-label") == "Oneens, Neutraal, Eens"
    yes_no = parse(legend(YESNO, {**LABELS, "yes": "Oui & <non>"}))
    assert [r.get("fill") for r in yes_no.iter(f"{NS}rect")] == ["#b2182b", "#2166ac"]
    assert texts(yes_no) == ["Nee", "Oui & <non>"]


def test_headline_percentages_follow_the_language_pattern() -> None:
    french = {**LABELS, "disagree": "Pas d'accord", "agree": "D'accord", "percent": "{n}\u00a0%"}
    root = parse(diverging_bar(LIKERT, likert_summary(), french))
    # SVG text never wraps; the clean-up turns the no-break space into a plain one.
    assert "D'accord 64 %" in texts(root)
    assert "Pas d'accord 27 %" in texts(root)
    assert root.findtext(f"{NS}title", "").startswith("D'accord 64 %")
