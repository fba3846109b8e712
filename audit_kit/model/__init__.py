"""The model: instrument, responses, result and their vocabularies (pydantic, no I/O)."""
