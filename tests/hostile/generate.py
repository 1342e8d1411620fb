# ruff: noqa: E501, T201 - a data script: long case literals read best on one line
"""Write the hostile corpus next to this script: python tests/hostile/generate.py

The files it writes are committed; rerun after changing a case here (the output is
deterministic, so an unchanged case gives an unchanged file).
"""
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent

PREFIXES = """@prefix kg:   <https://w3id.org/kg-imr/ns#> .
@prefix g:    <https://w3id.org/kg-imr/guideline/> .
@prefix kgsh: <https://w3id.org/kg-imr/shapes/> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix :     <https://example.org/hostile/case#> .
"""

# A made-up case (no real patient) for which every lumbar sympathetic block criterion is met:
# each mutation below breaks one fact, so a mutation kg ignored would show "medically-necessary".
GOOD = """
:case a kg:Case ;
    rdfs:label "Hostile corpus case" ;
    kg:caseNumber "H-1" ;
    kg:applicant :applicant ;
    kg:injury :injury ;
    kg:diagnosis :dx-crps-lle ;
    kg:priorTreatment :prior-lsb ;
    kg:hasRequest :req .
:applicant a kg:Applicant ; kg:age 39 .
:injury a kg:Injury ; kg:injuryDate "2010-08-25"^^xsd:date .
:dx-crps-lle a kg:Diagnosis ; rdfs:label "CRPS, left lower limb" ; kg:icd10 "G90.522" .
:prior-lsb a kg:PriorTreatment ; kg:treatment g:LumbarSympatheticBlock ; kg:count 1 ;
    kg:functionalImprovement true ; kg:painRelief true .
:req a kg:Request ;
    kg:requestText "Lumbar sympathetic block" ;
    kg:topic g:LumbarSympatheticBlock ;
    kg:quantity 1 ;
    kg:requestDate "2015-07-15"^^xsd:date ;
    kg:concurrentCare :plan ;
    kg:urDecision :ur .
:plan a kg:PlannedCare ; kg:treatment g:PhysicalMedicine ; kg:planned true .
:ur a kg:URDecision ; kg:decisionDate "2015-07-22"^^xsd:date ; kg:urOutcome kg:Denied .
"""
# The same case without the earlier block: LSB-2 is not documented, so not medically necessary.
# Rule-rewriting attacks start here and try to turn it into "medically necessary".
NOT_NEC = GOOD.replace("    kg:priorTreatment :prior-lsb ;\n", "").replace(
    """:prior-lsb a kg:PriorTreatment ; kg:treatment g:LumbarSympatheticBlock ; kg:count 1 ;
    kg:functionalImprovement true ; kg:painRelief true .\n""", "")
assert NOT_NEC != GOOD

files = []

def case(name, why, base, subs=(), extra="", exit=1, outcomes=("undetermined",), **expect):
    body = f"# {why}\n" + PREFIXES + base + extra
    for old, new in subs:
        assert old in body, (name, old)
        body = body.replace(old, new)
    (OUT / f"{name}.ttl").write_text(body, encoding="utf-8")
    exp = {"why": why, "exit": exit, "outcomes": list(outcomes), **expect}
    (OUT / f"{name}.expected.json").write_text(json.dumps(exp, indent=2) + "\n", encoding="utf-8")

def load_error(name, suffix, why, content, contains, args=None):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    (OUT / f"{name}{suffix}").write_bytes(data)
    exp = {"why": why, "exit": 2, "error_contains": contains}
    if args:
        exp["args"] = args
    (OUT / f"{name}.expected.json").write_text(json.dumps(exp, indent=2) + "\n", encoding="utf-8")

UND = dict(exit=1, outcomes=["undetermined"])
# --- controls -------------------------------------------------------------------------------
case("control-necessary", "Control: every criterion met, so a mutation kg ignored would show up as medically necessary.",
     GOOD, exit=0, outcomes=["medically-necessary"])
