"""The plain data types."""

from rehearse.core.model import Transcript, Word


def test_transcript_words_are_kept_in_time_order():
    t = Transcript("a b c", (Word("a", 0.0, 0.5), Word("b", 0.45, 0.4), Word("c", 0.9, 1.0)))
    assert [w.start for w in t.words] == [0.0, 0.45, 0.9]
    assert t.words[1].end == 0.45
    backwards = Transcript("x y", (Word("x", 1.0, 1.2), Word("y", 0.98, 1.3)))
    assert [w.start for w in backwards.words] == [1.0, 1.0]
