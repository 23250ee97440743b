"""Stage 3, pages to ads: listing and detail pages by CSS selectors, RSS/Atom and JSON-lines feeds."""
