"""Feed exporters: Parquet, written in row groups as items arrive (FEED_EXPORTERS["parquet"])."""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

logger = logging.getLogger(__name__)

DEFAULT_ROW_GROUP_ITEMS = 500       # records buffered before one row group is written
DEFAULT_COMPRESSION = "zstd"        # Parquet column compression


class ParquetAppendError(RuntimeError):
    """A Parquet file cannot be appended to (`-o` on an existing file): use `-O` to overwrite."""


class ParquetItemExporter(BaseItemExporter):
    """Writes records to Parquet with the Arrow schema generated from the JSON Schema; bounded memory."""

    def __init__(self, file, *, row_group_items: int = DEFAULT_ROW_GROUP_ITEMS,
                 compression: str = DEFAULT_COMPRESSION, **kwargs) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.row_group_items = max(1, int(row_group_items))
        self.compression = compression
        self.buffer: list[dict] = []
        self.writer = None
        self.schema = None
        self.rows_written = 0

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        settings = crawler.settings
        return cls(file, row_group_items=settings.getint("CLEANWIRE_PARQUET_ROW_GROUP_ITEMS", DEFAULT_ROW_GROUP_ITEMS),
                   compression=settings.get("CLEANWIRE_PARQUET_COMPRESSION", DEFAULT_COMPRESSION), **kwargs)

    def start_exporting(self) -> None:
        import pyarrow.parquet as pq

        from cleaners.schema.arrow import arrow_schema

        if self.file.tell() > 0:
            raise ParquetAppendError("cannot append to an existing Parquet file; overwrite it with -O")
        schema = arrow_schema()
        if self.fields_to_export:
            schema = _select(schema, list(self.fields_to_export))
        self.schema = schema
        self.writer = pq.ParquetWriter(self.file, schema, compression=self.compression)

    def export_item(self, item) -> None:
        from cleaners.schema.arrow import record_to_row

        self.buffer.append(record_to_row(ItemAdapter(item).asdict()))
        if len(self.buffer) >= self.row_group_items:
            self._flush()

    def finish_exporting(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        logger.debug("wrote %d rows to Parquet", self.rows_written)

    def _flush(self) -> None:
        if not self.buffer:
            return
        import pyarrow as pa

        names = self.schema.names
        table = pa.Table.from_pylist([{n: row.get(n) for n in names} for row in self.buffer], schema=self.schema)
        self.writer.write_table(table, row_group_size=len(self.buffer))
        self.rows_written += len(self.buffer)
        self.buffer = []


def _select(schema, names: list[str]):
    import pyarrow as pa

    unknown = [n for n in names if n not in schema.names]
    if unknown:
        raise KeyError(f"FEED_EXPORT_FIELDS names fields not in the record: {', '.join(unknown)}")
    return pa.schema([schema.field(n) for n in names], metadata=schema.metadata)


def write_parquet(records, out) -> int:
    """Write records (any iterable) to a Parquet file whole or not at all; `out` None or "-" is stdout."""
    import sys

    from crawler.output import atomic_file

    if not out or out == "-":
        return _export(records, sys.stdout.buffer)
    with atomic_file(out, "wb") as fh:
        return _export(records, fh)


def _export(records, fh) -> int:
    exporter = ParquetItemExporter(fh)
    exporter.start_exporting()
    count = 0
    for record in records:
        exporter.export_item(record)
        count += 1
    exporter.finish_exporting()
    return count
