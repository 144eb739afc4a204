"""The ``countypath`` command: thin wrappers that call migrations, seeding and services."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from app.domain.knowledge import Lang
from app.domain.language import codes, default
from app.services import renderers
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from app.domain.knowledge import KnowledgeBase
    from app.domain.result_types import BatchEntry
    from app.domain.snapshot import Snapshot
    from app.services.batch_jobs import PublicJob
    from app.services.ports import UnitOfWork

cli = typer.Typer(
    help="countypath: county development diagnosis and recommended paths.", no_args_is_help=True
)
kb_cli = typer.Typer(help="Knowledge-base tools.", no_args_is_help=True)
cli.add_typer(kb_cli, name="kb")
keys_cli = typer.Typer(
    help="API keys (the key is printed once; only its hash is stored).", no_args_is_help=True
)
cli.add_typer(keys_cli, name="keys")
jobs_cli = typer.Typer(
    help="Batch jobs: the job worker, and submitting and following a job (docs/jobs.md).",
    no_args_is_help=True,
)
cli.add_typer(jobs_cli, name="jobs")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

# Options several commands share.
DatabaseOpt = Annotated[str | None, typer.Option(help="Overrides COUNTYPATH_DATABASE_URL.")]
SeedsDirOpt = Annotated[Path | None, typer.Option(help="Seed directory (default: settings).")]
ProfileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A JSON profile.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]
LangOpt = Annotated[str, typer.Option(help=" or ".join(codes()) + ".")]
DEFAULT_LANG = default()
HorizonOpt = Annotated[int | None, typer.Option(help="Last year of the plan (default 2030).")]
FromSeedsOpt = Annotated[
    bool, typer.Option("--seeds/--database", help="Use the seed files instead of the database.")
]


def _settings(database_url: str | None = None) -> Settings:
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


@contextmanager
def _uow(settings: Settings) -> Iterator[UnitOfWork]:
    """The unit of work over the database ``settings`` name, its engine closed afterwards."""
    from app.db.engine import make_engine
    from app.db.uow import SqlUnitOfWork

    engine = make_engine(settings, pooled=False)
    try:
        yield SqlUnitOfWork(engine)
    finally:
        engine.dispose()


def _snapshot(settings: Settings, from_seeds: bool) -> Snapshot:
    """The knowledge base a server on ``settings`` would serve (the seeds' with --seeds, or when
    the database holds none)."""
    from app.services import offline

    if from_seeds:
        return offline.load_snapshot(settings.seeds_dir, None)
    with _uow(settings) as uow:
        return offline.load_snapshot(settings.seeds_dir, uow)


def prepare_database(settings: Settings, seeds: Path | None = None) -> None:
    """Migrate to head, then seed when the database holds no knowledge base yet."""
    from app import migrate
    from app.services.seeding import load_seeds, seed

    migrate.upgrade(settings.database_url)
    with _uow(settings) as uow:
        with uow.read() as tx:
            empty = tx.kb.latest() is None
        if empty:
            outcome = seed(uow, load_seeds(seeds or settings.seeds_dir))
            err.print(f"seeded knowledge base version {outcome.version}")


def _prepare_apart(settings: Settings) -> None:
    """``prepare_database`` in a child process where the system can fork, so the serving
    process (with one worker, the worker itself) never holds Alembic and the parsed seed files
    (about 10 MB of its peak). A failure has printed its traceback in the child; the server
    then stops as it did when the failure was its own."""
    if not hasattr(os, "fork"):
        prepare_database(settings)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        code = 0
        try:
            prepare_database(settings)
        except BaseException:  # noqa: BLE001 - reported here, the exit code tells the parent
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        err.print("preparing the database failed (see above)")
        raise typer.Exit(1)


def _shared_metrics_dir() -> Path | None:
    """Workers write their metrics to one directory so a scrape sees them all (app.api.metrics).
    A directory the operator names is emptied first: samples of an earlier run must not count.
    Returns the directory made here (removed when the server stops), or None."""

    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    made = tempfile.mkdtemp(prefix="countypath-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return Path(made)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    prepare: Annotated[
        bool,
        typer.Option("--prepare/--no-prepare", help="Migrate and seed an empty database first."),
    ] = True,
    job_workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Batch-job workers run beside the API (default COUNTYPATH_JOB_WORKERS, 1); "
            "0 runs none (run `countypath jobs worker` apart).",
        ),
    ] = None,
) -> None:
    """Serve the API with uvicorn (migrations run once, before any worker starts), and the
    batch-job worker beside it."""
    from app.services.job_queue import WorkerProcess

    settings = _settings()
    _log_engine(settings)
    if prepare:
        _prepare_apart(settings)
    made = _shared_metrics_dir() if workers > 1 or settings.metrics_address else None
    if settings.metrics_address:
        from app.api.metrics import serve_separately

        serve_separately(settings.metrics_address)
    count = settings.job_workers if job_workers is None else job_workers
    jobs = WorkerProcess(count) if count else None
    if jobs is not None:
        jobs.start()
    try:
        _run(settings, host, port, workers)
    finally:
        if jobs is not None:
            jobs.stop()
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def _log_engine(settings: Settings) -> None:
    """Say at startup which engine the workers run, pure Python or compiled (``make compile``):
    the same bytes either way, so only this line and the CPU per request tell them apart."""
    import logging

    from app import native
    from app.api.middleware import configure_logging

    configure_logging(settings.log_level)
    compiled = [name.rsplit(".", 1)[1] for name in native.compiled_modules()]
    logging.getLogger("countypath.engine").info(
        native.describe(),
        extra={"engine": "mypyc" if compiled else "pure", "compiled_modules": compiled},
    )


def _run(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        # The client address is resolved by the app, through COUNTYPATH_TRUSTED_PROXIES only;
        # uvicorn's own X-Forwarded-For handling would trust any local peer.
        proxy_headers=False,
        timeout_keep_alive=settings.keep_alive_seconds,
        timeout_graceful_shutdown=20,
        loop=settings.loop_for(workers),
    )


@cli.command()
def migrate(database_url: DatabaseOpt = None) -> None:
    """Apply every migration (alembic upgrade head)."""
    from app import migrate as m

    m.upgrade(_settings(database_url).database_url)
    err.print("database at head")


def _load_seeds(directory: Path) -> KnowledgeBase:
    """The seed files as a knowledge base; exit 1 naming file, item and field of each problem."""
    from app.services.seeding import SeedError, load_seeds

    try:
        return load_seeds(directory)
    except SeedError as exc:
        for line in exc.problems:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(code=1) from None


@cli.command("seed")
def seed_command(seeds: SeedsDirOpt = None, database_url: DatabaseOpt = None) -> None:
    """Validate seeds/ as a whole, then upsert it in one transaction (a no-op when unchanged)."""
    from app.services.seeding import seed

    settings = _settings(database_url)
    kb = _load_seeds(seeds or settings.seeds_dir)
    with _uow(settings) as uow:
        outcome = seed(uow, kb)
    state = "stored as" if outcome.changed else "unchanged at"
    out.print(f"knowledge base {state} version {outcome.version} (sha256 {outcome.checksum})")


PaperOpt = Annotated[
    Path | None,
    typer.Option(help="The source paper's plain text (default: COUNTYPATH_PAPER_TEXT)."),
]


@kb_cli.command("check")
def kb_check(seeds: SeedsDirOpt = None, paper: PaperOpt = None) -> None:
    """Validate the seed files without a database; exit 1 naming each problem. Numbers cited to
    the paper are checked against its text when it is at hand."""
    from app.domain.item_kinds import ITEM_KINDS

    settings = _settings()
    kb = _load_seeds(seeds or settings.seeds_dir)
    _check_paper(kb, paper or settings.paper_text)
    counts = ", ".join(f"{len(getattr(kb, k.attr))} {k.label}" for k in ITEM_KINDS)
    out.print(f"seeds valid: {counts}; sha256 {kb.checksum()}")


def _check_paper(kb: KnowledgeBase, paper: Path) -> None:
    """Numbers cited to the paper must be printed in it: checked when its text is at hand,
    skipped with the reason otherwise; exit 1 naming each number it does not print."""
    from app.domain.integrity import check_paper

    documents = [d.slug for d in kb.meta.documents if paper.name.startswith(d.slug)]
    if not paper.is_file() or not documents:
        why = "not found" if not paper.is_file() else "named after no document of meta.yaml"
        err.print(
            f"paper check skipped: the paper's text at {paper} is {why} (set COUNTYPATH_PAPER_TEXT)",
            markup=False,
            highlight=False,
        )
        return
    issues = check_paper(kb, documents[0], paper.read_text(encoding="utf-8"))
    for issue in issues:
        err.print(str(issue), markup=False, highlight=False)
    if issues:
        raise typer.Exit(code=1)


@kb_cli.command("test")
def kb_test(
    seeds: SeedsDirOpt = None,
    name_filter: Annotated[
        str | None,
        typer.Option("--name-filter", "-k", help="Only cases whose 'set: name' contains this."),
    ] = None,
) -> None:
    """Run the knowledge base's expert cases (seeds/cases) against the seeds; each failure names
    the case, what it expected and what was found; exit 1 when one fails or none ran."""
    from app.domain.snapshot import compile_snapshot
    from app.services.expert_cases import failures_text, run

    kb = _load_seeds(seeds or _settings().seeds_dir)
    chosen = (lambda label: name_filter in label) if name_filter else None
    outcomes = run(compile_snapshot(kb, 0, kb.checksum()), kb.cases, chosen)
    for line in failures_text(outcomes):
        out.print(line, markup=False, highlight=False)
    failed = sum(not o.passed for o in outcomes)
    out.print(f"{len(outcomes) - failed} passed, {failed} failed ({len(kb.cases)} case sets)")
    if failed or not outcomes:
        raise typer.Exit(code=1)


# Output formats by the output file's suffix, in the order --help lists them; the last one is
# binary and needs a file. A plan's are the renderers' (app.services.renderers).
RECOMMEND_FORMATS = {".json": "json", ".csv": "csv", ".md": "md", ".xlsx": "xlsx"}
PLAN_FORMATS = {f.suffix: f.name for f in renderers.PLAN_FORMATS}
REPORT_SUFFIXES = ", ".join(f.suffix for f in renderers.REPORT_FORMATS)


def _formats_text(by_suffix: dict[str, str]) -> str:
    """ "table, json, md or docx": the formats a command writes."""
    choices = ["table", *by_suffix.values()]
    return f"{', '.join(choices[:-1])} or {choices[-1]}"


RecommendFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help=_formats_text(RECOMMEND_FORMATS) + ".")
]
PlanFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help=_formats_text(PLAN_FORMATS) + ".")
]


@cli.command()
def recommend(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="JSON, CSV or .xlsx profiles."),
    ],
    output_format: RecommendFormatOpt = "table",
    output: OutputOpt = None,
    lang: LangOpt = DEFAULT_LANG,
    from_seeds: FromSeedsOpt = False,
) -> None:
    """Diagnose profiles offline; a CSV output path picks CSV unless --format says otherwise."""
    from app.services import offline

    language = _language(lang)
    needs_file = "a workbook needs --output FILE.xlsx"
    fmt = _output_format(output_format, output, RECOMMEND_FORMATS, needs_file)
    settings = _settings()
    snap = _snapshot(settings, from_seeds)
    with _refused():
        rows, origin = offline.read_profiles(files, settings.max_batch_profiles * 20, snap)
    entries = _diagnose(snap, rows, language)
    if fmt == "table":
        _print_tables(entries, snap, language)
    else:
        data = _recommendations_as(fmt, entries, rows, origin, snap, language)
        _emit(data, output, f"{len(entries)} result(s) to ")
    if any("error" in e for e in entries):
        raise typer.Exit(code=1)


def _diagnose(snap: Snapshot, rows: list[Any], language: Lang) -> list[BatchEntry]:
    """Every row's result or error entry, with a progress bar when there are several."""
    from rich.progress import track

    from app.services import offline

    runner: Iterable[BatchEntry] = offline.run(snap, rows, language)
    if len(rows) > 1:
        runner = track(
            runner, total=len(rows), description="diagnosing", console=err, transient=True
        )
    return list(runner)


