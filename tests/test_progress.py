"""`rehearse progress`: trends (pure), sparklines (pure), the PNG chart and the terminal view through the CLI."""

import json
import struct
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from rehearse.cli.render import charts

from rehearse.cli.render import sparkline

from rehearse.coaching import trends
from test_history import make_session


def row(verdict="pass", archetype="storyteller", wpm=None, fpm=None, acc=None, at="2026-01-01T00:00:00+00:00"):
    return SimpleNamespace(started_at=at, archetype=archetype, verdict=verdict, wpm=wpm, fillers_per_min=fpm,
                           first_accomplishment_s=acc)


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    return struct.unpack(">II", data[16:24])


# -- sparkline -----------------------------------------------------------------------------------

def test_sparkline_maps_lowest_to_highest_and_gaps():
    assert sparkline.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline.sparkline([1, None, 3]) == "▁ █"
    # halfway is level 3.5 of 0-7, which round() makes 4, the fifth block; a flat series sits there too
    assert sparkline.sparkline([0.5], lo=0.0, hi=1.0) == "▅"
    assert sparkline.sparkline([5, 5, 5]) == "▅▅▅"
    assert sparkline.sparkline([]) == ""


def test_sparkline_squeezes_long_series_into_the_width_by_averaging():
    values = [0.0] * 50 + [10.0] * 50
    line = sparkline.sparkline(values, width=10)
    assert line == "▁▁▁▁▁█████"
    assert sparkline.buckets([1, 3, 5, 7], 2) == [2.0, 6.0]


# -- trends --------------------------------------------------------------------------------------

def test_pass_rate_by_archetype_with_rolling_recent_and_earlier_rates():
    rows = ([row("fail")] * 4 + [row("pass")] * 6 + [row("fail", "challenger"), row(None, "challenger")])
    t = trends.compute(rows)
    assert t.sessions == 11  # the unscored row is left out
    story = next(a for a in t.archetypes if a.archetype == "storyteller")
    assert (story.sessions, story.passed) == (10, 6)
    assert story.rolling[:5] == (0.0, 0.0, 0.0, 0.0, 0.2) and story.rolling[-1] == 1.0
    assert story.recent_rate == 1.0 and story.earlier_rate == pytest.approx(0.2)
    chall = next(a for a in t.archetypes if a.archetype == "challenger")
    assert chall.x == (11,) and chall.earlier_rate is None


def test_metric_directions():
    falling = [row(acc=v, fpm=v, wpm=w) for v, w in zip(range(20, 0, -1), range(80, 180, 5))]
    t = trends.compute(falling)
    assert t.metric("first_accomplishment_s").direction == "better"
    assert t.metric("fillers_per_min").direction == "better"
    # 80..105 wpm early (too slow) to 155..175 late: the middle of that is closer to the band
    band = t.metric("wpm").band
    assert trends.judge(100.0, 140.0, "band", band) == "better"
    assert trends.judge(140.0, 200.0, "band", band) == "worse"
    assert trends.judge(10.0, 10.2, "lower") == "steady"
    assert trends.judge(None, 3.0, "lower") == "too few"
    assert t.metric("wpm").x == tuple(range(1, 21))


def test_a_metric_skips_sessions_without_it():
    t = trends.compute([row(acc=None), row(acc=4.0), row(verdict="fail", acc=None), row(acc=2.0)])
    m = t.metric("first_accomplishment_s")
    assert m.x == (2, 4) and m.values == (4.0, 2.0) and m.direction == "better"


# -- chart ---------------------------------------------------------------------------------------

START = datetime(2026, 3, 2, 18, 30, tzinfo=timezone.utc)


def dated(rows, gaps_h=(0.5, 1.0, 26.0, 0.25, 49.0)):
    """The rows with increasing start times (uneven gaps, days apart now and then)."""
    at = START
    for i, r in enumerate(rows):
        r.started_at = at.isoformat(timespec="seconds")
        at += timedelta(hours=gaps_h[i % len(gaps_h)])
    return rows


def draw(rows):
    rows = dated(rows)
    t = trends.compute(rows)
    fig, points = charts.draw(t, dates=[r.started_at for r in rows])
    return fig, points, rows


def panel(fig, title_start):
    return next(ax for ax in fig.axes if ax.get_title().startswith(title_start)
                or ax.get_title(loc="left").startswith(title_start))


def local_nums(rows):
    from matplotlib import dates as mdates

    return [mdates.date2num(datetime.fromisoformat(r.started_at).astimezone().replace(tzinfo=None)) for r in rows]


