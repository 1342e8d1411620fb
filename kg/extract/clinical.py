"""Clinical facts from the CLINICAL CASE SUMMARY of a letter, and nothing else.

Rules that keep kg honest:
- only the case summary is read; the decision rationales (the reviewer's reasoning) never are;
- sentences that report the utilization review's own reasoning or what was requested/ordered
  are skipped: they are not facts about the applicant's history;
- a negated or uncertain statement never becomes a positive fact. "No documentation of X",
  "did not clearly state", "unclear" mean *not documented* (no triple at all); "without relief",
  "not helpful", "was not using" are documented absences (false), kept apart from silence.
Every fact carries the span of the summary it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.extract.findings import FindingMatcher
from kg.extract.response import Response, course_response, list_response
from kg.namespaces import KG, G

Span = tuple[int, int]

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30, "twice": 2, "once": 1, "thrice": 3}
NUMBER = r"(?:\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"


def to_number(word: str) -> int | None:
    """A count written as digits or in words ("six", "twelve")."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    return _WORDS.get(word)


@dataclass
class Fact:
    """One fact with its span in the normalized letter text."""

    kind: str
    span: Span
    value: object = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class Clinical:
    """The clinical facts of one summary."""

    age: Fact | None = None
    sex: Fact | None = None
    represented: Fact | None = None
    injury_date: Fact | None = None
    mechanism: Fact | None = None
    diagnoses: list[Fact] = field(default_factory=list)
    treatments: list[Fact] = field(default_factory=list)
    medications: list[Fact] = field(default_factory=list)
    tests: list[Fact] = field(default_factory=list)
    findings: list[Fact] = field(default_factory=list)
    planned: list[Fact] = field(default_factory=list)  # care the summary's plan names (for every request)
    course: list[Fact] = field(default_factory=list)  # how the course of care went, no treatment named
    work_status: Fact | None = None


# Sentences about the UR's reasoning or the dispute: never read for clinical facts.
_SKIP_UR = re.compile(
    r"utilization review|\bUR\b|non-?certif|\bdenied\b|\bmodified\b(?! (?:work|duty|duties))|\bapproved\b|"
    r"\bcertified\b|claims administrator|\bappeal|\bIMR\b|\bpeer review|original request", re.I)
# Sentences about what is asked for or planned now: not the treatment history.
_SKIP_PLAN = re.compile(
    r"\brequest(?:ed|s)?\b|\bRFA\b|\bordered\b|\brecommended\b|\bplan\b|\bplans\b|\bplanned\b|\bwill\b|"
    r"\bwould\b|\bprescribed\b|\brefill|\bconsider(?:ed|ing)?\b|\bwanted\b|\bproposed\b", re.I)
# "not documented": silence, not absence.
_NOT_DOCUMENTED = re.compile(
    r"\bno (?:clear |objective |specific )?(?:documentation|evidence|indication|mention|record)\b|without documentation"
    r"|not (?:clearly )?(?:documented|stated|specified|provided|reported|detailed|indicated|clear)|did not (?:"
    r"clearly )?"
    r"(?:state|document|detail|specify|report|indicate|describe)|unclear|unknown|unspecified|not known|lack of"
    r" documentation"
    r"|\bnot available\b|was not included|were not included", re.I)
_UNCERTAIN = re.compile(r"\b(?:possible|possibly|probable|likely|suspected|suspicion|rule out|r/o|questionable"
    r"|versus)\b",
                        re.I)
_NEG = re.compile(r"\b(?:no|not|without|negative for|denie[sd]|absence of|absent|never|none|nor)\b", re.I)


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """Sentences of text[start:end] with absolute offsets (a page break is just a space)."""
    chunk = text[start:end]
    pos = 0
    for m in re.finditer(r"(?<=[.!?])(?:\s+|$)(?=[A-Z0-9\"(]|$)", chunk):
        s = chunk[pos:m.start()]
        if s.strip():
            lead = len(s) - len(s.lstrip())
            yield start + pos + lead, start + m.start(), " ".join(s.split())
        pos = m.end()
    if chunk[pos:].strip():
        s = chunk[pos:]
        lead = len(s) - len(s.lstrip())
        yield start + pos + lead, end, " ".join(s.split())


