"""Stage: classifier. A TF-IDF + rule/entity-feature logistic model, trained and saved safely."""
