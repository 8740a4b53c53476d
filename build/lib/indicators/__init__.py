"""Indicators of the Sozialmonitoring: catalogue, releases, values and their queries."""
