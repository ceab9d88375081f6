"""Running the coder: the per-batch unit of work and the engines that run it.

`pipeline` codes documents in this process or a pool of local worker processes, `cluster`
runs the same unit on a Dask cluster, `ingest` streams coded documents into a store, and
`progress` reports on long runs.
"""
