"""The served configuration: nginx in front of gunicorn app instances (scripts/serve, bench, tests)."""
