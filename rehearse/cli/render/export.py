"""A shareable report of one session (for a coach or a friend): JSON, Markdown or one HTML page. Pure.

:func:`build` gathers what is shown from a saved session and its results; :func:`to_markdown` and
:func:`to_html` lay the same object out, so every format carries the same facts. Nothing here reads a
file: the command hands in the bank entry and the recording (as a ``data:`` URI) it looked up.

The Markdown and the page are written for a person: every figure is in words, a figure that was not
measured is left out (never printed as ``None``), and all text that came from the user or the speech
engine is escaped.
"""

from __future__ import annotations

import html
import json
from typing import Any, Optional, Sequence

from rehearse.core.model import CHECK_NAMES

FORMAT_VERSION = 3
"""2 added ``delivery``, ``personal``, ``accomplishment``, ``drill`` and ``error``; 3 replaced
``earlier_results`` by ``version`` (the current version's number) and ``other_versions``."""

PAUSE_WORTH_NAMING_S = 0.5
"""A longest pause shorter than this is not mentioned (the gap between two words in fluent speech)."""

STATUS_WORDS = {
    "recording": "the recording never finished (the program was stopped while it was running)",
    "interrupted": "it was stopped with Ctrl-C before it was scored",
    "no_speech": "no speech was heard in the recording",
    "failed": "it failed after the recording was made",
}


# -- the report object ------------------------------------------------------------------------------

