"""The mock interviewer's choice of the next line: pure logic over what an answer did."""

import pytest

from rehearse.coaching import interview as coach
from rehearse.coaching.interview import Answer, Line, Script
from rehearse.core.errors import RehearseError

LEADS, FIRST_YEAR, CONTRIBUTOR, THANKS, NUMBER = (
    "leads_with_accomplishment", "asks_first_year_question", "asks_contributor_question",
    "thanks_for_callback", "quantified_result")

PUSH_BACK = "That sounds like a team effort. What did you change, and by how much?"


def answer(*passed, **seconds):
    return Answer(passed=frozenset(passed), seconds=seconds)


def tiny_script(archetype, per_move=2):
    """A script with ``per_move`` numbered lines for every move (independent of the packaged data)."""
    lines = {m: tuple(Line(id=f"{m}-{i}", move=m, text=f"{m} line {i}") for i in range(1, per_move + 1))
             for m in coach.MOVES[archetype]}
    return Script(archetype=archetype, lines=lines, why={m: f"because {m}" for m in coach.MOVES[archetype]})


# -- challenger ------------------------------------------------------------------------------------

def test_challenger_pushes_back_on_an_accomplishment_without_a_result():
    script = coach.load_script("challenger", extra_dirs=[])
    reply = coach.reply_to(script, answer(LEADS))
    assert reply.moves == ("push_back",)
    assert reply.text == PUSH_BACK  # the article's push-back comes first


def test_challenger_pushes_back_on_a_number_without_what_you_did():
    assert coach.moves_after("challenger", answer(NUMBER)) == ("push_back",)


def test_challenger_moves_to_the_next_doubt_after_a_quantified_accomplishment():
    script = tiny_script("challenger")
    reply = coach.reply_to(script, answer(LEADS, NUMBER), said=["opening"])
    assert reply.moves == ("next_doubt",) and reply.lines[0].id == "next_doubt-1"
    assert reply.why == "because next_doubt"


def test_challenger_asks_again_when_neither_accomplishment_nor_number():
    assert coach.moves_after("challenger", answer(THANKS)) == ("evasion",)


def test_challenger_closing_depends_on_the_last_answer():
    good, bad = answer(LEADS, NUMBER), answer(LEADS)
    assert coach.closing_move("challenger", [bad, good]) == "close_convinced"
    assert coach.closing_move("challenger", [good, bad]) == "close_unconvinced"


# -- salesperson -----------------------------------------------------------------------------------

def test_salesperson_goes_back_to_pitching_when_no_key_question_was_asked():
    assert coach.moves_after("salesperson", answer(LEADS, NUMBER, THANKS)) == ("pitch",)
    assert not coach.took_charge("salesperson", answer(LEADS, NUMBER))


def test_salesperson_answers_the_question_that_was_asked():
    assert coach.moves_after("salesperson", answer(FIRST_YEAR)) == ("answer_first_year",)
    assert coach.moves_after("salesperson", answer(CONTRIBUTOR)) == ("answer_contributor",)


def test_salesperson_answers_both_questions_in_one_reply():
    script = tiny_script("salesperson")
    reply = coach.reply_to(script, answer(FIRST_YEAR, CONTRIBUTOR))
    assert reply.moves == ("answer_first_year", "answer_contributor")
    assert reply.text == "answer_first_year line 1 answer_contributor line 1"
    assert reply.id == "answer_first_year-1+answer_contributor-1"
    assert reply.why == "because answer_first_year because answer_contributor"


def test_salesperson_tells_the_candidate_who_never_asked():
    assert coach.closing_move("salesperson", [answer(LEADS), answer()]) == "close_never_asked"
    assert coach.closing_move("salesperson", [answer(), answer(CONTRIBUTOR)]) == "close_asked"


# -- storyteller -----------------------------------------------------------------------------------

def test_storyteller_resumes_unless_the_moment_was_seized():
    assert coach.moves_after("storyteller", answer(THANKS)) == ("resume",)
    assert coach.moves_after("storyteller", answer(THANKS, LEADS)) == ("follow_up",)
    assert coach.closing_move("storyteller", [answer(), answer()]) == "close_never_seized"
    assert coach.closing_move("storyteller", [answer(), answer(LEADS)]) == "close_seized"


# -- choosing a line -------------------------------------------------------------------------------

def test_lines_are_not_repeated_until_all_were_said_then_come_round_in_order():
    script = tiny_script("storyteller", per_move=2)
    said = []
    got = []
    for _ in range(5):
        reply = coach.reply_to(script, answer(), said)
        said.append(reply.id)
        got.append(reply.lines[0].id)
    assert got == ["resume-1", "resume-2", "resume-1", "resume-2", "resume-1"]


def test_a_two_line_reply_counts_both_lines_as_said():
    script = tiny_script("salesperson", per_move=2)
    first = coach.reply_to(script, answer(FIRST_YEAR, CONTRIBUTOR))
    second = coach.reply_to(script, answer(CONTRIBUTOR), said=[first.id])
    assert second.lines[0].id == "answer_contributor-2"


# -- how fast, and the summary ------------------------------------------------------------------------

