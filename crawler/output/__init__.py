"""Writing records: atomic files and text formats, the Parquet feed exporter, the WARC archive writer."""