case("control-not-necessary", "Control for the attacks: no earlier block on record, LSB-2 not documented.",
     NOT_NEC, outcomes=["not-medically-necessary"])
# --- ill-typed literals -----------------------------------------------------------------------
case("dq-injury-date-ill-typed", "Date of injury 2015-13-45 is not a date.", GOOD,
     [('"2010-08-25"^^xsd:date', '"2015-13-45"^^xsd:date')], findings_contain="date of injury")
case("dq-request-date-ill-typed", "Request date 2015-02-30 does not exist.", GOOD,
     [('"2015-07-15"^^xsd:date', '"2015-02-30"^^xsd:date')], findings_contain="request date")
case("dq-ur-date-ill-typed", "UR decision date in a non-ISO format.", GOOD,
     [('"2015-07-22"^^xsd:date', '"22/07/2015"^^xsd:date')], findings_contain="decision date")
case("dq-request-date-datetime-as-date", "A dateTime lexical form typed xsd:date is ill-typed.", GOOD,
     [('"2015-07-15"^^xsd:date', '"2015-07-15T10:00:00"^^xsd:date')], findings_contain="request date")
case("dq-ur-date-plain-string", "UR decision date as a plain string, not an xsd:date.", GOOD,
     [('"2015-07-22"^^xsd:date', '"2015-07-22"')], findings_contain="decision date")
case("dq-prior-count-negative", "A negative number of earlier blocks.", GOOD,
     [("kg:count 1 ;", "kg:count -1 ;")], findings_contain="count")
case("dq-prior-count-word", "An earlier-block count that is a word.", GOOD,
     [("kg:count 1 ;", 'kg:count "several" ;')], findings_contain="count")
case("dq-prior-count-ill-typed", "An integer literal whose lexical form is not an integer.", GOOD,
     [("kg:count 1 ;", 'kg:count "1.5"^^xsd:integer ;')], findings_contain="count")
case("dq-quantity-word", "A quantity that is not a number.", GOOD,
     [("kg:quantity 1 ;", 'kg:quantity "two" ;')], findings_contain="quantity")
case("dq-quantity-zero", "A quantity of zero.", GOOD,
     [("kg:quantity 1 ;", "kg:quantity 0 ;")], findings_contain="quantity")
case("dq-quantity-negative", "A negative decimal quantity.", GOOD,
     [("kg:quantity 1 ;", "kg:quantity -1.5 ;")], findings_contain="quantity")
case("dq-quantity-ill-typed", "An xsd:integer quantity whose lexical form is not a number.", GOOD,
     [("kg:quantity 1 ;", 'kg:quantity "one"^^xsd:integer ;')], findings_contain="quantity")
case("dq-functional-improvement-word", "Functional improvement given as the word yes.", GOOD,
     [("kg:functionalImprovement true", 'kg:functionalImprovement "yes"')], findings_contain="functionalImprovement")
case("dq-planned-string", "Planned care flag as a string, not a boolean.", GOOD,
     [("kg:planned true", 'kg:planned "true"')], findings_contain="planned")
case("dq-boolean-ill-typed", "A boolean whose lexical form is not xsd:boolean (rdflib still reads it as true).", GOOD,
     [("kg:planned true", 'kg:planned "TRUE"^^xsd:boolean')], findings_contain="planned")
case("dq-age-out-of-range", "An applicant aged 300.", GOOD,
     [("kg:age 39", "kg:age 300")], findings_contain="Age")
case("dq-icd10-garbage", "A diagnosis code that is not ICD-10-CM.", GOOD,
     [('kg:icd10 "G90.522"', 'kg:icd10 "not a code"')], findings_contain="ICD-10-CM")
# --- missing or unknown facts ---------------------------------------------------------------
case("dq-request-no-topic", "A request that names no treatment topic.", GOOD,
     [("    kg:topic g:LumbarSympatheticBlock ;\n", "")], findings_contain="topic")
