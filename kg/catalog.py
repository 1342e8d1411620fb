"""The topic catalogue: each treatment topic with the recommendations about it (for `kg topics`)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from kg.namespaces import KG, RDF, RDFS, SKOS

__all__ = ["TopicRow", "RecommendationRow", "topic_catalog"]


@dataclass(frozen=True)
class RecommendationRow:
    """One recommendation about a topic: where it is written, its status, how many criteria."""

    recommendation: str
    citation: str
    status: str
    criteria: int
    effective_from: str | None
    effective_until: str | None


@dataclass(frozen=True)
class TopicRow:
    """A treatment topic and every recommendation about it, most authoritative first."""

    topic: str
    label: str
    recommendations: tuple[RecommendationRow, ...]


def _citation(g: Graph, section: URIRef | None) -> str:
    if section is None:
        return "(no section)"
    edition = g.value(section, KG.inEdition)
    parts = [str(g.value(edition, RDFS.label) or edition)] if edition is not None else []
    title = g.value(section, KG.sectionTitle)
    if title is not None:
        parts.append(str(title))
    pages = g.value(section, KG.pages)
    if pages is not None:
        parts.append(f"p. {pages}")
    return ", ".join(parts)


def topic_catalog(guidelines: Graph | None = None) -> list[TopicRow]:
    """Every kg:TreatmentTopic, sorted by local name, with its recommendations (MTUS first)."""
    if guidelines is None:
        from kg.knowledge import bundled_knowledge

        guidelines = bundled_knowledge().guidelines
    g = guidelines
    rows = []
    for topic in sorted(set(g.subjects(RDF.type, KG.TreatmentTopic)), key=str):
        recs = []
        for rec in g.subjects(KG.aboutTopic, topic):
            section = g.value(rec, KG.source)
            edition = g.value(section, KG.inEdition) if section is not None else None
            guideline = g.value(g.value(edition, KG.editionOf), KG.guideline) if edition is not None else None
            rank = g.value(g.value(guideline, KG.evidenceLevel), KG.rank) if guideline is not None else None
            status = g.value(rec, KG.status)
            start = g.value(edition, KG.effectiveFrom) if edition is not None else None
            end = g.value(edition, KG.effectiveUntil) if edition is not None else None
            recs.append((int(rank) if rank is not None else 99, str(start or ""), RecommendationRow(
                recommendation=str(rec), citation=_citation(g, section),
                status=str(g.value(status, RDFS.label) or status).replace("None", "(no status)"),
                criteria=len(set(g.objects(rec, KG.hasCriterion))),
                effective_from=str(start) if start is not None else None,
                effective_until=str(end) if end is not None else None)))
        recs.sort(key=lambda r: (r[0], r[1], r[2].recommendation))
        label = g.value(topic, SKOS.prefLabel)
        rows.append(TopicRow(topic=str(topic).rsplit("/", 1)[-1], label=str(label or topic),
                             recommendations=tuple(r[2] for r in recs)))
    return rows
