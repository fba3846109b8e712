"""Hostile, malformed and odd inputs for every reader, built at test time (see test_hostile.py)."""
