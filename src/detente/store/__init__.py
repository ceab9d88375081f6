"""The event store: an embedded DuckDB file, or a directory of Parquet written at scale.

`database` holds the DuckDB store and its queries, `parquet` the Parquet layout, `schema`
the tables and row conversions, `dedup` the clustering of duplicate reports and `export`
the output formats.
"""

from detente.store.database import DEFAULT_DB, DuckDBSink, EventFilter, Store, open_store
from detente.store.parquet import ParquetSink, is_url
from detente.store.schema import event_row, row_to_record

__all__ = ["DEFAULT_DB", "DuckDBSink", "EventFilter", "ParquetSink", "Store", "event_row", "is_url", "open_store", "row_to_record"]
