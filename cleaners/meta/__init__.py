"""Metadata: the step (metadata.py: title, authors, dates, site, tags, language) and its helpers: raw sources,
titles, bylines, dates, and the rule tables they use."""
