"""Sharing flagged ads with other units without handing over raw contacts.

Phones, e-mails and handles become keyed hashes (HMAC-SHA256 under a key the participating
units agree on), texts are masked by span wherever the extractor finds a contact, and the
result can be signed. ``docs/sharing.md`` describes the file format; :mod:`.mask` is also what
``--redact`` uses. Importing this package is cheap: the parts load when a command runs.
"""
