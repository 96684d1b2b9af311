"""Weekly trends mark the weeks a period holds only in part."""

from datetime import date

import pandas as pd

from store.queries import Period
from ui import charts

WEEKS = pd.DataFrame({"week": pd.to_datetime(["2026-11-02", "2026-11-09", "2026-11-16"]),
                      "overall": [50.0, 60.0, 70.0], "team": ["Alpha"] * 3})


def test_partial_weeks_are_hollow_points_with_their_days():
    chart = charts.weekly_trend(WEEKS, value="overall", series="team", title="Quality",
                                period=Period(date(2026, 11, 6), date(2026, 11, 17)))
    spec = chart.to_dict()
    assert spec["title"] == {"text": "Quality", "subtitle": charts.PARTIAL_WEEKS}
    line, points = spec["layer"]
    assert [rule["test"] for rule in points["encoding"]["fillOpacity"]["condition"]] == ["(datum.days < 7)"]
    assert "Days in period" in [tip.get("title") for tip in points["encoding"]["tooltip"]]
    assert chart.data["days"].tolist() == [3, 7, 2]


def test_whole_weeks_need_no_note():
    chart = charts.weekly_trend(WEEKS, value="overall", series="team", title="Quality",
                                period=Period(date(2026, 11, 2), date(2026, 11, 22)))
    assert chart.to_dict()["title"] == "Quality"
    assert chart.data["days"].tolist() == [7, 7, 7]
