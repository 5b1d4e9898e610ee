"""The `powermap` command line: the local Neo4j, migrations, keys, import and serving."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import MutableMapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service import heap, local_neo4j
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import env_file_path, load_settings

app = typer.Typer(no_args_is_help=True, help="Powermap: relationship intelligence for KAM.")
neo4j_app = typer.Typer(no_args_is_help=True, help="The local Neo4j server (no Docker needed).")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(keys_app, name="keys")
console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Fetch (once, from Maven Central), configure and start Neo4j on 127.0.0.1."""
    try:
        local_neo4j.start(local_neo4j.default_instance(), env_file_path(), log=console.print)
    except local_neo4j.LocalNeo4jError as exc:
        raise _fail(str(exc)) from exc


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j this project started (found by its pid file)."""
    local_neo4j.stop(local_neo4j.default_instance(), log=console.print)


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Show whether the local Neo4j runs, where, and which version."""
    info = local_neo4j.status(local_neo4j.default_instance())
    typer.echo(json.dumps(info, indent=2))
    if not info["running"] and not info["external"]:
        raise typer.Exit(code=3)


@app.command("migrate")
def migrate(
    show_status: Annotated[
        bool, typer.Option("--status", help="List applied and pending migrations only.")
    ] = False,
) -> None:
    """Apply pending schema migrations (checksummed, locked against concurrent runs)."""
    settings = load_settings()
    with Graph.connect(settings) as graph:
        try:
            if show_status:
                table = Table("version", "description", "state", "applied at")
                for s in migrations.status(graph, settings.migrations_dir):
                    table.add_row(f"V{s.version:04d}", s.description, s.state, s.applied_at or "")
                Console().print(table)
                return
            done = migrations.migrate(graph, settings.migrations_dir)
        except migrations.MigrationError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Applied {len(done)} migration(s): {[f.path.name for f in done]}")


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        list[str],
        typer.Option(help="read, write, admin, query:run, query:adhoc (repeatable)."),
    ],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
) -> None:
    """Create an API key; the key is printed once and only its hash is stored."""
    from service.domain.access import Scope, create_key

    try:
        scopes = [Scope(s) for s in scope]
    except ValueError as exc:
        raise _fail(f"{exc}; scopes are {[s.value for s in Scope]}") from exc
    settings = load_settings()
    with Graph.connect(settings) as graph:
        created = create_key(graph, name, scopes)
    console.print(f"Created key {created.key_id} with scopes {created.scopes}")
    typer.echo(created.secret)


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by its id (the part after `pm_`)."""
    from service.domain.access import revoke_key

    settings = load_settings()
    with Graph.connect(settings) as graph:
        if not revoke_key(graph, key_id):
            raise _fail(f"no active key {key_id}")
    console.print(f"Revoked {key_id}")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (ids, names, scopes; never secrets)."""
    from service.graph.api_keys import list_keys

    settings = load_settings()
    with Graph.connect(settings) as graph:
        rows = list_keys(graph)
    table = Table("id", "name", "scopes", "created", "revoked")
    for r in rows:
        table.add_row(r["id"], r["name"], ",".join(r["scopes"]), r["created_at"], r["revoked_at"])
    Console().print(table)


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A batch as JSON.")
    ],
    chunk_rows: Annotated[
        int,
        typer.Option(min=1, help="Rows per transaction (an account is never split)."),
    ] = 10_000,
    workers: Annotated[
        # 2 writers measured fastest on the 100k benchmark (bench/RESULTS.md).
        int, typer.Option(min=1, help="Account transactions written concurrently.")
    ] = 2,
) -> None:
    """Import a large batch file: validated as a whole, then written account by account."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from service.domain.errors import PowermapError
    from service.domain.ingest import import_batches
    from service.domain.ingest.validation import row_count

    try:
        batch = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(f"{file} is not a readable JSON file: {exc}") from exc
    settings = load_settings()
    total = row_count(batch) if isinstance(batch, dict) else 0
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Graph.connect(settings) as graph, Progress(*columns, console=console) as bar:
        task = bar.add_task("importing rows", total=total)
        try:
            summary = import_batches(
                graph,
                settings,
                batch,
                chunk_rows,
                progress=lambda rows: bar.advance(task, rows),
                workers=workers,
                source="api",
            )
        except PowermapError as exc:
            bar.stop()
            for err in exc.errors[:50]:
                console.print(f"  {err.location}: {err.reason}")
            if len(exc.errors) > 50:
                console.print(f"  ... and {len(exc.errors) - 50} more")
            raise _fail(exc.detail) from exc
    typer.echo(json.dumps(summary.as_dict(), indent=2))


@app.command("export")
def export_graph(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json (node-link), graphml, gexf or cytoscape.")
    ] = "json",
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account (its API document).")
    ] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="Only this tier's accounts (strategic, key, ...).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD: the end of that day (default today).")
    ] = None,
) -> None:
    """Stream the portfolio's graph (or one tier's, or one account's) to stdout, account by
    account, as GET /v1/accounts/{id}/graph writes one account (docs/export.md)."""
    import io
    import sys
    from typing import get_args

    from pydantic import TypeAdapter, ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from service.domain.analytics.subgraphs import today
    from service.domain.errors import PowermapError
    from service.domain.export.formats import ExportFormat
    from service.domain.export.portfolio import portfolio_graph
    from service.domain.ingest.rows import Tier
    from service.domain.values import Id, IsoDate

    if fmt not in get_args(ExportFormat):
        raise _fail(f"--format is one of {', '.join(get_args(ExportFormat))}, not {fmt!r}")
    if account is not None and tier is not None:
        raise _fail("give --account or --tier, not both")
    if tier is not None and tier not in get_args(Tier):
        raise _fail(f"--tier is one of {', '.join(get_args(Tier))}, not {tier!r}")
    try:
        when = TypeAdapter(IsoDate).validate_python(as_of) if as_of else today()
    except ValidationError as exc:
        raise _fail(f"--as-of {as_of!r}: {exc.errors()[0]['msg']}") from exc
    try:
        TypeAdapter(Id | None).validate_python(account)
    except ValidationError as exc:
        raise _fail(f"--account {account!r}: {exc.errors()[0]['msg']}") from exc
    settings = load_settings()
    # UTF-8 whatever the locale, written in large chunks; the bar and the summary go to
    # stderr, so stdout carries only the document.
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Graph.connect(settings) as graph, Progress(*columns, console=console) as bar:
        task = bar.add_task("exporting accounts", total=None)
        try:
            summary = portfolio_graph(
                graph,
                settings,
                out,
                fmt=fmt,  # type: ignore[arg-type]  # checked against ExportFormat above
                as_of=when,
                account_id=account,
                tier=tier,
                started=lambda total: bar.update(task, total=total),
                progress=lambda _: bar.advance(task),
            )
        except PowermapError as exc:
            bar.stop()
            raise _fail(exc.detail) from exc
        finally:
            out.flush()
            out.detach()
    console.print(
        f"exported {summary.accounts} account(s): {summary.nodes} nodes, {summary.edges} edges "
        f"({fmt}, as of {when.isoformat()})"
    )


sync_app = typer.Typer(
    no_args_is_help=True, help="Sync a CRM export (Salesforce CSVs, HubSpot JSON) as the API does."
)
app.add_typer(sync_app, name="sync")

SyncMode = Annotated[
    str,
    typer.Option(
        "--mode",
        help="snapshot: the export is the complete state of its accounts (what it no longer "
        "holds is ended); delta: only what is given changes, plus deletions.",
    ),
]
EffectiveAt = Annotated[
    str | None, typer.Option(help="When the changes took effect (ISO-8601; default now).")
]
ConfirmMassChange = Annotated[
    bool,
    typer.Option(
        "--confirm-mass-change",
        help="Write a snapshot that marks more than half of an account's people as gone.",
    ),
]
SyncChunkRows = Annotated[
    int,
    typer.Option(
        min=1, help="Rows per transaction (an account is never split; see docs/crm-sync.md)."
    ),
]
SyncWorkers = Annotated[
    # 2 writers measured fastest on the sync benchmark (bench/RESULTS.md, "CRM sync").
    int,
    typer.Option(min=1, help="Account transactions written concurrently."),
]


def _run_sync(
    source: str,
    directory: Path,
    mode: str,
    effective_at: str | None,
    confirm_mass_change: bool,
    chunk_rows: int,
    workers: int = 1,
) -> None:
    """Translate the export in ``directory`` and sync it, with a progress bar."""
    from datetime import UTC, datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from service.domain.errors import InvalidInput, PowermapError
    from service.domain.sync.apply import parse_effective_at, sync_upload
    from service.domain.sync.hubspot import read_hubspot_dir, translate_hubspot
    from service.domain.sync.mappings import MappingError, configured_mappings
    from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
    from service.domain.sync.snapshot import CrmSnapshot
    from service.domain.sync.snapshot import SyncMode as SyncModeName

    if mode != "snapshot" and mode != "delta":
        raise _fail(f"--mode is snapshot or delta, not {mode!r}")
    sync_mode: SyncModeName = "snapshot" if mode == "snapshot" else "delta"
    settings = load_settings()
    try:
        mappings = configured_mappings(settings.sync_mappings_file)
    except MappingError as exc:
        raise _fail(str(exc)) from exc
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())

    def report(exc: PowermapError, bar: Progress | None = None) -> typer.Exit:
        if bar is not None:
            bar.stop()
        for err in exc.errors[:50]:
            console.print(f"  {err.location}: {err.reason}", markup=False, highlight=False)
        if exc.error_count > 50:
            console.print(f"  ... and {exc.error_count - 50} more")
        return _fail(exc.detail)

    try:
        when = parse_effective_at(effective_at) if effective_at else datetime.now(UTC)
    except ValueError as exc:
        raise _fail(f"--effective-at: {exc}") from exc
    snapshot: CrmSnapshot
    try:
        # A large export is many acyclic objects: no cyclic collection while it is read.
        with heap.collector_paused():
            if source == "salesforce":
                parts = read_salesforce_dir(directory)
                snapshot = translate_salesforce(
                    parts,
                    mode=sync_mode,
                    effective_at=when,
                    mappings=mappings,
                )
            else:
                lists = read_hubspot_dir(directory)
                snapshot = translate_hubspot(
                    lists,
                    mode=sync_mode,
                    effective_at=when,
                    mappings=mappings,
                )
    except InvalidInput as exc:
        raise report(exc) from exc
    if not snapshot.parts:
        raise _fail(f"{directory} holds no {'*.csv' if source == 'salesforce' else '*.json'} file")

    with Graph.connect(settings) as graph, Progress(*columns, console=console) as bar:
        task = bar.add_task("reading the graph", total=None)

        def progress(step: str, done: int, total: int) -> None:
            names = {
                "reading": "reading the graph",
                "validating": "validating",
                "writing": "writing rows",
            }
            bar.update(task, description=names.get(step, step), completed=done, total=total or None)

        try:
            summary = sync_upload(
                graph,
                settings,
                snapshot,
                mappings,
                confirm_mass_change=confirm_mass_change,
                chunk_rows=chunk_rows,
                workers=workers,
                progress=progress,
            )
        except PowermapError as exc:
            raise report(exc, bar) from exc
    typer.echo(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))


@sync_app.command("salesforce")
def sync_salesforce(
    directory: Annotated[
        Path,
        typer.Argument(
            exists=True, file_okay=False, help="A folder of <Object>.csv files (Bulk API 2.0)."
        ),
    ],
    mode: SyncMode,
    effective_at: EffectiveAt = None,
    confirm_mass_change: ConfirmMassChange = False,
    chunk_rows: SyncChunkRows = 10_000,
    workers: SyncWorkers = 2,
) -> None:
    """Sync a Salesforce export: each DIR/<Object>.csv is a part (POST /v1/sync/salesforce)."""
    _run_sync("salesforce", directory, mode, effective_at, confirm_mass_change, chunk_rows, workers)


@sync_app.command("hubspot")
def sync_hubspot(
    directory: Annotated[
        Path,
        typer.Argument(exists=True, file_okay=False, help="A folder of <list>.json files."),
    ],
    mode: SyncMode,
    effective_at: EffectiveAt = None,
    confirm_mass_change: ConfirmMassChange = False,
    chunk_rows: SyncChunkRows = 10_000,
    workers: SyncWorkers = 2,
) -> None:
    """Sync a HubSpot export: each DIR/<list>.json is a list (POST /v1/sync/hubspot)."""
    _run_sync("hubspot", directory, mode, effective_at, confirm_mass_change, chunk_rows, workers)


@app.command("check")
def check(
    limit: Annotated[
        int, typer.Option(min=1, help="List at most N violations per invariant.")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the violations as JSON.")] = False,
) -> None:
    """Verify the graph's invariants (docs/graph-conventions.md); exit 1 if any is broken."""
    from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

    from service.graph.check import Invariant, InvariantResult, run_checks

    settings = load_settings()
    results: list[InvariantResult] = []
    columns = (SpinnerColumn(), "{task.description}", TimeElapsedColumn())
    with Graph.connect(settings) as graph, Progress(*columns, console=console) as bar:
        task = bar.add_task("checking", total=len(Invariant))
        for result in run_checks(graph, limit=limit):
            results.append(result)
            bar.update(task, advance=1, description=f"checked {result.invariant.kind}")
    broken = [r for r in results if not r.ok]
    if as_json:
        body = {
            "ok": not broken,
            "invariants": [
                {
                    "invariant": r.invariant.kind,
                    "description": r.invariant.description,
                    "violations": r.total,
                    "listed": [{"subject": v.subject, "detail": v.detail} for v in r.violations],
                }
                for r in results
            ],
        }
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        table = Table("invariant", "what it means", "violations")
        for r in results:
            state = "[green]0[/green]" if r.ok else f"[red]{r.total}[/red]"
            table.add_row(r.invariant.kind, r.invariant.description, state)
        Console().print(table)
        for r in broken:
            console.print(f"[red]{r.invariant.kind}[/red] ({r.total}):")
            for v in r.violations:
                console.print(f"  {v.subject}: {v.detail}", markup=False, highlight=False)
            if r.total > len(r.violations):
                console.print(f"  ... and {r.total - len(r.violations)} more")
    if broken:
        total = sum(r.total for r in broken)
        raise _fail(f"{total} violation(s) of {len(broken)} invariant(s)")
    console.print(f"[green]ok:[/green] all {len(results)} invariants hold")


