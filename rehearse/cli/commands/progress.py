"""`rehearse progress`: how you are trending: pass rate by archetype and your delivery figures."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json, say

HELP = "Show how you are trending: pass rate by archetype, time to accomplishment, pace, fillers (with a PNG chart)."
CHART_NAME = "progress.png"
SPARK_WIDTH = 30


def add_arguments(parser) -> None:
    parser.add_argument("--archetype", metavar="ARCH", help="only this archetype")
    parser.add_argument("--mode", choices=["practice", "drill", "interview", "score"], help="only this mode")
    parser.add_argument("--since", metavar="WHEN",
                        help="only sessions since WHEN: a date (2026-03-01), today, yesterday, 7d, 2w, 12h")
    chart = parser.add_mutually_exclusive_group()
    chart.add_argument("--chart", metavar="PATH.png",
                       help=f"where to write the chart (default: {CHART_NAME} in REHEARSE_HOME)")
    chart.add_argument("--no-chart", action="store_true", help="do not draw the PNG chart")
    add_json_flag(parser)


def run(args) -> int:
    from pathlib import Path

    from rehearse.coaching import trends as trends_mod
    from rehearse.core.errors import RehearseError
    from rehearse.store.sessions import Store

    if args.chart and Path(args.chart).suffix.lower() != ".png":
        raise RehearseError(f"The chart is a PNG image, so its file name must end in .png (got {args.chart!r}).")
    since = None
    if args.since:
        from rehearse.cli.timefilter import parse_since

        since = parse_since(args.since)
    archetype = args.archetype.strip().lower() if args.archetype else None
    rows = Store().history(archetype=archetype, mode=args.mode, since=since, scored_only=True, oldest_first=True,
                           exclude_modes=trends_mod.UNTRENDED_MODES)  # the demo's sample answer is not yours
    trends = trends_mod.compute(rows)
    chart = None
    if trends.sessions and not args.no_chart:
        from rehearse.cli.render import charts
        from rehearse.core.home import home

        dates = [r.started_at for r in rows if r.verdict in ("pass", "fail")]
        chart = charts.render(trends, Path(args.chart).expanduser() if args.chart else home() / CHART_NAME,
                              dates=dates, note="Demo runs are left out.")
    if args.json:
        payload = trends.to_json()
        payload["chart"] = None if chart is None else {"path": str(chart.path), "points": chart.points,
                                                       "redrawn": not chart.reused}
        emit_json(payload)
        return 0
    if not trends.sessions:
        filtered = archetype or args.mode or since
        print("No scored sessions match those filters yet." if filtered else
              "No scored sessions yet: your progress shows here once you have practised "
              "(`rehearse practice --archetype storyteller`).")
        return 0
    print(format_view(trends))
    if chart is not None:
        print(f"\nChart: {chart.path}" + (" (up to date)" if chart.reused else ""))
    if trends.sessions < 2:
        say("One session so far: trends show from the second one on.")
    return 0


def format_view(trends) -> str:
    from rehearse.cli.render.sparkline import sparkline
    from rehearse.cli.timefilter import local_time

    first, last = local_time(trends.first_at)[:10], local_time(trends.last_at)[:10]
    passed = sum(trends.pass_flags)
    lines = [f"Progress over {trends.sessions} scored session{'s' if trends.sessions != 1 else ''} "
             f"({first} to {last}): {passed} passed ({passed / trends.sessions:.0%}).", ""]
    lines.append(f"{'Pass rate by archetype':30} {'(rolling, oldest -> newest)':{SPARK_WIDTH}}  "
                 f"{'passed':>12}  {'last 5':>6}  before")
    for a in trends.archetypes:
        before = "-" if a.earlier_rate is None else f"{a.earlier_rate:.0%}"
        lines.append(f"  {a.archetype:28} {sparkline(a.rolling, SPARK_WIDTH, 0.0, 1.0):{SPARK_WIDTH}}  "
                     f"{f'{a.passed}/{a.sessions} ({a.pass_rate:.0%})':>12}  {a.recent_rate:>6.0%}  {before}")
    lines.append("")
    for m in trends.metrics:
        if not m.values:
            lines.append(f"{m.label:30} (no sessions with this figure yet)")
            continue
        change = (f"{_fmt(m.early_mean, m.unit)} -> {_fmt(m.recent_mean, m.unit)}  {m.direction}"
                  if m.direction != "too few" else f"{_fmt(m.values[-1], m.unit)}")
        aim = f" (aim {m.band[0]:.0f}-{m.band[1]:.0f})" if m.band else ""
        lines.append(f"{m.label:30} {sparkline(m.values, SPARK_WIDTH):{SPARK_WIDTH}}  {change}{aim}")
    return "\n".join(lines)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} s" if unit == "s" else f"{value:.1f}{unit if unit.startswith('/') else ' ' + unit}"
