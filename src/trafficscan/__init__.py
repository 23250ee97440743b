"""trafficscan: find human-trafficking signals in online listings.

The package reads in one direction, one sub-package per pipeline stage::

    config -> crawl (fetch, parse) -> ad -> features -> rules + classifier -> scoring -> output
                                                                  \\-> state (history, links)

Heavy libraries (httpx, bs4, scikit-learn) are imported only inside the stages that need them,
so ``trafficscan --help`` stays fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