case("dq-topic-not-addressed", "A topic no guideline in kg's graph addresses (a grouping topic, surgical or invasive procedure; pick another if it gains a recommendation).", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic g:SurgicalOrInvasiveProcedure")], findings_contain="No guideline")
case("dq-topic-unknown-iri", "A topic IRI kg does not know.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic g:MiracleCure")], findings_contain="treatment topic")
case("dq-topic-literal", "The topic written as text instead of an IRI.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", 'kg:topic "lumbar sympathetic block"')], findings_contain="treatment topic")
case("dq-no-dates", "Neither a request date nor a UR decision date: no edition can be chosen.", GOOD,
     [('    kg:requestDate "2015-07-15"^^xsd:date ;\n', ""),
      (' kg:decisionDate "2015-07-22"^^xsd:date ;', "")], findings_contain="date")
case("dq-case-no-request", "A case with no request, and its request left without a case.", GOOD,
     [("    kg:hasRequest :req .", "    rdfs:comment \"request not linked\" .")],
     outcomes=["undetermined", "undetermined"], findings_contain="case")
case("dq-request-no-case", "A request that belongs to no case (the case node is missing).", GOOD,
     [(GOOD.split(":applicant a")[0], "\n")], findings_contain="case")
case("dq-request-in-two-cases", "One request claimed by two cases.", GOOD, extra=":case2 a kg:Case ; kg:hasRequest :req .\n",
     outcomes=["undetermined", "undetermined"], findings_contain="exactly one case")
case("dq-plan-no-treatment", "Planned care that names no treatment.", GOOD,
     [(":plan a kg:PlannedCare ; kg:treatment g:PhysicalMedicine ;", ":plan a kg:PlannedCare ;")],
     findings_contain="Planned care")
case("dq-prior-unknown-treatment", "An earlier treatment that is not a topic of the guideline graph.", GOOD,
     [("kg:treatment g:LumbarSympatheticBlock", "kg:treatment g:SnakeOil")], findings_contain="prior treatment")
case("dq-finding-unknown-concept", "A finding naming a concept the guideline graph does not know.", GOOD,
     extra=":case kg:finding [ kg:concept g:NoSuchConcept ; kg:present true ] .\n", findings_contain="clinical concept")
case("dq-finding-no-present", "A finding that does not say present or absent.", GOOD,
     extra=":case kg:finding [ kg:concept g:CRPS ] .\n", findings_contain="present")
case("dq-ur-outcome-invalid", "A UR outcome outside the allowed values.", GOOD,
     [("kg:urOutcome kg:Denied", "kg:urOutcome kg:Approvedish")], findings_contain="UR outcome")
case("dq-imr-outcome-string", "An IMR outcome given as a string.", GOOD,
     [("    kg:urDecision :ur .", "    kg:urDecision :ur ;\n    kg:imrDecision [ a kg:IMRDecision ; kg:imrOutcome \"upheld\" ] .")],
     findings_contain="IMR outcome")
case("dq-citation-empty", "A UR citation that names no guideline, document or edition.", GOOD,
     [("kg:urOutcome kg:Denied .", "kg:urOutcome kg:Denied ; kg:cites [ a kg:Citation ; kg:locator \"p. 57\" ] .")],
     findings_contain="citation")
case("dq-prior-treatment-text", "An earlier treatment written as free text instead of a node.", NOT_NEC,
     [("    kg:hasRequest :req .", '    kg:priorTreatment "one lumbar sympathetic block, much better" ;\n    kg:hasRequest :req .')],
     findings_contain="prior treatment must be a node")
case("dq-ur-decision-text", "A UR decision written as text, hiding the decision date.", GOOD,
     [("kg:urDecision :ur .", 'kg:urDecision "denied on 2015-07-22" .')], findings_contain="UR decision must be a node")
case("dq-planned-care-text", "Planned care written as text.", NOT_NEC,
     [("kg:concurrentCare :plan ;", 'kg:concurrentCare "physical therapy after the block" ;')],
     findings_contain="Planned care must be a node")
