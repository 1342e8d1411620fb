"""How the worker responded to earlier care, read from one sentence of the case summary.

A summary states the response in many ways: "pain persists despite physical therapy and
medications", "no improvement with chiropractic care", "failed conservative treatment",
"acupuncture did not help", "symptoms unchanged", and positively "improved with therapy",
"50% relief from the injections", "able to walk farther after therapy". The response may be
attached to one named treatment, to a list ("therapy, medication and rest") or to conservative
care in general; a sentence that names no treatment ("there has been no improvement") speaks of
the course of care as a whole.

What a cue means (kg's reading, see README "The response to earlier care"):
- a lack of improvement, failure, "did not help", "unchanged", "worsening" -> no pain relief and
  no functional improvement (false, false): nothing got better;
- symptoms that persist "despite" a treatment, "without relief" -> no pain relief (false); the
  function is not documented unless the sentence speaks of function;
- "improved", "helped", "X% relief", "benefit" -> pain relief (true); functional improvement (true)
  only when the sentence names function ("function", "activities of daily living", "able to"),
  and then pain relief only if pain or relief is named too ("helped her mobility" is function only).
A statement that is negated into silence ("no documentation of improvement"), doubtful ("if",
"unclear", "possible") or both positive and negative records nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- cues -----------------------------------------------------------------------------------

_ART = r"(?:(?:the|his|her|their|a|an|prior|previous|earlier|ongoing|recent|initial|several|multiple|extensive|"\
       r"all|any|some|\d+|[a-z]+ (?:sessions?|visits?|weeks?|months?) of|courses? of|trials? of|use of)\s+)*"
_QUAL = r"(?:any |significant |much |meaningful |lasting |sustained |substantial |real |noticeable |appreciable "\
        r"|further |functional |objective |clinical |symptomatic |overall )*"

#: a cue written before the treatment(s) it is about, ending where the treatment list starts
_BEFORE_FAIL = re.compile(
    r"(?:\b(?:despite|in spite of|notwithstanding|regardless of)|"
    r"\b(?:no|without|minimal|little|limited|not much|not any) " + _QUAL + r"(?:improvement|relief|benefit|change|"
    r"response|progress)(?: in (?:\w+ ){0,4}?)?(?: (?:with|from|after|following|to|despite))|"
    r"\b(?:failed|unsuccessful|exhausted|failure of|failed to respond to|did not respond to|has not responded to|"
    r"had not responded to|not responded to|unresponsive to|refractory to|not improved with|did not improve with|"
    r"has not improved with|had not improved with|not helped by|no better with|worse(?:ned)? (?:with|despite|after))"
    r")\s+" + _ART + r"$", re.I)
_BEFORE_GOOD = re.compile(
    r"\b(?:(?:improved|improving|improvement|better|relief|benefit(?:ed)?|benefitted|responded (?:well )?|"
    r"\d+ ?(?:%|percent) (?:\w+ ){0,2}?(?:relief|improvement|reduction|better))"
    r" (?:\w+ ){0,4}?(?:with|from|after|following|to|by))\s+" + _ART + r"$", re.I)

#: a cue written after the treatment(s) it is about
_AFTER_FAIL = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:did|does|has|had|have|was|were|is|are) not (?:help(?:ed|ing)?|improve(?:d)?|work(?:ed)?|"
    r"provide (?:any |much |significant |lasting )?(?:relief|benefit|improvement)|been (?:helpful|effective|"
    r"beneficial))|"
    r"\"?not (?:particularly |very |really )?(?:help(?:ful|ing)|effective|beneficial)\"?|"
    r"(?:without|with no|with minimal|with little|with limited|provided no|gave no|no) " + _QUAL
    + r"(?:improvement|relief|benefit|change|response|progress)|"
    r"(?:has |had |have )?(?:failed|been unsuccessful|been ineffective)|ineffective|unsuccessful|"
    r"(?:symptoms|pain|complaints) (?:\w+ ){0,3}?(?:unchanged|persist(?:ed|s)?|continued|worsened)|"
    r"worsen(?:ed|ing)|made (?:it|the pain|things|(?:his|her) pain) worse)\b", re.I)
_AFTER_GOOD = re.compile(
    r"^[^.;]{0,60}?\b(?:helped|helping|helpful|beneficial|effective|improved|improving|"
    r"(?:with|providing|provided|gave|giving) (?:some |significant |good |moderate |temporary |partial |noted |"
    r"great |excellent |noticeable )?(?:improvement|relief|benefit)|"
    r"\d+ ?(?:%|percent) (?:\w+ ){0,2}?(?:relief|improvement|reduction|better)|"
    r"(?:decreased|reduced|relieved|lessened) (?:(?:his|her|their|the) )?(?:pain|symptoms))\b", re.I)

#: the course of care as a whole, in a sentence that names no treatment
_COURSE_FAIL = re.compile(
    r"\b(?:(?:(?:has|had|have|was|were|is|are) )?(?:not|no) (?:improved|improving|better)|"
    r"(?:no|without) " + _QUAL + r"(?:improvement|progress)\b(?! (?:in|of) (?:range|motion|strength|sensation))|"
    r"(?:no|without) " + _QUAL + r"changes? in (?:(?:his|her|their|the) )?"
    r"(?:symptoms|pain|complaints?|condition|function(?:ing)?|level of function(?:ing)?)|"
    r"(?:symptoms|pain|complaints?|condition)(?: (?:\w+ ){0,4}?)(?:were|was|are|is|remained|remain|remains)"
    r" (?:essentially |largely |basically )?(?:unchanged|the same|no better|worse|worsening)|"
    r"(?:unchanged|worsening|worsened) (?:symptoms|pain|complaints?|condition)|"
    r"failed to (?:improve|progress)|"
    # symptoms still there after the care on record: pain that persists, not a new failure cue
    r"persist(?:ent|ing) (?:\w+ ){0,4}?(?:pain|symptoms|complaints)|"
    r"(?:pain|symptoms|complaints) (?:\w+ ){0,4}?(?:persist(?:s|ed)?|ha(?:s|ve|d) persisted)|"
    r"continue[sd]? to (?:complain of|have|report|experience|endorse) (?:\w+ ){0,4}?(?:pain|symptoms))\b", re.I)
_COURSE_GOOD = re.compile(
    r"\b(?:(?:symptoms|pain|complaints?|condition)(?: (?:\w+ ){0,4}?)(?:were|was|are|is|has|have|had)"
    r" (?:been )?(?:gradually |slowly |steadily |significantly )?(?:improving|improved|better|decreased|"
    r"resolved|resolving)|"
    r"(?:improving|improved|decreasing|decreased) (?:\w+ ){0,3}?(?:pain|symptoms)|"
    r"\d+(?: ?- ?\d+)? ?(?:%|percent) (?:better|improvement|improved)|"
    r"(?:overall|significant|steady|gradual|vast|good) improvement)\b", re.I)

_FUNCTION = re.compile(r"\bfunction|\bactivities of daily living\b|\bADLs?\b|\bable to\b|\bmobility\b|"
                       r"\bwork (?:capacity|tolerance)\b|\breturn(?:ed)? to (?:full |regular )?(?:duty|work)\b", re.I)
_PAIN_ONLY = re.compile(r"\b(?:despite|in spite of|notwithstanding|regardless of|persist|continued|continues|"
                        r"ongoing|without (?:any |significant |lasting |much )?relief"
                        r"|no (?:significant |lasting )?relief"
                        r"|(?:did not|does not|not) provide (?:any |much |significant |lasting )?relief)\b", re.I)
_SILENT = re.compile(
    r"\bno (?:clear |objective |specific )?(?:documentation|evidence|indication|mention|record)\b|"
    r"without documentation|not (?:clearly )?(?:documented|stated|specified|provided|reported|detailed|indicated|"
    r"clear)|did not (?:clearly )?(?:state|document|detail|specify|report|indicate|describe)|unclear|unknown|"
    r"\bif\b|\bunless\b|\bwhether\b|\bpossibl[ey]\b|\bmay\b|\bmight\b|\bcould\b|\bexpected\b|\bhopes?\b|"
    r"\bgoal\b|lack of documentation|\bto determine\b|\bto assess\b", re.I)
_CONTRAST = re.compile(r"\b(?:but|however|although|though|yet|except)\b", re.I)


@dataclass(frozen=True)
class Response:
    """A documented response: ``None`` = not stated, ``False`` = documented as absent."""

    painRelief: bool | None = None  # noqa: N815 - the kg term's own name
    functionalImprovement: bool | None = None  # noqa: N815

    @property
    def stated(self) -> bool:
        return self.painRelief is not None or self.functionalImprovement is not None


NONE = Response()


def _about_pain(cue: str) -> bool:
    """The cue speaks of pain only: "despite", "persists", "no relief", "no improvement in her pain"."""
    return bool(_PAIN_ONLY.search(cue) or re.search(r"\brelief\b|\bin (?:\w+ ){0,3}?pain\b", cue, re.I))


def _failed(text: str, *, pain_only: bool) -> Response:
    """No relief; no functional improvement too unless the cue speaks only of pain persisting."""
    if pain_only and not _FUNCTION.search(text):
        return Response(painRelief=False)
    return Response(painRelief=False, functionalImprovement=False)


def _helped(text: str) -> Response:
    """Relief; functional improvement only when the text names function (and is not negated)."""
    fn = _FUNCTION.search(text)
    if fn and not re.search(r"\b(?:not|unable|no|without|cannot|can't)\b[^.;]{0,25}$", text[:fn.start()], re.I):
        if not re.search(r"\bpain|\breli|\bsymptom|%|percent", text, re.I):
            return Response(functionalImprovement=True)  # it helped function; pain is not mentioned
        return Response(painRelief=True, functionalImprovement=True)
    return Response(painRelief=True)


def list_response(sentence: str, start: int, end: int, next_start: int) -> Response:
    """The response stated for the treatment list at ``sentence[start:end]``.

    ``next_start`` is where the next treatment named after the list begins (or the sentence end):
    a cue after the list must come before it. A cue before the list must end right where the
    list starts ("despite physical therapy", "no improvement with medications").
    """
    before = sentence[:start]
    clause_start = max(before.rfind(";"), before.rfind(":"))
    before = before[clause_start + 1:]
    after = sentence[end:next_start]
    # the clause after the list ends at a semicolon or at a new clause about something else
    after = re.split(r";|\.\s|,\s+(?:and\s+)?(?:which|who|she|he|they)\b", after, maxsplit=1)[0]
    if _SILENT.search(before[-60:]) or _SILENT.search(after[:80]):
        return NONE
    found: list[Response] = []
    m = _BEFORE_FAIL.search(before)
    if m:
        found.append(_failed(before[m.start():] + after[:80], pain_only=_about_pain(m.group(0))))
    elif _BEFORE_GOOD.search(before) and not re.search(r"\b(?:no|not|without)\b[^,;]{0,20}$",
                                                       before[:_BEFORE_GOOD.search(before).start()], re.I):
        found.append(_helped(before[_BEFORE_GOOD.search(before).start():] + after[:80]))
    if not found:
        contrast = _CONTRAST.search(after)
        scope = after[:contrast.start()] if contrast else after
        fail = _AFTER_FAIL.search(scope)
        good = _AFTER_GOOD.search(scope)
        if fail and not (good and good.end() <= fail.start()):
            found.append(_failed(scope, pain_only=_about_pain(fail.group(0))))
        elif good and not re.search(r"\b(?:not|no|never|without)\b", good.group(0), re.I):
            found.append(_helped(scope))
    return found[0] if found else NONE


def course_response(sentence: str) -> tuple[Response, tuple[int, int] | None]:
    """The response of the course of care as a whole, from a sentence that names no treatment.

    "There has been no improvement", "symptoms remained unchanged", "no changes in complaints or
    level of functioning" (no relief, no functional improvement); "pain was gradually improving"
    (relief). Symptoms that persist or continue after the care on record ("complained of
    persistent shoulder pain", "continues to have pain") say the care brought no lasting relief;
    they say nothing of function unless the sentence names it. Returns the response and the
    span of its cue in ``sentence``.
    """
    if _SILENT.search(sentence):
        return NONE, None
    fail = _COURSE_FAIL.search(sentence)
    good = _COURSE_GOOD.search(sentence)
    if fail and good:
        return NONE, None  # both ways: nothing clear
    if fail:
        cue = fail.group(0) + re.match(r"(?:\s+in (?:\w+ ){0,3}?pain\b)?", sentence[fail.end():]).group(0)
        persists = bool(re.search(r"\bpersist|\bcontinue[sd]? to\b", cue, re.I))
        if persists and re.search(r"\b(?:no|not|denie[sd]|deny|without|never)\b[^.;,]{0,20}$",
                                  sentence[:fail.start()], re.I):
            return NONE, None  # "no persistent pain", "denies continued symptoms"
        function = bool(_FUNCTION.search(sentence)) or not (persists or re.search(r"\b(?:pain|symptoms?)\b", cue, re.I))
        return Response(painRelief=False, functionalImprovement=False if function else None), fail.span()
    if good and not re.search(r"\b(?:not|no|never)\b", sentence[max(0, good.start() - 20):good.start()], re.I):
        return _helped(sentence), good.span()
    return NONE, None
