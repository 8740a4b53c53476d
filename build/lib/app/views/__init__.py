"""Thin blueprints: parse the request, call one query function, render."""
