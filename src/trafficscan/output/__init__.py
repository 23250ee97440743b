"""Stage: output. Serialise scored ads as versioned JSON, JSON lines or CSV, safely."""

from trafficscan.output.items import SCHEMA, item_to_dict, redact_item
from trafficscan.output.writers import OutputWriter, default_output_name, open_writer

__all__ = [
    "SCHEMA",
    "OutputWriter",
    "default_output_name",
    "item_to_dict",
    "open_writer",
    "redact_item",
]
