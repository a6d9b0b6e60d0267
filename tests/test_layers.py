"""The layers of the package: each may import only the layers below it (README, "Development").

Every ``import`` in a module counts, also the ones inside functions (imported lazily for speed), so
a pure module cannot reach a device, an engine, the store or the CLI by any path.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rehearse"

ALLOWED = {
    "core": {"core"},
    "coaching": {"core", "coaching"},
    "audio": {"core", "audio"},
    "speech": {"core", "audio", "speech"},
    "store": {"core", "coaching", "store"},
    "session": {"core", "coaching", "audio", "speech", "store", "session"},
    "cli": {"core", "coaching", "audio", "speech", "store", "session", "cli", "api"},
}
"""Layer -> the layers its modules may import."""


def _layer_of(module: str) -> str | None:
    """The layer a module belongs to; None outside rehearse and for the package's own top level
    (``rehearse.__version__``, the library API in ``rehearse.api``)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "rehearse" or parts[1] in ("__version__", "api"):
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "rehearse":
                found += [(node.lineno, f"rehearse.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found if name.startswith("rehearse.")]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) > 1 and rel.parts[0] in ALLOWED:
            yield rel.parts[0], path


def test_every_module_belongs_to_a_known_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py", "api.py"}]
    assert loose == [], f"modules outside the layers: {loose}"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED), f"packages the layer rules do not know: {folders - set(ALLOWED)}"


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_only_the_layers_below(layer):
    wrong = []
    for owner, path in _modules():
        if owner != layer:
            continue
        for line, name in _imports(path):
            target = _layer_of(name)
            if target is not None and target not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert wrong == [], "imports against the direction of the layers:\n" + "\n".join(wrong)


def test_the_rule_itself_catches_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from rehearse.audio import devices\n")
    assert _imports(bad) == [(2, "rehearse.audio")]
    assert _layer_of("rehearse.audio") not in ALLOWED["coaching"]
