"""`rehearse export`: a report a coach reads (Markdown), the same facts as JSON, and one HTML page.

The HTML page is checked in a real headless Chromium (Debian's ``chromium``, installed by
``scripts/install.sh --test``): the DOM it builds and a screenshot of it.
"""

import base64
import io
import json
import os
import re
import shutil
import signal
import subprocess
import wave
from html.parser import HTMLParser

import pytest

from conftest import need
from fakes import install_fake_devices, script_engine, tone_wav
from rehearse.cli.commands import export as export_cmd
from rehearse.cli.render.text import LABELS
from rehearse.coaching.debrief import Debrief, Plan
from rehearse.coaching.personal import Targets, check, results_json
from rehearse.coaching.bank import Accomplishment
from rehearse.core.model import CHECK_NAMES, Transcript
from rehearse.store.sessions import Store
from test_history import OPENING, make_score, make_session, timed_words

EVIDENCE = {"thanks_for_callback": (0, 6), "leads_with_accomplishment": (7, 6)}
HOSTILE = 'i built a <script>alert("x")</script> & <b>bold</b> thing'
DRILL_ANSWER = ("thank you for asking me back um i redesigned our on boarding and um cut ramp up by forty percent "
                "like the new hires were productive in six weeks and uh i also ran the denver ware house")
ONBOARDING = dict(title="Onboarding redesign", situation="New hires took ten weeks to ramp up",
                  action="I rebuilt the first two weeks for new hires", result="cut ramp-up by 40%",
                  terms="onboarding, ramp-up")
RAW = re.compile(r"\bNone\b|\{'|': |\['|\bTrue\b|\bFalse\b")
"""What a Python value printed raw looks like: None, a dict or list repr, a bool."""


def assert_no_raw_values(text):
    found = RAW.search(text)
    assert found is None, f"a raw Python value in the report: ...{text[max(0, found.start() - 60):found.end() + 60]}..."


# -- Markdown ---------------------------------------------------------------------------------------

def test_markdown_is_a_report_a_coach_reads(run_cli):
    sid = make_session(evidence=EVIDENCE)
    saved = Store().get(sid)
    code, out, err = run_cli("export", sid)
    assert code == 0, err
    assert_no_raw_values(out)
    assert out.startswith("# Interview opening rehearsal: storyteller")
    assert "> Tell me why you came back." in out
    assert "**Verdict: PASS**" in out and "all 1 required checks were heard (Leads with your accomplishment)" in out
    # each check: pass or miss, the evidence quoted with the time it came, the advice of a miss
    checks = saved.score["checks"]
    lead = checks["leads_with_accomplishment"]
    assert (f"- **PASS** Leads with your accomplishment (required, score 90)\n"
            f"  - Heard at {lead['seconds']:.1f} s: \u201c{lead['evidence']}\u201d") in out
    assert ("- **MISS** Asks what a very successful first year would accomplish (optional, score 10)\n"
            "  - Not heard.\n  - Advice: Do asks\\_first\\_year\\_question.") in out
    for name in CHECK_NAMES:
        assert LABELS[name] in out
    assert "## For this interviewer" in out
    # delivery in words: pace against the band, the one "um" by word, the speaking time
    wpm = saved.score["metrics"]["wpm"]
    where = "slower than" if wpm < 120 else "faster than" if wpm > 160 else "inside"
    assert f"- Pace: {wpm:.0f} words a minute, {where} the comfortable 120-160 words a minute." in out
    assert "- Fillers: 1 (\u201cum\u201d \u00d71)" in out
    assert f"- Your accomplishment began {lead['seconds']:.1f} s into the answer." in out
    assert "Longest pause" not in out  # evenly spaced words: no pause worth naming
    assert "## Drill timing" not in out and "## Your own targets" not in out  # not a drill, no bank
    assert "| time | words |" in out and "| 0.5 s | thank you for asking me back" in out


