"""Writing records: atomic files and text formats, the Parquet, Markdown and chunk feed exporters, the WARC archive writer."""
