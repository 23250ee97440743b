"""trafficscan: find human-trafficking signals in online listings.

The package reads in one direction, one folder per stage (docs/design.md has the map)::

    core <- sources <- fetch <- parse <- features <- score <- clusters <- output <- state
         <- evidence | review | share <- pipeline <- cli

Each folder imports only the folders to its left; tests/design holds CI to that.

Heavy libraries (httpx, bs4, scikit-learn) are imported only inside the stages that need them,
so ``trafficscan --help`` stays fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
