"""The normalisation the checks read: numbers in words, contractions, fillers, misheard words."""

from __future__ import annotations

import pytest

from rehearse.coaching.checks import load_rules
from rehearse.coaching.textnorm import NUM, normalize


def doc(text: str):
    return normalize(text.split(), load_rules().norm)


@pytest.mark.parametrize("text,value", [
    ("a hundred and twenty", 120), ("two hundred thousand", 200000), ("forty-two", 42),
    ("one and a half", 1.5), ("1,200", 1200), ("1.2 million", 1200000), ("$240,000", 240000),
    ("thirty two", 32), ("twenty five", 25),
])
def test_numbers_in_words_and_digits_become_one_token(text, value):
    d = doc(text)
    nums = [v for t, v in zip(d.tokens, d.values) if t == NUM]
    assert nums == [pytest.approx(value)]


def test_fractions_and_units():
    d = doc("dropped by two thirds and 30% more")
    assert d.tokens.count(NUM) == 2 and "percent" in d.tokens


def test_fillers_contractions_and_stutters():
    d = doc("um so i i've uh you know built it")
    assert d.tokens == ("so", "i", "have", "built", "it")
    # before "it": "so", "i", "i've", "built"; "um", "uh" and "you know" are not spoken words
    assert d.spoken_before[-1] == 4


def test_misheard_key_words_are_repaired():
    assert "accomplishment" in doc("a complishment").tokens
    six = doc("the last sick months")  # repaired to "six months", and then "six" is a number
    assert six.tokens[-2:] == (NUM, "months") and six.values[-2] == 6
    assert "contributor" in doc("effective contributer").tokens


def test_sentence_marks_only_from_typed_punctuation():
    d = doc("What would I do? I built it.")
    assert d.sentence[0] == 0 and d.sentence[-1] == 1 and d.asked == {0}


def test_two_digit_groups_in_a_row_stay_two_numbers():
    d = doc("from 10 weeks to 6, 40% faster")
    assert [v for t, v in zip(d.tokens, d.values) if t == NUM] == [10, 6, 40]


@pytest.mark.parametrize("text", ["we double checked it", "i had to think twice", "they doubled down on it"])
def test_quantity_words_in_figures_of_speech_stay_words(text):
    assert NUM not in doc(text).tokens


@pytest.mark.parametrize("text", ["sales doubled", "it cut the queue in half", "twice as fast"])
def test_quantity_words_as_results_become_numbers(text):
    assert NUM in doc(text).tokens


def test_misheard_callback_and_year_are_repaired():
    assert "callback" in doc("thanks for the cold back").tokens
    assert doc("in the first ear").tokens[-2:] == ("first", "year")


@pytest.mark.parametrize("text,value", [("$3.8 million", 3800000), ("$2.5M", 2500000), ("$40k", 40000)])
def test_money_with_a_scale_is_one_amount_in_dollars(text, value):
    d = doc(text)
    assert [v for t, v in zip(d.tokens, d.values) if t == NUM] == [pytest.approx(value)]
    assert d.tokens[-1] == "dollars"


def test_grand_is_thousands_of_dollars():
    d = doc("cut their bill by like twelve grand")
    assert d.values[d.tokens.index(NUM)] == pytest.approx(12000) and d.tokens[-1] == "dollars"
