"""The accomplishment bank through the CLI: add (flags or prompts), list, edit, best, remove,
import and export as TOML (a bad file says its line and reason and changes nothing)."""

import io
import json
import sqlite3
import textwrap

import pytest

from rehearse.store.bank import Bank
from rehearse.coaching.bank import Accomplishment, describe, nudges, parse_toml, to_toml, validate
from rehearse.core.errors import RehearseError


def entries(run_cli):
    code, out, err = run_cli("accomplishments", "list", "--json")
    assert code == 0, err
    return json.loads(out)


def add(run_cli, *flags):
    code, out, err = run_cli("accomplishments", "add", *flags, "--json")
    assert code == 0, err
    return json.loads(out), err


def test_add_with_flags_then_list_and_best(run_cli):
    first, _ = add(run_cli, "--title", "Onboarding redesign", "--situation", "new hires took months",
                   "--action", "I rebuilt the first two weeks", "--result", "cut ramp-up from 10 weeks to 6",
                   "--terms", "onboarding, ramp-up, new hires")
    second, _ = add(run_cli, "--title", "Billing migration", "--result", "saved $40k a year", "--best")
    assert first["terms"] == ["onboarding", "ramp-up", "new hires"]
    assert second["best"] is True and first["best"] is False
    listed = entries(run_cli)
    assert [e["title"] for e in listed] == ["Billing migration", "Onboarding redesign"]  # best first
    code, out, _ = run_cli("accomplishments", "best", str(first["id"]), "--json")
    assert code == 0 and json.loads(out)["best"] is True
    best = [e["title"] for e in entries(run_cli) if e["best"]]
    assert best == ["Onboarding redesign"]  # only one best
    code, out, _ = run_cli("accomplishments", "best")
    assert code == 0 and "Onboarding redesign" in out


def test_an_accomplishment_without_a_result_is_accepted_with_a_nudge(run_cli):
    code, out, err = run_cli("accomplishments", "add", "--title", "Hiring pipeline")
    assert code == 0
    assert "Added entry" in out
    assert "no result yet" in err and "number" in err
    entry = entries(run_cli)[0]
    assert entry["result"] == "" and any("no result" in n for n in entry["nudges"])
    # a result in words but without a number gets a different nudge; spelled-out numbers count
    assert any("has no number" in n for n in nudges(Accomplishment("X", result="made the team happier")))
    assert not any("number" in n for n in nudges(Accomplishment("X", result="cut churn by a third", terms=("x",))))
    assert not nudges(Accomplishment("X", result="grew sales by forty two percent", terms=("sales",)))


def test_bad_input_is_refused_in_one_sentence(run_cli):
    add(run_cli, "--title", "Onboarding redesign")
    code, out, err = run_cli("accomplishments", "add", "--title", "onboarding REDESIGN")
    assert code == 2 and "already" in err and "Traceback" not in err
    code, _, err = run_cli("accomplishments", "add", "--title", "   ")
    assert code == 2 and "title" in err
    code, _, err = run_cli("accomplishments", "add", "--title", "x" * 300)
    assert code == 2 and "characters" in err
    code, _, err = run_cli("accomplishments", "remove", "42")
    assert code == 2 and "No accomplishment" in err
    code, _, err = run_cli("accomplishments")
    assert code == 2 and "add, list" in err
    assert len(entries(run_cli)) == 1


def test_interactive_add_and_edit_read_stdin(run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "Checkout rebuild\nconversion was falling\nI rewrote the checkout\nconversion up 12%\ncheckout, conversion\nyes\n"))
    code, out, err = run_cli("accomplishments", "add")
    assert code == 0, err
    assert "Title" in err and "Result" in err  # the prompts go to stderr
    entry = entries(run_cli)[0]
    assert entry["title"] == "Checkout rebuild" and entry["result"] == "conversion up 12%"
    assert entry["terms"] == ["checkout", "conversion"] and entry["best"] is True
    # interactive edit: an empty line keeps the current value
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\nconversion up 14%\n\n"))
    code, out, err = run_cli("accomplishments", "edit", str(entry["id"]))
    assert code == 0, err
    edited = entries(run_cli)[0]
    assert edited["result"] == "conversion up 14%"
    assert edited["title"] == "Checkout rebuild" and edited["action"] == "I rewrote the checkout"
    # edit with flags, by title
    code, _, err = run_cli("accomplishments", "edit", "checkout rebuild", "--terms", "checkout; payments")
    assert code == 0, err
    assert entries(run_cli)[0]["terms"] == ["checkout", "payments"]
    # an interactive add with an empty title adds nothing
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code, _, err = run_cli("accomplishments", "add")
    assert code == 2 and "title" in err
    assert len(entries(run_cli)) == 1


def test_remove(run_cli):
    kept, _ = add(run_cli, "--title", "A")
    gone, _ = add(run_cli, "--title", "B", "--best")
    code, out, err = run_cli("accomplishments", "remove", str(gone["id"]))
    assert code == 0 and "Removed" in out and "best" in err
    assert [e["id"] for e in entries(run_cli)] == [kept["id"]]


GOOD = textwrap.dedent('''\
    # prepared in an editor
    [[accomplishment]]
    title = "Onboarding redesign"
    situation = "New hires needed ten weeks to be productive."
    action = "I rebuilt the first two weeks around real tickets."
    result = "Ramp-up fell from 10 weeks to 6 (40% faster)."
    terms = ["onboarding", "ramp-up", "new hires"]
    best = true

    [[accomplishment]]
    title = "Billing migration"
    result = "saved $40,000 a year"
    terms = "billing, postgres"
    ''')