def extract_clinical(text: str, span: Span, graph: Graph,
                     recognize: Callable[[str], URIRef | None] | None = None) -> Clinical:
    """Read the clinical facts of the summary at ``span`` of ``text``."""
    out = Clinical()
    topics = _Labels(graph, KG.TreatmentTopic)
    concepts = _Labels(graph, KG.ClinicalConcept)
    matcher = FindingMatcher(graph)
    for a, b, raw in sentences(text, *span):
        s0 = _Offsets(text, a, b)  # maps positions in the one-spaced sentence back to the letter
        _demographics(out, raw, s0)
        if _SKIP_UR.search(raw):
            continue
        _diagnoses(out, raw, s0, concepts)
        _work(out, raw, s0)
        _medications(out, raw, s0)
        _tests(out, raw, s0)
        if _SKIP_PLAN.search(raw):
            _planned(out, raw, s0, topics, recognize)
            continue
        _treatments(out, raw, s0, topics, recognize)
        if not topics.find_all(raw):
            _course(out, raw, s0)
        _findings(out, raw, s0, matcher)
    out.treatments = _merge_treatments(out.treatments + _course_of_care(out, graph))
    return out


def _course_of_care(out: Clinical, graph: Graph) -> list[Fact]:
    """The course-level responses as a record of conservative care in general (g:ConservativeCare).

    Only when the summary shows a course of conservative care was given: "there has been no
    improvement" says nothing about care that is not on record. The response is kept on the
    grouping topic, never on a named treatment (it does not say which treatment failed).
    """
    if not out.course:
        return []
    conservative = any(
        (t.extra.get("count") or t.extra.get("given"))
        and G.ConservativeCare in set(graph.transitive_objects(t.extra["topic"], SKOS.broader))
        for t in out.treatments)
    if not conservative:
        return []
    values = {v for c in out.course for k in ("painRelief", "functionalImprovement")
              if (v := c.extra.get(k)) is not None}
    if len(values) > 1:
        return []  # better at one visit, no better at another: the course's response is not clear
    return [Fact("treatment", c.span, "conservative care (course as a whole)",
                 {"topic": G.ConservativeCare, "count": None, "given": True, **c.extra}) for c in out.course]


def _merge_treatments(facts: list[Fact]) -> list[Fact]:
    """One record per treatment topic: the largest stated count; a response only if consistent.

    Two mentions of physical therapy, one with "12 sessions" and one without a number, are one
    course of 12 sessions; a course said both to help and not to help has no documented response.
    """
    merged: dict[object, Fact] = {}
    for f in facts:
        topic = f.extra["topic"]
        if topic not in merged:
            merged[topic] = Fact(f.kind, f.span, f.value, dict(f.extra))
            continue
        m = merged[topic].extra
        counts = [c for c in (m.get("count"), f.extra.get("count")) if c is not None]
        if counts:
            m["count"] = 0 if all(c == 0 for c in counts) else max(counts)
        m["given"] = bool(m.get("given") or f.extra.get("given")) or None
        for key in ("painRelief", "functionalImprovement"):
            a, b = m.get(key), f.extra.get(key)
            if a is None:
                m[key] = b
            elif b is not None and a != b:
                m[key] = None
    for f in merged.values():
        if f.extra.get("count") == 0 and f.extra.get("given"):
            f.extra["count"] = f.extra["given"] = None  # "never had" and "had": neither is documented
        if f.extra.get("count") is not None:
            f.extra["given"] = None  # a stated number says more
    return list(merged.values())


# --- demographics, injury -------------------------------------------------------------------

