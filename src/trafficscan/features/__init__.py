"""Stage: features. Normalise ad text and extract contacts, prices, ages and places.

``extract(text, region="IN") -> Features`` is the entry point; ``normalize(text)`` gives the
normalised text that rules match on. Importing this package is cheap: the extractors (and
``phonenumbers``, ``pyahocorasick``) load on first use of :func:`extract`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trafficscan.features.normalize import NormalizedText, contact_view, normalize

if TYPE_CHECKING:
    from trafficscan.features.extract import ENTITY_NAMES, Features, extract
    from trafficscan.features.numeric import NUMERIC_FEATURES
    from trafficscan.features.types import Age, Email, Handle, Location, Person, Phone, Price, Url

__all__ = [
    "ENTITY_NAMES",
    "NUMERIC_FEATURES",
    "Age",
    "Email",
    "Features",
    "Handle",
    "Location",
    "NormalizedText",
    "Person",
    "Phone",
    "Price",
    "Url",
    "contact_view",
    "extract",
    "normalize",
]

_LAZY = {
    "ENTITY_NAMES": "trafficscan.features.extract",
    "NUMERIC_FEATURES": "trafficscan.features.numeric",
    "Features": "trafficscan.features.extract",
    "extract": "trafficscan.features.extract",
    "Age": "trafficscan.features.types",
    "Email": "trafficscan.features.types",
    "Handle": "trafficscan.features.types",
    "Location": "trafficscan.features.types",
    "Person": "trafficscan.features.types",
    "Phone": "trafficscan.features.types",
    "Price": "trafficscan.features.types",
    "Url": "trafficscan.features.types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trafficscan.features' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    # Bind every lazy name of that module at once: importing the submodule
    # ``trafficscan.features.extract`` sets the package attribute ``extract`` to the *module*,
    # which must not shadow the function of the same name.
    for lazy_name, lazy_module in _LAZY.items():
        if lazy_module == module:
            globals()[lazy_name] = getattr(loaded, lazy_name)
    return globals()[name]