def _recommendations_as(
    fmt: str,
    entries: list[BatchEntry],
    rows: list[Any],
    origin: Any,
    snap: Snapshot,
    language: Lang,
) -> str | bytes:
    """The entries as a workbook, JSON (one result alone, else the list), CSV or Markdown."""
    import orjson

    from app.services import offline
    from app.services.wording import Labels

    if fmt == "xlsx":
        from app.services.spreadsheets import write_results

        return write_results(entries, rows, origin, snap, language)
    if fmt == "json":
        payload = entries[0].get("result", entries[0]) if len(entries) == 1 else entries
        return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()
    if fmt == "csv":
        return offline.to_csv(entries)
    return offline.to_markdown(entries, Labels(snap, language))


@contextmanager
def _refused(code: int = 2) -> Iterator[None]:
    """An error the services raise ends the command: its detail and each field's problem on
    stderr, exit ``code``."""
    from app.errors import AppError
    from app.services import offline

    try:
        yield
    except AppError as exc:
        err.print(offline.error_of(exc), markup=False)
        raise typer.Exit(code=code) from None


def _emit(data: str | bytes, output: Path | None, what: str = "") -> None:
    """Write ``data`` to ``output`` and say so (naming ``what``), or print it when there is no
    file to write."""
    if output is None:
        if data:
            out.print(data, markup=False, highlight=False, soft_wrap=True)
        return
    if isinstance(data, bytes):
        output.write_bytes(data)
    else:
        output.write_text(data, encoding="utf-8")
    err.print(f"wrote {what}{output}")


