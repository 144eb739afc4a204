"""The ``countypath`` command: thin wrappers that call migrations, seeding and services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.settings import Settings, get_settings

cli = typer.Typer(
    help="countypath: county development diagnosis and recommended paths.", no_args_is_help=True
)
kb_cli = typer.Typer(help="Knowledge-base tools.", no_args_is_help=True)
cli.add_typer(kb_cli, name="kb")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings(database_url: str | None = None) -> Settings:
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def prepare_database(settings: Settings, seeds: Path | None = None) -> None:
    """Migrate to head, then seed when the database holds no knowledge base yet."""
    from app import migrate
    from app.db.engine import make_engine, read_session
    from app.db.kb_repo import latest_version_number
    from app.seeding import load_seeds, seed

    migrate.upgrade(settings.database_url)
    engine = make_engine(settings, pooled=False)
    try:
        with read_session(engine) as session:
            empty = latest_version_number(session) == 0
        if empty:
            outcome = seed(engine, load_seeds(seeds or settings.seeds_dir))
            err.print(f"seeded knowledge base version {outcome.version}")
    finally:
        engine.dispose()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    prepare: Annotated[
        bool,
        typer.Option("--prepare/--no-prepare", help="Migrate and seed an empty database first."),
    ] = True,
) -> None:
    """Serve the API with uvicorn (migrations run once, before any worker starts)."""
    import uvicorn

    settings = _settings()
    if prepare:
        prepare_database(settings)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=20,
    )


@cli.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Overrides COUNTYPATH_DATABASE_URL.")
    ] = None,
) -> None:
    """Apply every migration (alembic upgrade head)."""
    from app import migrate as m

    m.upgrade(_settings(database_url).database_url)
    err.print("database at head")


@cli.command("seed")
def seed_command(
    seeds: Annotated[Path | None, typer.Option(help="Seed directory (default: settings).")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides COUNTYPATH_DATABASE_URL.")
    ] = None,
) -> None:
    """Validate seeds/ as a whole, then upsert it in one transaction (a no-op when unchanged)."""
    from app.db.engine import make_engine
    from app.seeding import SeedError, load_seeds, seed

    settings = _settings(database_url)
    try:
        kb = load_seeds(seeds or settings.seeds_dir)
    except SeedError as exc:
        for line in exc.problems:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    engine = make_engine(settings, pooled=False)
    try:
        outcome = seed(engine, kb)
    finally:
        engine.dispose()
    state = "stored as" if outcome.changed else "unchanged at"
    out.print(f"knowledge base {state} version {outcome.version} (sha256 {outcome.checksum})")


@kb_cli.command("check")
def kb_check(
    seeds: Annotated[Path | None, typer.Option(help="Seed directory (default: settings).")] = None,
) -> None:
    """Validate the seed files without a database; exit 1 naming each problem."""
    from app.seeding import SeedError, load_seeds

    directory = seeds or _settings().seeds_dir
    try:
        kb = load_seeds(directory)
    except SeedError as exc:
        for line in exc.problems:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    counts = ", ".join(
        f"{len(getattr(kb, k))} {k.replace('_', ' ')}"
        for k in (
            "indicators",
            "benchmarks",
            "signals",
            "challenges",
            "paths",
            "examples",
            "reference_counties",
        )
    )
    out.print(f"seeds valid: {counts}; sha256 {kb.checksum()}")


def main() -> None:
    cli()
