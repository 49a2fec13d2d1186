"""The README and docs/ link to each other: every relative link names a file that exists and,
when it has one, a heading of that file (GitHub's anchor for it)."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)


def github_anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        anchor = base = github_anchor(heading)
        number = 0
        while anchor in found:
            number += 1
            anchor = f"{base}-{number}"
        found.add(anchor)
    return found


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link)]


def test_anchors_follow_githubs_rule():
    assert github_anchor("Snakemake's own report") == "snakemakes-own-report"
    assert github_anchor("Why a job would (re)run") == "why-a-job-would-rerun"
    assert github_anchor("Results (output data dictionary)") == "results-output-data-dictionary"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page):
    links = relative_links(page)
    assert links, f"{page.name} links nowhere"
    broken = []
    for link in links:
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no file {target}")
        elif anchor and anchor not in anchors(target):
            broken.append(f"{link}: no heading with anchor #{anchor} in {target.name}")
    assert not broken, broken


def test_every_docs_page_is_linked_from_the_readme_and_links_back():
    readme_links = {link.partition("#")[0] for link in relative_links(REPO / "README.md")}
    for page in PAGES[1:]:
        assert f"docs/{page.name}" in readme_links, f"README does not link {page.name}"
        assert "../README.md" in relative_links(page), f"{page.name} does not link back"


def test_snakemakes_own_report_is_described_once():
    headings = [
        heading
        for page in PAGES
        for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8")))
    ]
    assert headings.count("Snakemake's own report") == 1
