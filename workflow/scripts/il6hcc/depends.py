"""Which modules of the package a rule's script imports, so Snakemake can track them as inputs.

Snakemake reruns a job when its ``script:`` file changes, but not when a module that script
imports changes. Listing the imported package modules (found transitively by reading the import
statements, without importing anything) as the rule's inputs closes that gap: editing
``il6hcc/stats/roc.py`` reruns exactly the rules whose scripts reach it.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

PACKAGE = "il6hcc"


def _module_path(root: Path, dotted: str) -> Path | None:
    parts = dotted.split(".")
    as_module = root.joinpath(*parts).with_suffix(".py")
    if as_module.is_file():
        return as_module
    as_package = root.joinpath(*parts, "__init__.py")
    return as_package if as_package.is_file() else None


class ImportCache:
    """The package names each file imports, keyed by the file's modification time and size.

    A no-op run waits on this scan (every rule's inputs list its modules), so the answers are
    kept: in memory for the rest of the process (most modules are shared between scripts), and,
    when ``path`` is given, in a JSON file for the next Snakemake process (the next run, every
    job of a cluster executor). An edited file has another stamp and is read again; a missing or
    unreadable cache file only means reading every file again.
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self.entries: dict[str, dict] = {}
        if path is not None:
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}
        self.changed = False
        # Which file a dotted name is, per process: the walk asks about the same names often.
        self.resolved: dict[tuple[Path, str], Path | None] = {}

    def module_path(self, root: Path, dotted: str) -> Path | None:
        key = (root, dotted)
        if key not in self.resolved:
            self.resolved[key] = _module_path(root, dotted)
        return self.resolved[key]

    def imported_names(self, path: Path) -> frozenset[str]:
        stat = path.stat()
        stamp = [stat.st_mtime_ns, stat.st_size]
        key = str(path.resolve())
        entry = self.entries.get(key)
        if entry is None or entry["stamp"] != stamp:
            entry = {"stamp": stamp, "names": sorted(_parsed_imports(path))}
            self.entries[key] = entry
            self.changed = True
        return frozenset(entry["names"])

    def save(self) -> None:
        """Write the cache if it learnt something (atomically: runs may start side by side)."""
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        partial.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)
        self.changed = False


def _parsed_imports(path: Path) -> frozenset[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in names if name == PACKAGE or name.startswith(PACKAGE + "."))


def package_dependencies(
    script: str | Path, root: str | Path, cache: ImportCache | None = None
) -> list[str]:
    """Sorted paths of the package modules that ``script`` imports, directly or not.

    ``root`` is the folder holding the package (workflow/scripts). Parent packages'
    ``__init__.py`` files are included because importing a submodule runs them. ``cache``
    keeps what files import between calls (and runs); without it every file is read.
    """
    cache = ImportCache() if cache is None else cache
    root = Path(root)
    seen: set[Path] = set()
    pending = [Path(script)]
    while pending:
        for name in cache.imported_names(pending.pop()):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                path = cache.module_path(root, ".".join(parts[:depth]))
                if path is not None and path not in seen:
                    seen.add(path)
                    pending.append(path)
    cache.save()
    return sorted(str(path) for path in seen)
