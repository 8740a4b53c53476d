"""Tests on a real PostGIS: template databases loaded once, cloned per test (no mocks)."""