case("dq-days-supply-negative", "A negative days' supply (would pass any duration limit).", GOOD,
     [("kg:quantity 1 ;", "kg:quantity 1 ;\n    kg:daysSupply -30 ;")], findings_contain="days' supply")
case("dq-doses-per-day-text", "Doses per day written as words.", GOOD,
     [("kg:quantity 1 ;", 'kg:quantity 1 ;\n    kg:dosesPerDay "three times a day" ;')], findings_contain="Doses per day")
# --- contradictions -------------------------------------------------------------------------
case("dq-two-injury-dates", "One injury with two different dates.", GOOD,
     [('kg:injuryDate "2010-08-25"^^xsd:date', 'kg:injuryDate "2010-08-25"^^xsd:date, "2011-01-02"^^xsd:date')],
     findings_contain="date of injury")
case("dq-two-injuries", "Two injury records with different dates.", GOOD,
     [("    kg:injury :injury ;", "    kg:injury :injury, :injury2 ;")],
     extra=':injury2 a kg:Injury ; kg:injuryDate "2012-03-04"^^xsd:date .\n', findings_contain="injury")
case("dq-two-topics", "One request naming two topics.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic g:LumbarSympatheticBlock, g:StellateGanglionBlock")],
     findings_contain="more than one treatment topic")
case("dq-two-ur-dates", "A UR decision with two dates (different editions could be in force).", GOOD,
     [('kg:decisionDate "2015-07-22"^^xsd:date', 'kg:decisionDate "2015-07-22"^^xsd:date, "2017-01-10"^^xsd:date')],
     findings_contain="decision date")
case("dq-two-request-dates", "A request with two request dates.", GOOD,
     [('"2015-07-15"^^xsd:date', '"2015-07-15"^^xsd:date, "2016-09-01"^^xsd:date')], findings_contain="request date")
case("dq-improvement-true-and-false", "Functional improvement both documented and denied.", GOOD,
     [("kg:functionalImprovement true", "kg:functionalImprovement true, false")], findings_contain="functionalImprovement")
case("dq-two-case-numbers", "A case with two case numbers.", GOOD,
     [('kg:caseNumber "H-1"', 'kg:caseNumber "H-1", "H-2"')], findings_contain="case number")
case("dq-wrong-namespace", "kg's namespace written with http: instead of https: - nothing kg knows.", GOOD,
     [("@prefix kg:   <https://w3id.org/kg-imr/ns#>", "@prefix kg:   <http://w3id.org/kg-imr/ns#>")],
     outcomes=["undetermined"], findings_contain="no kg:Case")
case("dq-empty", "A Turtle file with prefixes only.", "", findings_contain="no kg:Case")
# --- attacks on the rules -------------------------------------------------------------------
Q = dict(notes_contain="Quarantined")
case("attack-deactivate-criteria", "The case switches off the LSB-2 checks with sh:deactivated.", NOT_NEC,
     extra="kgsh:LSB-2 sh:deactivated true .\nkgsh:LSB-2-documented sh:deactivated true .\n",
     outcomes=["not-medically-necessary"], **Q)
case("attack-new-nodeshape", "The case adds a shape of its own that any request would fail.", GOOD,
     extra=":evil a sh:NodeShape ; sh:targetClass kg:Request ;\n    sh:property [ sh:path kg:topic ; sh:maxCount 0 ] .\n",
     exit=0, outcomes=["medically-necessary"], **Q)
case("attack-new-shape-blank", "The case adds an anonymous shape declaring requests conforming.", NOT_NEC,
     extra="[] a sh:NodeShape ; sh:targetNode :req ; sh:deactivated false .\n", outcomes=["not-medically-necessary"], **Q)
case("attack-edition-date", "The case moves the end of the 2009 CPMTG edition so no edition is in force.", GOOD,
     extra='g:CPMTG-2009 kg:effectiveUntil "2010-01-01"^^xsd:date .\ng:CPMTG-2016 kg:effectiveFrom "2030-01-01"^^xsd:date .\n',
     exit=0, outcomes=["medically-necessary"], **Q)