def test_charge_seconds_is_the_earliest_evidence_of_taking_charge():
    a = Answer(passed=frozenset({FIRST_YEAR, CONTRIBUTOR, THANKS}),
               seconds={FIRST_YEAR: 7.5, CONTRIBUTOR: 3.25, THANKS: 0.1})
    assert coach.charge_seconds("salesperson", a) == 3.25  # thanks does not count as taking charge
    assert coach.charge_seconds("storyteller", a) is None  # no accomplishment: no charge taken


def test_answer_from_contract_json_checks():
    checks = {LEADS: {"passed": True, "seconds": 1.5}, NUMBER: {"passed": False, "seconds": None}}
    a = Answer.from_checks(checks, first_word_s=0.2)
    assert a.passed == {LEADS} and a.seconds == {LEADS: 1.5} and a.first_word_s == 0.2


def test_summary_needs_the_first_answer_and_every_goal():
    required = (LEADS, NUMBER)
    late = coach.summarize("challenger", required, [answer(LEADS), answer(LEADS, NUMBER), answer()])
    assert late.turns_in_charge == (2,) and late.goals == {LEADS: True, NUMBER: True}
    assert late.verdict == "fail"  # the first answer did not take charge
    early = coach.summarize("challenger", required, [answer(LEADS, NUMBER), answer(LEADS)])
    assert early.verdict == "pass"
    sales = coach.summarize("salesperson", (FIRST_YEAR, CONTRIBUTOR), [answer(FIRST_YEAR), answer(FIRST_YEAR)])
    assert sales.first_minute and sales.missed == (CONTRIBUTOR,) and sales.verdict == "fail"


# -- the data ---------------------------------------------------------------------------------------

def test_every_packaged_move_has_lines_and_a_why():
    for archetype in coach.archetypes_with_interviews():
        script = coach.load_script(archetype, extra_dirs=[])
        for move in coach.MOVES[archetype]:
            assert script.lines[move], (archetype, move)
            assert script.why.get(move), (archetype, move)


def test_user_lines_are_said_before_the_packaged_ones(tmp_path):
    (tmp_path / "mine.toml").write_text(
        '[[interview.challenger.push_back]]\ntext = "Your team did that.   What did you do?"\n'
        '[[archetypes.challenger.prompts]]\ntext = "A prompt in the same file"\n', encoding="utf-8")
    packaged = coach.load_script("challenger", extra_dirs=[])
    mine = coach.load_script("challenger", extra_dirs=[tmp_path])
    added = mine.lines["push_back"][:1]
    assert [line.text for line in added] == ["Your team did that. What did you do?"]
    assert mine.lines["push_back"][1:] == packaged.lines["push_back"]
    assert added[0].id not in {line.id for line in packaged.lines["push_back"]}
    assert coach.reply_to(mine, answer(LEADS)).text == "Your team did that. What did you do?"


@pytest.mark.parametrize("text, fragment", [
    ('[[interview.challenger.shrug]]\ntext = "hm"\n', "unknown challenger move 'shrug'"),
    ('[[interview.pirate.pitch]]\ntext = "arr"\n', "no mock interview for 'pirate'"),
    ('[[interview.challenger.push_back]]\nwords = "no text"\n', "needs a text"),
    ('[interview.challenger\n', "cannot be read"),
])
def test_a_bad_user_file_is_one_sentence_naming_it(tmp_path, text, fragment):
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RehearseError) as err:
        coach.load_script("challenger", extra_dirs=[tmp_path])
    assert fragment in str(err.value) and "bad.toml" in str(err.value)


def test_turns_outside_three_to_five_are_refused():
    assert coach.check_turns(3) == 3 and coach.check_turns(5) == 5
    for bad in (2, 6):
        with pytest.raises(RehearseError, match="--turns must be 3 to 5"):
            coach.check_turns(bad)


def test_monologue_lines_carry_their_pauses_and_a_users_monologue_replaces_the_packaged_one(tmp_path):
    script = coach.load_script("storyteller", extra_dirs=[])
    lines = script.lines[coach.MONOLOGUE]
    assert len(lines) >= 3
    assert all(0.8 <= line.pause_after <= 2.0 for line in lines)
    (tmp_path / "mine.toml").write_text('[[interview.storyteller.monologue]]\ntext = "My story."\npause_after = 1.5\n')
    mine = coach.load_script("storyteller", extra_dirs=[tmp_path]).lines[coach.MONOLOGUE]
    assert [(line.text, line.pause_after) for line in mine] == [("My story.", 1.5)]


@pytest.mark.parametrize("value", ["9", "0.1", '"long"', "true"])
def test_a_bad_pause_is_one_sentence_naming_the_file(tmp_path, value):
    path = tmp_path / "bad.toml"
    path.write_text(f'[[interview.storyteller.monologue]]\ntext = "Hm."\npause_after = {value}\n')
    with pytest.raises(RehearseError, match="pause_after must be a number of seconds") as err:
        coach.load_script("storyteller", extra_dirs=[tmp_path])
    assert str(path) in str(err.value)


def test_an_answer_given_only_after_the_monologue_does_not_take_charge():
    led = {coach.LEADS: {"passed": True, "seconds": 0.5}}
    assert coach.took_charge("storyteller", coach.Answer.from_checks(led, seized=True))
    assert not coach.took_charge("storyteller", coach.Answer.from_checks(led, seized=False))
    assert coach.took_charge("storyteller", coach.Answer.from_checks(led))
    assert coach.moves_after("storyteller", coach.Answer.from_checks(led, seized=False)) == ("resume",)
