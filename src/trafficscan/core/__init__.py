"""The shared kernel every stage may use: the ad types, errors and exit codes, atomic writes,
located YAML, local time for the terminal, and where the bundled files are."""