case("attack-altlabel-remap", "The case adds an altLabel mapping its request text to a laxer topic.", NOT_NEC,
     extra='g:HipXRay skos:altLabel "Lumbar sympathetic block" .\n', outcomes=["not-medically-necessary"], **Q)
case("attack-fake-recommendation", "A recommendation of the case's own, with no criteria, from a guideline ranked above the MTUS.", NOT_NEC,
     extra=""":rec a kg:Recommendation ; kg:aboutTopic g:LumbarSympatheticBlock ; kg:source :sec .
:sec a kg:Section ; kg:inEdition :ed ; kg:pages "1" .
:ed a kg:Edition ; kg:editionOf :doc ; kg:effectiveFrom "2000-01-01"^^xsd:date .
:doc a kg:GuidelineDocument ; kg:guideline :gl .
:gl a kg:Guideline ; kg:evidenceLevel [ kg:rank 0 ] .
""", outcomes=["not-medically-necessary"], **Q)
case("attack-fake-criterion-on-real-rec", "The case attaches a criterion of its own to the real recommendation.", NOT_NEC,
     extra=":crit a kg:Criterion ; kg:notation \"LSB-2\" .\ng:rec-CPMTG-2009-LSB kg:hasCriterion :crit .\n",
     outcomes=["not-medically-necessary"], **Q)
case("attack-rewrite-criterion", "The case rewrites a criterion's statement and confidence.", NOT_NEC,
     extra='g:LSB-2 kg:statement "Always met." ; kg:confidence kg:Verified .\n', outcomes=["not-medically-necessary"], **Q)
case("attack-failure-status", "The case changes a check's failure status.", NOT_NEC,
     extra="kgsh:LSB-2-documented kg:failureStatus kg:Met .\nkgsh:LSB-2-documented kg:checksCriterion g:Nothing .\n",
     outcomes=["not-medically-necessary"], **Q)
case("attack-guideline-rank", "The case re-ranks ODG above the MTUS.", NOT_NEC,
     extra="g:ODG kg:evidenceLevel [ kg:rank 0 ] .\n", outcomes=["not-medically-necessary"], **Q)
case("attack-subclass-topic", "rdfs:subClassOf makes a made-up node pass as a treatment topic.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic :laxTopic")],
     extra=":Lax rdfs:subClassOf kg:TreatmentTopic .\n:laxTopic a :Lax .\n", findings_contain="treatment topic", **Q)
case("attack-own-topic", "The case declares its own treatment topic.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic :myTopic")],
     extra=':myTopic a kg:TreatmentTopic ; skos:prefLabel "lumbar sympathetic block" .\n', findings_contain="treatment topic", **Q)
case("attack-sameas-topic", "owl:sameAs ties a made-up topic to a real one.", GOOD,
     [("kg:topic g:LumbarSympatheticBlock", "kg:topic :myTopic")],
     extra=":myTopic owl:sameAs g:LumbarSympatheticBlock .\n", findings_contain="treatment topic", **Q)
case("attack-owl-imports", "owl:imports of a remote rule file: kept out, never fetched.", NOT_NEC,
     extra="<> owl:imports <http://evil.example/rules.ttl> .\n:case owl:imports <file:///etc/passwd> .\n",
     outcomes=["not-medically-necessary"], **Q)
case("attack-concept-broader", "The case makes its own concept a kind of CRPS to satisfy LSB-1.", NOT_NEC.replace(
     'kg:icd10 "G90.522"', 'kg:icd10 "M79.2"'),
     extra=":myConcept a kg:ClinicalConcept ; skos:broader g:CRPS-LowerLimb .\n:case kg:finding [ kg:concept :myConcept ; kg:present true ] .\n",
     findings_contain="clinical concept", **Q)
case("attack-typed-as-recommendation", "The request node also claims to be a recommendation with no criteria.", NOT_NEC,
     extra=":req a kg:Recommendation ; kg:aboutTopic g:LumbarSympatheticBlock .\n", outcomes=["not-medically-necessary"], **Q)

