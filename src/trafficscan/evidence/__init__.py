"""Evidence: the pages behind flagged ads, as received, in WARC 1.1 files with SHA-256 digests.

``store`` writes them (warcio), ``capture`` decides what a scan keeps, ``index`` is their table
in the state database, ``verify`` and ``export`` are ``trafficscan evidence verify|export``.
See ``docs/evidence.md``.
"""