def span_ys(patch):
    """The data y range a horizontal span covers (a Rectangle or a Polygon, as matplotlib versions draw it)."""
    ys = patch.get_patch_transform().transform(patch.get_path().vertices)[:, 1]
    return min(ys), max(ys)


def test_chart_is_a_png_with_one_point_per_session_per_series(tmp_path):
    rows = dated([row("pass" if i % 3 else "fail", ("storyteller", "challenger")[i % 2], wpm=120 + i,
                      fpm=i % 4, acc=(2.0 + i % 5) if i % 3 else None) for i in range(15)])
    chart = charts.render(trends.compute(rows), tmp_path / "sub" / "c.png", dates=[r.started_at for r in rows])
    width, height = png_size(chart.path)
    assert width > 300 and height > 200
    expected = {"pass_rate:storyteller": 8, "pass_rate:challenger": 7, "wpm": 15, "fillers_per_min": 15,
                "first_accomplishment_s": 10, "verdict:pass": 10, "verdict:fail": 5}
    assert chart.points == expected
    assert charts.read_points(chart.path) == expected


def test_the_x_axis_is_the_date_of_each_session():
    from matplotlib.dates import ConciseDateFormatter

    fig, _, rows = draw([row(wpm=130.0 + i, fpm=1.0, acc=5.0) for i in range(6)])
    expected = local_nums(rows)
    wpm = panel(fig, "Words per minute")
    joined = max(wpm.get_lines(), key=lambda line: len(line.get_xdata()))
    assert list(joined.get_xdata(orig=False)) == pytest.approx(expected)
    assert isinstance(wpm.xaxis.get_major_formatter(), ConciseDateFormatter)
    assert wpm.get_xlim()[0] < expected[0] and wpm.get_xlim()[1] > expected[-1]
    assert "date" in wpm.get_xlabel()
    # the gaps are the real ones: a day off is wider than an hour between two sessions
    assert expected[3] - expected[2] > 20 * (expected[2] - expected[1])


def test_each_session_is_marked_passed_or_failed():
    verdicts = ["fail", "fail", "pass", "fail", "pass", "pass", "pass"]
    fig, points, rows = draw([row(v, wpm=140.0, fpm=2.0, acc=None) for v in verdicts])
    nums = local_nums(rows)
    strip = panel(fig, "Verdict of each session")
    marks = {line.get_label(): sorted(line.get_xdata(orig=False)) for line in strip.get_lines()}
    assert marks["passed"] == pytest.approx([n for n, v in zip(nums, verdicts) if v == "pass"])
    assert marks["failed"] == pytest.approx([n for n, v in zip(nums, verdicts) if v == "fail"])
    assert (points["verdict:pass"], points["verdict:fail"]) == (4, 3)
    # the delivery points carry the same marks: a green circle where the session passed, a red cross where not
    wpm = panel(fig, "Words per minute")
    circles = [line for line in wpm.get_lines() if line.get_marker() == "o" and len(line.get_xdata())]
    crosses = [line for line in wpm.get_lines() if line.get_marker() == "x" and len(line.get_xdata())]
    assert sorted(circles[0].get_xdata(orig=False)) == pytest.approx(marks["passed"])
    assert sorted(crosses[0].get_xdata(orig=False)) == pytest.approx(marks["failed"])


def test_targets_are_drawn_and_named():
    fig, _, _ = draw([row(wpm=150.0 + i, fpm=1.0, acc=4.0) for i in range(5)])
    wpm = panel(fig, "Words per minute")
    [band] = [p for p in wpm.patches if p.get_label().startswith("target")]
    assert span_ys(band) == pytest.approx((120.0, 160.0))
    assert "120-160" in band.get_label()
    first = panel(fig, "Time to first accomplishment")
    [goal] = [line for line in first.get_lines() if line.get_label().startswith("goal")]
    assert list(goal.get_ydata()) == [20.0, 20.0] and "20 s" in goal.get_label()
    assert charts.FIRST_ACCOMPLISHMENT_GOAL_S == 20.0
    legend = [t.get_text() for t in first.get_legend().get_texts()]
    assert any("20 s" in t for t in legend)