def test_import_then_export_round_trips(run_cli, tmp_path):
    path = tmp_path / "bank.toml"
    path.write_text(GOOD)
    code, out, err = run_cli("accomplishments", "import", str(path))
    assert code == 0, err
    assert "2 added" in out
    listed = entries(run_cli)
    assert [e["title"] for e in listed] == ["Onboarding redesign", "Billing migration"]
    assert listed[1]["terms"] == ["billing", "postgres"] and listed[0]["best"]
    # importing again updates by title instead of duplicating
    code, out, _ = run_cli("accomplishments", "import", str(path))
    assert "0 added, 2 updated" in out and len(entries(run_cli)) == 2
    code, exported, _ = run_cli("accomplishments", "export")
    assert code == 0
    again = parse_toml(exported)
    assert [(a.title, a.result, a.terms, a.best) for a in again] == [
        (e["title"], e["result"], tuple(e["terms"]), e["best"]) for e in listed]
    out_file = tmp_path / "out.toml"
    code, _, err = run_cli("accomplishments", "export", str(out_file))
    assert code == 0 and out_file.read_text() == exported
    # --replace: the file becomes the bank
    path.write_text('[[accomplishment]]\ntitle = "Only this"\n')
    code, out, _ = run_cli("accomplishments", "import", str(path), "--replace")
    assert code == 0 and "2 removed first" in out
    assert [e["title"] for e in entries(run_cli)] == ["Only this"]


@pytest.mark.parametrize("text, line, reason", [
    (GOOD + '\n[[accomplishment]]\ntitle = "Broken\nresult = "x"\n', 16, "not valid TOML"),
    (GOOD + '\n[[accomplishment]]\ntitle = "Third"\nreslt = "typo"\n', 17, "unknown key 'reslt'"),
    (GOOD + '\n[[accomplishment]]\ntitle = "Third"\nresult = 40\n', 17, "result must be text"),
    (GOOD + '\n[[accomplishment]]\nresult = "no title"\n', 15, "no title"),
    (GOOD + '\n[[accomplishment]]\ntitle = "Fourth"\nbest = true\n', 17, "only one accomplishment can be best"),
    (GOOD + '\n[[accomplishment]]\ntitle = "billing MIGRATION"\n', 16, "already used by the entry at line 10"),
    (GOOD + '\n[[accomplishment]]\ntitle = "T"\nterms = [1, 2]\n', 17, "terms must be a list of text"),
])
def test_a_malformed_import_names_the_line_and_imports_nothing(run_cli, tmp_path, text, line, reason):
    add(run_cli, "--title", "Already here", "--result", "kept as it was")
    before = entries(run_cli)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, out, err = run_cli("accomplishments", "import", str(path))
    assert code == 2 and out == ""
    assert f"line {line}:" in err and reason in err, err
    assert "nothing was imported" in err and "Traceback" not in err
    assert entries(run_cli) == before  # the two good entries before the bad one were not imported


def test_import_of_a_missing_or_empty_file(run_cli, tmp_path):
    code, _, err = run_cli("accomplishments", "import", str(tmp_path / "nope.toml"))
    assert code == 2 and "does not exist" in err
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing yet\n")
    code, _, err = run_cli("accomplishments", "import", str(empty))
    assert code == 2 and "no [[accomplishment]] entries" in err


def test_bank_in_the_database_keeps_one_best_and_rolls_back(tmp_path):
    bank = Bank.open(tmp_path / "r.db")
    a = bank.add(Accomplishment("A", best=True))
    b = bank.add(Accomplishment("B"))
    bank.set_best(b.id)
    assert [x.title for x in bank.list() if x.best] == ["B"]
    # an import that fails half-way (two bests break the one-best index on the second insert)
    # leaves nothing behind: not C, and B is still the best
    with pytest.raises(sqlite3.IntegrityError):
        bank.import_entries([Accomplishment("C", best=True), Accomplishment("D", best=True)])
    assert [(x.title, x.best) for x in bank.list()] == [("B", True), ("A", False)]
    assert bank.find_similar("the b") == bank.get(b.id)
    assert bank.find_similar("something else") is None
    bank.close()
    assert a.id != b.id


def test_describe_names_the_accomplishment_the_way_advice_says_it():
    acc = Accomplishment("Onboarding redesign", result="Cut ramp-up by 40%.")
    assert describe(acc) == "the onboarding redesign that cut ramp-up by 40%"
    assert describe(Accomplishment("API gateway", result="latency: 300 ms to 90 ms")) == \
        "the API gateway (latency: 300 ms to 90 ms)"
    assert describe(Accomplishment("My first product launch")) == "my first product launch"
    with pytest.raises(RehearseError):
        validate(Accomplishment("ok", terms=tuple(f"t{i}" for i in range(30))))
    assert to_toml([]).startswith("#")


@pytest.mark.parametrize("mention, title, same", [
    ("the on-boarding re-design.", "Onboarding redesign", True),
    ("on boarding redesign", "Onboarding redesign", True),
    ("the onboarding redesign at Acme", "Onboarding redesign", True),
    ("my CRM rollout project", "CRM rollout", True),
    ("Acme\u2019s analytics rebuild", "Acme's analytics rebuild", True),
    ("the redesign", "Onboarding redesign", True),
    ("the billing migration", "Onboarding redesign", False),
    ("the audit", "Denver warehouse audit", False),
    ("onboarding", "Onboarding redesign at Acme", False),
    ("the launch of the new billing system at Acme", "Launch", False),
])
def test_a_mention_finds_the_entry_it_names_and_no_other(tmp_path, mention, title, same):
    bank = Bank.open(tmp_path / "r.db")
    entry = bank.add(Accomplishment(title))
    other = bank.add(Accomplishment("Quarterly budget review"))
    found = bank.find_similar(mention)
    assert (found == entry) if same else found is None
    assert found != other
    bank.close()
