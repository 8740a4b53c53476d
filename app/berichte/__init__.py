"""Fokusberichte: reports written in Markdown with directives for live numbers, maps and charts."""
