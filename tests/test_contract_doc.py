"""The interface contract lives in the repository (docs/contract.md) and stays the same as the shared one."""

from __future__ import annotations

from conftest import ROOT, SHARED, need


CHANGES = "\n## Changes since the shared design\n"
"""The one place docs/contract.md may depart from the shared design: amendments listed at its end."""


def test_contract_in_the_repo_matches_the_shared_design():
    shared = SHARED / "design.md"
    need(shared.is_file(), "../shared/design.md is not beside the project")
    ours = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    agreed, _, amendments = ours.partition(CHANGES)
    assert agreed.rstrip("\n") == shared.read_text(encoding="utf-8").rstrip("\n"), (
        "docs/contract.md differs from ../shared/design.md; copy it again (or note the difference under "
        f"{CHANGES.strip()!r} at its end)")
    if amendments:
        assert "\n- " in amendments, "the amendments are listed, one bullet each, under the changes heading"


def test_readme_points_to_the_contract_in_the_repo():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/contract.md" in readme
    assert "`design.md`" not in readme
