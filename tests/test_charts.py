"""Server-drawn SVG charts (infobot.web.charts): valid XML, escaped, accessible, summarised."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.engagement import Counts, ThreadCounts
from infobot.service.report_model import PostRow, Snapshot, build_report
from infobot.web.charts import (
    EMPTY,
    PALETTE,
    GrowthLine,
    WeekBars,
    growth_chart,
    growth_from_report,
    weekly_chart,
    weekly_from_report,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</title><script>alert(1)</script> & \"q\" 's' ]]> \x00\x1b\ud800\uffff end"
PLATFORMS = ["bluesky", "mastodon", "x"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def weeks() -> list[WeekBars]:
    return [
        WeekBars("2026-W45", {"x": 3, "mastodon": 3, "bluesky": 2}, {"x": 120, "bluesky": 40}),
        WeekBars(
            "2026-W46",
            {"x": 5, "mastodon": 5, "bluesky": 0},
            {"x": 310, "mastodon": 90, "bluesky": None},
        ),
    ]


def lines() -> list[GrowthLine]:
    return [
        GrowthLine("x", [(1, 3), (2, 6), (24, 40), (168, 70)]),
        GrowthLine("mastodon", [(1, 1), (2, None), (3, 4), (168, 72)]),
        GrowthLine("bluesky", [(1, 0), (24, 8), (400, 99)]),  # 400 h: after the 7 days
    ]


def check_accessible(svg: str) -> ET.Element:
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert re.fullmatch(r"0 0 400 \d+", root.get("viewBox") or "")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style" not in svg  # the CSP allows no inline styles
    assert not list(root.iter(f"{SVG}script")) and "<script" not in svg
    return root


def test_weekly_chart() -> None:
    chart = weekly_chart(weeks(), PLATFORMS)
    root = check_accessible(chart.svg)
    shown = texts(root)
    assert "2026-W45 (8 posts)" in shown and "2026-W46 (10 posts)" in shown
    assert shown.count("x") == 2 and shown.count("bluesky") == 2  # every bar labelled
    assert "310" in shown and "unknown" in shown and "no post" in shown
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("stroke")]
    assert len(bars) == 4  # mastodon W45 unknown, bluesky W46 no post: no bar, no zero
    assert {b.get("fill") for b in bars} == {
        "url(#chart-weekly-p0)",
        "url(#chart-weekly-p1)",
        "url(#chart-weekly-p2)",
    }
    assert chart.summary == (
        "Engagement per week, by platform: 2 weeks from 2026-W45 to 2026-W46, 18 posts and "
        "560 engagement in total; the highest was 310 on x in 2026-W46. "
        "Some counts are unknown and not included."
    )
    assert root.find(f"{SVG}desc").text == chart.summary  # type: ignore[union-attr]
    assert chart.columns == ("Week", "Platform", "Posts", "Engagement")
    assert chart.rows[:3] == (
        ("2026-W45", "bluesky", "2", "40"),
        ("2026-W45", "mastodon", "3", "—"),
        ("2026-W45", "x", "3", "120"),
    )
    assert len(chart.rows) == 6


def test_growth_chart() -> None:
    chart = growth_chart("A nurse's week", lines())
    root = check_accessible(chart.svg)
    shown = texts(root)
    assert {"x 70", "mastodon 72", "bluesky 8"} <= set(shown)  # lines labelled directly
    assert "Days since posted" in shown and "Engagement" in shown
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 4  # mastodon's unknown read breaks its line in two
    dashes = {p.get("stroke-dasharray") for p in polylines}
    assert len(dashes) == 3  # one dash pattern per platform (None = solid)
    assert chart.summary == (
        "Growth of “A nurse's week” over its first 7 days: 150 engagement in total at the "
        "last read (x 70, mastodon 72, bluesky 8); the highest was 72 on mastodon after "
        "168 hours."
    )
    assert ("bluesky", "400", "99") not in chart.rows  # outside the 7 days
    assert ("mastodon", "2", "—") in chart.rows


@pytest.mark.parametrize("draw", ["weekly", "growth"])
def test_hostile_text_stays_text(draw: str) -> None:
    if draw == "weekly":
        chart = weekly_chart(
            [WeekBars(HOSTILE, {HOSTILE: 1}, {HOSTILE: 5})], [HOSTILE], title=HOSTILE
        )
    else:
        chart = growth_chart(HOSTILE, [GrowthLine(HOSTILE, [(1, 5)])], chart_id=HOSTILE)
    root = check_accessible(chart.svg)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert "</title><script>alert(1)</script> & \"q\" 's' ]]>  end" in title.text
    assert "\x00" not in chart.svg and "\ud800" not in chart.svg and "\uffff" not in chart.svg
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert all(re.fullmatch(r"chart-[a-z0-9-]+(-title|-desc|-p\d+)", i or "") for i in ids)


def test_empty_data_gives_a_sentence_not_an_empty_chart() -> None:
    for chart in (
        weekly_chart([], PLATFORMS),
        weekly_chart(weeks(), []),
        weekly_chart([WeekBars("2026-W45", {}, {})], PLATFORMS),
        growth_chart("T", []),
        growth_chart("T", [GrowthLine("x", [(1, None)])]),
    ):
        assert chart.empty and str(chart.svg) == ""
        assert chart.summary == EMPTY == "No posts in this period"
    assert growth_chart("T", [], empty="Not read yet").summary == "Not read yet"


def test_nothing_known_yet() -> None:
    chart = weekly_chart([WeekBars("W", {"x": 2}, {"x": None})], ["x"])
    assert chart.summary.endswith("2 posts in total; their engagement is not known yet.")


def test_known_zero_is_drawn_but_unknown_is_not() -> None:
    chart = weekly_chart([WeekBars("W", {"x": 1, "m": 1}, {"x": 0, "m": None})], ["x", "m"])
    root = parse(chart.svg)
    assert "0" in texts(root) and "unknown" in texts(root)
    assert "the highest was 0 on x in W" in chart.summary


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_mark_colour_has_3_to_1_contrast_on_white() -> None:
    for colour in PALETTE:
        ratio = 1.05 / (luminance(colour) + 0.05)
        assert ratio >= 3, (colour, ratio)
    assert len(set(PALETTE)) == len(PALETTE)


def test_charts_from_a_report() -> None:
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    day = date(2026, 11, 2)
    rows = [
        PostRow(1, "T", "S", day, "x", ThreadCounts.single(Counts(5, 1, 0, 0)), sent_at=sent),
        PostRow(1, "T", "S", day, "mastodon", ThreadCounts.single(Counts(2, 0, 0)), sent_at=sent),
    ]
    snaps = [Snapshot(1, "x", sent + timedelta(hours=h), Counts(h, 0, 0, 0)) for h in (1, 2)]
    report = build_report(rows, snaps)
    bars = weekly_from_report(report)
    assert bars == [WeekBars("2026-W45", {"mastodon": 1, "x": 1}, {"mastodon": 2, "x": 6})]
    assert "8 engagement in total" in weekly_chart(bars, report.platforms).summary
    assert growth_from_report(report, 1) == [GrowthLine("x", [(1.0, 1), (2.0, 2)])]
    assert growth_from_report(report, 99) == []


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.integers(0, 5), st.none() | st.integers(0, 10**7)),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.tuples(st.floats(0, 200), st.none() | st.integers(0, 10**6)), max_size=30),
)
def test_any_data_gives_well_formed_svg(
    bars: list[tuple[str, int, int | None]], points: list[tuple[float, int | None]]
) -> None:
    platforms = ["x", "mastodon"]
    data = [WeekBars(w, {"x": n, "mastodon": n}, {"x": v, "mastodon": v}) for w, n, v in bars]
    for chart in (weekly_chart(data, platforms), growth_chart("t", [GrowthLine("x", points)])):
        if chart.empty:
            assert chart.summary == EMPTY
        else:
            check_accessible(chart.svg)
            assert "in total" in chart.summary
            assert "the highest was" in chart.summary or "not known yet" in chart.summary
