"""Stage 1, what to read: the scan config (sources and defaults), ad records on disk (JSONL, CSV)
and the bundled demo site."""
