"""`detente serve`: the dashboard and JSON API on a local port."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from detente.errors import DetenteError

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def server_config(app: Any, host: str, port: int) -> Any:
    """The uvicorn configuration `detente serve` runs the app with: h11, and request heads of up to
    1 MB buffered so that an overlong URL reaches the app and gets a 414 instead of a dropped connection."""
    import uvicorn

    from detente.web.guard import MAX_REQUEST_HEAD

    return uvicorn.Config(app, host=host, port=port, log_level="warning", http="h11",
                          h11_max_incomplete_event_size=MAX_REQUEST_HEAD)


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command()
    def serve(
        db: Annotated[str, typer.Option("--db", help="DuckDB store file, or a Parquet directory.")] = "detente.duckdb",
        host: Annotated[str, typer.Option("--host", help="Address to bind (default: this machine only).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
        allow_ingest: Annotated[bool, typer.Option("--allow-ingest", help="Turn on the upload form (/ingest); "
                                                                          "the store is then written to.")] = False,
        max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", help="Largest upload accepted, in MB.")] = 5,
    ) -> None:
        """Serve the web dashboard and JSON API (read-only unless --allow-ingest)."""
        import uvicorn

        from detente.web.app import create_app

        if not 0 < port < 65536:
            raise DetenteError(f"--port must be between 1 and 65535, not {port}")
        if max_upload_mb <= 0:
            raise DetenteError("--max-upload-mb must be positive")
        trusted = ["127.0.0.1", "localhost", "[::1]", "::1"] if host in LOCAL_HOSTS else None
        web = create_app(db, allow_ingest=allow_ingest, max_upload_bytes=int(max_upload_mb * 1_000_000),
                         trusted_hosts=trusted)
        if host not in LOCAL_HOSTS:
            typer.echo(f"detente: warning: listening on {host}, beyond this machine; the dashboard has no login"
                       + (" and --allow-ingest lets anyone who can reach it write to the store" if allow_ingest else ""),
                       err=True)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"detente: serving {db} at http://{shown}:{port}/ "
                   f"({'ingest on' if allow_ingest else 'read-only'}; Ctrl-C to stop)", err=True)
        uvicorn.Server(server_config(web, host, port)).run()
