"""Where kg's bundled RDF lives: one resolver for a checkout (editable install) and a wheel.

A wheel carries ``ontology/``, ``shapes/`` and ``cases/`` inside the package as ``kg/_data``
(hatchling force-include); an editable install reads them from the checkout next to ``kg/``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import KgError

CONTEXT_IRI = "https://w3id.org/kg-imr/context.jsonld"


@lru_cache(maxsize=1)
def data_root() -> Path:
    """The folder holding ontology/, shapes/ and cases/."""
    package = Path(str(resources.files("kg")))
    for candidate in (package / "_data", package.parent):
        if (candidate / "ontology" / "kg.ttl").is_file() and (candidate / "shapes").is_dir():
            return candidate
    raise KgError("kg's bundled RDF (ontology/, shapes/) was not found; reinstall kg")


def ontology_dir() -> Path:
    return data_root() / "ontology"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def cases_dir() -> Path:
    return data_root() / "cases"


def ontology_files() -> list[Path]:
    """Every Turtle file of the guideline graph, in a stable order."""
    return sorted(ontology_dir().rglob("*.ttl"))


def shape_files() -> list[Path]:
    """Every Turtle file of the shapes graph, in a stable order."""
    return sorted(shapes_dir().rglob("*.ttl"))


@lru_cache(maxsize=1)
def bundled_contexts() -> dict[str, Path]:
    """JSON-LD contexts kg resolves locally, by the IRI documents use for them."""
    return {CONTEXT_IRI: ontology_dir() / "context.jsonld"}
