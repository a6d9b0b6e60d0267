"""The interface contract lives in the repository (docs/contract.md) and stays the same as the shared one."""

from __future__ import annotations

from conftest import ROOT, SHARED, need


def test_contract_in_the_repo_matches_the_shared_design():
    shared = SHARED / "design.md"
    need(shared.is_file(), "../shared/design.md is not beside the project")
    ours = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert ours == shared.read_text(encoding="utf-8"), (
        "docs/contract.md differs from ../shared/design.md; copy it again (or note the difference)")


def test_readme_points_to_the_contract_in_the_repo():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/contract.md" in readme
    assert "`design.md`" not in readme
