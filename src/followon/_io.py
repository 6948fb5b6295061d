"""Atomic results folders: everything is written to a sibling temporary folder first.

Every results folder followon writes (``followon run``, ``followon backtest``,
:func:`followon.write_results`, :func:`followon.write_backtest`, the docs gallery) carries a
marker file, :data:`MARKER` (``.followon-results``: a small JSON with the followon version, the
kind of folder and when it was written). Writing to ``out_dir``:

- ``out_dir`` does not exist, or is an empty folder: the results are written to a temporary
  sibling and renamed into place;
- ``out_dir`` is a folder carrying the marker: it is replaced whole, atomically (the old results
  are moved aside, the new ones renamed into place, the old ones removed);
- anything else (a folder without the marker, a file, a symbolic link): refused with an
  :class:`~followon.errors.OutputError` and left untouched, unless ``force=True``
  (``--force``), which replaces it whatever it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from followon._version import __version__
from followon.errors import OutputError

__all__ = ["MARKER", "atomic_folder", "check_output_folder", "is_results_folder"]

MARKER = ".followon-results"
"""Name of the marker file in every results folder followon writes."""


def is_results_folder(path: str | Path) -> bool:
    """Return whether ``path`` is a folder carrying followon's marker file."""
    p = Path(path)
    return p.is_dir() and not p.is_symlink() and (p / MARKER).is_file()


def _is_empty_folder(p: Path) -> bool:
    if not p.is_dir() or p.is_symlink():
        return False
    try:
        return next(p.iterdir(), None) is None
    except OSError:
        return False


def check_output_folder(out_dir: str | Path, *, force: bool = False) -> Path:
    """Check that a results folder may be written at ``out_dir``; return it as given.

    Allowed: a path that does not exist (its nearest existing parent must be a writable
    folder), an empty folder, or a folder carrying followon's marker (:data:`MARKER`), which is
    replaced. Anything else only with ``force=True``; never the home folder, the current
    folder or a folder above it.

    Raises
    ------
    OutputError
        ``out_dir`` is a file, a link, or a non-empty folder without the marker (and ``force``
        is false), or it cannot be created; the message names the folder and the fix.
    """
    out = Path(out_dir)
    absolute = Path(os.path.abspath(out))
    if not absolute.name:
        raise OutputError(f"{out}: cannot be a results folder; choose a folder below it.")
    if os.path.lexists(absolute) and absolute.is_dir() and not absolute.is_symlink():
        resolved = absolute.resolve()
        with contextlib.suppress(OSError, RuntimeError):  # no home folder
            if resolved == Path.home().resolve():
                raise OutputError(
                    f"{out}: is your home folder; followon never replaces it, even with "
                    "--force. Choose another --out folder."
                )
        with contextlib.suppress(OSError):  # no current folder
            here = Path.cwd().resolve()
            if resolved == here or resolved in here.parents:
                raise OutputError(
                    f"{out}: is the current folder or above it; followon never replaces it, "
                    "even with --force. Choose another --out folder."
                )
    if os.path.lexists(absolute) and not force:
        if absolute.is_symlink() or not absolute.is_dir():
            what = "a symbolic link" if absolute.is_symlink() else "a file"
            raise OutputError(
                f"{out}: is {what}, not a results folder; it is left untouched. Choose another "
                "--out folder, or pass --force to replace it."
            )
        if not is_results_folder(absolute) and not _is_empty_folder(absolute):
            raise OutputError(
                f"{out}: is a folder followon did not write (no {MARKER} marker in it); it is "
                "left untouched. Choose another --out folder, or pass --force to replace it "
                "and everything in it."
            )
    parent = absolute.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(
            f"{out}: cannot be created: {parent} is a file, not a folder. Choose another --out "
            "folder."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"{out}: cannot be written: no permission to write in {parent}. Choose another "
            "--out folder."
        )
    return out


def _marker_text(kind: str) -> str:
    record = {
        "followon_version": __version__,
        "kind": kind,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(record, indent=2) + "\n"


@contextlib.contextmanager
def atomic_folder(
    out_dir: str | Path, *, kind: str | None = None, force: bool = False
) -> Iterator[Path]:
    """Yield a temporary sibling of ``out_dir``; move it into place only if the block succeeds.

    A failure inside the block removes the temporary folder and leaves ``out_dir`` as it was
    (absent, or the previous complete results): never a half-written folder. Files get the
    user's umask (``mkdtemp`` alone would make them private).

    Parameters
    ----------
    out_dir
        The folder to write.
    kind
        A results folder's kind (``"scenario"``, ``"backtest"``, ``"gallery"``): the folder
        gets the marker file, and an existing ``out_dir`` is replaced only under the rule of
        :func:`check_output_folder` (checked before the block and again before the rename).
        ``None`` (folders followon owns outright, e.g. the local overlay, whose callers decide
        themselves): no marker, no check.
    force
        With ``kind``: replace ``out_dir`` whatever it is.

    Raises
    ------
    OutputError
        With ``kind``: ``out_dir`` may not be replaced (see :func:`check_output_folder`) or
        its parent folder cannot be created (without ``kind``, the ``OSError`` itself).
    """
    out = Path(out_dir)
    if kind is not None:
        check_output_folder(out, force=force)
    out = Path(os.path.abspath(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        if kind is None:
            raise
        raise OutputError(
            f"{out_dir}: cannot be written ({exc.strerror or exc}); choose another --out folder."
        ) from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tmp
        if kind is not None:
            (tmp / MARKER).write_text(_marker_text(kind), encoding="utf-8")
        for p in [tmp, *tmp.rglob("*")]:
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~umask)
        if kind is not None:  # something may have appeared there while the block ran
            check_output_folder(out_dir, force=force)
        if os.path.lexists(out):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