def build(session, results: Sequence[Any] = (), coaching: Optional[str] = None,
          audio_present: Optional[bool] = None, accomplishment: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The report object for ``session`` (:class:`~rehearse.store.sessions.SessionRecord`).

    ``results`` are its versions (:class:`~rehearse.store.sessions.ScoreRecord` s), oldest first; the
    report is the current one, and the others are listed for comparison; ``coaching`` is the archetype's advice, if known; ``accomplishment`` the
    bank entry (``Accomplishment.to_json()``) the personal checks held the answer to, if it is still in
    the bank.
    """
    score = session.score or {}
    checks = score.get("checks") or {}
    advice = [c["advice"] for n in CHECK_NAMES if (c := checks.get(n)) and c.get("advice")]
    others = [
        {"version": r.number, "scored_at": r.scored_at, "reason": r.reason, "engine": r.engine,
         "checker": getattr(r, "checker", None), "verdict": r.verdict,
         "passed": sorted(n for n, c in (r.score.get("checks") or {}).items() if c.get("passed"))}
        for r in results if not getattr(r, "current", False)
    ]
    extra = session.extra or {}
    timing = extra.get("timing") if isinstance(extra.get("timing"), dict) else None
    engine = score.get("engine", session.engine)
    report: dict[str, Any] = {
        "format": "rehearse-session-report",
        "format_version": FORMAT_VERSION,
        "session_id": session.id,
        "started_at": session.started_at,
        "mode": session.mode,
        "archetype": session.archetype,
        "status": session.status,
        "error": getattr(session, "error", None),
        "prompt": {"id": session.prompt_id, "text": session.prompt_text} if session.prompt_text else None,
        "engine": engine,
        "transcript": score.get("transcript", session.transcript),
        "words": [w.to_json() for w in session.words],
        "checks": checks,
        "verdict": score.get("verdict", session.verdict),
        "advice": advice,
        "coaching": coaching,
        "metrics": score.get("metrics"),
        "delivery": delivery(score, session.words, timing, engine),
        "personal": [p for p in extra.get("personal") or [] if isinstance(p, dict)],
        "accomplishment": _entry(accomplishment),
        "scored_at": session.scored_at,
        "version": getattr(session, "version", None),
        "other_versions": others,
        "audio": session.audio_path,
    }
    if audio_present is not None:
        report["audio_present"] = audio_present
    if timing is not None:
        report["timing"] = timing
    if extra.get("round") is not None or extra.get("drill"):
        report["drill"] = {"name": extra.get("drill"), "round": extra.get("round"), "rounds": extra.get("rounds")}
    return report


def _entry(acc: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    if not acc:
        return None
    keep = ("title", "situation", "action", "result", "terms", "best")
    return {k: acc.get(k) for k in keep if k in acc}


def delivery(score: dict[str, Any], words: Sequence[Any], timing: Optional[dict[str, Any]],
             engine: Optional[str]) -> dict[str, Any]:
    """The delivery figures a coach reads: pace against the band, fillers by word, the longest pause.

    A drill's saved timing is used where it has a figure; otherwise the figure comes from the score's
    metrics and the timed words. A figure that cannot be known is None.
    """
    from rehearse.coaching import metrics as metrics_mod
    from rehearse.coaching import timing as timing_mod

    m = score.get("metrics") or {}
    t = timing or {}
    checks = score.get("checks") or {}
    band = tuple(t.get("wpm_band") or timing_mod.WPM_BAND)
    spoken = t.get("spoken_s")
    if spoken is None and words:
        spoken = round(max(0.0, words[-1].end - words[0].start), 2)
    # a drill's figures are the ones it showed after the round; they agree with the score's metrics
    wpm = t.get("wpm") if t.get("wpm") is not None else m.get("wpm")
    if t.get("fillers") is not None:
        fillers, by_word, per_min = t["fillers"], t.get("filler_words"), t.get("fillers_per_min")
    else:
        fillers, by_word, per_min = m.get("fillers"), None, m.get("fillers_per_min")
    if by_word is None and fillers is not None:
        by_word = metrics_mod.filler_counts(metrics_mod.tokens(score.get("transcript") or ""))
    if by_word is not None and fillers is not None and sum(by_word.values()) != fillers:
        by_word = None  # counted by other rules than the saved total: show the total alone
    if "longest_pause_s" in t:
        pause, pause_at = t.get("longest_pause_s"), t.get("longest_pause_at_s")
    elif len(words) >= 2:
        pause, pause_at = timing_mod.longest_pause(words)
        pause, pause_at = round(pause, 2), (None if pause_at is None else round(pause_at, 2))
    else:
        pause = pause_at = None
    first = t.get("first_accomplishment_s")
    lead = checks.get("leads_with_accomplishment") or {}
    if first is None and lead.get("passed") and lead.get("seconds") is not None:
        first = lead["seconds"]
    note = t.get("fillers_note")
    if note is None and "fillers_note" not in t and engine:
        try:
            from rehearse.session.drill import FILLER_NOTES

            note = FILLER_NOTES.get(engine)
        except (ImportError, AttributeError):
            note = None
    return {
        "words": m.get("words"),
        "duration_s": m.get("duration_s"),
        "spoken_s": spoken,
        "wpm": None if wpm is None else round(float(wpm), 1),
        "wpm_band": [band[0], band[1]],
        "pace": timing_mod.pace_band(wpm, band),
        "fillers": fillers,
        "filler_words": dict(sorted(by_word.items(), key=lambda kv: (-kv[1], kv[0]))) if by_word else
        ({} if fillers == 0 else None),
        "fillers_per_min": per_min,
        "fillers_note": note,
        "longest_pause_s": pause,
        "longest_pause_at_s": pause_at,
        "first_accomplishment_s": first,
    }


# -- wording shared by the formats ------------------------------------------------------------------

def _labels() -> dict[str, str]:
    from rehearse.cli.render.text import LABELS

    return LABELS


def seconds(value: float) -> str:
    """5.3 s; 1 min 05.3 s past a minute."""
    value = float(value)
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(value, 60)
    return f"{int(minutes)} min {rest:04.1f} s"


def _num(value: float) -> str:
    """A figure without a pointless ``.0``."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _when(iso: Optional[str]) -> str:
    from rehearse.cli.timefilter import local_time

    return local_time(iso) if iso else "an unknown time"


def _mode_words(report: dict[str, Any]) -> str:
    drill = report.get("drill") or {}
    mode = report.get("mode") or "session"
    if mode == "drill":
        text = "Drill"
        if drill.get("name"):
            text += f" \u201c{drill['name']}\u201d"
        if drill.get("round") and drill.get("rounds") and drill["rounds"] > 1:
            text += f", round {drill['round']} of {drill['rounds']}"
        return text
    return {"practice": "Practice round", "score": "Scored answer", "demo": "Demo round"}.get(mode, mode.capitalize())


def verdict_summary(report: dict[str, Any]) -> str:
    """One sentence: the verdict and which required checks decided it."""
    labels = _labels()
    verdict = report.get("verdict")
    if verdict not in ("pass", "fail"):
        why = STATUS_WORDS.get(report.get("status") or "", "it was not scored")
        error = f": {report['error']}" if report.get("error") else ""
        return f"Not scored: {why}{error}."
    required = [n for n in CHECK_NAMES if (c := report["checks"].get(n)) and c.get("required")]
    missed = [n for n in required if not report["checks"][n].get("passed")]
    if verdict == "pass":
        if not required:
            return "Passed: this interviewer has no required check."
        return (f"Passed: all {len(required)} required checks were heard "
                f"({', '.join(labels.get(n, n) for n in required)}).")
    if not missed:
        return "Failed."
    return (f"Failed: {len(missed)} of {len(required)} required checks "
            f"{'was' if len(missed) == 1 else 'were'} not heard ({', '.join(labels.get(n, n) for n in missed)}).")


def delivery_lines(report: dict[str, Any]) -> list[str]:
    """The delivery figures in words, one sentence each; only the figures that were measured."""
    d = report.get("delivery") or {}
    out = []
    if d.get("words") is not None:
        length = f"{d['words']} word{'s' if d['words'] != 1 else ''}"
        if d.get("spoken_s"):
            length += f" in {seconds(d['spoken_s'])} of speech"
        out.append(f"Length: {length}.")
    if d.get("wpm") is not None:
        lo, hi = d.get("wpm_band") or (120, 160)
        where = {"slow": "slower than", "fast": "faster than", "in band": "inside"}.get(d.get("pace") or "", "against")
        out.append(f"Pace: {d['wpm']:.0f} words a minute, {where} the comfortable {_num(lo)}-{_num(hi)} "
                   "words a minute.")
    if d.get("first_accomplishment_s") is not None:
        out.append(f"Your accomplishment began {seconds(d['first_accomplishment_s'])} into the answer.")
    if d.get("fillers") is not None:
        if d["fillers"] == 0:
            text = "Fillers: none heard."
        else:
            text = f"Fillers: {d['fillers']}"
            if d.get("filler_words"):
                text += " (" + ", ".join(f"\u201c{w}\u201d \u00d7{n}" for w, n in d["filler_words"].items()) + ")"
            if d.get("fillers_per_min") is not None:
                text += f", {d['fillers_per_min']:.1f} a minute"
            text += "."
        if d.get("fillers_note"):
            text += f" {d['fillers_note']}"
        out.append(text)
    if d.get("longest_pause_s") is not None and d["longest_pause_s"] >= PAUSE_WORTH_NAMING_S:
        at = f", after {seconds(d['longest_pause_at_s'])}" if d.get("longest_pause_at_s") is not None else ""
        out.append(f"Longest pause: {seconds(d['longest_pause_s'])}{at}.")
    return out


LIGHT_WORDS = {"none": "before the green light came on", "green": "under the green light",
               "yellow": "under the yellow light", "red": "under the red light"}


def timing_lines(timing: Optional[dict[str, Any]]) -> list[str]:
    """A drill's clock in words: the lights, when you started and finished, overtime, a cut."""
    if not timing:
        return []
    out = []
    t = timing
    if t.get("limit_s") is not None:
        lights = [f"{name} at {seconds(t[key])}" for name, key in
                  (("green", "green_at_s"), ("yellow", "yellow_at_s"), ("red", "red_at_s")) if t.get(key) is not None]
        out.append(f"Time limit: {seconds(t['limit_s'])}" + (f" (lights: {', '.join(lights)})." if lights else "."))
    if t.get("ended_at_s") is not None:
        text = ""
        if t.get("started_at_s") is not None:
            text = f"You started speaking at {seconds(t['started_at_s'])} and "
        text += (f"{'f' if text else 'F'}inished at {seconds(t['ended_at_s'])}, "
                 f"{LIGHT_WORDS.get(t.get('light') or '', 'with no light recorded')}")
        over = t.get("overtime_s") or 0
        text += f", {seconds(over)} over the limit." if over > 0 else ", within the limit."
        out.append(text)
    elif t.get("light"):
        out.append(f"Light when you finished: {t['light']}.")
    if t.get("cut"):
        grace = f" plus the {seconds(t['grace_s'])} grace" if t.get("grace_s") else ""
        out.append(f"The recording was cut at the red light{grace}: you were still speaking.")
    return out


def _check_items(report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, title, result) of the five checks then the personal ones, in the order shown."""
    labels = _labels()
    items = [(n, labels.get(n, n), report["checks"][n]) for n in CHECK_NAMES if report["checks"].get(n)]
    for i, p in enumerate(report.get("personal") or []):
        what = "Presents" if p.get("name") == "presents_accomplishment" else "Mentions"
        items.append((f"personal-{i}", f"{what} \u201c{p.get('target', '')}\u201d", p))
    return items


def _entry_lines(acc: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("Situation", acc.get("situation")), ("What you did", acc.get("action")),
            ("Result", acc.get("result")), ("Key terms", ", ".join(acc.get("terms") or []))]
    return [(k, str(v)) for k, v in rows if v]


# -- Markdown -----------------------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    text = " ".join(str(text).split())
    for ch in "\\`*_|[]<":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_check(title: str, c: dict[str, Any], *, personal: bool = False) -> list[str]:
    mark = "**PASS**" if c.get("passed") else "**MISS**"
    tags = [] if personal else ["required" if c.get("required") else "optional"]
    if c.get("score") is not None:
        tags.append(f"score {c['score']}")
    lines = [f"- {mark} {_md_escape(title)}" + (f" ({', '.join(tags)})" if tags else "")]
    if c.get("evidence"):
        at = f" at {seconds(c['seconds'])}" if c.get("seconds") is not None else ""
        lines.append(f"  - Heard{at}: \u201c{_md_escape(c['evidence'])}\u201d")
    elif not c.get("passed"):
        lines.append("  - Not heard.")
    if personal and c.get("heard") and c.get("name") == "presents_accomplishment":
        lines.append(f"  - Key terms heard: {_md_escape(', '.join(c['heard']))}")
    if c.get("advice"):
        lines.append(f"  - Advice: {_md_escape(c['advice'])}")
    return lines


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown a coach reads: verdict, prompt, checks, delivery, own targets, transcript."""
    from rehearse.cli.render.text import word_lines

    lines = [f"# Interview opening rehearsal: {_md_escape(report['archetype'])}", ""]
    meta = f"{_mode_words(report)}, recorded {_when(report.get('started_at'))}"
    if report.get("engine"):
        meta += f", transcribed by {_md_escape(report['engine'])}"
    lines += [meta + f". Session `{report['session_id']}`.", ""]
    verdict = report.get("verdict")
    lines += [f"**Verdict: {verdict.upper()}**. {verdict_summary(report)}" if verdict in ("pass", "fail")
              else f"**{verdict_summary(report)}**", ""]
    if report.get("prompt"):
        lines += ["## The interviewer asked", "", f"> {_md_escape(report['prompt']['text'])}", ""]
    if report["checks"]:
        lines += ["## Checks", ""]
        for _, title, c in _check_items({**report, "personal": []}):
            lines += _md_check(title, c)
        lines.append("")
    if report.get("coaching"):
        lines += ["## For this interviewer", "", _md_escape(report["coaching"]), ""]
    said = delivery_lines(report)
    if said:
        lines += ["## Delivery", ""] + [f"- {_md_escape(s)}" for s in said] + [""]
    timed = timing_lines(report.get("timing"))
    if timed:
        lines += ["## Drill timing", ""] + [f"- {_md_escape(s)}" for s in timed] + [""]
    personal = report.get("personal") or []
    acc = report.get("accomplishment")
    if personal or acc:
        lines += ["## Your own targets", "",
                  "From your accomplishment bank and your debrief of the first interview; they do not "
                  "change the verdict.", ""]
        if acc:
            lines.append(f"Your best accomplishment: **{_md_escape(acc.get('title', ''))}**")
            lines += [f"- {k}: {_md_escape(v)}" for k, v in _entry_lines(acc)]
            lines.append("")
        items = [item for item in _check_items(report) if item[0].startswith("personal-")]
        for _, title, c in items:
            lines += _md_check(title, c, personal=True)
        if items:
            lines.append("")
    lines += ["## Transcript", ""]
    if report["words"]:
        lines += ["| time | words |", "|---:|---|"]
        lines += [f"| {seconds(start)} | {_md_escape(text)} |" for start, text in word_lines(report["words"])]
    else:
        lines.append(f"> {_md_escape(report.get('transcript') or '(nothing was transcribed)')}")
    lines.append("")
    if report["other_versions"]:
        labels = _labels()
        lines += ["## Other versions of this result",
                  "", f"This report shows version {report['version']}, the current one.", "",
                  "| # | scored | why | engine | verdict | checks passed |", "|---:|---|---|---|---|---|"]
        for r in report["other_versions"]:
            passed = ", ".join(labels.get(n, n) for n in r["passed"]) or "none"
            lines.append(f"| {r['version']} | {_when(r['scored_at'])} | {_md_escape(r['reason'] or '')} | "
                         f"{_md_escape(r['engine'] or 'typed text')} | {r['verdict'] or 'not scored'} | "
                         f"{_md_escape(passed)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- HTML -----------------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:0;background:#f4f5f7;color:#1d2330;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #dde1e8;padding-bottom:4px}
.meta{color:#5a6272;margin:0 0 14px}
.verdict{display:inline-block;font-weight:bold;font-size:20px;padding:6px 16px;border-radius:6px;color:#fff;margin-right:12px}
.verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}.verdict.none{background:#6b7280}
.summary{font-size:16px}
blockquote{margin:0;padding:10px 16px;background:#fff;border-left:5px solid #8893a8;font-style:italic}
.lights{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:8px}
.light{display:flex;gap:10px;align-items:flex-start;background:#fff;border-radius:8px;padding:10px 12px;border:1px solid #dde1e8}
.lamp{flex:none;width:22px;height:22px;border-radius:50%;margin-top:2px;border:2px solid rgba(0,0,0,.15)}
.light.pass .lamp{background:#2fb344;box-shadow:0 0 8px #2fb344}.light.miss .lamp{background:#e03131;box-shadow:0 0 8px #e03131}
.light .name{font-weight:bold}.light .tag{color:#5a6272;font-size:13px}
.light .state{font-size:12px;font-weight:bold;letter-spacing:.05em;text-transform:uppercase}
.light.pass .state{color:#2e7d32}.light.miss .state{color:#c62828}
.light .heard{margin:4px 0 0}.light .advice{margin:4px 0 0;color:#3b4252}
.timing-light{display:flex;gap:12px;align-items:center;background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 12px;margin-top:10px}
.timing-light .lamp{width:30px;height:30px}.timing-light .name{font-weight:bold}
.timing-light.light-green .lamp{background:#2fb344;box-shadow:0 0 10px #2fb344}
.timing-light.light-yellow .lamp{background:#f2c200;box-shadow:0 0 10px #f2c200}
.timing-light.light-red .lamp{background:#e03131;box-shadow:0 0 10px #e03131}
.timing-light.light-none .lamp{background:#adb5bd}
audio{width:100%;margin-top:4px}
.note{color:#5a6272;font-style:italic}
.track{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:6px 0 2px;padding:2px 0}
.lane{display:flex;align-items:stretch;border-bottom:1px dashed #e4e7ec}
.lane:last-child{border-bottom:none}
.lane .label{flex:none;width:230px;font-size:12px;color:#3b4252;padding:4px 8px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.lane .body{position:relative;flex:1;height:24px;margin-right:12px}
.lane.words .body{height:30px}
.wblock{position:absolute;top:8px;height:14px;background:#8fa3bf;border-radius:2px;cursor:pointer}
.wblock.ev{background:#f0b400}.wblock.ev.personal{background:#9775fa}
.bar{position:absolute;top:5px;height:14px;border-radius:3px;background:#f0b400}
.bar.personal{background:#9775fa}
.zone{position:absolute;top:0;bottom:0;opacity:.2}
.zone.green{background:#2fb344}.zone.yellow{background:#f2c200}.zone.red{background:#e03131}
.pausemark{position:absolute;top:3px;height:24px;border:1px dashed #e03131;border-radius:3px}
.ticks{position:relative;height:18px;font-size:11px;color:#5a6272;margin:0 12px 10px 231px}
.tick{position:absolute;transform:translateX(-50%)}
.now{position:absolute;top:0;bottom:0;width:2px;background:#1c7ed6;display:none;z-index:3}
.transcript{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 12px}
.row{display:flex;gap:12px;padding:3px 0}
.row .t{flex:none;width:58px;color:#5a6272;font-variant-numeric:tabular-nums;text-align:right}
.w{cursor:pointer;border-radius:3px;padding:0 1px}
.w.ev{background:#ffe066;box-shadow:0 1px 0 #f0b400}
.w.ev.personal{background:#e5dbff}
.w.playing{outline:2px solid #1c7ed6}
dl.entry{display:grid;grid-template-columns:140px 1fr;gap:4px 12px;background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:10px 12px}
dl.entry dt{font-weight:bold}dl.entry dd{margin:0}
ul.facts{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:10px 12px 10px 30px;margin:0}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dde1e8;padding:4px 8px;text-align:left}
footer{margin-top:30px;color:#8a93a3;font-size:12px}
"""

_SCRIPT = """
(function(){
  var audio=document.getElementById('answer-audio');
  var status=document.getElementById('audio-status');
  if(!audio){return;}
  function fmt(s){var m=Math.floor(s/60),r=(s-60*m).toFixed(1);return m>0?m+' min '+r+' s':r+' s';}
  audio.addEventListener('loadedmetadata',function(){
    audio.setAttribute('data-duration',audio.duration.toFixed(2));
    status.setAttribute('data-state','ready');
    status.textContent='Recording ready: '+fmt(audio.duration)+'. Click a word to hear it.';
  });
  audio.addEventListener('error',function(){
    status.setAttribute('data-state','error');
    status.textContent='This browser could not play the recording.';
  });
  var words=[].slice.call(document.querySelectorAll('[data-start]'));
  words.forEach(function(w){w.addEventListener('click',function(){
    audio.currentTime=parseFloat(w.getAttribute('data-start'));audio.play();});});
  var now=document.getElementById('now'),total=parseFloat(document.getElementById('track').getAttribute('data-seconds'));
  audio.addEventListener('timeupdate',function(){
    var t=audio.currentTime;
    words.forEach(function(w){var on=t>=parseFloat(w.getAttribute('data-start'))&&t<parseFloat(w.getAttribute('data-end'))+0.05;
      w.classList.toggle('playing',on&&w.classList.contains('w'));});
    if(now&&total>0){now.style.display='block';now.style.left=Math.min(100,100*t/total)+'%';}
  });
})();
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _evidence_spans(report: dict[str, Any], tokens: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Check key -> [first, last] word index of its evidence in ``tokens`` (the transcript's words)."""
    spans: dict[str, tuple[int, int]] = {}
    for key, _, c in _check_items(report):
        evidence = c.get("evidence")
        if not evidence:
            continue
        quoted = evidence.split()
        start = c.get("word_index")
        if not isinstance(start, int) or not 0 <= start < len(tokens) or \
                _core(tokens[start]) != _core(quoted[0]):
            start = _find(tokens, quoted)
        if start is None:
            continue
        spans[key] = (start, min(len(tokens), start + len(quoted)) - 1)
    return spans


def _core(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def _find(tokens: Sequence[str], quoted: Sequence[str]) -> Optional[int]:
    want = [_core(q) for q in quoted]
    for i in range(len(tokens) - len(want) + 1):
        if [_core(t) for t in tokens[i:i + len(want)]] == want:
            return i
    return None


def _pct(value: float, total: float) -> str:
    return f"{max(0.0, min(100.0, 100.0 * value / total)):.3f}%"


def _tick_step(total: float) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300):
        if total / step <= 12:
            return step
    return 600


def _clock(value: float) -> str:
    minutes, rest = divmod(int(round(value)), 60)
    return f"{minutes}:{rest:02d}"


def to_html(report: dict[str, Any], *, audio_uri: Optional[str] = None, audio_note: Optional[str] = None) -> str:
    """The report as one self-contained HTML page: the lights, the recording, the transcript on a timeline
    with each check's evidence highlighted, the delivery figures and your own targets.

    ``audio_uri`` is the recording as a ``data:audio/wav;base64,...`` URI (embedded in the page), or
    None with ``audio_note`` saying why the page has no audio. The page loads nothing from anywhere.
    """
    labels = _labels()
    items = _check_items(report)
    words = report.get("words") or []
    tokens = [w["word"] for w in words] if words else (report.get("transcript") or "").split()
    spans = _evidence_spans(report, tokens)
    covered: dict[int, list[str]] = {}
    for key, (a, b) in spans.items():
        for i in range(a, b + 1):
            covered.setdefault(i, []).append(key)
    titles = {key: title for key, title, _ in items}

    verdict = report.get("verdict")
    out: list[str] = []
    add = out.append
    page_title = f"Rehearsal: {report['archetype']}, {_when(report.get('started_at'))}"
    add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
    add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    add(f"<title>{_e(page_title)}</title><style>{_CSS}</style></head><body><main>")
    add(f"<header><h1>Interview opening rehearsal: {_e(report['archetype'])}</h1>")
    meta = f"{_mode_words(report)}, recorded {_when(report.get('started_at'))}"
    if report.get("engine"):
        meta += f", transcribed by {report['engine']}"
    add(f"<p class=\"meta\">{_e(meta)}. Session <code>{_e(report['session_id'])}</code>.</p>")
    v_class = verdict if verdict in ("pass", "fail") else "none"
    v_text = verdict.upper() if verdict in ("pass", "fail") else "NOT SCORED"
    add(f"<p><span class=\"verdict {v_class}\" id=\"verdict\" data-verdict=\"{_e(verdict or 'none')}\">{v_text}</span>"
        f"<span class=\"summary\">{_e(verdict_summary(report))}</span></p></header>")

    if report.get("prompt"):
        add(f"<section id=\"prompt\"><h2>The interviewer asked</h2><blockquote>{_e(report['prompt']['text'])}"
            "</blockquote></section>")

    # the lights
    add("<section id=\"checks\"><h2>Checks</h2>")
    core = [i for i in items if not i[0].startswith("personal-")]
    if core:
        add("<ul class=\"lights\">")
        for key, title, c in core:
            add(_light_html(key, title, c, personal=False))
        add("</ul>")
    else:
        add("<p class=\"note\">This session was not scored, so there are no checks.</p>")
    timing = report.get("timing")
    if timing and timing.get("light"):
        light = timing["light"] if timing["light"] in ("none", "green", "yellow", "red") else "none"
        said = " ".join(timing_lines(timing))
        add(f"<div class=\"timing-light light-{light}\" id=\"timing-light\" data-light=\"{_e(light)}\">"
            f"<span class=\"lamp\"></span><div><div class=\"name\">Drill clock: "
            f"{_e(LIGHT_WORDS.get(light, light))}</div><div>{_e(said)}</div></div></div>")
    add("</section>")

    # the recording
    add("<section id=\"recording\"><h2>Recording</h2>")
    if audio_uri:
        add(f"<audio id=\"answer-audio\" controls preload=\"auto\" src=\"{_e(audio_uri)}\"></audio>")
        add("<p id=\"audio-status\" class=\"note\" data-state=\"loading\">Loading the recording...</p>")
    else:
        add(f"<p id=\"audio-status\" class=\"note\" data-state=\"absent\">"
            f"{_e(audio_note or 'This page has no recording.')}</p>")
    add("</section>")

    # the timeline and the transcript
    add("<section id=\"timeline\"><h2>Transcript on a timeline</h2>")
    if words:
        total = _timeline_seconds(report)
        add(f"<div class=\"track\" id=\"track\" data-seconds=\"{total:.2f}\">")
        add("<div class=\"lane words\"><span class=\"label\">words (a block each)</span><div class=\"body\">"
            "<div class=\"now\" id=\"now\"></div>")
        if timing:
            edges = [(timing.get("green_at_s"), "green"), (timing.get("yellow_at_s"), "yellow"),
                     (timing.get("red_at_s"), "red")]
            edges = [(float(s), n) for s, n in edges if s is not None]
            for (start, name), nxt in zip(edges, [e[0] for e in edges[1:]] + [total]):
                add(f"<div class=\"zone {name}\" style=\"left:{_pct(start, total)};"
                    f"width:{_pct(max(0.0, nxt - start), total)}\" title=\"{name} light from {seconds(start)}\"></div>")
        d = report.get("delivery") or {}
        pause, pause_at = d.get("longest_pause_s"), d.get("longest_pause_at_s")
        if pause and pause_at is not None and pause >= PAUSE_WORTH_NAMING_S:
            add(f"<div class=\"pausemark\" style=\"left:{_pct(pause_at, total)};width:{_pct(pause, total)}\" "
                f"title=\"longest pause: {seconds(pause)}\"></div>")
        for i, w in enumerate(words):
            keys = covered.get(i, [])
            cls = "wblock"
            if keys:
                cls += " ev" + (" personal" if all(k.startswith("personal-") for k in keys) else "")
            width = max(w["end"] - w["start"], total * 0.002)
            add(f"<div class=\"{cls}\" data-start=\"{w['start']:.2f}\" data-end=\"{w['end']:.2f}\" "
                f"style=\"left:{_pct(w['start'], total)};width:{_pct(width, total)}\" "
                f"title=\"{_e(w['word'])} at {seconds(w['start'])}\"></div>")
        add("</div></div>")
        for key, (a, b) in spans.items():
            start, end = words[a]["start"], words[b]["end"]
            personal = " personal" if key.startswith("personal-") else ""
            add(f"<div class=\"lane\"><span class=\"label\" title=\"{_e(titles[key])}\">{_e(titles[key])}</span>"
                f"<div class=\"body\"><div class=\"bar{personal}\" data-check=\"{_e(key)}\" "
                f"style=\"left:{_pct(start, total)};width:{_pct(max(end - start, total * 0.004), total)}\" "
                f"title=\"{_e(titles[key])}: {seconds(start)} to {seconds(end)}\"></div></div></div>")
        add("</div><div class=\"ticks\">")
        step = _tick_step(total)
        t = 0.0
        while t <= total + 1e-9:
            add(f"<span class=\"tick\" style=\"left:{_pct(t, total)}\">{_clock(t)}</span>")
            t += step
        add("</div>")
    else:
        add("<p class=\"note\">No word timings: this answer was typed or scored as text.</p>")
    add("<div class=\"transcript\" id=\"transcript\">")
    if tokens:
        for start_s, indices in _rows(words, len(tokens)):
            label = _clock(start_s) if start_s is not None else ""
            add(f"<div class=\"row\"><span class=\"t\">{label}</span><span class=\"line\">")
            pieces = []
            for i in indices:
                keys = covered.get(i, [])
                cls = "w"
                if keys:
                    cls += " ev" + (" personal" if all(k.startswith("personal-") for k in keys) else "")
                attrs = f" class=\"{cls}\""
                tip = []
                if words:
                    w = words[i]
                    attrs += f" data-start=\"{w['start']:.2f}\" data-end=\"{w['end']:.2f}\""
                    tip.append(seconds(w["start"]))
                if keys:
                    attrs += f" data-checks=\"{_e(' '.join(keys))}\""
                    tip += [titles[k] for k in keys]
                if tip:
                    attrs += f" title=\"{_e(' - '.join(tip))}\""
                pieces.append(f"<span{attrs}>{_e(tokens[i])}</span>")
            add(" ".join(pieces) + "</span></div>")
    else:
        add("<p class=\"note\">Nothing was transcribed.</p>")
    add("</div></section>")

    if report.get("coaching"):
        add(f"<section id=\"coaching\"><h2>For this interviewer</h2><p>{_e(report['coaching'])}</p></section>")
    said = delivery_lines(report)
    if said:
        add("<section id=\"delivery\"><h2>Delivery</h2><ul class=\"facts\">")
        add("".join(f"<li>{_e(s)}</li>" for s in said))
        add("</ul></section>")
    personal = [i for i in items if i[0].startswith("personal-")]
    acc = report.get("accomplishment")
    if personal or acc:
        add("<section id=\"personal\"><h2>Your own targets</h2><p class=\"note\">From your accomplishment bank "
            "and your debrief of the first interview; they do not change the verdict.</p>")
        if acc:
            add(f"<p>Your best accomplishment: <strong>{_e(acc.get('title', ''))}</strong></p><dl class=\"entry\">")
            add("".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _entry_lines(acc)))
            add("</dl>")
        if personal:
            add("<ul class=\"lights\" style=\"margin-top:10px\">")
            for key, title, c in personal:
                add(_light_html(key, title, c, personal=True))
            add("</ul>")
        add("</section>")
    if report["other_versions"]:
        add(f"<section id=\"earlier\"><h2>Other versions of this result</h2><p>This page shows version "
            f"{_e(str(report['version']))}, the current one.</p><table><tr><th>#</th><th>scored</th><th>why</th>"
            "<th>engine</th><th>verdict</th><th>checks passed</th></tr>")
        for r in report["other_versions"]:
            passed = ", ".join(labels.get(n, n) for n in r["passed"]) or "none"
            add(f"<tr><td>{r['version']}</td><td>{_e(_when(r['scored_at']))}</td><td>{_e(r['reason'] or '')}</td>"
                f"<td>{_e(r['engine'] or 'typed text')}</td><td>{_e(r['verdict'] or 'not scored')}</td>"
                f"<td>{_e(passed)}</td></tr>")
        add("</table></section>")
    add("<footer>Made by rehearse. This page is self-contained: it loads nothing from anywhere.</footer>")
    add(f"</main><script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(out)


def _light_html(key: str, title: str, c: dict[str, Any], *, personal: bool) -> str:
    state = "pass" if c.get("passed") else "miss"
    cls = f"light {state}" if not personal else f"target-light light {state}"
    attr = f"data-check=\"{_e(key)}\"" if not personal else f"data-target=\"{_e(key)}\""
    tags = [] if personal else ["required" if c.get("required") else "optional"]
    if c.get("score") is not None:
        tags.append(f"score {c['score']}")
    parts = [f"<li class=\"{cls}\" {attr} data-state=\"{state}\"><span class=\"lamp\"></span><div>",
             f"<div><span class=\"state\">{state}</span> <span class=\"name\">{_e(title)}</span> "
             f"<span class=\"tag\">({_e(', '.join(tags))})</span></div>"]
    if c.get("evidence"):
        at = f" at {seconds(c['seconds'])}" if c.get("seconds") is not None else ""
        parts.append(f"<p class=\"heard\">Heard{at}: <q>{_e(c['evidence'])}</q></p>")
    elif not c.get("passed"):
        parts.append("<p class=\"heard\">Not heard.</p>")
    if personal and c.get("heard") and c.get("name") == "presents_accomplishment":
        parts.append(f"<p class=\"heard\">Key terms heard: {_e(', '.join(c['heard']))}</p>")
    if c.get("advice"):
        parts.append(f"<p class=\"advice\">Advice: {_e(c['advice'])}</p>")
    parts.append("</div></li>")
    return "".join(parts)


def _timeline_seconds(report: dict[str, Any]) -> float:
    words = report.get("words") or []
    ends = [words[-1]["end"] if words else 0.0, (report.get("delivery") or {}).get("duration_s") or 0.0]
    timing = report.get("timing") or {}
    ends += [timing.get(k) or 0.0 for k in ("recorded_s", "red_at_s")]
    return max(1.0, max(float(e) for e in ends))


def _rows(words: Sequence[dict[str, Any]], n: int, seconds_per_row: float = 5.0):
    """(start time or None, word indices) of the transcript's lines: about ``seconds_per_row`` each,
    or 14 words a line without timings."""
    if not words:
        for a in range(0, n, 14):
            yield None, range(a, min(n, a + 14))
        return
    current: list[int] = []
    start = None
    for i, w in enumerate(words):
        if start is None:
            start = w["start"]
        current.append(i)
        if w["end"] - start >= seconds_per_row:
            yield start, current
            current, start = [], None
    if current:
        yield start, current


def to_json_text(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