def _plan_request(profile: Path, horizon: int | None) -> Any:
    """The profile file as a plan request; exit 2 naming each invalid field."""
    import json

    from pydantic import ValidationError

    from app.errors import json_pointer
    from app.schemas.plans import PlanRequest

    try:
        data = json.loads(profile.read_bytes())
        if horizon is not None and isinstance(data, dict):
            data["horizon"] = horizon
        return PlanRequest.model_validate(data)
    except ValueError as exc:
        errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else []
        for e in errors:
            err.print(json_pointer(*e["loc"]) + ": " + e["msg"], markup=False)
        if not errors:
            err.print(f"{profile}: not valid JSON ({exc})", markup=False)
        raise typer.Exit(code=2) from None


def _language(lang: str) -> Lang:
    """The --lang option as a language; an unknown one is refused, not defaulted."""
    from app.domain.knowledge import LANGS
    from app.domain.language import as_lang

    if lang not in LANGS:
        raise typer.BadParameter(f"use {' or '.join(LANGS)}", param_hint="--lang")
    return as_lang(lang)


def _output_format(
    output_format: str, output: Path | None, by_suffix: dict[str, str], needs_file: str
) -> str:
    """The format asked for, else the one the output file's suffix names (JSON when none does);
    the binary format (the last of ``by_suffix``) needs a file, as ``needs_file`` says."""
    fmt = output_format
    if output is not None and fmt == "table":
        fmt = by_suffix.get(output.suffix.lower(), "json")
    choices = ["table", *by_suffix.values()]
    if fmt not in choices:
        raise typer.BadParameter(f"use {_formats_text(by_suffix)}", param_hint="--format")
    if fmt == choices[-1] and output is None:
        raise typer.BadParameter(needs_file, param_hint="--output")
    return fmt


