"""Stage: features. Normalise ad text and extract contacts, prices, ages and places."""
