"""Saved fits: read a netCDF file written by :meth:`HazardModel.save` and check it.

Every way a file can fail to be a usable fit — missing, a folder, empty, not netCDF, truncated
or corrupted, a netCDF file followon did not write, a missing attribute, unreadable
parameters, no posterior draws — is one :class:`~followon.errors.ModelError` naming the file
and what is wrong; nothing from netCDF/HDF5 (``OSError``, ``KeyError``, ``ValueError``)
escapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xarray as xr

from followon.errors import DifferentDataError, DifferentModelError, ModelError
from followon.exposure.table import ExposureTable

__all__ = ["FIT_ATTRIBUTES", "damaged_fit", "one_line", "open_fit"]

FIT_ATTRIBUTES = ("model_class", "params", "method", "table_sha256")
"""Attributes every file :meth:`HazardModel.save` writes and :meth:`HazardModel.load` needs."""

_NETCDF_SIGNATURES = (b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05")


def damaged_fit(path: str | Path, what: str) -> ModelError:
    """Return the error for a saved fit that cannot be used: the file, what is wrong, the fix."""
    return ModelError(
        f"{path}: damaged followon fit: {what}; fit the model again and save it (model.save(path))."
    )


def _read_fit_file(path: str | Path) -> xr.DataTree:
    """Open a netCDF file as a DataTree, or raise one :class:`ModelError` saying why not."""
    where = Path(path)
    if where.is_dir():
        raise ModelError(f"{path}: is a folder, not a saved fit; give the file model.save() wrote.")
    try:
        with open(where, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise ModelError(f"{path}: no such file.") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if not head:
        raise ModelError(f"{path}: the file is empty; it is not a saved fit.")
    if not any(head.startswith(sig) for sig in _NETCDF_SIGNATURES):
        raise ModelError(
            f"{path}: not a netCDF file, so not a followon fit; give the file model.save() wrote."
        )
    try:
        with xr.open_datatree(where) as opened:
            return opened.load()
    except Exception as exc:  # h5py/netCDF raise OSError, ValueError, KeyError, ... on damage
        reason = one_line(str(exc) or type(exc).__name__, 100)
        raise damaged_fit(
            path, f"the netCDF file cannot be read (truncated or corrupted: {reason})"
        ) from None


def open_fit(
    cls: type, path: str | Path, table: ExposureTable
) -> tuple[xr.DataTree, dict[str, Any]]:
    """Read a saved fit; check it is a ``cls`` fit of ``table``; return it and its parameters.

    Raises
    ------
    DifferentModelError
        The file holds a fit of another model class.
    DifferentDataError
        ``table`` is not the exposure table the fit was made on.
    ModelError
        The path is missing or a folder, or the file is not a followon fit: not netCDF,
        truncated or corrupted, a netCDF file followon did not write, or one missing an
        attribute (:data:`FIT_ATTRIBUTES`), its parameters or its posterior draws. One line
        naming the file and what is wrong.
    """
    tree = _read_fit_file(path)
    attrs = tree.attrs
    if "model_class" not in attrs and "followon_version" not in attrs:
        raise ModelError(
            f"{path}: a netCDF file without followon's attributes, not a saved fit; give the "
            "file model.save() wrote."
        )
    missing = [a for a in FIT_ATTRIBUTES if a not in attrs]
    if missing:
        raise damaged_fit(path, f"attribute '{missing[0]}' is missing")
    if attrs.get("model_class") != cls.__name__:
        raise DifferentModelError(
            f"{path}: holds a {one_line(attrs['model_class'])} fit, not a "
            f"{cls.__name__}; load it with that class."
        )
    if attrs.get("table_sha256") != table.sha256():
        raise DifferentDataError(
            f"{path}: was fitted to exposure table {str(attrs.get('table_sha256'))[:12]}…, "
            f"not this one ({table.sha256()[:12]}…): the events, window or covariates "
            "differ. Refit, or rebuild the table the fit was made on "
            f"({one_line(attrs.get('table_spec'), 200)})."
        )
    try:
        params = json.loads(str(attrs["params"]))
    except json.JSONDecodeError:
        raise damaged_fit(path, "attribute 'params' is not valid JSON") from None
    if not isinstance(params, dict):
        raise damaged_fit(path, "attribute 'params' is not a JSON object of parameters")
    if "posterior" not in tree.children or not tree["posterior"].dataset.data_vars:
        raise damaged_fit(path, "it holds no posterior draws (group 'posterior')")
    return tree, params


def one_line(value: object, limit: int = 60) -> str:
    """Return a value read from a file for a message: one line, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