def _print_tables(entries: list[BatchEntry], snap: Snapshot, language: Lang) -> None:
    """The terminal view: per county its challenges and its top paths, in the asked language."""
    from app.domain.result_types import entry_result
    from app.services.recommend_text import recommendation_tables

    for entry in entries:
        if "error" in entry:
            err.print(
                f"profile {entry['index']}: "
                + "; ".join(f"{e['pointer']} {e['message']}" for e in entry["error"]["errors"]),
                markup=False,
            )
            continue
        for table in recommendation_tables(entry_result(entry), snap, language):
            out.print(table)


@cli.command()
def report(
    profile: ProfileArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=f"The file to write; its suffix ({REPORT_SUFFIXES}) picks the format, else HTML.",
        ),
    ],
    lang: LangOpt = DEFAULT_LANG,
    horizon: HorizonOpt = None,
    from_seeds: FromSeedsOpt = False,
) -> None:
    """Write the report for a profile (diagnosis and action plan), offline: report.html (an A4
    page), report.md or plan.docx."""
    from app.services import report as reports

    language = _language(lang)
    body = _plan_request(profile, horizon)
    snap = _snapshot(_settings(), from_seeds)
    with _refused():
        rep = reports.for_profile(snap, body, language)
    fmt = renderers.by_suffix(renderers.REPORT_FORMATS, output.suffix) or renderers.HTML
    _emit(renderers.render_report(fmt, rep, snap), output)