def _demographics(out: Clinical, raw: str, s0: _Offsets) -> None:
    if out.age is None:
        m = re.search(r"\b(\d{1,3})[-\s]year[-\s]old\b", raw)
        if m and 14 <= int(m.group(1)) <= 100:
            out.age = Fact("age", _sp(s0, m, 1), int(m.group(1)))
    if out.sex is None:
        m = re.search(r"\b(female|male|woman|man|gentleman|lady)\b", raw, re.I)
        if m and re.search(r"year[-\s]old", raw):
            word = m.group(1).lower()
            out.sex = Fact("sex", _sp(s0, m, 1), "female" if word in {"female", "woman", "lady"} else "male")
    if out.represented is None:
        m = re.search(r"\b(represented|unrepresented)\b", raw, re.I)
        if m:
            out.represented = Fact("represented", _sp(s0, m, 1), m.group(1).lower() == "represented")
    if out.mechanism is None:
        m = re.search(r"mechanism of (?:the )?injury (?:is |was )?(?:detailed |described |documented |reported"
            r" |noted )?"
                      r"(?:as |to be |occurred |was )?(?P<m>[^.;]{3,90})", raw, re.I)
        if m is None:
            m = re.search(r"\b(?:injured|hurt) (?:his|her|their) [\w ,]{1,40}? (?:when|while|after) (?P<m>[^.;]{3,90})",
                          raw, re.I)
        if m is None:
            m = re.search(r"\binjur(?:y|ed|ies)\b[^.]{0,60}?\b(?:due to|from|when|while|after) (?P<m>(?:an? )?"
                          r"(?:slip|trip|fall|fell|lift|lifting|push|pull|motor vehicle|MVA|cumulative|repetitive|"
                          r"continuous|assault|struck|hit)[^.;]{0,70})", raw, re.I)
        if m:
            out.mechanism = Fact("mechanism", _sp(s0, m, "m"), " ".join(m.group("m").split()))
    if out.injury_date is None:
        m = re.search(r"(?:industrial |occupational |work[- ]related )?(?:injury|claim) (?:of|on|from|dated)\s+"
                      r"(?P<d>\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|[A-Z][a-z]+ \d{1,2}, \d{4})", raw)
        if m:
            out.injury_date = Fact("injury_date", _sp(s0, m, "d"), m.group("d"))


# --- diagnoses --------------------------------------------------------------------------------

_DX = re.compile(r"(?:diagnos(?:is|es|ed)\b(?:,? [\w-]+,?){0,5}? (?:of|as|include[sd]?|included|are|were|is|was|"
                 r"consist(?:s|ed)? of|listed as|to include)|(?:undergoing|receiving) treatments? for|being tr"
                 r"eated for)"
                 r"\s*:?\s*(?:documented (?:as|is) )?(?P<list>[^.]+)", re.I)


def _diagnoses(out: Clinical, raw: str, s0: _Offsets, concepts: _Labels) -> None:
    m = _DX.search(raw)
    if not m or _NOT_DOCUMENTED.search(raw[:m.start("list")]):
        return
    base = m.start("list")
    for p0, p1, piece in _split_list(m.group("list")):
        label = re.sub(r"^(?:(?:an?|the|history of)\s+)?(?:(?:diagnos[ie]s|impressions?)\s*(?:of|include[sd]?|:)\s*)?"
                       r"(?:noted to include:?\s*)?", "", piece, flags=re.I).strip(" ,;:")
        if len(label) < 3 or _UNCERTAIN.search(label) or re.match(r"(?:no|not)\b", label, re.I):
            continue
        concept = concepts.best(label)
        out.diagnoses.append(Fact("diagnosis", (s0 + (base + p0), s0 + (base + p1)), " ".join(label.split())[:120],
                                  {"concept": concept}))


