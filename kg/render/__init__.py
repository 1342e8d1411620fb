"""Renderers: determinations in, text / JSON / RDF out. No decisions are made here."""
