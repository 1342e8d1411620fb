"""Any SPARQL 1.1 endpoint over HTTP (SPARQL 1.1 Protocol), with urllib: only the given URL is contacted."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from rdflib import Graph

from kg.errors import KgError
from kg.store.base import Backend, Result
from kg.store.sparql import ASK, SELECT, CheckedQuery
from kg.store.terms import check_iri, from_json, normal, nt

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: kg talks to the URL the user gave and no other."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, D102
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


class EndpointBackend(Backend):
    """Queries go to ``url`` (the query endpoint); loads to the same URL as SPARQL Update."""

    name = "endpoint"
    #: The update URL cannot be read back, so a load here cannot keep a summary exact: it drops it.
    keeps_summary = False

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise KgError(f"endpoint must be an http(s) URL, got {url!r}")
        self.url = url
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))

    def _post(self, form: dict[str, str], accept: str) -> bytes:
        data = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "kg"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines() if exc.fp else []
            raise KgError(f"endpoint answered HTTP {exc.code}: {detail[0] if detail else exc.reason}",
                          path=self.url) from None
        except (urllib.error.URLError, OSError) as exc:
            raise KgError(f"cannot reach the endpoint: {getattr(exc, 'reason', exc)}", path=self.url) from None

    def query(self, query: CheckedQuery) -> Result:
        if query.form in (SELECT, ASK):
            raw = self._post({"query": query.text}, _RESULTS_JSON)
            try:
                doc = json.loads(raw)
            except ValueError:
                raise KgError("endpoint did not answer with SPARQL JSON results", path=self.url) from None
            if query.form == ASK:
                return Result(form=ASK, boolean=bool(doc.get("boolean")))
            variables = list(doc.get("head", {}).get("vars", []))
            rows = [tuple(from_json(b.get(v)) for v in variables) for b in doc.get("results", {}).get("bindings", [])]
            return Result(form=SELECT, variables=variables, rows=rows)
        raw = self._post({"query": query.text}, _NTRIPLES)
        graph = Graph()
        try:
            graph.parse(data=raw.decode("utf-8"), format="nt")
        except Exception as exc:  # noqa: BLE001 - any parse failure is the endpoint's fault
            raise KgError(f"endpoint answered with unreadable N-Triples: {exc}", path=self.url) from None
        clean = Graph()
        for triple in graph:
            clean.add(tuple(normal(t) for t in triple))
        return Result(form=query.form, graph=clean)

    def replace_graphs(self, graphs: dict[str, Graph]) -> None:
        """One SPARQL Update request (atomic on conformant stores): drop each graph, insert the new ones."""
        from kg.store.summary import SUMMARY_GRAPH

        parts = [f"DROP SILENT GRAPH <{check_iri(name)}>" for name in graphs]
        # any precomputed summary (kg.store.summary) would miss these cases: remove its state in the
        # same request, so no query reads its rows again (they stay, unread: the update URL cannot be
        # read back to find them)
        parts.append(f"DROP SILENT GRAPH <{SUMMARY_GRAPH}>")
        body = []
        for index, (name, graph) in enumerate(graphs.items()):
            lines = []
            for triple in graph:
                terms = [nt(t) for t in triple]
                lines.append(" ".join(f"_:g{index}_{t[2:]}" if t.startswith("_:") else t for t in terms) + " .")
            body.append(f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}")
        if body:
            parts.append("INSERT DATA {\n" + "\n".join(body) + "\n}")
        self._post({"update": " ;\n".join(parts)}, "*/*")