@cli.command()
def plan(
    profile: ProfileArg,
    output_format: PlanFormatOpt = "table",
    output: OutputOpt = None,
    lang: LangOpt = DEFAULT_LANG,
    horizon: HorizonOpt = None,
    from_seeds: FromSeedsOpt = False,
) -> None:
    """The action plan for a profile: who leads each action, partners, funding, phase and KPIs."""
    from app.services import report as reports

    language = _language(lang)
    fmt = _output_format(output_format, output, PLAN_FORMATS, "a DOCX needs a file: -o plan.docx")
    body = _plan_request(profile, horizon)
    snap = _snapshot(_settings(), from_seeds)
    with _refused():
        rep = reports.for_plan(snap, body, language)
    chosen = renderers.by_name(renderers.PLAN_FORMATS, fmt)
    if chosen is None:  # the terminal's table
        from app.services.plan_table import plan_tables

        for table in plan_tables(rep, snap):
            out.print(table)
    else:
        _emit(renderers.render_plan(chosen, rep, snap), output)


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who holds the key, e.g. portal-a.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: assessments, kb:write, admin.")],
) -> None:
    """Create a key and print it once."""
    from app.services.keys import create_key

    wanted = [s.strip() for s in scopes.split(",") if s.strip()]
    with _uow(_settings()) as uow, _refused(1):
        row, key = create_key(uow, name, wanted)
    err.print(
        f"created key {row.name!r} with scopes {', '.join(row.scopes)}; store it now, it is not shown again:"
    )
    out.print(key, markup=False, highlight=False)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (names, scopes, state; never the keys)."""
    from rich.table import Table

    from app.services.keys import list_keys

    with _uow(_settings()) as uow:
        rows = list_keys(uow)
    table = Table("name", "prefix", "scopes", "created", "revoked")
    for row in rows:
        table.add_row(
            row.name,
            row.prefix,
            ",".join(row.scopes),
            str(row.created_at)[:19],
            str(row.revoked_at or "")[:19],
        )
    out.print(table)


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key; it stops working at once."""
    from app.services.keys import revoke_key

    with _uow(_settings()) as uow, _refused(1):
        revoke_key(uow, name)
    err.print(f"revoked {name!r}")


