"""Pages in a real headless Chromium (Debian's, driven by Playwright), checked with axe-core."""