# --- files kg must refuse (exit 2) ----------------------------------------------------------
SEED_JSON = json.dumps({"@context": "https://w3id.org/kg-imr/context.jsonld", "@id": "ex:case"})
load_error("load-json-named-ttl", ".ttl", "JSON content in a .ttl file.", '{"@context": {}, "@id": "urn:x"}\n', "looks like JSON")
load_error("load-xml-named-nt", ".nt", "RDF/XML content in a .nt file.", '<?xml version="1.0"?>\n<rdf:RDF/>\n', "looks like XML")
load_error("load-turtle-named-rdf", ".rdf", "Turtle content in a .rdf file.", PREFIXES + GOOD, "does not look like RDF/XML")
load_error("load-billion-laughs", ".rdf", "A 1 KB entity-expansion bomb.", """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>
""", "DOCTYPE")
load_error("load-xxe-file", ".rdf", "An external entity that would read a local file.", """<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="urn:x"><rdfs:label>&xxe;</rdfs:label></rdf:Description>
</rdf:RDF>
""", "DOCTYPE")
load_error("load-xml-malformed", ".rdf", "XML that is not well-formed.", """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="urn:x">
</rdf:RDF>
""", "invalid XML")
load_error("load-deep-xml", ".rdf", "XML nested 200 elements deep.", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           + "<a>" * 200 + "</a>" * 200 + "</rdf:RDF>\n", "nesting deeper")
load_error("load-remote-context", ".jsonld", "A JSON-LD @context on a remote server.",
           '{"@context": "https://evil.example/context.jsonld", "@id": "urn:x"}\n', "not one of kg's bundled contexts")
load_error("load-file-context", ".jsonld", "A JSON-LD @context that would read a local file.",
           '{"@context": "file:///etc/passwd", "@id": "urn:x"}\n', "not one of kg's bundled contexts")
load_error("load-relative-context", ".jsonld", "A relative @context that rdflib would resolve next to the file.",
           '{"@context": "context.jsonld", "@id": "urn:x"}\n', "not one of kg's bundled contexts")
load_error("load-import-context", ".jsonld", "A JSON-LD 1.1 @import of a remote context inside an inline one.",
           '{"@context": {"@version": 1.1, "@import": "https://evil.example/ctx.jsonld"}, "@id": "urn:x"}\n', "@import")
load_error("load-scoped-remote-context", ".jsonld", "A remote context hidden in a term definition (scoped context).",
           '{"@context": {"p": {"@id": "urn:p", "@context": "https://evil.example/c.jsonld"}}, "@id": "urn:x", "p": {"@id": "urn:y"}}\n',
           "not one of kg's bundled contexts")
load_error("load-named-graph", ".jsonld", "Case facts inside a JSON-LD named graph (rdflib would drop them).",
           json.dumps({"@context": "https://w3id.org/kg-imr/context.jsonld", "@id": "urn:kg:g1",
                       "@graph": [{"@id": "urn:x", "@type": "https://w3id.org/kg-imr/ns#Case"}]}) + "\n", "named graphs")
load_error("load-bad-json", ".jsonld", "JSON with a syntax error on line 3.", '{\n  "@id": "urn:x",\n  "a": ,\n}\n', "load-bad-json.jsonld:3")
load_error("load-deep-json", ".jsonld", "JSON nested 5000 levels deep.", '{"@id": "urn:x", "urn:p": ' + "[" * 5000 + "]" * 5000 + "}\n", "nesting deeper")
load_error("load-deep-turtle", ".ttl", "Turtle blank nodes nested 2000 levels deep.",
           "@prefix ex: <urn:ex:> .\nex:a ex:p " + "[ ex:p " * 2000 + "1" + " ]" * 2000 + " .\n", "nesting deeper")
