"""The instrument catalogue: bundled instruments by id and version, and any instrument file."""

from audit_kit.catalog.bundled import (
    BundledFile,
    bundled_dir,
    bundled_files,
    bundled_ids,
    bundled_paths,
    examples_dir,
    list_bundled,
    load_bundled,
    load_instrument,
    names_a_file,
)
from audit_kit.catalog.loader import (
    MAX_INSTRUMENT_BYTES,
    instrument_schema,
    load_instrument_file,
)

__all__ = [
    "MAX_INSTRUMENT_BYTES",
    "BundledFile",
    "bundled_dir",
    "bundled_files",
    "bundled_ids",
    "bundled_paths",
    "examples_dir",
    "instrument_schema",
    "list_bundled",
    "load_bundled",
    "load_instrument",
    "load_instrument_file",
    "names_a_file",
]
