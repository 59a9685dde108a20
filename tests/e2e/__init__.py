"""Browser tests (Playwright + headless Chromium) against a real server."""