load_error("load-invalid-utf8", ".ttl", "A Latin-1 byte in a UTF-8 file.", PREFIXES.encode() + b':case a kg:Case ; rdfs:label "Jos\xe9" .\n', "invalid UTF-8 at byte offset")
load_error("load-nul-byte", ".ttl", "A NUL byte: binary data.", PREFIXES.encode() + b":case a kg:Case .\x00\n", "NUL byte at byte offset")
load_error("load-control-byte", ".ttl", "A raw control byte (0x1b, ESC) in the file.", PREFIXES.encode() + b':case a kg:Case ; rdfs:label "\x1b[31mred" .\n', "control byte 0x1b")
load_error("load-utf16", ".ttl", "A UTF-16 file (kg reads UTF-8 only).", (PREFIXES + GOOD).encode("utf-16"), "UTF-16")
load_error("load-syntax-error", ".ttl", "A Turtle syntax error on line 12.", PREFIXES + ":case a kg:Case ;\n  kg:caseNumber \"H-1\" \n  kg:hasRequest :req .\n", "load-syntax-error.ttl:12")
load_error("load-nt-bad-line", ".nt", "An N-Triples file with a broken line 2.", '<urn:a> <urn:p> "x" .\n<urn:a> <urn:p> "y"\n', "load-nt-bad-line.nt:2")
load_error("load-lone-surrogate", ".ttl", "A \\uD800 escape: a lone surrogate, not valid Unicode.", PREFIXES + ':case a kg:Case ; rdfs:label "bad \\uD800 label" .\n', "lone surrogate")
load_error("load-bad-iri-prefix", ".ttl", "A prefix IRI with '<' inside: rdflib accepts it, SPARQL and serializers choke later.",
           PREFIXES.replace("<https://w3id.org/kg-imr/ns#>", "<https://w3id<.org/kg-imr/ns#>") + GOOD, "invalid IRI")
load_error("load-iri-with-space", ".nt", "An IRI containing a space.", '<urn:a b> <urn:p> "x" .\n', "invalid")
load_error("load-unknown-extension", ".txt", "A file whose extension names no RDF format.", PREFIXES + GOOD, "unknown RDF file extension")
load_error("load-long-literal", ".ttl", "A literal longer than the limit (lowered to 100 with --max-literal).", PREFIXES + ':case a kg:Case ; rdfs:comment "' + "x" * 101 + '" .\n', "100-character limit", args=["--max-literal", "100"])
load_error("load-too-many-triples", ".ttl", "More triples than the limit (lowered to 20 with --max-triples).", PREFIXES + GOOD, "20-triple limit", args=["--max-triples", "20"])
load_error("load-too-large", ".ttl", "A file larger than the limit (lowered to 500 bytes with --max-bytes).", PREFIXES + GOOD, "500-byte limit", args=["--max-bytes", "500"])
load_error("load-depth-flag", ".ttl", "Nesting deeper than the limit (lowered to 3 with --max-depth).", PREFIXES + ":case kg:finding [ kg:concept [ kg:p [ kg:q [ kg:r 1 ] ] ] ] .\n", "3-level limit", args=["--max-depth", "3"])
# A small file (2,600 triples, far under every parse limit) whose SHACL run takes minutes: every
# criteria check of each request walks all the case's findings, so the work grows as requests x
# findings. The time box (--timeout) covers validation too.
SLOW = (":case a kg:Case ; kg:caseNumber \"H-SLOW\" .\n"
        + "".join(f':case kg:hasRequest :r{i} . :r{i} a kg:Request ; kg:topic g:LumbarMRI ; kg:requestDate "2015-07-15"^^xsd:date .\n' for i in range(60))
        + "".join(f":case kg:finding :f{j} . :f{j} a kg:Finding ; kg:concept :c{j} ; kg:present true .\n" for j in range(600)))
load_error("slow-validation", ".ttl", "60 requests x 600 findings: parses in a blink, but the SHACL run would take minutes (time box lowered to 2 s with --timeout).",
           PREFIXES + SLOW, "validation took longer than the 2-second limit", args=["--timeout", "2"])
if __name__ == "__main__":
    print(len(list(OUT.glob("*.expected.json"))), "expectations")