def test_a_drill_with_unmeasured_figures_prints_no_raw_values(run_cli):
    """The saved timing of a drill has None in it (no accomplishment heard, no filler caveat) and a dict of
    fillers; none of that reaches the page as Python."""
    timing = {"limit_s": 30.0, "spoken_s": 11.2, "green_at_s": 15.0, "yellow_at_s": 22.5, "red_at_s": 30.0,
              "light": "none", "overtime_s": 0.0, "first_accomplishment_s": None, "grace_s": 3.0,
              "started_at_s": 0.5, "ended_at_s": 11.7, "recorded_s": 13.9, "cut": False, "wpm": 171.4,
              "wpm_band": [120.0, 160.0], "pace": "fast", "longest_pause_s": 1.8, "longest_pause_at_s": 6.1,
              "fillers": 3, "fillers_per_min": 16.1, "filler_words": {"um": 2, "like": 1}, "fillers_note": None}
    sid = make_session(passed={}, mode="drill", extra={"drill": None, "round": 1, "rounds": 1, "timing": timing})
    code, out, err = run_cli("export", sid)
    assert code == 0, err
    assert_no_raw_values(out)
    assert "**Verdict: FAIL**" in out and "1 of 1 required checks was not heard (Leads with your accomplishment)" in out
    assert "- Fillers: 3 (\u201cum\u201d \u00d72, \u201clike\u201d \u00d71)" in out  # the drill's own count, by word
    assert "- Longest pause: 1.8 s, after 6.1 s." in out
    assert "accomplishment began" not in out  # not heard: not mentioned
    assert "- Time limit: 30.0 s (lights: green at 15.0 s, yellow at 22.5 s, red at 30.0 s)." in out
    assert ("- You started speaking at 0.5 s and finished at 11.7 s, before the green light came on, within the "
            "limit.") in out
    assert "cut at the red light" not in out


def _drill_with_targets(run_cli, monkeypatch, tmp_path, seconds=6.0, limit="10"):
    """A real drill round (fake microphone, scripted engine) held to a bank entry and two debrief topics."""
    code, _, err = run_cli("accomplishments", "add", "--title", ONBOARDING["title"], "--situation",
                           ONBOARDING["situation"], "--action", ONBOARDING["action"], "--result",
                           ONBOARDING["result"], "--terms", ONBOARDING["terms"], "--best")
    assert code == 0, err
    store = Store()
    store.debriefs.save(Debrief(id=None, created_at="2026-01-01T00:00:00+00:00", mode="text", answers=(),
                                plan=Plan(drills=(), topics=("budget forecasting", "the Denver warehouse"))))
    monkeypatch.setenv("REHEARSE_NO_COUNTDOWN", "1")
    install_fake_devices(monkeypatch, tone_wav(tmp_path / "answer.wav", seconds=seconds))
    script_engine(DRILL_ANSWER)
    code, out, err = run_cli("drill", "-a", "storyteller", "--seconds", limit, "--engine", "scripted",
                             "--no-tone", "--json")
    assert code in (0, 1), err
    return Store().get(json.loads(out)["session_id"])


def test_markdown_shows_the_bank_entry_the_personal_checks_and_the_drill(run_cli, monkeypatch, tmp_path):
    session = _drill_with_targets(run_cli, monkeypatch, tmp_path)
    code, out, err = run_cli("export", session.id)
    assert code == 0, err
    assert_no_raw_values(out)
    assert "## Your own targets" in out
    assert "Your best accomplishment: **Onboarding redesign**" in out
    assert "- Situation: New hires took ten weeks to ramp up" in out
    assert "- What you did: I rebuilt the first two weeks for new hires" in out
    assert "- Result: cut ramp-up by 40%" in out and "- Key terms: onboarding, ramp-up" in out
    mine = {p["target"]: p for p in session.extra["personal"]}
    assert set(mine) == {"Onboarding redesign", "budget forecasting", "the Denver warehouse"}
    presented = mine["Onboarding redesign"]
    assert presented["passed"]
    assert (f"- **PASS** Presents \u201cOnboarding redesign\u201d (score {presented['score']})\n"
            f"  - Heard at {presented['seconds']:.1f} s: \u201c{presented['evidence']}\u201d") in out
    missed = mine["budget forecasting"]
    assert not missed["passed"] and missed["score"] < 50  # a miss's score is the model's probability
    assert (f"- **MISS** Mentions \u201cbudget forecasting\u201d (score {missed['score']})\n  - Not heard.\n"
            f"  - Advice: {missed['advice']}") in out
    assert "- **PASS** Mentions \u201cthe Denver warehouse\u201d" in out
    # fillers by word: the answer says um twice, like and uh once
    assert "\u201cum\u201d \u00d72" in out and "\u201clike\u201d \u00d71" in out and "\u201cuh\u201d \u00d71" in out
    assert "## Drill timing" in out and "- Time limit: 10.0 s" in out


