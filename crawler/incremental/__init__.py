"""Incremental, crash-safe crawls: the SQLite state store, the output journal, the state pipeline, the run lock."""
