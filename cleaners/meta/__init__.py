"""Metadata helpers: raw sources, titles, bylines, dates, and the rule tables they use."""