def test_json_report_carries_the_same_facts(run_cli, tmp_path):
    sid = make_session(evidence=EVIDENCE, mode="drill", extra={"timing": {"limit_s": 30, "light": "green"}})
    target = tmp_path / "report.json"
    code, out, err = run_cli("export", sid[:-1], "--format", "json", "-o", str(target))
    assert code == 0 and out == "" and str(target) in err
    report = json.loads(target.read_text())
    saved = Store().get(sid)
    assert report["session_id"] == sid and report["mode"] == "drill"
    assert report["prompt"]["text"] == "Tell me why you came back."
    assert report["words"] == [w.to_json() for w in saved.words]
    assert report["checks"] == saved.score["checks"] and report["metrics"] == saved.score["metrics"]
    assert report["verdict"] == "pass" and report["timing"] == {"limit_s": 30, "light": "green"}
    assert "Do asks_first_year_question." in report["advice"]
    assert report["other_versions"] == [] and report["version"] == 1
    assert report["personal"] == [] and report["accomplishment"] is None
    assert report["delivery"]["filler_words"] == {"um": 1}
    assert report["delivery"]["wpm_band"] == [120.0, 160.0]


def test_json_report_has_the_personal_checks_and_the_bank_entry(run_cli, monkeypatch, tmp_path):
    session = _drill_with_targets(run_cli, monkeypatch, tmp_path)
    code, out, _ = run_cli("export", session.id, "-f", "json")
    report = json.loads(out)
    assert report["personal"] == session.extra["personal"]
    assert report["accomplishment"]["title"] == "Onboarding redesign"
    assert report["accomplishment"]["result"] == "cut ramp-up by 40%"
    assert report["delivery"]["filler_words"] == session.extra["timing"]["filler_words"]


def test_a_rescored_session_lists_its_other_versions(run_cli):
    sid = make_session(passed={})
    store = Store()
    better = make_score("storyteller", OPENING, timed_words(OPENING),
                        {"leads_with_accomplishment": True, "thanks_for_callback": True})
    store.rescore(sid, score=better, words=timed_words(OPENING), transcript=OPENING, engine="scripted")
    code, out, _ = run_cli("export", sid, "-f", "json")
    report = json.loads(out)
    assert report["verdict"] == "pass" and report["version"] == 2
    assert [(r["version"], r["reason"], r["verdict"]) for r in report["other_versions"]] == [(1, "original", "fail")]
    code, out, _ = run_cli("export", sid)
    assert "## Other versions of this result" in out and "shows version 2, the current one" in out
    assert "| 1 |" in out and "| original | scripted | fail | none |" in out
    # once version 1 is picked again, the report is version 1 and lists version 2
    code, _, err = run_cli("versions", sid, "--use", "1")
    assert code == 0, err
    report = json.loads(run_cli("export", sid, "-f", "json")[1])
    assert report["verdict"] == "fail" and report["version"] == 1
    assert [(r["version"], r["verdict"]) for r in report["other_versions"]] == [(2, "pass")]


def test_text_session_and_markdown_escaping(run_cli):
    sid = make_session(timed=False, prompt_text=None, text="i built a | pipe *star* thing")
    code, out, _ = run_cli("export", sid)
    assert "> i built a \\| pipe \\*star\\* thing" in out and "| time" not in out
    assert_no_raw_values(out)


def test_an_unscored_session_says_why(run_cli):
    store = Store()
    sid = store.create(mode="practice", archetype="storyteller", prompt_text="Why are you here?")
    store.update(sid, status="no_speech")
    code, out, err = run_cli("export", sid)
    assert code == 0, err
    assert "**Not scored: no speech was heard in the recording.**" in out
    assert_no_raw_values(out)
    code, page, err = run_cli("export", sid, "-f", "html")
    assert code == 0 and "NOT SCORED" in page and "no speech was heard" in page


def test_export_faults_are_one_sentence(run_cli, tmp_path):
    code, out, err = run_cli("export", "nothing-here")
    assert code == 2 and "No session matches" in err
    sid = make_session()
    code, out, err = run_cli("export", sid, "-o", str(tmp_path / "no" / "such" / "dir" / "r.md"))
    assert code == 2 and "cannot be written" in err and err.count("\n") == 1


# -- HTML, as text ------------------------------------------------------------------------------------

