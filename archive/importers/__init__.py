"""Bringing statements in from outside: the UN General Debate Corpus, JSON Lines/CSV records
and ministry web pages.  Importers parse and clean; every write goes through
``archive.services``.
"""