def test_quantities_start_at_zero_and_small_changes_stay_small():
    # 10.0 s then 11.5 s: auto-zoom would make 1.5 s fill the panel; from zero it is a small step
    rows = [row(wpm=150.0 + i % 2, fpm=3.0 + 0.1 * i, acc=10.0 + 1.5 * (i % 2)) for i in range(6)]
    fig, _, _ = draw(rows)
    for title in ("Time to first accomplishment", "Words per minute", "Fillers per minute"):
        low, high = panel(fig, title).get_ylim()
        assert low == 0, title
    low, high = panel(fig, "Time to first accomplishment").get_ylim()
    assert 1.5 / (high - low) < 0.1
    assert high > 20  # the goal line is on the chart
    low, high = panel(fig, "Words per minute").get_ylim()
    assert high > 160
    low, high = panel(fig, "Pass rate").get_ylim()
    assert low <= 0 and high >= 100 and high - low <= 110  # the whole scale, never zoomed


def test_long_histories_are_drawn_as_dots_under_a_trend_line(tmp_path):
    rows = dated([row(wpm=100 + i % 50, fpm=1.0, acc=3.0) for i in range(300)])
    chart = charts.render(trends.compute(rows), tmp_path / "long.png", dates=[r.started_at for r in rows])
    assert charts.read_points(chart.path)["wpm"] == 300


def test_the_dates_must_match_the_sessions():
    with pytest.raises(ValueError):
        charts.draw(trends.compute([row(wpm=130), row(wpm=131)]), dates=["2026-01-01T00:00:00+00:00"])


def test_an_unwritable_chart_path_is_one_sentence(tmp_path):
    from rehearse.core.errors import RehearseError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RehearseError, match="cannot be written"):
        charts.render(trends.compute([row(wpm=130)]), blocker / "c.png", dates=["2026-01-01T00:00:00+00:00"])


# -- CLI -----------------------------------------------------------------------------------------

HESITANT = ("thank you um for asking me back uh i was charged with cutting release time and um "
            "i cut it by forty percent")
FLUENT = "thank you for asking me back i was charged with cutting release time and i cut it by forty percent"


def _history(n=8):
    """n sessions alternating storyteller/salesperson: the first half fail with fillers, the rest pass."""
    now = datetime.now(timezone.utc)
    made = []
    for i in range(n):
        good = i >= n // 2
        made.append(make_session(
            archetype=("storyteller", "salesperson")[i % 2],
            passed={"leads_with_accomplishment": True, "thanks_for_callback": True} if good else {},
            evidence={"leads_with_accomplishment": (6, 6)} if good else None,
            text=FLUENT if good else HESITANT,
            started_at=now - timedelta(hours=n - i)))
    return made


def test_progress_writes_a_png_with_the_expected_points_and_shows_sparklines(run_cli, rehearse_home):
    _history(8)
    code, out, err = run_cli("progress")
    assert code == 0, err
    assert "Progress over 8 scored sessions" in out and "4 passed (50%)" in out
    assert "storyteller" in out and "salesperson" in out
    assert any(ch in out for ch in sparkline.BLOCKS)
    assert "Fillers per minute" in out and "better" in out  # fillers fell from the um/uh answers
    chart_line = [line for line in out.splitlines() if line.startswith("Chart: ")]
    path = rehearse_home / "progress.png"
    assert chart_line == [f"Chart: {path}"]  # drawn now, not "(up to date)"
    png_size(path)
    assert charts.read_points(path) == {"pass_rate:storyteller": 4, "pass_rate:salesperson": 4, "wpm": 8,
                                        "fillers_per_min": 8, "first_accomplishment_s": 4,
                                        "verdict:pass": 4, "verdict:fail": 4}


def test_demo_runs_are_not_progress(run_cli, rehearse_home):
    """A demo round plays the bundled sample answer: it is left out of the trends and the chart."""
    _history(4)
    for _ in range(3):
        make_session(mode="demo", text=FLUENT, evidence={"leads_with_accomplishment": (6, 6)})
    code, out, _ = run_cli("progress", "--json")
    data = json.loads(out)
    assert data["sessions"] == 4 and data["passed"] == 2
    points = charts.read_points(rehearse_home / "progress.png")
    assert points["wpm"] == 4 and points["verdict:pass"] + points["verdict:fail"] == 4
    code, out, _ = run_cli("progress", "--no-chart")
    assert "Progress over 4 scored sessions" in out


def test_a_session_at_another_time_redraws_the_chart(tmp_path):
    rows = dated([row(wpm=130.0) for _ in range(3)])
    t = trends.compute(rows)
    path = tmp_path / "c.png"
    dates = [r.started_at for r in rows]
    assert not charts.render(t, path, dates=dates).reused
    assert charts.render(t, path, dates=dates).reused
    moved = dates[:-1] + ["2026-04-01T09:00:00+00:00"]
    assert not charts.render(t, path, dates=moved).reused


