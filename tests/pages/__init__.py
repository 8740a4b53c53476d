"""The characterisation harness: every page family's bytes on a fixed database (issue #27)."""
