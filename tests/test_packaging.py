"""The bundled RDF is found from an installed wheel, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        pytest.fail(f"pip wheel failed: {build.stderr[-2000:]}")
    [whl] = out.glob("kg-*.whl")
    return whl


def test_wheel_carries_the_rdf(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("kg/_data/ontology/kg.ttl", "kg/_data/shapes/components.ttl", "kg/_data/cases/seed.ttl",
                     "kg/_data/ontology/context.jsonld"):
        assert required in names


def test_installed_wheel_validates_the_seed_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    code = ("import kg, kg.resources as r; from pathlib import Path;"
            "root = r.data_root(); assert '_data' in str(root), root;"
            "[c] = kg.validate(root / 'cases' / 'seed.ttl');"
            "print(c.items[0].outcome)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "not-medically-necessary"