DEMO_KEY_VARIABLE = "POWERMAP_DEMO_API_KEY"
DEMO_WEBHOOK_SECRET_VARIABLE = "POWERMAP_DEMO_WEBHOOK_SECRET"


def _env_file_value(name: str) -> str | None:
    path = env_file_path()
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == name:
            return value.strip() or None
    return None


@app.command("seed-demo")
def seed_demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Remove the demo's own data and load it afresh.")
    ] = False,
) -> None:
    """Load the demo portfolio (idempotent) and print a demo API key.

    The key (scopes read, write, query:run) is also written to the env file as
    POWERMAP_DEMO_API_KEY and reused by later runs while it stays valid. A watch over
    the whole portfolio posts its alerts to the demo page's inbox; its webhook secret is
    written to the env file as POWERMAP_DEMO_WEBHOOK_SECRET (the inbox's host must be on
    POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS, as `make run` sets it).
    """
    from service.demo.seed import seed_demo as load_demo
    from service.demo.watch import DEMO_WEBHOOK_URL, ensure_demo_watch
    from service.domain.errors import PowermapError

    settings = load_settings()
    with Graph.connect(settings) as graph:
        try:
            result = load_demo(
                graph,
                settings,
                reset=reset,
                api_key=_env_file_value(DEMO_KEY_VARIABLE),
                on_step=lambda name, _summary: console.print(f"  applied {name}"),
            )
            demo_watch = ensure_demo_watch(
                graph, settings, _env_file_value(DEMO_WEBHOOK_SECRET_VARIABLE)
            )
        except PowermapError as exc:
            raise _fail(exc.detail) from exc
    if demo_watch.secret is not None:
        local_neo4j.write_env_file(
            env_file_path(), {DEMO_WEBHOOK_SECRET_VARIABLE: demo_watch.secret}
        )
    if demo_watch.posts:
        console.print(
            f"Demo watch {demo_watch.watch_id} (every condition, the whole portfolio) posts "
            f"its alerts to the demo page's inbox: {DEMO_WEBHOOK_URL} (listed at /alerts)."
        )
    else:
        console.print(
            f"Demo watch {demo_watch.watch_id} (every condition, the whole portfolio) is "
            "feed-only (GET /v1/events): 127.0.0.1 is not on "
            "POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS (`make run` puts it there)."
        )
    if result.removed_nodes:
        console.print(f"Removed the previous demo ({result.removed_nodes} nodes).")
    if result.loaded:
        console.print(f"Loaded the demo portfolio in {len(result.steps)} steps.")
    else:
        console.print("The demo portfolio is already loaded (use --reset to reload it).")
    if result.key_created:
        local_neo4j.write_env_file(env_file_path(), {DEMO_KEY_VARIABLE: result.api_key})
    console.print(f"Demo API key (read, write, query:run; also in {env_file_path()}):")
    typer.echo(result.api_key)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (default: the cores this process may use). Each has its "
            "own driver, caches and background threads (docs/operations.md).",
        ),
    ] = None,
) -> None:
    """Serve the API with uvicorn, one worker process per core by default."""
    import uvicorn

    share_generated_secrets(load_settings().model_fields_set, os.environ)
    uvicorn.run(
        "service.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers or usable_cores(),
        log_config=None,
        access_log=False,
    )


