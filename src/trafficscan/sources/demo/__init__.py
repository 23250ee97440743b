"""The bundled offline demo: a small listing site served on 127.0.0.1 for a first scan."""
