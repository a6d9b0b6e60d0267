import pytest

from rehearse.core import archetypes
from rehearse.core.errors import RehearseError
from rehearse.core.model import CHECK_NAMES


def test_three_archetypes_each_with_three_prompts_and_known_checks():
    all_ = archetypes.all_archetypes()
    assert {"storyteller", "salesperson", "challenger"} <= set(all_)
    for a in all_.values():
        assert len(a.prompts) >= 3
        assert a.advice and a.required_checks
        assert set(a.required_checks) <= set(CHECK_NAMES)
        assert len({p.id for p in a.prompts}) == len(a.prompts)


def test_unknown_archetype_names_the_known_ones():
    with pytest.raises(RehearseError, match="storyteller"):
        archetypes.get("pirate")


def test_user_prompt_file_adds_prompts(rehearse_home):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(
        '[[archetypes.challenger.prompts]]\ntext = "You have no cloud experience at all."\n'
        '[archetypes.panel]\ntitle = "The panel"\nrequired_checks = ["leads_with_accomplishment"]\n'
        '[[archetypes.panel.prompts]]\nid = "panel-1"\ntext = "There are five of us. Go."\n'
    )
    all_ = archetypes.all_archetypes(fresh=True)
    assert any(p.text == "You have no cloud experience at all." for p in all_["challenger"].prompts)
    assert all_["panel"].prompts[0].id == "panel-1"
    assert len(archetypes.packaged_prompts()) == 9


def test_a_broken_user_prompt_file_is_named(rehearse_home):
    folder = rehearse_home / "prompts"
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text("[[archetypes.challenger.prompts]\n")
    with pytest.raises(RehearseError, match="bad.toml"):
        archetypes.all_archetypes(fresh=True)