#: Settings a development server generates when they are not configured, and the
#: variable that makes every worker process use the same one.
GENERATED_SECRETS = {"embed_token_secret": "POWERMAP_EMBED_TOKEN_SECRET"}


def share_generated_secrets(configured: set[str], environ: MutableMapping[str, str]) -> None:
    """Generate once, for all the worker processes, the secrets a development server
    would otherwise generate in each: an embed token minted by one worker must verify
    in another. Production requires them configured (service/settings.py).

    >>> env: dict[str, str] = {}
    >>> share_generated_secrets(set(), env); len(env["POWERMAP_EMBED_TOKEN_SECRET"]) >= 32
    True
    >>> env = {}
    >>> share_generated_secrets({"embed_token_secret"}, env); env
    {}
    """
    for field, variable in GENERATED_SECRETS.items():
        if field not in configured:
            environ[variable] = secrets.token_urlsafe(48)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, so a container's limit)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@app.command("demo-page")
def demo_page(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
    api_base: Annotated[
        str, typer.Option(help="Where the API is (the page's backend and browser use it).")
    ] = "http://127.0.0.1:8000",
    account: Annotated[
        list[str] | None, typer.Option(help="Embed these accounts (default: all listed).")
    ] = None,
) -> None:
    """Serve a third-party demo page (another origin) that embeds the org-chart widget."""
    import uvicorn

    from service.demo.page import create_demo_app, load_demo_settings

    demo_settings = load_demo_settings()
    key = demo_settings.demo_api_key.get_secret_value()
    if not key:
        console.print(
            "[yellow]warning:[/yellow] no POWERMAP_DEMO_API_KEY; run `powermap seed-demo`"
        )
    console.print(f"Demo page embedding the widget: http://{host}:{port}/ (API {api_base})")
    uvicorn.run(
        create_demo_app(
            api_base,
            key,
            accounts=account or None,
            webhook_secret=demo_settings.demo_webhook_secret.get_secret_value(),
        ),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


# --- saved analyst queries (cypher/*.cypher) -------------------------------------

query_app = typer.Typer(no_args_is_help=True, help="Saved analyst queries (cypher/*.cypher).")
app.add_typer(query_app, name="query")


QueriesDir = Annotated[
    Path | None,
    typer.Option("--dir", help="The catalog folder (default: POWERMAP_QUERIES_DIR, cypher/)."),
]


@query_app.command("list")
def query_list(directory: QueriesDir = None) -> None:
    """List the saved queries and their parameters; report malformed files (exit 1)."""
    from service.domain.queries.catalog import Catalog

    queries, errors = Catalog(directory or load_settings().queries_dir).entries()
    table = Table("name", "title", "parameters")
    for q in queries:
        params = ", ".join(
            f"{p.name}: {p.type.value}"
            + (" (required)" if p.required else f" = {json.dumps(p.default, default=str)}")
            for p in q.params
        )
        table.add_row(q.name, q.title, params)
    Console().print(table)
    for error in errors:
        console.print(f"[red]malformed:[/red] {error}")
    if errors:
        raise typer.Exit(code=1)


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="The query's name (its file name without .cypher).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as NAME=VALUE (repeatable)."),
    ] = None,
    output: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    limit: Annotated[int | None, typer.Option(min=1, help="Return at most N rows.")] = None,
    timeout: Annotated[
        float | None, typer.Option(min=0.001, help="A lower timeout in seconds.")
    ] = None,
    directory: QueriesDir = None,
) -> None:
    """Run a saved query read-only, with the same guards and bounds as the API."""
    import sys

    import structlog

    from service.domain.errors import PowermapError
    from service.domain.queries.catalog import Catalog
    from service.domain.queries.runner import RunLimits, run_saved, to_csv

    if output not in ("table", "json", "csv"):
        raise _fail(f"--format is table, json or csv, not {output!r}")
    given: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--param takes NAME=VALUE, got {item!r}")
        given[key.strip()] = value
    # The run log goes to stderr, so stdout carries only the result (pipe-friendly);
    # sys.stderr is looked up per logger, never pinned (it may be swapped, as in tests).
    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(sys.stderr))
    settings = load_settings()
    try:
        query = Catalog(directory or settings.queries_dir).get(name)
        with Graph.connect(settings) as graph:
            result = run_saved(
                graph,
                query,
                given,
                limits=RunLimits.resolve(settings, limit=limit, timeout_seconds=timeout),
                key_id="cli",
                from_text=True,
            )
    except PowermapError as exc:
        for err in exc.errors:
            console.print(f"  {err.location}: {err.reason}")
        raise _fail(exc.detail) from exc
    if output == "json":
        body = {"query": name, "columns": result.columns, "rows": result.rows}
        typer.echo(json.dumps({**body, "summary": result.summary()}, indent=2, ensure_ascii=False))
        return
    if output == "csv":
        typer.echo(to_csv(result.columns, result.rows), nl=False)
        return
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(
            *(
                "" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for v in (row[c] for c in result.columns)
            )
        )
    Console().print(table)
    cut = " (truncated)" if result.truncated else ""
    console.print(f"{len(result.rows)} row(s){cut} in {result.ms} ms")
