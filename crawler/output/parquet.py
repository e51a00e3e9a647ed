"""The Parquet feed exporter: records written in row groups as they arrive (FEED_EXPORTERS["parquet"])."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from crawler.output.feeds import StopsOnFailure
from crawler.settings import CLEANWIRE_PARQUET_COMPRESSION, CLEANWIRE_PARQUET_ROW_GROUP_ITEMS, with_defaults

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

logger = logging.getLogger(__name__)


class ParquetAppendError(RuntimeError):
    """A Parquet file cannot be appended to (`-o` on an existing file): use `-O` to overwrite."""


class ParquetItemExporter(StopsOnFailure, BaseItemExporter):
    """Writes records to Parquet with the Arrow schema generated from the JSON Schema; bounded memory."""

    feed_label = "the Parquet feed"

    def __init__(
        self,
        file,
        *,
        row_group_items: int = CLEANWIRE_PARQUET_ROW_GROUP_ITEMS,
        compression: str = CLEANWIRE_PARQUET_COMPRESSION,
        **kwargs,
    ) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.row_group_items = max(1, int(row_group_items))
        self.compression = compression
        self.buffer: list[dict] = []
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.rows_written = 0
        self.crawler = None  # set by from_crawler: a failed write then stops the crawl (output_failed)
        self.failure: str | None = None

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        settings = with_defaults(crawler.settings)
        exporter = cls(
            file,
            row_group_items=settings.getint("CLEANWIRE_PARQUET_ROW_GROUP_ITEMS"),
            compression=settings.get("CLEANWIRE_PARQUET_COMPRESSION"),
            **kwargs,
        )
        exporter.crawler = crawler
        return exporter

    def start_exporting(self) -> None:
        import pyarrow.parquet as pq

        from cleaners.schema.arrow import arrow_schema

        if _position(self.file) > 0:
            raise ParquetAppendError("cannot append to an existing Parquet file; overwrite it with -O")
        schema = arrow_schema()
        if self.fields_to_export:
            schema = _select(schema, list(self.fields_to_export))
        self.schema = schema
        self.writer = pq.ParquetWriter(self.file, schema, compression=self.compression)

    def export_item(self, item) -> None:
        from cleaners.schema.arrow import record_to_row

        if self.failure:
            self.not_written()
            return  # the file is broken and the crawl is stopping: the rows have nowhere to go
        self.buffer.append(record_to_row(ItemAdapter(item).asdict()))
        if len(self.buffer) >= self.row_group_items:
            self._flush()

    def finish_exporting(self) -> None:
        self._flush()
        if self.writer is not None:
            self._guarded(self.writer.close)  # writes the footer (into the file's buffer)
            self.writer = None
        if not self.failure and self.crawler is not None and hasattr(self.file, "flush"):
            self._guarded(self.file.flush)  # its last bytes reach the disk here, not in Scrapy's store()
        logger.debug("wrote %d rows to Parquet", self.rows_written)

    def discard(self) -> None:
        """Drop the writer without writing anything more (after a failed write): pyarrow would otherwise finish the
        file when the writer is collected, maybe after the file closed ('Exception ignored ... closed file')."""
        writer, self.writer, self.buffer = self.writer, None, []
        if writer is not None:
            try:
                writer.close()
            except Exception:  # the same failure again (a full disk cannot take the footer either)
                pass

    def _flush(self) -> None:
        if not self.buffer or self.failure:
            return
        import pyarrow as pa

        assert self.writer is not None and self.schema is not None  # set by start_exporting, before any record
        names = self.schema.names
        table = pa.Table.from_pylist([{n: row.get(n) for n in names} for row in self.buffer], schema=self.schema)
        self._guarded(self.writer.write_table, table, row_group_size=len(self.buffer))
        if self.failure:
            return
        self.rows_written += len(self.buffer)
        self.buffer = []

    def _guarded(self, write, *args, **kwargs) -> None:
        """Run one write; in a crawl a failure is one error line and stops the crawl, elsewhere it is raised."""
        import pyarrow as pa

        try:
            write(*args, **kwargs)
        except (OSError, pa.ArrowException) as exc:
            self.not_written(len(self.buffer))
            self.discard()
            if self.crawler is None:
                raise
            self._fail(exc)


def _position(file) -> int:
    """Where the file stands; 0 for a pipe (it cannot be appended to)."""
    try:
        return file.tell()
    except OSError:
        return 0


def _select(schema, names: list[str]):
    import pyarrow as pa

    unknown = [n for n in names if n not in schema.names]
    if unknown:
        raise KeyError(f"FEED_EXPORT_FIELDS names fields not in the record: {', '.join(unknown)}")
    return pa.schema([schema.field(n) for n in names], metadata=schema.metadata)
