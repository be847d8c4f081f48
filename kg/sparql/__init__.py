"""SPARQL text, read before it runs: one parser for a query's or an update's form,
ORDER BY, ``SERVICE`` blocks and guard filters (:mod:`kg.sparql.analysis`), the
``SERVICE`` allow-list (:mod:`kg.sparql.services`), and answers made from rows of terms
(:mod:`kg.sparql.answers`).

It sits below the stores, which need it to run a query (a remote store asks for the
answer its form calls for) and to serve one (the guard refuses an outside ``SERVICE``),
and below :mod:`kg.query`, which runs named and ad-hoc queries through the stores.
"""
