"""Helpers for tests that run the archive as real processes (server, index worker, writers)."""
