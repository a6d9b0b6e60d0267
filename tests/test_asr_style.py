"""scripts/asr_style.py: recognition-style copies of typed training openings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import asr_style  # noqa: E402


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (15, "fifteen"), (40, "forty"), (71, "seventy one"), (100, "one hundred"),
    (305, "three hundred five"), (1200, "one thousand two hundred"), (4050, "four thousand fifty"),
    (2_500_000, "two million five hundred thousand"),
])
def test_whole_numbers_are_said_as_an_engine_writes_them(n, words):
    assert asr_style.say_int(n) == words


@pytest.mark.parametrize("digits, words", [
    ("2.5", "two point five"), ("0.9", "zero point nine"), ("1,200", "one thousand two hundred"),
    ("2023", "twenty twenty three"), ("1900", "nineteen hundred"), ("2005", "twenty oh five"),
])
def test_decimals_thousands_and_years(digits, words):
    assert asr_style.say_number(digits) == words


def test_units_and_currencies_follow_the_number():
    text = "We cut churn by 30% and saved $1.2m, about 3x the target, on a £40k budget."
    assert asr_style.asr_text(text) == ("we cut churn by thirty percent and saved one point two million dollars "
                                        "about three times the target on a forty thousand pounds budget")


def test_apostrophes_inside_words_stay_and_quotes_go():
    assert asr_style.asr_text("I'm proud of the team's 'quiet' term.") == "i'm proud of the team's quiet term"


def test_a_copy_keeps_the_labels_and_names_its_typed_opening():
    item = {"id": "t-1", "style": "typed", "text": "Thanks! I cut costs by 30%.", "labels": {"quantified_result": True}}
    copy = asr_style.asr_copy(item)
    assert copy["labels"] == item["labels"] and copy["source_id"] == "t-1" and copy["id"] != "t-1"
    assert copy["text"] == "thanks i cut costs by thirty percent" and copy["style"] == "asr_copy"
    assert item["text"] == "Thanks! I cut costs by 30%."


def test_only_typed_openings_are_copied():
    items = [{"id": "a", "style": "typed", "text": "A."}, {"id": "b", "style": "asr", "text": "b"}]
    assert [it["id"] for it in asr_style.with_asr_copies(items)] == ["a", "b", "a~asr"]


@pytest.mark.parametrize("text, dropped", [
    ("Quick bit about me first. I ran the wreck removal.", "Quick bit about me first. Ran the wreck removal."),
    ("I led the team. I cut costs.", "Led the team. I cut costs."),
    ("Thanks. I'm glad. I built it.", "Thanks. I'm glad. Built it."),
])
def test_the_first_sentence_that_starts_with_i_loses_its_i(text, dropped):
    assert asr_style.subject_dropped(text) == dropped


@pytest.mark.parametrize("text", ["i led the team", "So I did it.", "Thanks, I'm back.", "What would I do?"])
def test_no_sentence_starting_with_i_means_no_copy(text):
    assert asr_style.subject_dropped(text) is None


def test_a_subject_dropped_copy_keeps_the_labels_and_names_its_opening():
    items = [{"id": "a", "style": "asr", "text": "Hi. I cut costs.", "labels": {"quantified_result": True}},
             {"id": "b", "style": "typed", "text": "Hi there."}]
    out = asr_style.with_subject_dropped_copies(items)
    assert [it["id"] for it in out] == ["a", "b", "a~noi"]
    assert out[2]["text"] == "Hi. Cut costs." and out[2]["labels"] == items[0]["labels"]
    assert out[2]["source_id"] == "a" and items[0]["text"] == "Hi. I cut costs."
