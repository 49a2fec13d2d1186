"""il6hcc.depends: the package modules a rule script imports (declared as the rule's inputs)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from il6hcc import depends
from il6hcc.depends import ImportCache, package_dependencies

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "workflow" / "scripts"


def write(root: Path, relative: str, text: str = "") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path):
    """A small il6hcc package: script -> a -> stats.x -> b (cycle b -> a); c is never imported."""
    write(tmp_path, "il6hcc/__init__.py")
    write(tmp_path, "il6hcc/a.py", "import numpy\nfrom il6hcc.stats.x import f\n")
    write(tmp_path, "il6hcc/b.py", "from il6hcc import a\n")
    write(tmp_path, "il6hcc/c.py", "")
    write(tmp_path, "il6hcc/stats/__init__.py")
    write(tmp_path, "il6hcc/stats/x.py", "def f():\n    from il6hcc.b import g\n")
    script = write(tmp_path, "rule.py", "import os\nfrom il6hcc.a import thing\n")
    return tmp_path, script


def relative(paths, root):
    return sorted(str(Path(p).relative_to(root)) for p in paths)


def test_transitive_imports_with_parent_packages_and_lazy_imports(tree):
    root, script = tree
    found = relative(package_dependencies(script, root), root)
    assert found == [
        "il6hcc/__init__.py",
        "il6hcc/a.py",
        "il6hcc/b.py",
        "il6hcc/stats/__init__.py",
        "il6hcc/stats/x.py",
    ]


def test_other_packages_and_unimported_modules_are_not_inputs(tree):
    root, script = tree
    found = relative(package_dependencies(script, root), root)
    assert "il6hcc/c.py" not in found
    assert not any("numpy" in path or path.startswith("os") for path in found)


def test_a_script_importing_nothing_from_the_package_has_no_module_inputs(tmp_path):
    script = write(tmp_path, "plain.py", "import json\n")
    assert package_dependencies(script, tmp_path) == []


def test_result_is_sorted_and_stable(tree):
    root, script = tree
    first = package_dependencies(script, root)
    assert first == sorted(first) == package_dependencies(script, root)


@pytest.mark.parametrize(
    ("script", "needed", "not_needed"),
    [
        ("roc.py", {"rocanalysis.py", "stats/roc.py", "change.py"}, {"stats/survival.py"}),
        ("criteria.py", {"criteria.py", "stats/proportions.py"}, {"stats/roc.py"}),
        ("clean.py", {"clean.py", "tables.py"}, {"stats/roc.py", "simulate.py"}),
    ],
)
def test_rule_scripts_depend_on_the_modules_they_use(script, needed, not_needed):
    found = relative(package_dependencies(SCRIPTS / script, SCRIPTS), SCRIPTS / "il6hcc")
    assert needed <= set(found)
    assert not (not_needed & set(found))


@pytest.mark.parametrize("script", ["roc.py", "claims.py", "report.py"])
def test_static_reading_finds_every_module_the_rule_script_imports(script):
    # Run the script's imports and definitions (everything but the final run_step or run_rule
    # call, which needs Snakemake's injected object) and list the package modules Python loaded.
    source = (SCRIPTS / script).read_text(encoding="utf-8")
    body = "\n".join(
        line for line in source.splitlines() if not line.startswith(("run_step(", "run_rule("))
    )
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(SCRIPTS)!r})\n"
        f"exec(compile({body!r}, {script!r}, 'exec'))\n"
        "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items()"
        " if n.split('.')[0] == 'il6hcc')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    imported = set(json.loads(result.stdout))
    assert imported, "the script imports package modules"
    assert imported <= set(package_dependencies(SCRIPTS / script, SCRIPTS))


# --- The scan kept between runs ------------------------------------------------------------------


def test_a_saved_scan_is_reused_until_a_file_changes(tree, tmp_path, monkeypatch):
    root, script = tree
    cache_file = tmp_path / "metadata" / "imports.json"
    expected = package_dependencies(script, root, ImportCache(cache_file))
    assert cache_file.is_file()

    def no_reading(path):
        raise AssertionError(f"{path} read again although unchanged")

    with monkeypatch.context() as patch:
        patch.setattr(depends, "_parsed_imports", no_reading)
        assert package_dependencies(script, root, ImportCache(cache_file)) == expected

    # An edit changes the file's stamp: it is read again and its new import is found.
    write(root, "il6hcc/stats/x.py", "from il6hcc.b import g\nfrom il6hcc import c\n")
    found = package_dependencies(script, root, ImportCache(cache_file))
    assert relative(found, root) == relative([*expected, root / "il6hcc/c.py"], root)


def test_an_unreadable_cache_file_means_reading_every_file(tree, tmp_path):
    root, script = tree
    cache_file = tmp_path / "imports.json"
    cache_file.write_text("{not json", encoding="utf-8")
    assert package_dependencies(script, root, ImportCache(cache_file)) == package_dependencies(
        script, root
    )