@kb_cli.command("export")
def kb_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write the stored knowledge base as one JSON document."""
    with _uow(_settings()) as uow, uow.read() as tx:
        kb = tx.kb.read()
    if kb is None:
        err.print("no knowledge base is stored; run countypath seed")
        raise typer.Exit(code=1)
    data = kb.canonical_json()
    if output is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        output.write_bytes(data)
        err.print(f"wrote {output} (sha256 {kb.checksum()})")


@kb_cli.command("import")
def kb_import(
    source: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A knowledge-base JSON document.")
    ],
    confirm_remove: Annotated[
        bool,
        typer.Option(
            "--confirm-remove", help="Allow an import that removes most of the knowledge base."
        ),
    ] = False,
) -> None:
    """Replace the stored knowledge base with a JSON document, validated whole (all or nothing)."""
    import json

    from app.services.curation import import_kb
    from app.services.keys import Principal

    try:
        document = json.loads(source.read_bytes())
    except ValueError as exc:
        err.print(f"{source}: not valid JSON ({exc})", markup=False)
        raise typer.Exit(code=1) from None
    who = Principal(0, "cli", frozenset({"admin"}))
    with _uow(_settings()) as uow, _refused(1):
        snap, changed = import_kb(uow, who, document, "cli", confirm_remove)
    state = "imported as" if changed else "unchanged at"
    out.print(f"knowledge base {state} version {snap.version} (sha256 {snap.checksum})")


@jobs_cli.command("worker")
def jobs_worker(
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs run at once (processes when more than 1).")
    ] = 1,
    parent: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Run batch jobs from the queue until stopped (SIGTERM: at once; SIGINT: after the running
    jobs). Any number of these may run, on any host that reaches the database and the queue."""
    import logging

    from app.api.middleware import configure_logging
    from app.db.uow import uow_for
    from app.services.job_queue import JobQueue

    settings = _settings()
    configure_logging(settings.log_level)
    logging.getLogger("huey").setLevel(
        max(logging.WARNING, logging.getLevelName(settings.log_level))
    )
    queue = JobQueue(settings, uow_for)
    try:
        queue.run_worker(workers, parent)
    finally:
        queue.close()


JOB_FORMATS = {".json": "json", ".ndjson": "ndjson", ".xlsx": "xlsx"}


@jobs_cli.command("submit")
def jobs_submit(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON array, CSV or .xlsx.")
    ],
    view: Annotated[str, typer.Option(help="full or summary.")] = "full",
    lang: LangOpt = DEFAULT_LANG,
    owner: Annotated[
        str | None,
        typer.Option(
            help="Name of the API key that owns the job (its holder sees it over the API)."
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Show the progress until the job ends.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="With --follow: write the results here (.json, .ndjson, .xlsx)."
        ),
    ] = None,
) -> None:
    """Submit a batch as a job; print its id. A job worker computes it (`countypath serve`
    runs one)."""
    from app.db.uow import uow_for
    from app.services import batch_jobs, offline
    from app.services.job_queue import JobQueue

    language = _language(lang)
    if view not in ("full", "summary"):
        raise typer.BadParameter("use full or summary", param_hint="--view")
    if output is not None and output.suffix.lower() not in JOB_FORMATS:
        raise typer.BadParameter("use .json, .ndjson or .xlsx", param_hint="--output")
    settings = _settings()
    snap = _snapshot(settings, from_seeds=False)
    with _refused():
        rows, origin = offline.read_profiles([file], settings.max_batch_profiles, snap)
        if len(rows) > settings.max_batch_profiles:
            raise _too_many(len(rows), settings.max_batch_profiles)
    queue = JobQueue(settings, uow_for)
    try:
        with _uow(settings) as uow:
            who = _owner(uow, owner)
            source = {".csv": "csv", ".xlsx": "xlsx"}.get(file.suffix.lower(), "json")
            batch = batch_jobs.Submission(
                rows, origin, source, "summary" if view == "summary" else "full", language
            )
            job, _ = batch_jobs.submit(
                uow, queue, who, batch, snap, batch_jobs.JobConfig.of(settings)
            )
            out.print(job["id"], markup=False, highlight=False)
            if follow:
                _follow(uow, job["id"], output, snap)
    finally:
        queue.close()


