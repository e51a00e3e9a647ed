"""Page -> clean record outside the spider: worker warm-up, per-site cleaner overrides, WARC re-extraction."""
