"""The pinned environments agree: requirements.txt (pip), envs/analysis.yaml (conda), and the
test requirements, which include the run requirements."""

import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
# What the reports extra of snakemake adds (pinned one by one in requirements.txt).
EXTRA_PACKAGES = {("snakemake", "reports"): {"pygments"}}
# Used by the main Snakemake process only, never inside a job, so not in the rules' conda env:
# the engine (a job's script unpickles its `snakemake` object with the main installation's
# package, which Snakemake's script preamble puts on sys.path) and its reports extra.
MAIN_PROCESS_ONLY = {"snakemake", "pygments"}
CONDA_ONLY = {"python"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def pinned(path: Path) -> dict[str, tuple[str, set[str]]]:
    """{normalised name: (exact version, extras)} of a requirements file (no -r lines)."""
    pins = {}
    for line in requirement_lines(path):
        if line.startswith("-r "):
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not pinned: {line}"
        name = normalise(requirement.name)
        assert name not in pins, f"{name} pinned twice in {path.name}"
        pins[name] = (specifiers[0].version, set(requirement.extras))
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO / "envs" / "analysis.yaml").read_text(encoding="utf-8"))
    pins = {}
    for entry in env["dependencies"]:
        assert isinstance(entry, str), f"unexpected env entry {entry!r} (pip section?)"
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==?([^=\s]+)", entry)
        assert match, f"not pinned exactly: {entry}"
        name = normalise(match.group(1))
        assert name not in pins, f"{name} listed twice in envs/analysis.yaml"
        pins[name] = match.group(2)
    return pins


RUN = pinned(REPO / "requirements.txt")
DEV = pinned(REPO / "requirements-dev.txt")
CONDA = conda_pins()


def expected_conda_pins() -> dict[str, str]:
    """What envs/analysis.yaml must pin, derived from requirements.txt."""
    return {name: pin[0] for name, pin in RUN.items() if name not in MAIN_PROCESS_ONLY}


def test_every_requirement_is_in_the_conda_env_with_the_same_version():
    expected = expected_conda_pins()
    missing = sorted(set(expected) - set(CONDA))
    assert not missing, f"in requirements.txt but not in envs/analysis.yaml: {missing}"
    differing = {k: (v, CONDA[k]) for k, v in expected.items() if CONDA[k] != v}
    assert not differing, f"pip vs conda versions differ: {differing}"


def test_every_conda_package_comes_from_requirements_txt():
    extra = sorted(set(CONDA) - set(expected_conda_pins()) - CONDA_ONLY)
    assert not extra, f"in envs/analysis.yaml but not pinned in requirements.txt: {extra}"


def test_conda_env_uses_the_python_of_the_readme():
    assert CONDA["python"] == "3.11"


def test_every_extra_is_pinned_package_by_package():
    for name, (_, extras) in RUN.items():
        for extra in extras:
            assert EXTRA_PACKAGES[(name, extra)] <= set(RUN), (name, extra)


def test_the_rules_env_has_no_snakemake():
    # No job runs Snakemake (the rule graph is found by the main process): see MAIN_PROCESS_ONLY.
    assert not {name for name in CONDA if name.startswith("snakemake")}


def test_the_extra_mapping_matches_the_installed_package_metadata():
    # If a new Snakemake adds a package to its "reports" extra, requirements.txt would lack it.
    for (name, extra), packages in EXTRA_PACKAGES.items():
        declared = {
            normalise(Requirement(text).name)
            for text in metadata.requires(name) or []
            if Requirement(text).marker is not None
            and Requirement(text).marker.evaluate({"extra": extra})
        }
        assert declared == packages, (name, extra)


def test_test_requirements_include_the_run_requirements():
    lines = requirement_lines(REPO / "requirements-dev.txt")
    assert "-r requirements.txt" in lines
    overlap = sorted(set(DEV) & set(RUN))
    assert not overlap, f"pinned in both files (they could drift apart): {overlap}"
    assert {"pytest", "hypothesis"} <= set(DEV)


@pytest.mark.parametrize("name", sorted({**RUN, **DEV}))
def test_installed_versions_are_the_pinned_ones(name):
    version = RUN[name][0] if name in RUN else DEV[name][0]
    assert metadata.version(name) == version
