"""Exam and history findings of a case summary, mapped to the guideline graph's clinical concepts.

The vocabulary is data: the skos:prefLabel, altLabel and hiddenLabel of every kg:ClinicalConcept
(ontology/topics/finding-labels.ttl holds the exam-prose labels). A label matches when its words
occur in order within one clause of a sentence, at most ``GAP`` other words apart, after a
normalisation that ignores case, punctuation, possessives and plurals and reads common clinical
synonyms alike. Why a gap: exam prose interleaves sides and levels ("decreased C5 and C6 dermatome
sensation", "numbness and tingling about the left thumb").

Polarity keeps "not documented" apart from "documented as absent":
- a negation cue ("no", "denies", "without", "negative", "normal", "intact") gives present false;
- doubt ("possible", "rule out", "to evaluate") gives nothing at all;
- an exam sign (Tinel, Phalen, straight leg raise, McMurray, ...) counts only with its result
  stated ("positive" / "negative"); a bare mention records nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import KG

GAP = 3  # other words allowed between two words of a label

_SYNONYMS = {
    "diminished": "decreased", "reduced": "decreased", "diminution": "decreased", "loss": "decreased",
    "tingling": "numbness", "paresthesia": "numbness", "paresthesiae": "numbness", "paraesthesia": "numbness",
    "numb": "numbness", "dysesthesia": "numbness",
    "extremitie": "extremity", "extremities": "extremity", "digit": "digit", "fingertip": "finger",
    "reflexe": "reflex", "reflexes": "reflex",
    # "pain radiating / radiates / radiation into the arm" are one cue; "vertebral fracture" = "vertebra fracture"
    "radiating": "radiate", "radiation": "radiate", "radiated": "radiate", "radiate": "radiate",
    "vertebral": "vertebra", "vertebrae": "vertebra",
    "persistent": "persist", "persisting": "persist", "persisted": "persist",
}
_LEVEL = re.compile(r"^([cls])[1-8]$")
_SIGNS = {"tinel", "phalen", "durkan", "straight", "slr", "mcmurray", "lachman", "drawer", "compression", "spurling",
          "hoffman", "hoffmann", "babinski", "finkelstein"}
_NEG_CUE = re.compile(r"\b(?:no|not|without|negative|denie[sd]|deny|denying|absence|absent|never|none|nor|normal|"
                      r"intact|unremarkable|resolved)\b", re.I)
_POS_CUE = re.compile(r"\bpositive\b", re.I)
_RESULT = re.compile(r"\b(?:positive|negative|normal|absent|equivocal)\b", re.I)
_DOUBT = re.compile(r"\b(?:possible|possibly|probable|probably|likely|suspected|suspicion|rule out|r/o|questionable|"
                    r"versus|to (?:evaluate|assess|confirm|rule|check|exclude)|evaluate for|if|whether|might|could)\b",
                    re.I)
_CLAUSE_END = re.compile(r"[;:]|\bbut\b|\bhowever\b|\bwhereas\b|\bexcept\b", re.I)


def _norm(word: str) -> str:
    w = word.lower()
    w = re.sub(r"'s$|'$", "", w)
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    m = _LEVEL.match(w)
    if m:
        return m.group(1) + "n"
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return _SYNONYMS.get(w, w)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Normalised words of ``text`` with their offsets."""
    return [(_norm(m.group(0)), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9]+(?:'s)?", text)]


@dataclass(frozen=True)
class Hit:
    """One finding read from a sentence: where, which concept, present or absent."""

    start: int
    end: int
    concept: URIRef
    present: bool


class FindingMatcher:
    """The clinical-concept labels of a guideline graph, ready to scan sentences."""

    def __init__(self, graph: Graph) -> None:
        entries: dict[tuple[str, ...], URIRef] = {}
        for node in sorted(set(graph.subjects(RDF.type, KG.ClinicalConcept)), key=str):
            if not isinstance(node, URIRef):
                continue
            for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label):
                for label in graph.objects(node, p):
                    key = tuple(t for t, _, _ in tokens(str(label)))
                    if key and (len(key) > 1 or len(key[0]) >= 4):
                        entries.setdefault(key, node)
        # longest labels first, so "Tinel cubital" wins over "Tinel"
        self.labels = sorted(entries.items(), key=lambda e: (-len(e[0]), e[0]))

    def scan(self, sentence: str) -> list[Hit]:
        """The findings ``sentence`` states, present or absent (doubtful mentions are dropped)."""
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []
        pos = 0
        for clause in re.split(r"(;|:|\bbut\b|\bhowever\b)", sentence):
            toks = tokens(clause)
            for label, concept in self.labels:
                for a, b in _find(toks, label):
                    s, e = pos + toks[a][1], pos + toks[b][2]
                    if any(s < y and x < e for x, y in taken):
                        continue
                    present = _polarity(sentence, s, e, label)
                    taken.append((s, e))
                    if present is not None:
                        hits.append(Hit(s, e, concept, present))
            pos += len(clause)
        return sorted(hits, key=lambda h: h.start)


def _find(toks: list[tuple[str, int, int]], label: tuple[str, ...]) -> list[tuple[int, int]]:
    """Token index ranges where the words of ``label`` occur in order, at most GAP words apart."""
    out: list[tuple[int, int]] = []
    words = [t for t, _, _ in toks]
    for i, w in enumerate(words):
        if w != label[0]:
            continue
        j, ok = i, True
        for part in label[1:]:
            nxt = next((k for k in range(j + 1, min(len(words), j + 2 + GAP)) if words[k] == part), None)
            if nxt is None:
                ok = False
                break
            j = nxt
        if ok:
            out.append((i, j))
    return out


def _polarity(sentence: str, s: int, e: int, label: tuple[str, ...]) -> bool | None:
    """True (present), False (documented absent) or None (doubtful or no result stated)."""
    text = sentence[s:e]
    before = re.split(r"[,;:]|\band\b|\bwith\b|\bbut\b", sentence[max(0, s - 60):s])[-1]
    after = re.split(r"[,;:]|\bbut\b|\band (?!tinel|phalen)", sentence[e:e + 45], flags=re.I)[0]
    if _DOUBT.search(sentence[max(0, s - 60):s]) or _DOUBT.search(text) or _DOUBT.search(after):
        return None
    if _NEG_CUE.search(text):
        return False
    if _POS_CUE.search(text):
        return True
    if any(w in _SIGNS for w in label):
        # an exam sign: its result must be stated next to it
        near = _RESULT.search(before) or _RESULT.search(after)
        if near is None:
            return None
        return near.group(0).lower() == "positive"
    if _NEG_CUE.search(before):
        return False
    m = _RESULT.search(after)
    if m and m.group(0).lower() != "positive":
        return False
    return True
