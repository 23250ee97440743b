"""The analyst review loop: verdicts on flagged ads, kept, exported and trained on."""
