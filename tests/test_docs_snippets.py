"""Every ```python block in the docs and the README runs as written (no stale snippet).

The blocks of one page run in order in one fresh namespace, in a scratch folder that has the
repository's ``scenarios/`` (pages name shipped files by their path in a clone) and an empty
overlay (the conftest fixture). A block that fits an MCMC model or writes large outputs is
marked in the page by the line ``<!-- not-run: REASON -->`` just before it; NOT_RUN lists every
such marker, so a new one is a visible change to this file. Those blocks are covered by the
model's own tests (and the slow tier).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

PAGES = sorted(
    [REPO / "README.md", *(REPO / "docs").rglob("*.md")],
)
PAGES = [p for p in PAGES if not {"_build", "gallery"} & set(p.relative_to(REPO).parts[1:-1])]

# page -> the reasons its skipped blocks give, in order
NOT_RUN = {
    "docs/backtest.md": ["refits at hundreds of origins"],
    "docs/catalog.md": ["needs the NTI and CSIS downloads"],
    "docs/forecast-record.md": [
        "needs the results folder of step 1",
        "needs the ledger of step 2",
    ],
    "docs/hawkes.md": ["fits by MCMC (Metropolis)"],
    "docs/hazard.md": ["fits NUTS", "draws the NUTS fit above"],
    "docs/pooled.md": ["fits NUTS", "fits NUTS"],
    "docs/scenarios.md": ["fits NUTS", "fits NUTS"],
}

# pages whose blocks take more than a few seconds: in the slow tier (`make test` runs it)
SLOW = {"docs/tutorials/write-a-scenario.md"}  # runs a scenario: exact fits + comparison refits

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
_MARK = re.compile(r"<!-- not-run: (.+?) -->\n$")


def blocks(page: Path) -> tuple[list[tuple[int, str]], list[str]]:
    """Return the page's runnable blocks (line, code) and the reasons of its skipped ones."""
    text = page.read_text(encoding="utf-8")
    run: list[tuple[int, str]] = []
    skipped: list[str] = []
    for match in _FENCE.finditer(text):
        mark = _MARK.search(text[: match.start()])
        if mark and mark.end() == match.start():
            skipped.append(mark.group(1))
        else:
            run.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return run, skipped


def test_blocks_are_found() -> None:
    run, skipped = blocks(REPO / "docs" / "catalog.md")
    assert [line for line, _ in run] == [3]
    assert skipped == ["needs the NTI and CSIS downloads"]
    assert "fo.load_events()" in run[0][1]


def test_skip_list_is_the_markers() -> None:
    found = {}
    for page in PAGES:
        _, skipped = blocks(page)
        if skipped:
            found[page.relative_to(REPO).as_posix()] = skipped
    assert found == NOT_RUN


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(p, marks=pytest.mark.slow) if p.relative_to(REPO).as_posix() in SLOW else p
        for p in PAGES
        if blocks(p)[0]
    ],
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run, _ = blocks(page)
    (tmp_path / "scenarios").symlink_to(REPO / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    name = page.relative_to(REPO).as_posix()
    from followon.hazard.registry import MODELS

    registered = dict(MODELS)  # a page may register a model: the registry is restored after
    try:
        for line, code in run:
            try:
                exec(compile(code, f"{name}:{line}", "exec"), namespace)
            except Exception as exc:  # the page and line of the block that failed
                pytest.fail(f"{name}, block at line {line}: {type(exc).__name__}: {exc}")
    finally:
        MODELS.clear()
        MODELS.update(registered)
