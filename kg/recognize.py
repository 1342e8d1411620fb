"""Recognize what a requested item's free text is about: topic, quantity, frequency, side, region.

The guideline graph is the source of truth: every topic's SKOS labels (prefLabel, altLabel,
hiddenLabel) and notations (CPT, HCPCS, RxNorm) are matched against the text. Only generic
writing habits live here (abbreviations such as w/o, BLE, RUE, L-spine; plurals; filler words),
so a new synonym is added to a topic in RDF, never to this module.

>>> r = recognize("Norco 10/325mg #120")
>>> r.topic.rsplit("/", 1)[-1], r.quantity
('OpioidAnalgesic', 120.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from kg.namespaces import KG, RDF, SKOS, G

__all__ = ["Recognition", "recognize", "topic_index"]


@dataclass(frozen=True)
class Recognition:
    """What kg read in one request text. ``topic`` is None when no topic matched."""

    text: str
    topic: str | None = None
    topic_label: str | None = None
    matched: str | None = None
    quantity: float | None = None
    unit: str | None = None
    frequency: str | None = None
    duration: str | None = None
    laterality: str | None = None
    body_region: str | None = None
    doses_per_day: float | None = None


# --- generic writing habits (not topic names) -----------------------------------------------

_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bw/o\b", " without "),
    (r"\bw/(?=\s|\w)", " with "),
    (r"\bx-?rays?\b", " xray "),
    (r"\b(?:l|ls|l/s)-spine\b", " lumbar spine "),
    (r"\bc-spine\b", " cervical spine "),
    (r"\bt-spine\b", " thoracic spine "),
    (r"\blumbosacral\b", " lumbar "),
    (r"\blow back\b", " lumbar spine "),
    (r"\bneck\b", " cervical spine "),
    (r"\bble\b", " bilateral lower extremity "),
    (r"\bbue\b", " bilateral upper extremity "),
    (r"\brue\b", " right upper extremity "),
    (r"\blue\b", " left upper extremity "),
    (r"\brle\b", " right lower extremity "),
    (r"\blle\b", " left lower extremity "),
    (r"\bbles\b", " bilateral lower extremity "),
    (r"\bues\b", " upper extremity "),
    (r"\bles\b", " lower extremity "),
    (r"\be-?stim\b", " electrical stimulation "),
    (r"\bchiro\b", " chiropractic "),
    (r"\belectro[- ]acupuncture\b", " electroacupuncture "),
)
# Token synonyms applied to labels and text alike.
_TOKEN_SYNONYMS = {"ncv": "ncs", "ncvs": "ncs", "extremities": "extremity", "electromyogram": "electromyography",
                   "testing": "test", "tests": "test"}
_STOPWORDS = frozenset(
    "of the to for a an and with at in on per by from or as is are be left right bilateral both without contrast "
    "scan scans dye retrospective request requested please rx dos prospective".split())
# Generic words a writer often leaves out ("MRI of the lumbar"): a label still matches without them.
_OPTIONAL = frozenset({"spine", "extremity", "joint", "test", "testing", "study"})
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20,
    "twenty-four": 24, "thirty": 30, "once": 1, "twice": 2, "thrice": 3, "a": 1,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted((w for w in _NUMBER_WORDS if w != "a"), key=len, reverse=True)) + r")"
_REGIONS: tuple[tuple[str, str], ...] = (
    ("lumbar spine", r"\blumbar|\blow back|\blumbosacral|\bl-spine\b|\blower back"),
    ("cervical spine", r"\bcervical|\bneck\b|\bc-spine\b"),
    ("thoracic spine", r"\bthoracic|\bt-spine\b|\bmid back"),
    ("shoulder", r"\bshoulders?\b"),
    ("elbow", r"\belbows?\b"),
    ("wrist", r"\bwrists?\b"),
    ("hand", r"\bhands?\b|\bfingers?\b|\bcarpal\b"),
    ("hip", r"\bhips?\b|\bpelvis\b"),
    ("knee", r"\bknees?\b"),
    ("ankle", r"\bankles?\b"),
    ("foot", r"\bfoot\b|\bfeet\b|\btoes?\b"),
    ("head", r"\bhead\b|\bbrain|\bskull\b"),
    ("upper extremity", r"\bupper extremit|\b[rlb]ue\b|\barms?\b"),
    ("lower extremity", r"\blower extremit|\b[rlb]le\b|\blegs?\b"),
    ("spine", r"\bspine\b|\bspinal\b"),
)
_TOPICAL_FORMS = re.compile(r"%|\bcream|\bgel\b|\bointment|\blotion|\bpatch|\btopical|\bcompound")


def _normalize(text: str) -> str:
    s = f" {text.lower()} "
    for pattern, repl in _PHRASES:
        s = re.sub(pattern, repl, s)
    return s


def _stem(token: str) -> str:
    token = _TOKEN_SYNONYMS.get(token, token)
    if len(token) > 4 and token.endswith("ies"):
        token = token[:-3] + "y"
    elif len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return _TOKEN_SYNONYMS.get(token, token)


def _tokens(text: str) -> list[str]:
    raw = re.findall(r"[a-z0-9]+", _normalize(text))
    return [_stem(t) for t in raw if t not in _STOPWORDS]


# --- the label index ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Label:
    topic: str
    text: str
    tokens: tuple[str, ...]


def topic_index(guidelines: Graph) -> tuple[_Label, ...]:
    """Every matchable label of every treatment topic, tokenized (cached per graph)."""
    return _index_cached((id(guidelines), len(guidelines)), guidelines)


@lru_cache(maxsize=8)
def _index_cached(_key: tuple[int, int], guidelines: Graph) -> tuple[_Label, ...]:
    # Keyed by identity and size: the cache holds the graph, so its id is not reused meanwhile,
    # and a graph that grew since is indexed again.
    labels: list[_Label] = []
    for topic in set(guidelines.subjects(RDF.type, KG.TreatmentTopic)):
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation):
            for value in guidelines.objects(topic, prop):
                if not isinstance(value, Literal):
                    continue
                toks = tuple(dict.fromkeys(_tokens(str(value))))
                if toks:
                    labels.append(_Label(str(topic), str(value), toks))
    return tuple(sorted(labels, key=lambda lab: (lab.topic, lab.text)))


def _window(text_tokens: list[str], label: tuple[str, ...]) -> tuple[int, bool] | None:
    """Smallest span of the text holding every label token: (span length, in label order)."""
    wanted = set(label)
    best: tuple[int, bool] | None = None
    for i, tok in enumerate(text_tokens):
        if tok not in wanted:
            continue
        found: list[str] = []
        for j in range(i, min(len(text_tokens), i + len(label) + 4)):
            if text_tokens[j] in wanted and text_tokens[j] not in found:
                found.append(text_tokens[j])
            if len(found) == len(wanted):
                span = (j - i + 1, tuple(found) == label)
                if best is None or (span[0], not span[1]) < (best[0], not best[1]):
                    best = span
                break
    return best


def _matches(text: str, index: tuple[_Label, ...]) -> list[tuple[tuple, _Label]]:
    toks = _tokens(text)
    present = set(toks)
    out = []
    for label in index:
        required = tuple(t for t in label.tokens if t not in _OPTIONAL) or label.tokens
        hit = _window(toks, required)
        if hit is not None:
            span, ordered = hit
            found = [t for t in label.tokens if t in present]
            score = (sum(len(t) for t in found), len(found), ordered, -span)
            out.append((score, label))
    out.sort(key=lambda m: (m[0], m[1].topic), reverse=True)
    return out


def _under(guidelines: Graph, topic: str, group: URIRef) -> bool:
    return group in set(guidelines.transitive_objects(URIRef(topic), SKOS.broader))


def _best_topic(text: str, guidelines: Graph) -> tuple[str, str] | None:
    index = topic_index(guidelines)
    # What follows " with " is usually an add-on ("... with pain consult", "... with 1 refill").
    head = re.split(r"\bwith\b(?!out)", text, maxsplit=1, flags=re.IGNORECASE)[0]
    matches = _matches(head, index) or _matches(text, index)
    if not matches:
        return None
    # Two or more systemic drugs named in one topical product: a compound.
    drugs = {lab.topic for _, lab in matches if _under(guidelines, lab.topic, G.Medication)
             and not _under(guidelines, lab.topic, G.TopicalAnalgesic)}
    compounded = G.CompoundedTopical
    if (len(drugs) >= 2 and _TOPICAL_FORMS.search(text.lower())
            and (compounded, RDF.type, KG.TreatmentTopic) in guidelines):
        return str(compounded), "several drugs in one topical product"
    _, label = matches[0]
    return label.topic, label.text


# --- quantity, frequency, side, region -------------------------------------------------------

def _num(word: str) -> float:
    return float(word) if re.fullmatch(r"\d+(?:\.\d+)?", word) else float(_NUMBER_WORDS[word])


def _course(low: str) -> tuple[str | None, str | None, float | None]:
    """Frequency, duration and the number of sessions they imply."""
    per_week = (rf"{_NUM}(?:\s*(?:to|-)\s*{_NUM})?\s*(?:x|times?)?\s*(?:a|per|/)\s*(?:week|wk)s?"
                rf"|{_NUM}\s*(?:x|times)\s*weekly|(twice|once|thrice)\s*(?:a|per)?\s*week(?:ly)?")
    m = re.search(rf"(?:{per_week})\s*(?:for|x|times|over|,)?\s*{_NUM}\s*(?:weeks?|wks?)", low)
    if m:
        groups = [g for g in m.groups() if g]
        freq_hi, weeks = _num(groups[-2]), _num(groups[-1])
        freq = "-".join(str(int(_num(g))) for g in groups[:-1])
        return f"{freq}x{int(weeks)}", f"{int(weeks)} weeks", freq_hi * weeks
    m = re.search(r"(?<![\d/.])(\d{1,2})\s*x\s*(\d{1,2})(?![\d%]|\s*mg)", low)
    if m:
        return f"{m.group(1)}x{m.group(2)}", f"{m.group(2)} weeks", float(int(m.group(1)) * int(m.group(2)))
    m = re.search(rf"\b{_NUM}\s*(days?|weeks?|months?)(?:'s)?(?:\s*(?:supply|coverage|trial))?", low)
    if m and not re.search(r"\bday\b.*\bweek", m.group(0)):
        n, unit = int(_num(m.group(1))), m.group(2).rstrip("s")
        return None, f"{n} {unit}" + ("" if n == 1 else "s"), None
    m = re.search(r"\b(?:a|one)\s+(month|week)(?:'s)?\s+(?:supply|trial)", low)
    if m:
        return None, f"1 {m.group(1)}", None
    return None, None, None


def _quantity(low: str, sessions: float | None) -> tuple[float | None, str | None]:
    m = re.search(rf"\b{_NUM}\s*(?:\w+\s+){{0,3}}?(sessions?|visits?|treatments?|injections?)\b", low)
    if m and m.group(1) not in ("a",):
        return _num(m.group(1)), m.group(2).rstrip("s")
    m = re.search(r"(?:times|x)\s*(\d+)\b", low)
    if m and sessions is None:
        return float(m.group(1)), None
    if sessions is not None:
        return sessions, "session"
    m = re.search(r"#\s*(\d+(?:\.\d+)?)\s*(grams?|g\b|ml\b|box(?:es)?|bottles?|patch(?:es)?|tubes?)?", low)
    if m:
        unit = m.group(2)
        if unit:
            unit = {"grams": "g", "gram": "g", "boxes": "box", "patches": "patch"}.get(unit, unit.rstrip("s"))
        else:
            unit = "tablet" if re.search(r"\btab|\bcap", low) else None
        return float(m.group(1)), unit
    m = re.search(r"(?<![\d.%/])(\d+(?:\.\d+)?)\s*(g|grams?|ml)\b", low)
    if m and not re.search(r"%\s*$", low[:m.start()]):
        return float(m.group(1)), "g" if m.group(2).startswith("g") else "ml"
    m = re.search(r"\bqty:?\s*(\d+)", low)
    if m:
        return float(m.group(1)), None
    return None, None


def _doses_per_day(low: str) -> float | None:
    """Units a day from "three times a day", "twice daily", "bid", "every 8 hours"."""
    m = re.search(rf"\b{_NUM}\s*(?:x|times)?\s*(?:a|per)\s*day\b|\b{_NUM}\s*(?:x|times)?\s*daily\b|"
                  r"\b(once|twice)\s*(?:a\s*)?day\b", low)
    if m:
        word = next(g for g in m.groups() if g)
        return _num(word)
    m = re.search(r"\b(qd|bid|tid|qid)\b", low)
    if m:
        return float({"qd": 1, "bid": 2, "tid": 3, "qid": 4}[m.group(1)])
    m = re.search(r"\bevery\s*(4|6|8|12|24)\s*(?:hours?|hrs?)\b|\bq\s*(4|6|8|12|24)\s*h\b", low)
    if m:
        return 24.0 / float(m.group(1) or m.group(2))
    if re.search(r"\bdaily\b|\bat bedtime\b|\bnightly\b", low):
        return 1.0
    return None


def _laterality(low: str) -> str | None:
    if re.search(r"\bbilateral|\bboth\b|\bb[lu]e\b|\bbles\b", low):
        return "bilateral"
    left = re.search(r"\bleft\b|\bl[ul]e\b|\blt\b", low)
    right = re.search(r"\bright\b|\br[ul]e\b|\brt\b", low)
    if left and right:
        return None
    return "left" if left else "right" if right else None


def _region(low: str) -> str | None:
    found = [(m.start(), name) for name, pattern in _REGIONS for m in [re.search(pattern, low)] if m]
    return min(found)[1] if found else None


def recognize(text: str, guidelines: Graph | None = None) -> Recognition:
    """Map a request text ("Norco 10/325mg #120", "PT 2x6 lumbar") to a topic and its details.

    ``guidelines`` defaults to kg's bundled guideline graph. The topic is the one whose label
    (or code) matches the most text; None when nothing matches.
    """
    if guidelines is None:
        from kg.knowledge import bundled_knowledge

        guidelines = bundled_knowledge().guidelines
    low = " ".join(text.lower().split())
    best = _best_topic(text, guidelines)
    topic = label = matched = None
    if best is not None:
        topic, matched = best
        pref = guidelines.value(URIRef(topic), SKOS.prefLabel)
        label = str(pref) if pref is not None else topic.rsplit("/", 1)[-1]
    frequency, duration, sessions = _course(low)
    quantity, unit = _quantity(low, sessions)
    return Recognition(text=text, topic=topic, topic_label=label, matched=matched, quantity=quantity, unit=unit,
                       frequency=frequency, duration=duration, laterality=_laterality(low), body_region=_region(low),
                       doses_per_day=_doses_per_day(low))
