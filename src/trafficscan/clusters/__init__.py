"""Linking ads into networks: shared contacts and re-posted templates, as stable clusters.

See docs/clusters.md. :mod:`.links` turns a scored ad into its link keys, :mod:`.neardup`
its text into template signatures, :mod:`.memory` clusters one input (``score --cluster``)
and :mod:`.store` keeps clusters in the state database, incrementally, for ``scan``,
``trafficscan clusters`` and ``trafficscan lookup``.
"""
