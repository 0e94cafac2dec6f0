"""Citizens' problem reports (issue 18): the problem types and the classifier that picks one.

The types are Traffy Fondue's public names (``data/types.yml``), so a report maps one to one onto
that system; the classifier learns them from ``data/training.yml`` only.
"""

from knowledge.reports.classifier import Classification, ReportTypeClassifier, TypeScore, default_classifier
from knowledge.reports.types import OTHER_TYPE, ProblemType, Taxonomy, load_taxonomy

__all__ = [
    "OTHER_TYPE",
    "Classification",
    "ProblemType",
    "ReportTypeClassifier",
    "Taxonomy",
    "TypeScore",
    "default_classifier",
    "load_taxonomy",
]
