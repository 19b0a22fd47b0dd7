"""environment.yml (conda) and pyproject.toml (pip) list the same dependencies with the same bounds."""

from __future__ import annotations

import re
import tomllib

import yaml

from conflictlens import paths

# conda-forge names where pip's differ: conda's dask already includes distributed.
CONDA_NAME = {"dask[distributed]": "dask"}
SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-\[\]]+)\s*(?P<spec>.*)$")


def _split(requirement: str) -> tuple[str, str]:
    m = SPEC.match(requirement.strip())
    return m["name"].lower(), m["spec"].replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    return dict(_split(r) for r in project["dependencies"])


def _conda() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    nested = [d for d in env["dependencies"] if isinstance(d, dict)]
    return dict(_split(d) for d in plain), nested


def test_same_dependencies_and_bounds():
    conda, _ = _conda()
    expected = {CONDA_NAME.get(name, name): spec for name, spec in _pyproject().items()}
    extra = {k: v for k, v in conda.items() if k not in ("python", "pip")}
    assert extra == expected


def test_same_python():
    conda, nested = _conda()
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11" and conda["python"] == "=3.11"
    assert nested == [{"pip": ["--editable ."]}]  # the package itself, from lib/


def test_split_reads_extras_and_bounds():
    # The hard case: an extra in brackets belongs to the name, not to the version bound.
    assert _split("dask[distributed]>=2024.1") == ("dask[distributed]", ">=2024.1")
    assert _split("python=3.11") == ("python", "=3.11")