def _too_many(count: int, limit: int) -> Exception:
    from app.errors import FieldError, InvalidInput

    return InvalidInput(
        detail=f"A batch holds at most {limit} profiles; this one has {count}.",
        errors=[FieldError("", "too_long", f"at most {limit} profiles")],
    )


def _owner(uow: Any, name: str | None) -> Any:
    """The key named ``name`` as the job's owner; None (the operator's own job) without one."""
    if name is None:
        return None
    from app.services.keys import Principal

    with uow.read() as tx:
        row = tx.keys.named(name)
    if row is None or row.revoked_at is not None:
        raise typer.BadParameter(f"no active key named {name!r}", param_hint="--owner")
    assert row.id is not None
    return Principal(row.id, row.name, frozenset(row.scopes))


def _follow(uow: Any, job_id: str, output: Path | None, snap: Snapshot) -> None:
    """A progress bar until the job ends; then its results to ``output``. Exit 1 unless done."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.services import batch_jobs

    job = batch_jobs.status(uow, None, job_id)
    hinted = False
    started = time.monotonic()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(job["status"], total=job["progress"]["total"])
        while job["status"] in ("queued", "running"):
            time.sleep(0.5)
            job = batch_jobs.status(uow, None, job_id)
            bar.update(task, completed=job["progress"]["done"], description=job["status"])
            if job["status"] == "queued" and not hinted and time.monotonic() - started > 10:
                bar.console.print(
                    "no worker has taken the job yet: is `countypath serve` or "
                    "`countypath jobs worker` running against this database and queue?"
                )
                hinted = True
    _print_job(job)
    if job["status"] != "done":
        raise typer.Exit(code=1)
    if output is not None:
        _write_results(uow, job_id, output, snap)


def _write_results(uow: Any, job_id: str, output: Path, snap: Snapshot) -> None:
    from app.services import batch_jobs
    from app.services.spreadsheets import write_results

    found = batch_jobs.results(uow, None, job_id)
    fmt = JOB_FORMATS[output.suffix.lower()]
    if fmt == "xlsx":
        rows, origin = found.source_rows()
        output.write_bytes(write_results(found.entries(), rows, origin, snap, found.lang))
    else:
        with output.open("wb") as sink:
            for part in found.ndjson() if fmt == "ndjson" else found.json():
                sink.write(part)
    err.print(f"wrote {output}")


def _print_job(job: PublicJob) -> None:
    progress = job["progress"]
    line = f"{job['id']}: {job['status']}, {progress['done']} of {progress['total']} rows"
    if job["results"]:
        line += f" ({job['results']['failed']} failed)"
    if job["error"]:
        line += f"; {job['error'].get('detail')}"
    err.print(line, markup=False, highlight=False)


@jobs_cli.command("status")
def jobs_status(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the job as the API shows it.")
    ] = False,
) -> None:
    """A job's status and progress (any owner's: the command line is the operator's)."""
    import orjson

    from app.errors import AppError
    from app.services import batch_jobs

    try:
        with _uow(_settings()) as uow:
            job = batch_jobs.status(uow, None, job_id)
    except AppError as exc:
        err.print(exc.detail, markup=False)
        raise typer.Exit(code=1) from None
    if as_json:
        out.print(
            orjson.dumps(job, option=orjson.OPT_INDENT_2).decode(), markup=False, highlight=False
        )
        return
    progress = job["progress"]
    out.print(f"status: {job['status']}", markup=False, highlight=False)
    out.print(
        f"progress: {progress['done']} of {progress['total']} rows", markup=False, highlight=False
    )
    if job["results"]:
        r = job["results"]
        out.print(
            f"results: {r['succeeded']} succeeded, {r['failed']} failed",
            markup=False,
            highlight=False,
        )
    if job["error"]:
        out.print(f"error: {job['error']['detail']}", markup=False, highlight=False)
    out.print(f"expires: {job['expires_at']}", markup=False, highlight=False)


def main() -> None:
    cli()