def test_progress_json_and_chart_path_and_filters(run_cli, tmp_path):
    _history(6)
    target = tmp_path / "mine.png"
    code, out, _ = run_cli("progress", "--json", "--chart", str(target), "--archetype", "storyteller")
    data = json.loads(out)
    assert data["sessions"] == 3 and [a["archetype"] for a in data["archetypes"]] == ["storyteller"]
    assert data["chart"]["path"] == str(target) and charts.read_points(target)["wpm"] == 3
    assert data["metrics"]["wpm"]["points"] == 3


def test_progress_with_no_sessions_is_a_friendly_line_and_no_chart(run_cli, rehearse_home):
    code, out, err = run_cli("progress")
    assert code == 0 and "No scored sessions yet" in out and out.count("\n") == 1
    assert not (rehearse_home / "progress.png").exists()
    _history(2)
    code, out, _ = run_cli("progress", "--archetype", "challenger", "--no-chart")
    assert code == 0 and "No scored sessions match those filters" in out


def test_no_chart_draws_nothing(run_cli, rehearse_home):
    _history(3)
    code, out, _ = run_cli("progress", "--no-chart")
    assert code == 0 and "Chart:" not in out and not (rehearse_home / "progress.png").exists()


def test_an_up_to_date_chart_is_left_alone_and_new_sessions_redraw_it(run_cli, rehearse_home):
    _history(4)
    path = rehearse_home / "progress.png"
    code, out, _ = run_cli("progress", "--json")
    assert json.loads(out)["chart"]["redrawn"] is True
    drawn = path.read_bytes()
    code, out, _ = run_cli("progress")
    assert f"Chart: {path} (up to date)" in out and path.read_bytes() == drawn
    make_session(archetype="challenger")
    code, out, _ = run_cli("progress", "--json")
    data = json.loads(out)
    assert data["chart"]["redrawn"] is True and charts.read_points(path)["pass_rate:challenger"] == 1
    assert charts.read_points(path)["wpm"] == 5


def test_a_foreign_file_at_the_chart_path_is_replaced(run_cli, tmp_path):
    _history(2)
    target = tmp_path / "c.png"
    target.write_bytes(b"not a png")
    code, out, _ = run_cli("progress", "--chart", str(target))
    assert code == 0 and charts.read_points(target)["wpm"] == 2


@pytest.mark.parametrize("name", ["out.jpg", "out.JPEG", "out.svg", "progress"])
def test_a_chart_path_that_is_not_png_is_refused_with_one_sentence(run_cli, tmp_path, name):
    _history(2)
    charts_dir = tmp_path / "charts"
    charts_dir.mkdir()
    code, out, err = run_cli("progress", "--chart", str(charts_dir / name))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "must end in .png" in err and name in err
    assert list(charts_dir.iterdir()) == []  # nothing written under the wrong name
    code, out, err = run_cli("progress", "--chart", str(charts_dir / "out.PNG"))
    assert code == 0 and png_size(charts_dir / "out.PNG")


def test_demo_sessions_are_left_out_of_the_trends():
    rows = [row("pass", wpm=140), SimpleNamespace(**{**vars(row("pass", wpm=300)), "mode": "demo"}),
            row("fail", wpm=100)]
    result = trends.compute(rows)
    assert result.sessions == 2 and result.metric("wpm").values == (140.0, 100.0)


def test_a_fresh_progress_process_draws_the_chart_and_leaves_matplotlib_as_it_was(cli_env, rehearse_home):
    """`rehearse progress` imports matplotlib without building its setter help texts (a fifth of the
    command's time over 10,000 sessions): in a fresh process, the chart is drawn as usual and afterwards
    matplotlib's kwdoc and Artist.set work as before."""
    import subprocess
    import sys

    _history(4)
    script = ("import sys\nfrom rehearse.cli import main\ncode = main.main(['progress'])\n"
              "import matplotlib.artist as artist, matplotlib.lines as lines\n"
              "assert artist.kwdoc.__name__ == 'kwdoc' and 'linewidth' in artist.kwdoc(lines.Line2D)\n"
              "line = lines.Line2D([0], [0]); line.set(linewidth=3)\nassert line.get_linewidth() == 3\n"
              "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], env=cli_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert charts.read_points(rehearse_home / "progress.png")["verdict:pass"] + \
        charts.read_points(rehearse_home / "progress.png")["verdict:fail"] == 4
