"""Tests of the triage classifier (no Flask)."""
