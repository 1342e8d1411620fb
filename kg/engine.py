"""Run a SHACL engine: data graph and shapes graph in, validation report graph out."""

from __future__ import annotations

from rdflib import Graph

ENGINES = ("pyshacl",)


def engine_version(engine: str = "pyshacl") -> str:
    import pyshacl

    return f"pyshacl {pyshacl.__version__}"


def run_shacl(data: Graph, shapes: Graph, *, engine: str = "pyshacl") -> Graph:
    """Validate ``data`` against ``shapes`` and return the SHACL validation report graph.

    SHACL Core and SHACL-SPARQL only: no inference, no advanced features, no imports, so any
    conformant engine given the same graphs reports the same results.
    """
    if engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r}")
    import pyshacl

    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_warnings=True,
        allow_infos=True,
        meta_shacl=False,
        inplace=True,
        do_owl_imports=False,
        js=False,
    )
    return report
