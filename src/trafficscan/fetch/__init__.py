"""Stage 2, getting pages politely: robots.txt, per-host rate, retries with backoff, size and
time limits, allowed hosts, URL normalisation and charset decoding."""
