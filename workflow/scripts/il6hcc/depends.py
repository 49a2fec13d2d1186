"""Which modules of the package a rule's script imports, so Snakemake can track them as inputs.

Snakemake reruns a job when its ``script:`` file changes, but not when a module that script
imports changes. Listing the imported package modules (found transitively by reading the import
statements, without importing anything) as the rule's inputs closes that gap: editing
``il6hcc/stats/roc.py`` reruns exactly the rules whose scripts reach it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "il6hcc"


def _module_path(root: Path, dotted: str) -> Path | None:
    parts = dotted.split(".")
    as_module = root.joinpath(*parts).with_suffix(".py")
    if as_module.is_file():
        return as_module
    as_package = root.joinpath(*parts, "__init__.py")
    return as_package if as_package.is_file() else None


def _imported_names(path: Path) -> frozenset[str]:
    stat = path.stat()
    return _parsed_imports(path, stat.st_mtime_ns, stat.st_size)


# Memoised: the Snakefile asks once per rule and most modules are shared between scripts, so each
# file is parsed once per Snakemake start, not once per rule (a no-op run waits on this). The
# modification time and size are part of the key, so an edited file is parsed again.
@cache
def _parsed_imports(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in names if name == PACKAGE or name.startswith(PACKAGE + "."))


def package_dependencies(script: str | Path, root: str | Path) -> list[str]:
    """Sorted paths of the package modules that ``script`` imports, directly or not.

    ``root`` is the folder holding the package (workflow/scripts). Parent packages'
    ``__init__.py`` files are included because importing a submodule runs them.
    """
    root = Path(root)
    seen: set[Path] = set()
    pending = [Path(script)]
    while pending:
        for name in _imported_names(pending.pop()):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                path = _module_path(root, ".".join(parts[:depth]))
                if path is not None and path not in seen:
                    seen.add(path)
                    pending.append(path)
    return sorted(str(path) for path in seen)