def _split_list(text: str) -> Iterator[tuple[int, int, str]]:
    """Items of a list written "a, b; c, and d", with offsets into ``text``.

    Commas inside a phrase ("radiculopathy, lumbosacral region") stay when the next part starts
    with a lower-case qualifier that is not a new diagnosis-like noun phrase: kept simple, a
    part of one or two words after a comma joins the previous item.
    """
    parts: list[list[int]] = []
    for m in re.finditer(r"[^,;]+", text):
        seg = m.group(0)
        seg_start = m.start()
        seg = re.sub(r"^\s*(?:and|or)\s+", lambda x: " " * len(x.group(0)), seg)
        words = seg.split()
        if not words:
            continue
        joins = (len(words) <= 2 and words[0].islower() and words[-1] in {"region", "level", "encounter", "side"}) or \
            (len(words) <= 3 and words[0].lower() in {"left", "right", "bilateral"}
             and words[-1].lower() in {"extremity", "extremities", "limb", "side", "sided"})
        if parts and joins:
            parts[-1][1] = m.end()
            continue
        parts.append([seg_start + (len(seg) - len(seg.lstrip())), m.end()])
    for a, b in parts:
        piece = text[a:b].strip()
        last = a == parts[-1][0]
        sub = re.split(r"\s+and\s+(?=[A-Za-z])", piece) if len(piece) > 60 or (" and " in piece and last) else [piece]
        off = a
        for s in sub:
            i = text.find(s, off)
            yield i, i + len(s), s
            off = i + len(s)


# --- treatments to date -------------------------------------------------------------------

_HISTORY = re.compile(r"treatments? (?:and [\w ]+ )?to date|has (?:had|undergone|received|completed|attended|tried)|"
                      r"had (?:undergone|received|completed|attended|tried)|\bprior\b|\bprevious(?:ly)?\b|"
                      r"\bstatus post\b|\bearlier\b|\bcompleted\b|\bunderwent\b|\breceived\b|\bhad been treated\b|"
                      r"\bfailed\b|\bhas included\b|\bincluded\b|\bnot (?:yet )?(?:started|begun|tried)\b", re.I)
_GIVEN_NOT = re.compile(r"\b(?:never|no prior|not previously|(?:has|had|have) not (?:yet )?(?:had|undergone|tried|"
                        r"started|received|attended|begun)|not yet (?:started|begun|had))\b", re.I)
#: connectors inside one list of treatments ("physical therapy, work restrictions, and medications")
_LIST_GAP = re.compile(r"[\s,;]*(?:(?:and|or|as well as|plus)\s+)?(?:an?|the|multiple|several|\d+)?\s*"
                       r"(?:[a-z]+\s+){0,2}", re.I)


def _treatments(out: Clinical, raw: str, s0: _Offsets, topics: _Labels,
                recognize: Callable[[str], URIRef | None] | None) -> None:
    """Treatments to date, their counts and the documented response (kg/extract/response.py).

    A treatment named in a history statement, or with a stated response ("despite physical
    therapy", "acupuncture did not help"), was given: without a number the record keeps
    ``given`` (a course was tried) and no count.
    """
    mentions = topics.find_all(raw)
    if not mentions:
        return
    lists = _treatment_lists(raw, mentions)
    responses: list[Response] = []
    for k, (i, j) in enumerate(lists):
        nxt = mentions[lists[k + 1][0]][0] if k + 1 < len(lists) else len(raw)
        responses.append(list_response(raw, mentions[i][0], mentions[j][1], nxt))
    history = _HISTORY.search(raw)
    if not history and not any(r.stated for r in responses):
        return  # neither a history statement nor a stated response
    for (i, j), resp in zip(lists, responses, strict=True):
        for t0, t1, topic in mentions[i:j + 1]:
            count = _count_near(raw, t0, t1)
            before = raw[max(0, t0 - 40):t0]
            if _GIVEN_NOT.search(before):
                count = 0
            relief, function = resp.painRelief, resp.functionalImprovement
            if count == 0:
                relief = function = None  # never given: no response to it
            given = count is None and (resp.stated or bool(history)) and not re.search(
                r"\b(?:prior to|before|pending|awaiting|scheduled for|waiting for)\s+(?:\w+\s+){0,2}$", before, re.I)
            name = raw[t0:t1]
            if recognize is not None:
                topic = recognize(name) or topic
            out.treatments.append(Fact("treatment", (s0 + t0, s0 + t1), name,
                                       {"topic": topic, "count": count, "given": given or None,
                                        "painRelief": relief, "functionalImprovement": function}))


