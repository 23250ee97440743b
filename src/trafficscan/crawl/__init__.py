"""Stage: fetch. Polite, fault-tolerant crawling of the configured sources.

Small components, each with its own counters in :class:`CrawlStats` (scrapy-style):

=================  ==============================================================
``urls``           normalisation (fragments, tracking parameters) and the host guard
``ratelimit``      global concurrency and a per-host request rate
``robots``         robots.txt per origin (RFC 9309) with Crawl-delay
``retry``          exponential backoff with jitter, Retry-After
``fetch``          one URL: redirects within the source's hosts, size limit, types
``charset``        bytes to text when sites lie about their encoding
``extract``        CSS selectors to ad fields (html sources)
``feeds``          RSS/Atom entries and JSONL records to ads
``crawler``        scheduling, visited set, pagination; streams :class:`~trafficscan.ad.Ad`
``check``          ``trafficscan sources check``
=================  ==============================================================
"""

from trafficscan.crawl.crawler import Crawler
from trafficscan.crawl.stats import CrawlStats

__all__ = ["CrawlStats", "Crawler"]
