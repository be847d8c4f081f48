"""The ``ptmkg`` command: parses arguments, calls the ``kg`` library, formats output.

No SPARQL, RDF building or business rules live here; every command has a
Python equivalent in ``kg``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import kg
from kg.importers import IMPORTERS
from kg.rdf_formats import RDF_OUTPUT_FORMATS, rdf_format_for_file, rdf_output_format
from kg.store import STORE_ENV

app = typer.Typer(
    name="ptmkg",
    help="Build and query a knowledge graph of how science reuses pre-trained deep learning "
    "models (PTMs).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=f"Store folder. Default: ${STORE_ENV}, else ~/.local/share/ptmkg/store.",
        show_default=False,
    ),
]
MAX_REJECTS_SHOWN = 20


def user_errors(command: F) -> F:
    """Turn errors a user can cause into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except kg.PtmkgError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("[red]interrupted[/red]: the store is unchanged")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _store(path: Path | None) -> kg.EmbeddedStore:
    return kg.EmbeddedStore(path or kg.default_store_path())


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:,.2f}"
    return "" if value is None else str(value)


# ------------------------------------------------------------------ build


@app.command(
    epilog="Examples:  ptmkg build annotations.csv  |  ptmkg build --strict sheet.xlsx "
    "more.jsonl  |  ptmkg build --memory --validate draft.tsv"
)
@user_errors
def build(
    sources: Annotated[list[Path], typer.Argument(help="Files to import.", show_default=False)],
    store: StoreOption = None,
    memory: Annotated[
        bool, typer.Option("--memory", help="Build a throw-away graph in memory.")
    ] = False,
    source_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"Read every source as this format: "
            f"{', '.join(IMPORTERS)}. Default: detected from content and extension.",
        ),
    ] = None,
    base_iri: Annotated[
        str,
        typer.Option(
            "--base-iri",
            envvar="PTMKG_BASE_IRI",
            help="Base IRI for papers, models, reuse instances and sources.",
        ),
    ] = kg.DEFAULT_BASE_IRI,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail, changing nothing, if any record is rejected.")
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Start from an empty graph instead of replacing only these sources' graphs.",
        ),
    ] = False,
    rejects: Annotated[Path, typer.Option("--rejects", help="Folder for rejects files.")] = Path(
        "ptmkg-rejects"
    ),
    aliases: Annotated[
        list[Path] | None,
        typer.Option("--aliases", help="Extra model alias table (CSV: name,aliases); repeatable."),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of CSV, TSV and JSON Lines sources.")
    ] = "utf-8",
    check: Annotated[
        bool,
        typer.Option(
            "--validate", help="Validate the graph against the SHACL shapes after building."
        ),
    ] = False,
) -> None:
    """Import annotation sheets and annotation files into the knowledge graph.

    Each source becomes its own named graph: building a file again replaces exactly
    what it added before. Rows that cannot be used are reported with their line and
    reason and written to a rejects file you can fix and build again. The store
    changes only when the whole build succeeds.
    """
    target = kg.EmbeddedStore(None) if memory else _store(store)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def advance(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = progress.add_task(f"reading {name}", total=total)
        progress.update(tasks[name], completed=done)

    try:
        with progress:
            report = kg.build(
                target,
                sources,
                source_format=source_format,
                base_iri=base_iri,
                strict=strict,
                fresh=fresh,
                rejects_dir=rejects,
                alias_files=aliases or [],
                encoding=encoding,
                progress=advance,
            )
    except kg.StrictBuildError as exc:
        raise kg.PtmkgError(f"{exc}; see the rejects files in {rejects}") from None
    _print_build_report(report)
    if check:
        _print_validation(kg.validate(target))


def _print_build_report(report: kg.BuildReport) -> None:
    for source in report.sources:
        out.print(
            f"[bold]{escape(str(source.path))}[/bold] ({source.format}, {source.layout}): "
            f"{source.read:,} read = {source.accepted:,} accepted + {source.rejected:,} rejected; "
            f"{source.triples:,} triples"
        )
        for warning in source.warnings:
            err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
        for reject in source.rejects[:MAX_REJECTS_SHOWN]:
            err.print(f"  {escape(source.name)}, line {reject.line}: {escape(reject.reason)}")
        if source.rejected > MAX_REJECTS_SHOWN:
            err.print(f"  ... and {source.rejected - MAX_REJECTS_SHOWN:,} more")
        if source.rejects_file:
            err.print(
                f"  rejected rows are in {escape(str(source.rejects_file))}: fix them there and "
                f"build that file, or fix {escape(source.name)} and build it again"
            )
    read = sum(s.read for s in report.sources)
    accepted = sum(s.accepted for s in report.sources)
    out.print(
        f"Built {len(report.sources)} source(s) into {escape(report.store)}: "
        f"{read:,} read = {accepted:,} accepted + {report.rejected:,} rejected"
    )


# ------------------------------------------------------------------ stats


def _result_table(title: str, result: kg.QueryResult, columns: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    for key, heading in columns.items():
        if key.endswith("label"):
            table.add_column(heading, justify="left", no_wrap=True)
        else:
            table.add_column(heading, justify="right")
    for row in result.rows:
        table.add_row(*(escape(_number(row.get(key))) for key in columns))
    if not result.rows:
        table.caption = "(none in this graph)"
    return table


@app.command(epilog="Examples:  ptmkg stats  |  ptmkg stats --json > stats.json")
@user_errors
def stats(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Summarise the graph: papers, papers using deep learning, papers reusing PTMs,
    models and reuse instances, by field, by reuse pattern and by stage.

    Every figure comes from a named query in queries/ (corpus-summary,
    papers-by-field, reuse-by-pattern, reuse-by-stage).
    """
    figures = kg.stats(_store(store))
    if as_json:
        payload = {
            "summary": figures.summary,
            "by_field": figures.by_field.rows,
            "by_pattern": figures.by_pattern.rows,
            "by_stage": figures.by_stage.rows,
        }
        out.print_json(json.dumps(payload))
        return
    summary = figures.summary
    overview = Table(title="Corpus", title_justify="left", show_header=False)
    overview.add_column("", justify="left")
    overview.add_column("", justify="right")
    for key, label in (
        ("papers", "papers"),
        ("dl_papers", "papers using deep learning"),
        ("ptm_papers", "papers reusing PTMs"),
        ("models", "distinct models reused"),
        ("reuse_instances", "reuse instances (paper, model, pattern)"),
    ):
        overview.add_row(label, _number(summary.get(key)))
    out.print(overview)
    out.print(
        _result_table(
            "By field",
            figures.by_field,
            {
                "field_label": "field",
                "papers": "papers",
                "dl_papers": "DL papers",
                "ptm_papers": "PTM papers",
                "ptm_share": "PTM share",
                "natural_science": "natural sci.",
            },
        )
    )
    out.print(
        _result_table(
            "By reuse pattern",
            figures.by_pattern,
            {
                "pattern_label": "pattern",
                "reuse_instances": "reuse instances",
                "share": "share",
                "papers": "papers",
            },
        )
    )
    out.print(
        _result_table(
            "By stage",
            figures.by_stage,
            {
                "stage_label": "stage",
                "model_reuses": "model reuses",
                "papers": "papers",
            },
        )
    )


# --------------------------------------------------------------- validate


def _short(iri: str | None) -> str:
    if not iri:
        return ""
    for prefix, namespace in kg.PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _print_validation(report: kg.ValidationReport, shown: int = 50) -> None:
    if report.conforms:
        out.print(f"[green]valid[/green]: {report.triples:,} triples conform to the shapes")
        return
    out.print(
        f"[red]{len(report.violations)} SHACL violation(s)[/red] in {report.triples:,} triples"
    )
    for violation in report.violations[:shown]:
        detail = f"  property {_short(violation.path)}" if violation.path else ""
        if violation.value is not None:
            detail += f"  value {escape(violation.value)!r}"
        out.print(f"- {escape(_short(violation.focus))}{escape(detail)}")
        out.print(f"    {escape(violation.message)}")
    if len(report.violations) > shown:
        out.print(f"... and {len(report.violations) - shown} more")
    raise typer.Exit(1)


@app.command(epilog="Example:  ptmkg validate --store ./my-store")
@user_errors
def validate(store: StoreOption = None) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl).

    Prints a table of violations and exits with status 1 if there are any.
    """
    _print_validation(kg.validate(_store(store)))


# ------------------------------------------------------------------- dump


@app.command(epilog="Examples:  ptmkg dump --format turtle -o graph.ttl  |  ptmkg dump -o graph.nq")
@user_errors
def dump(
    store: StoreOption = None,
    rdf_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {', '.join(RDF_OUTPUT_FORMATS)}. "
            "Default: from the output file's extension, else nquads.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    graph: Annotated[
        str | None, typer.Option("--graph", help="Dump only this named graph (an IRI).")
    ] = None,
) -> None:
    """Write the graph in an RDF format.

    Quad formats (N-Quads, TriG) keep the named graphs; triple formats get the union
    of all graphs, or the one named with --graph.
    """
    chosen = (
        rdf_output_format(rdf_format)
        if rdf_format
        else (rdf_format_for_file(output.name) if output else None) or rdf_output_format("nquads")
    )
    source = _store(store)
    if output is None:
        source.dump(sys.stdout.buffer, chosen.format, graph)
        sys.stdout.flush()
        return
    try:
        with output.open("wb") as handle:
            source.dump(handle, chosen.format, graph)
    except OSError as exc:
        raise kg.PtmkgError(f"cannot write {output}: {exc.strerror}") from None
    err.print(f"wrote {chosen.name} to {escape(str(output))}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