def _treatment_lists(raw: str, mentions: list[tuple[int, int, URIRef]]) -> list[tuple[int, int]]:
    """Runs of treatment mentions joined only by list connectors, as (first, last) indexes.

    "Physical therapy and medications did not help" is one list; "physical therapy helped and
    chiropractic care did not" is two (a response word between them ends the list).
    """
    runs: list[tuple[int, int]] = []
    start = 0
    for k in range(1, len(mentions) + 1):
        if k < len(mentions):
            gap = raw[mentions[k - 1][1]:mentions[k][0]]
            if _LIST_GAP.fullmatch(gap) and not re.search(
                    r"\b(?:help|helped|helpful|improv\w*|relief|benefit\w*|fail\w*|but|however|despite|then|after|"
                    r"before|without|with|not|no|which|who|was|were|is|are|has|had)\b", gap, re.I):
                continue
        runs.append((start, k - 1))
        start = k
    return runs


def _count_near(raw: str, t0: int, t1: int) -> int | None:
    """The number of sessions written next to a treatment ("6 sessions of PT", "PT x 12 visits")."""
    m = re.search(r"(?:at least |a total of |approximately |about )?(" + NUMBER + r")(?: \(\d+\))? "
                  r"(?:prior |previous |completed |additional )?"
                  r"(?:sessions?|visits?|treatments?|injections?|blocks?)(?: of)?\s*$",
                  raw[max(0, t0 - 60):t0], re.I)
    if m is None:
        m = re.search(r"^\s*(?:x|times|for|,)?\s*(?:at least |approximately )?(" + NUMBER + r")(?: \(\d+\))? "
                      r"(?:sessions?|visits?|treatments?)", raw[t1:t1 + 40], re.I)
    if m is None and re.match(r"\s*(?:sessions?|visits?|treatments?)\b", raw[t1:t1 + 15], re.I):
        m = re.search(r"(" + NUMBER + r")(?: \(\d+\))?\s*$", raw[max(0, t0 - 30):t0], re.I)
    return to_number(m.group(1)) if m is not None else None


def _course(out: Clinical, raw: str, s0: _Offsets) -> None:
    """A sentence naming no treatment that says how the course of care went ("no improvement")."""
    resp, span = course_response(raw)
    if span is not None and resp.stated:
        out.course.append(Fact("course", (s0 + span[0], s0 + span[1]), raw[span[0]:span[1]],
                               {"painRelief": resp.painRelief, "functionalImprovement": resp.functionalImprovement}))


# --- the plan --------------------------------------------------------------------------------

_PLAN = re.compile(r"\b(?:plan(?: of care)?|treatment plan)\b[^.]{0,40}?\b(?:include[sd]?|included|was|were|is|"
                   r"consist(?:s|ed)? of)\b|\b(?:recommended|planned|to continue|will (?:begin|start|continue|undergo)|"
                   r"would "
                   r"consider|considering|candidate for)\b", re.I)


