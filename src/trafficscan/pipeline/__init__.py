"""The compositions: ``scan`` (crawl → score → state → output) and ``score`` (files → score →
output), plus what only they need (the crawl walker, graceful stop, logging, worker processes).

Each stage lives in its own package (docs/design.md); this one only puts them together.
"""
