"""The package's own modules a step runs: its imports within the package, followed (functions' imports included),
so that what a cache keeps is keyed by the source that made it and never reused under other code."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from . import paths


def package_imports(module: str) -> set[str]:
    """The modules of this package that ``module`` imports (anywhere in it, functions included)."""
    names = set()
    for node in ast.walk(ast.parse((paths.PACKAGE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("conflictlens")):
            base = (node.module or "").removeprefix("conflictlens").lstrip(".")
            names |= {base.split(".")[0]} if base else {a.name for a in node.names}
    return {n for n in names if (paths.PACKAGE / f"{n}.py").is_file()}


def closure(roots: Iterable[str], seen: Iterable[str] = ()) -> set[str]:
    """``roots`` and every package module they import, directly or not (``seen``: modules counted already)."""
    todo, found = list(roots), set(seen)
    while todo:
        if (module := todo.pop()) not in found:
            found.add(module)
            todo.extend(package_imports(module))
    return found