def _planned(out: Clinical, raw: str, s0: _Offsets, topics: _Labels,
             recognize: Callable[[str], URIRef | None] | None) -> None:
    """Care the plan names (home exercise, therapy after a block, surgery considered).

    Only statements of a plan of care count; "not a surgical candidate", "declined" or "no
    plans for" record the care as not planned. Doubtful wording records nothing.
    """
    cue = _PLAN.search(raw)
    if cue is None or re.search(r"\brequest", raw[:cue.start()], re.I):
        return
    for t0, t1, topic in topics.find_all(raw):
        if t0 < cue.start() - 60:
            continue
        before = raw[max(0, t0 - 50):t0]
        if _NOT_DOCUMENTED.search(before) or _UNCERTAIN.search(before):
            continue
        not_candidate = re.search(r"\bnot (?:a )?(?:surgical )?candidate\b", raw, re.I) and "surg" in raw[t0:t1].lower()
        negated = bool(re.search(r"\b(?:not|no|declined|refused|without)\b", re.split(r"[,;]", before)[-1], re.I)
                       or not_candidate)
        name = raw[t0:t1]
        if recognize is not None:
            topic = recognize(name) or topic
        if any(f.extra["topic"] == topic for f in out.planned):
            continue
        out.planned.append(Fact("planned", (s0 + t0, s0 + t1), name, {"topic": topic, "planned": not negated}))


# --- medications, tests, findings, work ----------------------------------------------------

def _medications(out: Clinical, raw: str, s0: _Offsets) -> None:
    m = re.search(r"(?i:(?:current |present )?medications? (?:regimen )?(?:include[sd]?|included|are|were|cons"
        r"ist(?:s|ed)? of|"
                  r"list(?:ed)?|:)\s*(?:of\s+)?)(?P<list>[^.]+)|\b(?:is|was|were|has been|had been) (?:using|t"
                  r"aking|on)\s+"
                  r"(?P<list2>[A-Z][^.]+)", raw)
    if not m:
        return
    group = "list" if m.group("list") else "list2"
    if _NOT_DOCUMENTED.search(raw) and group == "list":
        return
    before = raw[max(0, m.start() - 12):m.start()]
    if re.search(r"\bnot\b", before + m.group(0)[:20]):
        return
    base = m.start(group)
    for p0, p1, piece in _split_list(m.group(group)):
        name = piece.strip(" ,;:")
        if len(name) < 3 or re.search(r"\b(?:it was|reported|noted|unspecified|cane|crutch|walker)\b", name, re.I):
            continue
        out.medications.append(Fact("medication", (s0 + (base + p0), s0 + (base + p1)), name[:80]))


_TEST = re.compile(r"\b(?P<test>MRI|magnetic resonance imaging|CT(?: scan)?|computed tomography|x-?rays?|radiographs?|"
                   r"EMG(?:/NC[SV])?|NC[SV]|nerve conduction(?: studies| study| velocity)?|electrodiagnostic "
                   r"(?:study|studies|"
                   r"testing)|ultrasound|bone scan)\b(?P<mid>[^.]{0,80}?)\b(?:revealed|showed|demonstrated|ind"
                   r"icated|noted|"
                   r"was (?:positive|negative|normal|unremarkable)|were (?:positive|negative|normal|unremarkable)|"
                   r"documented)\b(?P<res>[^.]{0,160})", re.I)


def _tests(out: Clinical, raw: str, s0: _Offsets) -> None:
    for m in _TEST.finditer(raw):
        text = " ".join(raw[m.start():m.end()].split())
        out.tests.append(Fact("test", (s0 + m.start(), s0 + m.end()), text[:200]))


def _findings(out: Clinical, raw: str, s0: _Offsets, matcher: FindingMatcher) -> None:
    """Exam and history findings (kg/extract/findings.py), present or documented absent."""
    for hit in matcher.scan(raw):
        if _Labels.is_diagnosis_context(raw, hit.start):
            continue
        if _NOT_DOCUMENTED.search(raw[max(0, hit.start - 50):hit.start]):
            continue  # silence: no triple
        out.findings.append(Fact("finding", (s0 + hit.start, s0 + hit.end), raw[hit.start:hit.end],
                                 {"concept": hit.concept, "present": hit.present}))