class Page(HTMLParser):
    """The elements of a page: (tag, attributes, text inside) for every element, and its scripts."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "source"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def find(self, tag=None, cls=None, **attrs):
        out = []
        for e in self.elements:
            classes = (e["attrs"].get("class") or "").split()
            if (tag is None or e["tag"] == tag) and (cls is None or cls in classes) and \
                    all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(e)
        return out


def highlighted(page, key):
    """The transcript words marked as the evidence of check ``key``, joined."""
    return " ".join(e["text"] for e in page.find("span", "w")
                    if key in (e["attrs"].get("data-checks") or "").split())


def assert_self_contained(text):
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", text), "the page points at another file"
    assert "http://" not in text and "https://" not in text and "@import" not in text
    assert not re.search(r"url\((?!data:)", text)


def test_html_page_has_lights_evidence_timeline_and_the_recording(run_cli, monkeypatch, tmp_path):
    session = _drill_with_targets(run_cli, monkeypatch, tmp_path)
    target = tmp_path / "report.html"
    code, out, err = run_cli("export", session.id, "--format", "html", "-o", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert_no_raw_values(re.sub(r"<script>.*?</script>|<style>.*?</style>", "", text, flags=re.S))
    page = Page(text)
    checks = session.score["checks"]
    lights = page.find("li", "light")
    core = [e for e in lights if "data-check" in e["attrs"]]
    assert [e["attrs"]["data-check"] for e in core] == list(CHECK_NAMES)  # one light per check
    for e in core:
        assert e["attrs"]["data-state"] == ("pass" if checks[e["attrs"]["data-check"]]["passed"] else "miss")
    targets = [e for e in lights if "data-target" in e["attrs"]]
    assert [e["attrs"]["data-state"] for e in targets] == \
        ["pass" if p["passed"] else "miss" for p in session.extra["personal"]]
    [light] = page.find("div", "timing-light")
    assert light["attrs"]["data-light"] == session.extra["timing"]["light"]
    # the evidence of every check that has some is highlighted in the transcript, word for word
    for name, c in checks.items():
        if c["evidence"]:
            assert highlighted(page, name) == c["evidence"], name
    # each word sits at its time, on the timeline and in the transcript
    words = [e for e in page.find("span", "w")]
    assert [e["attrs"]["data-start"] for e in words] == [f"{w.start:.2f}" for w in session.words]
    blocks = page.find("div", "wblock")
    assert len(blocks) == len(session.words)
    total = float(page.find("div", id="track")[0]["attrs"]["data-seconds"])
    first_left = float(re.search(r"left:([\d.]+)%", blocks[1]["attrs"]["style"]).group(1))
    assert first_left == pytest.approx(100 * session.words[1].start / total, abs=0.01)
    # the recording, embedded as a WAV of the same length as the one on disk
    [audio] = page.find("audio", id="answer-audio")
    assert audio["attrs"]["src"].startswith("data:audio/wav;base64,")
    embedded = wave.open(io.BytesIO(base64.b64decode(audio["attrs"]["src"].split(",", 1)[1])))
    with wave.open(session.audio_path) as original:
        assert embedded.getnframes() == original.getnframes()
        assert embedded.getframerate() == original.getframerate()
    assert "Onboarding redesign" in page.find("section", id="personal")[0]["text"]


def test_html_escapes_every_user_text(run_cli):
    sid = make_session(text=HOSTILE, evidence={"leads_with_accomplishment": (0, 3)},
                       prompt_text='Tell me <i>why</i> & "how"')
    code, text, err = run_cli("export", sid, "-f", "html")
    assert code == 0, err
    page = Page(text)
    assert [e["tag"] for e in page.elements].count("script") == 1  # the page's own, nothing from the answer
    assert not page.find("b") and not page.find("i")
    assert "<script>alert" not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    transcript = " ".join(e["text"] for e in page.find("span", "w"))
    assert transcript == HOSTILE
    assert page.find("blockquote")[0]["text"] == 'Tell me <i>why</i> & "how"'


def test_html_without_the_recording_says_why(run_cli, tmp_path):
    gone = make_session(audio_path=tmp_path / "gone.wav")
    code, text, _ = run_cli("export", gone, "-f", "html")
    page = Page(text)
    assert not page.find("audio")
    [status] = page.find("p", id="audio-status")
    assert status["attrs"]["data-state"] == "absent" and "no longer on this computer" in status["text"]
    typed = make_session(timed=False)
    [status] = Page(run_cli("export", typed, "-f", "html")[1]).find("p", id="audio-status")
    assert "no recording" in status["text"]


def test_a_recording_over_the_limit_is_left_out_with_a_note(tmp_path):
    wav = tone_wav(tmp_path / "long.wav", seconds=4)  # 128 kB of samples
    uri, note = export_cmd.audio_data_uri(wav, session_id="abc", limit=64 * 1024)
    assert uri is None and "over the" in note and "rehearse replay abc" in note
    uri, note = export_cmd.audio_data_uri(wav, limit=1024 * 1024)
    assert note is None and uri.startswith("data:audio/wav;base64,")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"this is not audio at all")
    uri, note = export_cmd.audio_data_uri(broken)
    assert uri is None and "could not be read" in note


# -- HTML, in a real browser ------------------------------------------------------------------------------

def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path, "chromium is not installed (scripts/install.sh --test installs it)")
    return path


def run_chromium(tmp_path, *args):
    """Headless Chromium on this machine only: no network, a fresh profile; its stdout."""
    profile = tmp_path / "chromium-profile"
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
               "--virtual-time-budget=10000", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("chromium did not finish in 180 s")
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode("utf-8")


def test_the_page_in_a_real_browser(run_cli, monkeypatch, tmp_path):
    chromium()
    session = _drill_with_targets(run_cli, monkeypatch, tmp_path)
    target = tmp_path / "report.html"
    code, _, err = run_cli("export", session.id, "-f", "html", "-o", str(target))
    assert code == 0, err
    url = target.resolve().as_uri()

    dom = Page(run_chromium(tmp_path, "--dump-dom", url))
    checks = session.score["checks"]
    core = [e for e in dom.find("li", "light") if "data-check" in e["attrs"]]
    assert sorted(e["attrs"]["data-check"] for e in core) == sorted(CHECK_NAMES)
    assert {e["attrs"]["data-check"]: e["attrs"]["data-state"] for e in core} == \
        {n: "pass" if c["passed"] else "miss" for n, c in checks.items()}
    for name, c in checks.items():
        if c["evidence"]:
            assert highlighted(dom, name) == c["evidence"]
    assert any(c["evidence"] for c in checks.values())
    [audio] = dom.find("audio", id="answer-audio")
    assert audio["attrs"]["src"].startswith("data:audio/wav;base64,")
    # the browser decoded the embedded WAV: the page's script saw its metadata
    [status] = dom.find("p", id="audio-status")
    assert status["attrs"]["data-state"] == "ready", status
    with wave.open(session.audio_path) as original:
        seconds = original.getnframes() / original.getframerate()
    assert float(audio["attrs"]["data-duration"]) == pytest.approx(seconds, abs=0.05)
    [light] = dom.find("div", "timing-light")
    assert light["attrs"]["data-light"] == session.extra["timing"]["light"]

    shot = tmp_path / "page.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", url)
    from PIL import Image

    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (1200, 1600)
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200, "the screenshot is nearly blank"
    counts = {rgb: n for n, rgb in colours}
    lamp_green, lamp_red, highlight = (0x2f, 0xb3, 0x44), (0xe0, 0x31, 0x31), (0xff, 0xe0, 0x66)
    assert counts.get(lamp_green, 0) > 100, "no green light drawn"
    assert counts.get(lamp_red, 0) > 100, "no red light drawn"
    assert counts.get(highlight, 0) > 300, "no evidence highlighted"


def test_personal_results_without_a_bank_entry_still_show(run_cli):
    """A session whose bank entry was removed since: the check shows with its title alone."""
    acc = Accomplishment(title="Billing migration", result="saved 200000 dollars", terms=("billing",))
    words = timed_words(OPENING)
    mine = results_json(check(Transcript(OPENING, words=words, engine="scripted"),
                              Targets(accomplishment=acc, topics=("release time",))))
    sid = make_session(extra={"personal": mine})
    code, out, _ = run_cli("export", sid)
    assert_no_raw_values(out)
    assert "Your best accomplishment: **Billing migration**" in out
    assert "- **MISS** Presents \u201cBilling migration\u201d" in out
    assert "- **PASS** Mentions \u201crelease time\u201d" in out
    page = Page(run_cli("export", sid, "-f", "html")[1])
    assert [e["attrs"]["data-state"] for e in page.find("li", "target-light")] == ["miss", "pass"]
    topic = next(p for p in mine if p["target"] == "release time")
    assert highlighted(page, "personal-1") == topic["evidence"]
