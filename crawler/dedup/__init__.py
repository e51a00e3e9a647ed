"""Duplicate records beyond exact keys: MinHash near-duplicates (SQLite or Redis index)."""
