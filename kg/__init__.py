"""kg: California workers' compensation treatment guidelines as a knowledge graph.

Checks treatment requests against the MTUS (and, where the MTUS is silent, ODG) the way an
Independent Medical Review physician does, and explains every determination with the criterion,
guideline and page behind it. A decision aid: only a physician may deny care.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from kg.api import validate
from kg.errors import KgError, LoadError
from kg.model import CaseResult, Conflict, CriterionResult, Determination, Governing

try:
    __version__ = _version("kg")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0"

__all__ = ["validate", "KgError", "LoadError", "CaseResult", "Conflict", "CriterionResult",
           "Determination", "Governing", "__version__"]
