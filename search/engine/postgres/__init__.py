"""The PostgreSQL full-text search engine (``SEARCH_URL=postgres:``); see ``backend.py``."""