def _work(out: Clinical, raw: str, s0: _Offsets) -> None:
    if out.work_status is not None:
        return
    checks = (
        (r"\b(?:not (?:currently )?working|off (?:of )?work|temporarily (?:and )?totally disabled|total temporary "
         r"disability|\bTTD\b|remained off work|has not returned to work|unable to work)\b", KG.NotWorking),
        (r"\b(?:modified (?:work|duty|duties)|light duty|restricted duty|working with restrictions|returned to"
            r" work with "
         r"restrictions|work restrictions)\b", KG.ModifiedDuty),
        (r"\b(?:full duty|regular duty|working full time|returned to (?:full |regular )?work|is working|was working)\b",
         KG.Working),
    )
    for pattern, status in checks:
        m = re.search(pattern, raw, re.I)
        if m and not _NOT_DOCUMENTED.search(raw[max(0, m.start() - 40):m.start()]):
            if status == KG.Working and re.search(r"\bnot\b", raw[max(0, m.start() - 15):m.start()]):
                continue
            out.work_status = Fact("work_status", (s0 + m.start(), s0 + m.end()), status)
            return


# --- label matching against the guideline graph ---------------------------------------------

_SYN = {"extremity": "limb", "extremities": "limb", "limbs": "limb", "leg": "limb", "arm": "limb",
        "lumbosacral": "lumbar", "spine": "", "region": "", "of": "", "the": "", "left": "", "right": "",
        "bilateral": "", "unspecified": "", "a": "", "an": "", "and": "", "in": "", "at": "", "with": ""}


def _tokens(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(w2 for w in words if (w2 := _SYN.get(w, w)))


class _Labels:
    """Labels of one class in the guideline graph, for matching words of a letter to IRIs."""

    def __init__(self, graph: Graph, cls: URIRef) -> None:
        self.entries: list[tuple[str, frozenset[str], URIRef]] = []
        for node in set(graph.subjects(RDF.type, cls)):
            if not isinstance(node, URIRef):
                continue
            for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
                for label in graph.objects(node, p):
                    text = str(label).strip()
                    if len(text) >= 3 or text.isupper() and len(text) >= 2:
                        self.entries.append((text, _tokens(text), node))
        self.entries.sort(key=lambda e: -len(e[0]))

    def find_all(self, raw: str) -> list[tuple[int, int, URIRef]]:
        """Non-overlapping mentions of any label in ``raw`` (longest labels first)."""
        hits: list[tuple[int, int, URIRef]] = []
        for text, _, node in self.entries:
            flags = 0 if text.isupper() else re.I
            stem = text[:-1] if len(text) > 5 and text.endswith("s") and not text.endswith("ss") else text
            for m in re.finditer(r"(?<![\w-])" + re.escape(stem) + r"(?:s|es)?(?![\w-])", raw, flags):
                if any(a < m.end() and m.start() < b for a, b, _ in hits):
                    continue
                hits.append((m.start(), m.end(), node))
        return sorted(hits)

    def best(self, phrase: str) -> URIRef | None:
        """The concept whose label's words are all in ``phrase`` (most words wins)."""
        words = _tokens(phrase)
        best: tuple[int, URIRef] | None = None
        for _, toks, node in self.entries:
            if toks and toks <= words and (best is None or len(toks) > best[0]):
                best = (len(toks), node)
        return best[1] if best else None

    @staticmethod
    def is_diagnosis_context(raw: str, at: int) -> bool:
        return bool(re.search(r"diagnos", raw[max(0, at - 120):at], re.I))


class _Offsets:
    """``s0 + i``: the letter offset of character ``i`` of a whitespace-collapsed sentence."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.map: list[int] = []
        prev_space = True
        for i in range(start, end):
            space = text[i].isspace()
            if space and prev_space:
                continue
            self.map.append(i)
            prev_space = space
        self.end = end

    def __add__(self, i: int) -> int:
        return self.map[i] if i < len(self.map) else self.end

    __radd__ = __add__


def _sp(s0: _Offsets, m: re.Match[str], group: int | str) -> Span:
    return (s0 + m.start(group), s0 + m.end(group))
