"""Stage 5, scoring: the rule packs (``rules``), the classifier (``classifier``) and the one
``Scorer`` (``scorer``) that scan, score, train and evaluate all use."""
