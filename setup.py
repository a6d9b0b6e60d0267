"""The one part of the build pyproject.toml cannot declare: ship ``audio_prompts/`` inside the package.

The rendered interviewer prompts live at the top of the repository (``audio_prompts/``), not under
``rehearse/``. ``package_dir`` maps the subpackage ``rehearse.audio_prompts`` onto that folder, so the
sdist and the wheel carry its WAVs and ``manifest.json`` (see ``[tool.setuptools.package-data]``) and
an installed copy finds them as ``rehearse/audio_prompts/``. ``packages.find`` cannot add a mapped
package, hence the package list is computed here. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    # Namespace discovery, as `packages.find` did, so the data-only rehearse/data/ stays a package.
    packages=find_namespace_packages(include=["rehearse", "rehearse.*"], exclude=["*.__pycache__"])
    + ["rehearse.audio_prompts"],
    package_dir={"rehearse.audio_prompts": "audio_prompts"},
)
