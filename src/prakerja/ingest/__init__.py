"""The shared ingest layer: read a contract file, check it column by column, report rejects.

Domain packages declare one `Loader` per contract file (its fields, natural
key and `store` step); `pipeline.run_import` does the rest the same way for
every file: CSV or JSON Lines, header checks, vectorised validation, in-file
deduplication, one transaction per file, `FILE.rejects.csv` and the summary.
"""
