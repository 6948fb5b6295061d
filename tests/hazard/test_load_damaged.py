"""`load()` of a damaged or foreign file: one ModelError naming the file and what is wrong,
never an OSError, KeyError or ValueError from netCDF/HDF5 (issue 16)."""

from __future__ import annotations

from pathlib import Path

import h5py
import pandas as pd
import pytest
import xarray as xr

import followon as fo
from followon.errors import DifferentModelError, ModelError
from tests.hazard.test_piecewise import table_for

REFIT = "; fit the model again and save it (model.save(path))."


@pytest.fixture(scope="module")
def saved(simulated: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    table = table_for(simulated)
    model = fo.PiecewiseHazard(sampler="exact").fit(table, random_seed=5)
    path = model.save(tmp_path_factory.mktemp("fit") / "fit.nc")
    return path, table


def load_error(path: Path, table: fo.ExposureTable) -> str:
    with pytest.raises(ModelError) as info:
        fo.PiecewiseHazard.load(path, table)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_the_saved_fit_loads(saved) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    assert fo.PiecewiseHazard.load(path, table).method_ == "exact"


def test_truncated_file(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "truncated.nc"
    data = path.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    message = load_error(bad, table)
    assert message.startswith(
        f"{bad}: damaged followon fit: the netCDF file cannot be read (truncated or corrupted: "
    )
    assert message.endswith(REFIT)


def test_random_bytes(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, table = saved
    bad = tmp_path / "random.nc"
    bad.write_bytes(bytes(range(256)) * 40)
    assert load_error(bad, table) == (
        f"{bad}: not a netCDF file, so not a followon fit; give the file model.save() wrote."
    )


def test_corrupted_middle(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "corrupted.nc"
    data = bytearray(path.read_bytes())
    data[8:4000] = b"\xff" * (4000 - 8)  # keep the signature, wreck the superblock and more
    bad.write_bytes(bytes(data))
    assert load_error(bad, table).startswith(f"{bad}: damaged followon fit: ")


@pytest.mark.parametrize("kind", ["empty", "folder", "missing"])
def test_empty_folder_missing(saved, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    _, table = saved
    bad = tmp_path / "fit.nc"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "folder":
        bad.mkdir()
    expected = {
        "empty": f"{bad}: the file is empty; it is not a saved fit.",
        "folder": f"{bad}: is a folder, not a saved fit; give the file model.save() wrote.",
        "missing": f"{bad}: no such file.",
    }[kind]
    assert load_error(bad, table) == expected


def test_foreign_netcdf(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, table = saved
    bad = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", [1.0, 2.0])}, attrs={"title": "sea ice"}).to_netcdf(
        bad, engine="h5netcdf"
    )
    assert load_error(bad, table) == (
        f"{bad}: a netCDF file without followon's attributes, not a saved fit; give the file "
        "model.save() wrote."
    )


@pytest.mark.parametrize("attribute", ["params", "model_class", "table_sha256", "method"])
def test_missing_attribute(saved, tmp_path: Path, attribute: str) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "fit.nc"
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "r+") as f:
        del f.attrs[attribute]
    assert load_error(bad, table) == (
        f"{bad}: damaged followon fit: attribute '{attribute}' is missing{REFIT}"
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("{not json", "attribute 'params' is not valid JSON"),
        ("[1, 2]", "attribute 'params' is not a JSON object of parameters"),
        ('{"no_such_option": 1}', "its parameters do not fit PiecewiseHazard ("),
    ],
)
def test_bad_params(saved, tmp_path: Path, value: str, what: str) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "fit.nc"
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "r+") as f:
        f.attrs["params"] = value
    assert load_error(bad, table).startswith(f"{bad}: damaged followon fit: {what}")


def test_no_posterior(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "fit.nc"
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "r+") as f:
        del f["posterior"]
    assert load_error(bad, table) == (
        f"{bad}: damaged followon fit: it holds no posterior draws (group 'posterior'){REFIT}"
    )


def test_another_class_is_still_named(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, table = saved
    bad = tmp_path / "fit.nc"
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "r+") as f:
        f.attrs["model_class"] = "X" * 500
    with pytest.raises(DifferentModelError) as info:
        fo.PiecewiseHazard.load(bad, table)
    assert str(info.value) == (
        f"{bad}: holds a {'X' * 59}… fit, not a PiecewiseHazard; load it with that class."
    )
