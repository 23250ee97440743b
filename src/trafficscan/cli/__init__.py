"""The command line on top of every stage: ``app`` declares the commands (Typer) and imports the
stage that runs each one lazily, so ``trafficscan --help`` stays fast."""
