"""Feed exporters for text formats: Markdown documents (FEED_EXPORTERS["markdown"]) and chunk lines (["chunks"])."""

from __future__ import annotations

import json

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from cleaners.chunks import chunk_jsonl_rows
from crawler.output.feeds import _FlushingFeed
from crawler.output.files import markdown_document


class MarkdownItemExporter(_FlushingFeed, BaseItemExporter):
    """Each record as a Markdown document (YAML front matter, then the body), written through at once; documents
    follow one another, each opening with its front matter's '---' line."""

    def __init__(self, file, **kwargs) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.first = True

    def _write(self, item) -> None:
        document = markdown_document(ItemAdapter(item).asdict())
        self.file.write((("" if self.first else "\n") + document).encode("utf-8"))
        self.first = False


class ChunksItemExporter(_FlushingFeed, BaseItemExporter):
    """One JSON line per chunk of each record, with the record's url and content_hash (chunks come from
    CLEANWIRE_CHUNK_TOKENS, `--chunks N`)."""

    def __init__(self, file, **kwargs) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file

    def _write(self, item) -> None:
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in chunk_jsonl_rows(ItemAdapter(item).asdict()))
        self.file.write("".join(lines).encode("utf-8"))
