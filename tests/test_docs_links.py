"""Every relative link in README.md and docs/*.md points to a file that exists and, with
an #anchor, to a heading of that file (GitHub's anchor rule), so moving a section or
renaming a heading cannot leave a newcomer on a dead link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def outside_fences(markdown: str) -> list[str]:
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.lstrip("#").strip().replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(line) for line in outside_fences(page.read_text()) if line.startswith("#")}


def relative_links(page: Path) -> list[str]:
    lines = [re.sub(r"`[^`]*`", "", line) for line in outside_fences(page.read_text())]
    found = [m for line in lines for m in LINK.findall(line)]
    return [link for link in found if not re.match(r"^[a-z]+:", link)]


def test_anchor_follows_githubs_rule() -> None:
    assert anchor("## Pull-request checks: the `<service>-checks` stack") == (
        "pull-request-checks-the-service-checks-stack"
    )
    assert anchor("### Scanners in `make test`") == "scanners-in-make-test"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        target, _, fragment = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no file {path.relative_to(ROOT)}")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.relative_to(ROOT)}")
    assert broken == [], f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_readme_links_every_reference_page() -> None:
    linked = {link.partition("#")[0] for link in relative_links(ROOT / "README.md")}
    assert {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} <= linked
