"""The ``ptmkg`` command: parses arguments, calls the ``kg`` library, formats output.

No SPARQL, RDF building or business rules live here; every command has a
Python equivalent in ``kg``.
"""

import codecs
import contextlib
import functools
import inspect
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

import kg
from kg.atomic import atomic_write, discard_pending, write_text_atomically
from kg.defaults import (
    DRAWING_HEIGHT,
    DRAWING_WIDTH,
    EXTRACT_JOBS,
    HTTP_BACKOFF,
    HTTP_RETRIES,
    HTTP_TIMEOUT,
    LLM_TIMEOUT,
    ONTOLOGY_PAGE,
    OPENALEX_API,
    OPENALEX_BATCH,
    OPENALEX_RATE,
    PUSH_BATCH_SIZE,
    REJECTS_DIR,
    REPORT_TITLE,
    RETRYABLE_STATUS,
    SERVE_HOST,
    SERVE_PORT,
    SOURCE_ENCODING,
    STORE_ENV,
    SYNTH_PAPERS,
    SYNTH_SEED,
    TERMINAL_ROWS,
    WIKIDATA_BATCH,
    WIKIDATA_MAIN,
    WIKIDATA_RATE,
    WIKIDATA_SCHOLARLY,
)
from kg.interrupt import DeadlineExceeded, run_interruptibly
from kg.query.terminal import display_value, terminal_table
from kg.text import printable

# The registries of formats and network kinds, the pipeline and the network code load
# pyoxigraph, networkx and the like: each command imports what it uses, so that start-up
# (and --help) loads none of them (tests/test_cli_conventions.py checks).


class _PlainHelp:
    """Help that reads the same at any width, with plain metavars.

    Paragraphs of a docstring flow (a line break inside a paragraph is a space), and each
    option shows what it takes in capitals (PATH, INTEGER, a|b) or nothing for a flag,
    instead of Python types such as <list[Path]> or <bool>.
    """

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = _reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.help and _LATER_MARK in param.help:
                param.help = _filled(param.help)
            if not isinstance(param.display_type_rich, functools.partial):
                param.display_type_rich = functools.partial(_plain_type, param.display_type_rich)
        return params


class _Command(_PlainHelp, TyperCommand):
    pass


class _Group(_PlainHelp, TyperGroup):
    pass


_PLAIN_TYPES = {"str": "TEXT", "path": "PATH", "int": "INTEGER", "float": "NUMBER", "bool": ""}


def _plain_type(display_type: Callable[[Any], str | None], ctx: Any) -> str | None:
    """<list[Path]> as PATH..., <int range> as INTEGER, <bool> (a flag) as nothing."""
    shown = display_type(ctx)
    if not shown or not shown.startswith("<"):
        return shown
    inner, repeated = shown.strip("<>").removesuffix("..."), shown.endswith("...")
    if inner.startswith("list[") and inner.endswith("]"):
        inner, repeated = inner[5:-1], True
    inner = inner.removesuffix(" range")
    plain = inner if "|" in inner else _PLAIN_TYPES.get(inner.lower(), inner.upper())
    return plain + ("..." if repeated and plain else "")


_LATER_MARK = "\x00"
_LATER: dict[str, Callable[[], str]] = {}


def _later(fill: Callable[[], str]) -> str:
    """A piece of an option's help filled in when that command's options are first needed
    (its help, or a run of it): help that lists a registry's names then loads the registry
    for that command only, not at every start-up."""
    mark = f"{_LATER_MARK}{len(_LATER)}{_LATER_MARK}"
    _LATER[mark] = fill
    return mark


def _filled(text: str) -> str:
    for mark, fill in _LATER.items():
        if mark in text:
            text = text.replace(mark, fill())
    return text


def _reflowed(text: str) -> str:
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


app = typer.Typer(
    name="ptmkg",
    help="Build and query a knowledge graph of how science reuses pre-trained deep learning "
    "models (PTMs).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    cls=_Group,
    # Sub-commands inherit the help option names from this context.
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"ptmkg {version('ptmkg')}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show ptmkg's version and exit.",
        ),
    ] = False,
) -> None:
    """Build and query a knowledge graph of how science reuses pre-trained deep learning
    models (PTMs)."""


class _PrintableConsole(Console):
    """A console that shows control characters in file names and data as escapes."""

    def render_str(self, text: str, **options: Any) -> Any:
        return super().render_str(printable(text), **options)


out = _PrintableConsole(highlight=False, soft_wrap=True)
err = _PrintableConsole(stderr=True, highlight=False, soft_wrap=True)


class _PrintableStdout(io.RawIOBase):
    """Standard output for bytes: exact in a pipe or a file, escaped on a terminal."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        sys.stdout.write(printable(self._decoder.decode(bytes(data))))
        return len(data)

    def flush(self) -> None:
        sys.stdout.flush()


def _stdout_bytes() -> Any:
    return _PrintableStdout() if sys.stdout.isatty() else sys.stdout.buffer


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

# Every command that reads the graph runs against the local store or, with --endpoint,
# a SPARQL server; these options and _store() are the one place that decides which.
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        envvar="PTMKG_ENDPOINT",
        help="Run against this SPARQL endpoint (SPARQL 1.1 Protocol) instead of the local "
        "store. Its default graph must be the union of its named graphs. Credentials come "
        "from PTMKG_ENDPOINT_USER and PTMKG_ENDPOINT_PASSWORD (or PTMKG_ENDPOINT_TOKEN) or "
        "the endpoint settings file, never from the command line's output.",
        show_default=False,
    ),
]
UpdateEndpointOption = Annotated[
    str | None,
    typer.Option(
        "--update-endpoint",
        help="The server's SPARQL Update URL, where it differs from --endpoint "
        "(default: known for Oxigraph's and Virtuoso's layouts, else --endpoint).",
        show_default=False,
    ),
]
AllowServiceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-service",
        help="Let a query's SERVICE ask this endpoint IRI; repeatable; '*' allows any. "
        "SERVICE is off by default, so a query cannot make this machine fetch other "
        "addresses.",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        help=f"Seconds to wait: with --endpoint for each answer (default "
        f"{HTTP_TIMEOUT:g}, or PTMKG_ENDPOINT_TIMEOUT); with the local store for "
        "the whole command (default: no limit).",
        show_default=False,
    ),
]
RetriesOption = Annotated[
    int | None,
    typer.Option(
        "--retries",
        help="With --endpoint: tries again after a refused connection, a timeout or HTTP "
        f"{'/'.join(map(str, sorted(RETRYABLE_STATUS)))}, waiting 1, 2, 4... s "
        f"(default {HTTP_RETRIES}, or PTMKG_ENDPOINT_RETRIES; "
        "PTMKG_ENDPOINT_BACKOFF sets the first wait).",
        show_default=False,
    ),
]


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
        except BrokenPipeError:
            # The reader (head, less) went away having read what it wanted: end quietly,
            # with nothing more written to the closed pipe.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:  # a full disk or a folder that vanished under us
            where = f": {exc.filename}" if exc.filename else ""
            err.print(f"[red]error:[/red] {escape(exc.strerror or str(exc))}{escape(where)}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def reads_graph(command: F) -> F:
    """Run a command that asks the graph so that Ctrl-C and --timeout stop it at once.

    The embedded engine cannot see a Ctrl-C while it evaluates a query; the command runs
    in a worker thread that this one waits for (kg.interrupt).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        deadline = None if kwargs.get("endpoint") else kwargs.get("timeout")
        try:
            return run_interruptibly(lambda: command(*args, **kwargs), timeout=deadline)
        except (KeyboardInterrupt, DeadlineExceeded):
            discard_pending()
            raise

    return wrapper  # type: ignore[return-value]


def _progress(unit: str = "bytes") -> Any:
    """The one progress display: a bar of at least 20 characters at 80 columns, the
    description cut with an ellipsis instead of the bar, on stderr and only on a terminal.
    Beside the bar, '12.3/40.0 MB' or '1,200/5,000 triples' for a task of known size, and
    nothing for a step such as loading, whose size nobody knows (no '0/?')."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    class AmountColumn(ProgressColumn):
        def __init__(self) -> None:
            super().__init__()
            self._bytes = DownloadColumn()

        def render(self, task: Any) -> Text:
            if task.total is None:
                return Text("")
            if unit == "bytes":
                return self._bytes.render(task)
            return Text(f"{int(task.completed):,}/{int(task.total):,} {unit}".rstrip())

    return Progress(
        TextColumn(
            "{task.description}",
            table_column=Column(no_wrap=True, overflow="ellipsis", max_width=32),
        ),
        BarColumn(bar_width=24),
        AmountColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _chosen(registry: Any, given: str | None, output: Path | None, default: str | None) -> Any:
    """The one rule for every command's output (:meth:`kg.formats.Registry.choose`): --format
    if given, else the output file's extension, else the default; an unknown format or
    extension is refused with the list of formats, never a silent fallback."""
    from kg.formats import UnknownFormat

    try:
        return registry.choose(given, output, default)
    except UnknownFormat as exc:
        raise kg.PtmkgError(f"{exc}; give --format") from None


def _write_output(output: Path, text: str) -> None:
    """Write a whole output file atomically, creating its folder (as every command does)."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(output, text)
    except OSError as exc:
        raise kg.PtmkgError(f"cannot write {output}: {exc.strerror}") from None
    err.print(f"wrote {escape(str(output))}")


def _store(
    path: Path | None,
    endpoint: str | None = None,
    *,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
) -> "kg.GraphStore":
    """The local store, or with ``endpoint`` the SPARQL server, a command works on."""
    if endpoint:
        if path is not None:
            raise kg.PtmkgError("give --store or --endpoint, not both")
        return kg.RemoteStore.from_options(
            endpoint,
            update_endpoint=update_endpoint,
            gsp_endpoint=gsp_endpoint,
            timeout=timeout,
            retries=retries,
        )
    if update_endpoint or gsp_endpoint:
        raise kg.PtmkgError("--update-endpoint and --gsp-endpoint go with --endpoint URL")
    return kg.EmbeddedStore(path or kg.default_store_path())


def _number(value: Any, column: str = "") -> str:
    return display_value(column, value)


# ------------------------------------------------------------------ build


def _importer_names() -> str:
    from kg.importers import IMPORTERS

    return ", ".join(IMPORTERS)


#: The --encoding of the commands that read registry, alias and label files.
RegistryEncodingOption = Annotated[
    str,
    typer.Option(
        "--encoding",
        help="Text encoding of --aliases (and --evaluate) files. A file that is not UTF-8 "
        "is refused, naming its line (Excel on Windows: cp1252).",
    ),
]


@app.command(
    epilog="Examples:  ptmkg build annotations.csv  |  ptmkg build --strict sheet.xlsx "
    "more.jsonl  |  ptmkg build sheets/  |  ptmkg build --memory --validate draft.tsv"
)
@user_errors
def build(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Files to import; a folder stands for its files (at any depth) in the formats "
            "a build reads, and a quoted pattern such as 'data/**/*.csv' for its matches.",
            show_default=False,
        ),
    ],
    store: StoreOption = None,
    memory: Annotated[
        bool, typer.Option("--memory", help="Build a throw-away graph in memory.")
    ] = False,
    source_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"Read every source as this format: {_later(_importer_names)}. "
            "Default: detected from content and extension.",
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
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help=f"Folder for rejects files. Default: {REJECTS_DIR}; with --memory, a "
            "temporary folder, named in the output, made only when a row is rejected.",
            show_default=False,
        ),
    ] = None,
    aliases: Annotated[
        list[Path] | None,
        typer.Option(
            "--aliases",
            help="Model registry or alias file to add (CSV: name, aliases, ...); repeatable.",
        ),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="Text encoding of CSV, TSV and JSON Lines sources and --aliases files. A "
            "file that is not UTF-8 is refused, naming its line (Excel on Windows: cp1252).",
        ),
    ] = SOURCE_ENCODING,
    natural_science: Annotated[
        str | None,
        typer.Option(
            "--natural-science",
            help="Keep only papers meeting this version of the study's natural-science rule: "
            "v1 (two of three topic fields) or v2 (any one); both need a citation. Applies to "
            "sources with OpenAlex topics (the pipeline database).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--validate", help="Validate the graph against the SHACL shapes after building."
        ),
    ] = False,
) -> None:
    """Import sources into the knowledge graph.

    Sources are annotation sheets and generic annotation files (CSV, TSV, XLSX, JSON
    Lines), the study pipeline's database and parquet files, OpenAlex works, Hugging
    Face model cards, and JATS articles.

    Each source becomes its own named graph: building a file again replaces exactly
    what it added before. Rows that cannot be used are reported with their line and
    reason and written to a rejects file you can fix and build again. The store
    changes only when the whole build succeeds.
    """
    from kg.pipeline import LOADING

    target = kg.EmbeddedStore(None) if memory else _store(store)
    progress = _progress("bytes")
    tasks: dict[str, Any] = {}

    def advance(name: str, done: int, total: int) -> None:
        if name == LOADING:
            tasks[name] = progress.add_task(LOADING, total=None)
            return
        if name not in tasks:
            tasks[name] = progress.add_task(f"reading {name}", total=total)
        progress.update(tasks[name], completed=done)

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
            natural_science=natural_science,
            progress=advance,
        )
    _print_build_report(report)
    if check:
        _print_validation(_validate_with_progress(target))


# ------------------------------------------------------------------ extract


@app.command(
    epilog="Examples:  ptmkg extract articles/ -o records.jsonl  |  ptmkg extract articles.zip "
    "--jobs 4 -o records.csv  |  ptmkg extract articles/ --evaluate labels.csv  |  ptmkg "
    "extract --llm --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen articles/ -o r.jsonl"
)
@user_errors
def extract(
    articles: Annotated[
        list[Path],
        typer.Argument(
            help="JATS articles: files, folders, zip archives, gzip files.", show_default=False
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write records here (.jsonl, .csv or .tsv) in the generic annotation format; "
            "'ptmkg build' loads them. Default: JSON Lines on stdout, unless --evaluate.",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Processes (offline) or parallel questions (LLM)"),
    ] = EXTRACT_JOBS,
    evaluate: Annotated[
        list[Path] | None,
        typer.Option(
            "--evaluate",
            help="Compare the extraction with these labels (annotation sheet or generic format; "
            "a 'file' column instead of 'doi' labels articles without a DOI): precision, "
            "recall and F1, a confusion table and the disagreements; repeatable.",
        ),
    ] = None,
    aliases: Annotated[
        list[Path] | None,
        typer.Option("--aliases", help="Extra model registry rows (CSV: name,aliases); repeatable"),
    ] = None,
    encoding: RegistryEncodingOption = SOURCE_ENCODING,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Write the reused models the registry does not know here, as registry rows "
            "with their cue, papers and evidence: check them, then pass the file to --aliases.",
        ),
    ] = None,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm", help="Ask an OpenAI-compatible chat API the study's five questions instead."
        ),
    ] = False,
    llm_base_url: Annotated[
        str | None,
        typer.Option("--llm-base-url", help="Chat API base URL (default: $PTMKG_LLM_BASE_URL)."),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option("--llm-model", help="Model name (default: $PTMKG_LLM_MODEL).")
    ] = None,
    llm_api_key: Annotated[
        str | None,
        typer.Option(
            "--llm-api-key",
            help="API key (default: $PTMKG_LLM_API_KEY or $OPENAI_API_KEY); never printed.",
            show_default=False,
        ),
    ] = None,
    llm_cache: Annotated[
        Path | None,
        typer.Option(
            "--llm-cache",
            help="Folder caching answers by article text, prompt version and model "
            "(default: $PTMKG_LLM_CACHE, else no cache).",
        ),
    ] = None,
    llm_retries: Annotated[
        int,
        typer.Option("--llm-retries", min=0, help="Tries again after errors and malformed answers"),
    ] = HTTP_RETRIES,
    llm_timeout: Annotated[
        float, typer.Option("--llm-timeout", help="Seconds to wait for each answer.")
    ] = LLM_TIMEOUT,
) -> None:
    """Find PTM reuse in full-text JATS articles and write it as records.

    One record per reuse instance (paper, model, pattern, stages, evidence sentence,
    section, confidence), in the generic annotation format that 'ptmkg build' loads.
    Offline by default (model registry names and context rules); --llm asks a chat API.
    """
    from kg.extract.evaluate import evaluate as compare
    from kg.extract.evaluate import labels_from_files
    from kg.extract.run import RecordWriter, record_format, run_extraction, write_candidates
    from kg.models.names import ModelResolver
    from kg.models.registry import ModelRegistry

    registry = ModelRegistry.from_environment(aliases or [], encoding)
    resolver = ModelResolver(registry=registry)
    labels = labels_from_files(evaluate, resolver, encoding) if evaluate else None
    if llm:
        from kg.extract.llm import LlmExtractor, LlmSettings

        settings = LlmSettings.from_options(
            llm_base_url,
            llm_model,
            llm_api_key,
            llm_cache,
            retries=llm_retries,
            timeout=llm_timeout,
        )
        extractor: Any = LlmExtractor(settings, resolver)
    else:
        from kg.extract.rules import RuleExtractor

        extractor = RuleExtractor(registry)
    for path in articles:
        if not path.exists():
            raise kg.PtmkgError(f"{path}: no such file or folder")
    writer = None
    if output is not None:
        fmt = record_format(output)
    elif labels is None:
        writer = RecordWriter(sys.stdout, "jsonl")
    with contextlib.ExitStack() as stack:
        if output is not None:
            handle = stack.enter_context(atomic_write(output, "w", encoding="utf-8", newline=""))
            writer = RecordWriter(handle, fmt)
        summary = run_extraction(
            articles,
            extractor,
            writer,
            jobs=jobs,
            keep=labels is not None,
        )
    for problem in summary.problems:
        err.print(f"[yellow]skipped[/yellow] {escape(problem.location)}: {escape(problem.reason)}")
    for doi, unanswered in summary.step_problems:
        err.print(f"[yellow]unanswered[/yellow] {escape(doi)}: {escape(unanswered)}")
    where = f" to {escape(str(output))}" if output else ""
    err.print(
        f"{summary.articles:,} article(s), {summary.with_reuse:,} with PTM reuse: "
        f"{summary.rows:,} record(s){where}"
        + (f"; {len(summary.problems):,} document(s) skipped" if summary.problems else "")
    )
    if candidates is not None:
        with atomic_write(candidates, "w", encoding="utf-8", newline="") as handle:
            written = write_candidates(handle, summary)
        err.print(
            f"{written:,} model(s) not in the registry written to {escape(str(candidates))}; "
            f"check them, then add them with --aliases {escape(str(candidates))}"
        )
    if labels is not None:
        _print_evaluation(compare(summary.kept, labels, resolver))


def _print_evaluation(evaluation: Any) -> None:
    table = Table(title=f"Extraction against labels ({evaluation.papers} papers)")
    for column in ("measure", "TP", "FP", "FN", "TN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, scores in evaluation.measures():
        negatives = "" if scores.true_negatives is None else str(scores.true_negatives)
        table.add_row(
            name,
            str(scores.true_positives),
            str(scores.false_positives),
            str(scores.false_negatives),
            negatives,
            f"{scores.precision:.3f}",
            f"{scores.recall:.3f}",
            f"{scores.f1:.3f}",
        )
    out.print(table)
    labels = evaluation.confusion_labels()
    confusion = Table(title="Patterns per (paper, model): labels (rows) x extraction (columns)")
    confusion.add_column("label \\ extracted")
    for label in labels:
        confusion.add_column(label, justify="right")
    for row in labels:
        confusion.add_row(row, *(str(evaluation.confusion.get((row, c), 0) or "") for c in labels))
    out.print(confusion)
    if evaluation.disagreements:
        out.print(f"[bold]Disagreements ({len(evaluation.disagreements)})[/bold]")
        for d in evaluation.disagreements:
            out.print(
                f"  {escape(d.doi)}  {d.kind}: label {escape(d.label)}, extracted "
                f"{escape(d.extracted)}"
                + (f"\n      evidence: {escape(d.evidence)}" if d.evidence else "")
            )
    if evaluation.labelled_only:
        out.print(f"labelled but not among the articles: {', '.join(evaluation.labelled_only)}")
    if evaluation.extracted_only:
        out.print(f"extracted but not labelled: {', '.join(evaluation.extracted_only)}")


def _print_build_report(report: "kg.BuildReport") -> None:
    for source in report.sources:
        also = f" + {source.skipped:,} {source.skip_reason}" if source.skipped else ""
        out.print(
            f"[bold]{escape(str(source.path))}[/bold] ({source.format}, {source.layout}): "
            f"{source.read:,} read = {source.accepted:,} accepted + {source.rejected:,} rejected"
            f"{escape(also)}; {source.triples:,} triples"
        )
        for warning in source.warnings:
            err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
        for reject in source.rejects[:MAX_REJECTS_SHOWN]:
            err.print(f"  {escape(source.name)}, {reject.location}: {escape(reject.reason)}")
        if source.rejected > MAX_REJECTS_SHOWN:
            err.print(f"  ... and {source.rejected - MAX_REJECTS_SHOWN:,} more")
        if source.rejects_file and source.rejects_reloadable:
            err.print(
                f"  rejected rows are in {escape(str(source.rejects_file))}: fix them there and "
                f"build that file, or fix {escape(source.name)} and build it again"
            )
        elif source.rejects_file:
            err.print(
                f"  rejected rows are listed in {escape(str(source.rejects_file))}: fix them in "
                f"{escape(source.name)} and build it again"
            )
        if source.problems_file:
            err.print(
                f"  {len(source.problems):,} problem(s) that did not stop a paper (failed "
                f"analyses, models without a pattern or stage) are listed in "
                f"{escape(str(source.problems_file))}; they are kept visible in the graph"
            )
    read = sum(s.read for s in report.sources)
    accepted = sum(s.accepted for s in report.sources)
    skipped = sum(s.skipped for s in report.sources)
    out.print(
        f"Built {len(report.sources)} source(s) into {escape(report.store)}: "
        f"{read:,} read = {accepted:,} accepted + {report.rejected:,} rejected"
        + (f" + {skipped:,} filtered out" if skipped else "")
    )


# ------------------------------------------------------------------ stats


@app.command(
    epilog="Examples:  ptmkg stats  |  ptmkg stats --format json  |  ptmkg stats -o stats.json"
)
@user_errors
@reads_graph
def stats(
    store: StoreOption = None,
    stats_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="table or json. Default: table, or from the -o file's extension.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The same as --format json.", hidden=True)
    ] = False,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Summarise the graph: papers, models and reuse, by field, pattern and stage.

    Papers, papers using deep learning, papers reusing PTMs, models and reuse
    instances, overall and by field, by reuse pattern and by stage.

    Every figure comes from a named query in queries/ (corpus-summary,
    papers-by-field, reuse-by-pattern, reuse-by-stage).
    """
    from kg.query.stats import STATS_FORMATS, stats_json, stats_tables

    chosen = _chosen(STATS_FORMATS, "json" if as_json else stats_format, output, None)
    figures = kg.stats(_store(store, endpoint, timeout=timeout, retries=retries))
    if output is not None:
        _write_output(output, chosen.load()(figures))
    elif chosen.name == "json":
        out.print_json(stats_json(figures))
    else:
        for table in stats_tables(figures):
            out.print(table)


# --------------------------------------------------------------- validate


def _short(iri: str | None) -> str:
    if not iri:
        return ""
    for prefix, namespace in kg.PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _print_validation(report: "kg.ValidationReport", shown: int = 50) -> None:
    for warning in report.warnings[:shown]:
        out.print(f"[yellow]warning[/yellow] {escape(_short(warning.focus))}: ")
        out.print(f"    {escape(warning.message)}")
    if report.conforms:
        out.print(
            f"[green]valid[/green]: the graph's statements conform to the shapes "
            f"({report.checks} checks)"
        )
        return
    out.print(f"[red]{report.violation_count:,} SHACL violation(s)[/red] ({report.checks} checks)")
    for violation in report.violations[:shown]:
        detail = f"  property {_short(violation.path)}" if violation.path else ""
        if violation.value is not None:
            detail += f"  value {escape(violation.value)!r}"
        out.print(f"- {escape(_short(violation.focus))}{escape(detail)}")
        out.print(f"    {escape(violation.message)}")
    if report.violation_count > shown:
        out.print(f"... and {report.violation_count - shown:,} more")
    raise typer.Exit(1)


def _validate_with_progress(store: "kg.GraphStore") -> "kg.ValidationReport":
    progress = _progress("checks")
    task = progress.add_task("validating", total=None)

    def advance(done: int, total: int, check: Any) -> None:
        name = check.shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        progress.update(task, completed=done, total=total, description=f"validating {name}")

    with progress:
        return kg.validate(store, progress=advance)


@app.command(epilog="Example:  ptmkg validate --store ./my-store")
@user_errors
@reads_graph
def validate(
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl).

    Prints a table of violations and exits with status 1 if there are any.
    """
    _print_validation(
        _validate_with_progress(_store(store, endpoint, timeout=timeout, retries=retries))
    )


# ------------------------------------------------------------------- dump


def _rdf_format_names() -> str:
    from kg.rdf.formats import RDF_OUTPUT_FORMATS

    return ", ".join(RDF_OUTPUT_FORMATS)


@app.command(epilog="Examples:  ptmkg dump --format turtle -o graph.ttl  |  ptmkg dump -o graph.nq")
@user_errors
@reads_graph
def dump(
    store: StoreOption = None,
    rdf_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {_later(_rdf_format_names)}. "
            "Default: from the output file's extension, else nquads.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    graph: Annotated[
        str | None, typer.Option("--graph", help="Dump only this named graph (an IRI).")
    ] = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Write the graph in an RDF format.

    Quad formats (N-Quads, TriG) keep the named graphs; triple formats get the union
    of all graphs, or the one named with --graph.
    """
    from kg.rdf.formats import RDF_OUTPUT_FORMATS, oxigraph_format

    chosen = _chosen(RDF_OUTPUT_FORMATS, rdf_format, output, "nquads")
    source = _store(store, endpoint, timeout=timeout, retries=retries)
    if output is None:
        source.dump(_stdout_bytes(), oxigraph_format(chosen), graph)
        sys.stdout.flush()
        return
    try:
        with atomic_write(output) as handle:
            source.dump(handle, oxigraph_format(chosen), graph)
    except OSError as exc:
        raise kg.PtmkgError(f"cannot write {output}: {exc.strerror}") from None
    err.print(f"wrote {chosen.name} to {escape(str(output))}")


# ========================================================= asking questions
#
# Canned queries, ad-hoc SPARQL, result formats and the report. Everything here
# parses arguments and prints; the work is in kg.query.named, kg.query.sparql, kg.query.results
# and kg.report.document.

ResultFormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Output format: table, csv, tsv, json, xml (SPARQL 1.1 results), md, or "
        "spreadsheet (CSV in which no value runs as a formula); "
        "CONSTRUCT and DESCRIBE take an RDF format "
        f"({_later(_rdf_format_names)}). Default: a table on a terminal, else from the "
        "output file's extension, else csv (turtle for graphs).",
        show_default=False,
    ),
]
ResultOutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
]

queries_app = typer.Typer(
    help="List the canned queries, or show one with its parameters.",
    no_args_is_help=False,
    invoke_without_command=True,
    epilog="Examples:  ptmkg queries  |  ptmkg queries show top-models",
)
app.add_typer(queries_app, name="queries")


@queries_app.callback()
@user_errors
def queries_list(context: typer.Context) -> None:
    """List the canned queries: name, what they answer, and their parameters."""
    if context.invoked_subcommand is not None:
        return
    table = Table(title="Canned queries (run one with: ptmkg query NAME)", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters")
    for query in kg.load_queries().values():
        parameters = ", ".join(p.name + ("" if p.required else "?") for p in query.parameters)
        table.add_row(escape(query.name), escape(query.title), escape(parameters))
    out.print(table)


@queries_app.command(
    "show", epilog="Examples:  ptmkg queries show top-models  |  ptmkg queries show co-reuse"
)
@user_errors
def queries_show(
    name: Annotated[str, typer.Argument(help="The query's name.", show_default=False)],
) -> None:
    """Print a canned query: what it answers, its parameters and its SPARQL."""
    query = kg.get_query(name)
    out.print(f"[bold]{escape(query.name)}[/bold]: {escape(query.title)}")
    out.print(escape(query.description))
    if query.parameters:
        table = Table(title="Parameters (--param NAME=VALUE)", title_justify="left")
        for heading in ("name", "type", "when left out", "description"):
            table.add_column(heading)
        for parameter in query.parameters:
            table.add_row(
                escape(parameter.name),
                escape(parameter.type),
                escape(parameter.describe()),
                escape(parameter.description),
            )
        out.print(table)
    else:
        out.print("Parameters: none")
    out.print(f"\n[dim]{escape(str(query.path))}[/dim]")
    out.print(escape(query.body), highlight=False)


def _refuse_unknown_extension(result: Any, output: Path) -> None:
    """An output file whose extension names no format is refused, never written as CSV."""
    from kg.rdf.formats import RDF_OUTPUT_FORMATS

    registry = RDF_OUTPUT_FORMATS if isinstance(result, kg.GraphResult) else kg.RESULT_FORMATS
    _chosen(registry, None, output, None)


ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Columns the terminal table shows, comma-separated (default: all, with IRI "
        "columns hidden behind their label columns). Files get every column.",
        show_default=False,
    ),
]


def _emit(
    result: Any,
    format_name: str | None,
    output: Path | None,
    title: str | None,
    columns: str | None = None,
) -> None:
    """Print a result as a table on a terminal, else write it in the chosen format."""
    if isinstance(result, kg.UpdateResult):
        out.print(f"applied the {result.form} update to {escape(result.store)}")
        return
    if output is not None:
        if format_name is None and output.suffix:
            _refuse_unknown_extension(result, output)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(output) as handle:
                written = kg.write_result(result, handle, format_name, output.name)
        except OSError as exc:
            raise kg.PtmkgError(f"cannot write {output}: {exc.strerror}") from None
        err.print(f"wrote {written} to {escape(str(output))}")
        return
    if format_name is None and out.is_terminal and not isinstance(result, kg.GraphResult):
        chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
        out.print(kg.rich_table(result, title, chosen))
        return
    kg.write_result(result, _stdout_bytes(), format_name)
    sys.stdout.flush()


@app.command(
    epilog="Examples:  ptmkg query papers-by-field  |  ptmkg query top-models --param limit=5 "
    "--param field=Neuroscience  |  ptmkg query papers-reusing-model -p model=ResNet-50 "
    "--format csv -o resnet.csv"
)
@user_errors
@reads_graph
def query(
    name: Annotated[
        str, typer.Argument(help="A canned query ('ptmkg queries' lists them).", show_default=False)
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A parameter as NAME=VALUE; repeatable. 'ptmkg queries show NAME' lists them.",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    result_format: ResultFormatOption = None,
    output: ResultOutputOption = None,
    columns: ColumnsOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Run a canned query, with its parameters bound safely as values.

    Fields, patterns and stages are given by name (field=Neuroscience, field=28,
    pattern=adaptation, stage=test), models by any name or alias in the graph
    (model=ResNet-50, model=AF2).
    """
    values = kg.parse_assignments(param or [])
    named = kg.get_query(name)
    source = _store(store, endpoint, timeout=timeout, retries=retries)
    result = kg.run_query(source, name, values)
    _emit(result, result_format, output, named.title, columns)


@app.command(
    epilog="Examples:  ptmkg sparql 'SELECT ?m WHERE { ?m a ptm:PretrainedModel }'  |  "
    "ptmkg sparql --file q.rq --format json -o out.srj  |  "
    "echo 'ASK { ?p a ptm:Paper }' | ptmkg sparql  |  "
    "ptmkg sparql --update 'INSERT DATA { ... }'"
)
@user_errors
@reads_graph
def sparql(
    text: Annotated[
        str | None,
        typer.Argument(
            help="The query. Default: read from --file, else from stdin.", show_default=False
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the query from this file ('-' is stdin).")
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Allow a SPARQL update (INSERT, DELETE, LOAD, CLEAR, DROP, ...). Updates run "
            "as one atomic write; their WHERE sees the default graph, use GRAPH ?g for sources.",
        ),
    ] = False,
    allow_service: AllowServiceOption = None,
    store: StoreOption = None,
    result_format: ResultFormatOption = None,
    output: ResultOutputOption = None,
    columns: ColumnsOption = None,
    endpoint: EndpointOption = None,
    update_endpoint: UpdateEndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Run your own SPARQL over the graph (the union of all sources' graphs).

    The common prefixes are predeclared ('ptmkg prefixes' lists them). Queries are
    read-only: an update is refused unless --update is given. Results come in a
    stable order: a query without ORDER BY has its rows sorted.
    """
    if text is not None and file is not None:
        raise kg.PtmkgError("give the query as an argument or with --file, not both")
    if text is None:
        if file is not None and str(file) != "-":
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise kg.PtmkgError(f"cannot read {file}: {exc.strerror}") from None
            except UnicodeDecodeError:
                raise kg.PtmkgError(f"{file} is not UTF-8 text") from None
        elif file is not None or not sys.stdin.isatty():
            text = sys.stdin.read()
        else:
            raise kg.PtmkgError(
                "no query: give it as an argument, with --file, or on stdin "
                "(ptmkg sparql --help has examples)"
            )
    source = _store(
        store, endpoint, update_endpoint=update_endpoint, timeout=timeout, retries=retries
    )
    result = kg.execute_sparql(
        source, text, allow_update=update, allowed_services=tuple(allow_service or ())
    )
    _emit(result, result_format, output, None, columns)


# ---------------------------------------------------------------- sources

sources_app = typer.Typer(
    help="The sources the graph was built from: list them, show one, drop one.",
    no_args_is_help=False,
    invoke_without_command=True,
    epilog="Examples:  ptmkg sources  |  ptmkg sources show sheet.csv  |  "
    "ptmkg sources drop old-sheet.csv  |  ptmkg sources --format csv -o sources.csv",
)
app.add_typer(sources_app, name="sources")

_SOURCE_COLUMNS = "name,format,location,modified,read,accepted,rejected,triples"


@sources_app.callback()
@user_errors
@reads_graph
def sources_list(
    context: typer.Context,
    store: StoreOption = None,
    result_format: ResultFormatOption = None,
    output: ResultOutputOption = None,
    columns: ColumnsOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """List every source: name, format, the file it was read from and its modification
    time, records read, accepted and rejected, and the triples its graph holds.

    The rows come from the named query 'sources' (with the SHA-256 and graph IRI, shown
    with --columns or in a file).
    """
    if context.invoked_subcommand is not None:
        return
    source = _store(store, endpoint, timeout=timeout, retries=retries)
    result = kg.run_query(source, "sources")
    _emit(result, result_format, output, "Sources", columns or _SOURCE_COLUMNS)


@sources_app.command("show", epilog="Example:  ptmkg sources show sheet.csv")
@user_errors
@reads_graph
def sources_show(
    name: Annotated[str, typer.Argument(help="The source's name (its file name) or graph IRI.")],
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Show one source: its graph, file, checksum and counts."""
    from kg.query.sources import find_source

    info = find_source(_store(store, endpoint, timeout=timeout, retries=retries), name)
    rows = [
        ("name", info.name),
        ("graph", info.graph),
        ("format", info.format),
        ("file", info.path or "(not recorded)"),
        ("modified", info.modified or "(not recorded)"),
        ("sha256", info.sha256 or ""),
        ("records read", info.read),
        ("accepted", info.accepted),
        ("rejected", info.rejected),
        ("skipped", info.skipped),
        ("triples", info.triples),
    ]
    out.print(
        terminal_table(
            [{"what": k, "value": display_value("", v)} for k, v in rows],
            {"what": "", "value": ""},
            title=f"Source {info.name}",
            show_header=False,
        )
    )


@sources_app.command("drop", epilog="Example:  ptmkg sources drop old-sheet.csv")
@user_errors
def sources_drop(
    name: Annotated[str, typer.Argument(help="The source's name (its file name) or graph IRI.")],
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    update_endpoint: UpdateEndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Remove one source's graph; every other source stays as it was."""
    from kg.query.sources import drop_source

    target = _store(
        store, endpoint, update_endpoint=update_endpoint, timeout=timeout, retries=retries
    )
    dropped = drop_source(target, name)
    out.print(
        f"dropped {escape(dropped.name)} ({dropped.triples:,} triples, graph "
        f"{escape(dropped.graph)}) from {escape(target.location)}"
    )


@app.command(epilog="Example:  ptmkg prefixes")
@user_errors
def prefixes() -> None:
    """List the prefixes every query may use without declaring them."""
    if not out.is_terminal:
        for prefix, iri in kg.PREFIXES.items():
            sys.stdout.write(f"PREFIX {prefix}: <{iri}>\n")
        return
    table = Table(title="Predeclared prefixes", title_justify="left")
    table.add_column("prefix")
    table.add_column("IRI")
    for prefix, iri in kg.PREFIXES.items():
        table.add_row(escape(f"{prefix}:"), escape(iri))
    out.print(table)


@app.command(
    epilog="Examples:  ptmkg report -o report  |  ptmkg report -o reuse.html  |  "
    "ptmkg report -o out --title 'PTM reuse 2025'"
)
@user_errors
@reads_graph
def report(
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="Folder to write the report into (report.md, report.html, charts/), or a "
            "file ending in .html for the page alone.",
        ),
    ],
    store: StoreOption = None,
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = REPORT_TITLE,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Write a report: Markdown and one offline HTML file with tables and charts.

    The study's tables and PNG charts (PTM share, PTM-reusing papers by field, reuse
    patterns overall and per field, stage impact per pattern, top models, reuse over
    time), each drawn only when the graph has its data; sections with nothing in this
    graph are collapsed to a line saying what fills them.

    Every number comes from the canned queries, so it matches 'ptmkg query'.
    """
    source = _store(store, endpoint, timeout=timeout, retries=retries)
    written = kg.write_report(source, output, title=title)
    if written.markdown is not None:
        out.print(f"wrote {escape(str(written.markdown))}")
    out.print(f"wrote {escape(str(written.html))}")
    for chart in written.charts:
        out.print(f"wrote {escape(str(chart))}")
    if written.missing_data:
        headings = "; ".join(section.spec.heading for section in written.missing_data)
        err.print(f"no data in this graph for: {escape(headings)}; the report says what fills them")


# ====================================================== beyond one machine
#
# 'ptmkg push' copies the graph to a SPARQL server, 'ptmkg serve' makes the local
# store one. The work is in kg.push, kg.stores.remote and kg.stores.serve.


@app.command(
    epilog="Examples:  ptmkg push --endpoint http://localhost:7878/query  |  "
    "PTMKG_ENDPOINT_USER=dba PTMKG_ENDPOINT_PASSWORD=... PTMKG_ENDPOINT_AUTH=digest "
    "ptmkg push --endpoint http://localhost:8890/sparql-auth  |  "
    "ptmkg push --endpoint URL --graph https://w3id.org/ptmkg/id/source/sheet.csv"
)
@user_errors
def push(
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            envvar="PTMKG_ENDPOINT",
            help="The server's SPARQL query URL (credentials as for every --endpoint).",
            show_default=False,
        ),
    ],
    store: StoreOption = None,
    graph: Annotated[
        list[str] | None,
        typer.Option(
            "--graph",
            help="Push only this named graph (an IRI); repeatable. Default: every graph.",
            show_default=False,
        ),
    ] = None,
    update_endpoint: UpdateEndpointOption = None,
    gsp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--gsp-endpoint",
            help="The server's Graph Store Protocol URL (default: known for Oxigraph's and "
            "Virtuoso's layouts; without one, SPARQL Update is used).",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Triples per request.")
    ] = PUSH_BATCH_SIZE,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    no_union_check: Annotated[
        bool,
        typer.Option(
            "--no-union-check",
            help="Push even to a server whose default graph is not the union of its named "
            "graphs (ptmkg's queries will then refuse it). Default: such a server is refused "
            "before anything is sent.",
        ),
    ] = False,
) -> None:
    """Copy the graph to a SPARQL server, replacing each named graph there.

    Each named graph is replaced (never added to), in batches through the Graph Store
    Protocol where the server offers it, else SPARQL Update.

    First the server is checked: its default graph must be the union of its named graphs,
    as ptmkg's queries need (one probe triple, written to a graph of its own and dropped).
    Afterwards the server's triple count of each graph is checked against the local one;
    a difference is an error. An interrupted push, run again, ends with the same graphs.
    On a terminal a progress line shows the graph and the triples sent; otherwise only
    the summary is printed.
    """
    local = kg.EmbeddedStore(store or kg.default_store_path())
    remote = _store(
        None,
        endpoint,
        update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
        timeout=timeout,
        retries=retries,
    )
    if not isinstance(remote, kg.RemoteStore):
        raise kg.PtmkgError("push copies the graph to a SPARQL server: give --endpoint URL")
    progress = _progress("triples")
    task = progress.add_task("checking the server", total=None)

    def advance(step: "kg.PushProgress") -> None:
        if step.step == "checking":
            progress.update(task, description="checking the server", total=None)
            return
        # The graph's number and name first: a narrow terminal cuts the description's end.
        where = f"{step.number}/{step.graphs} {_graph_label(step.graph)}"
        description = {
            "verifying": f"counting {step.number}/{step.graphs} on the server",
            "repairing": f"again: {where}",
        }.get(step.step, where)
        progress.update(task, description=description, completed=step.sent, total=step.total)

    try:
        with progress:
            report = kg.push(
                local,
                remote,
                graphs=graph or None,
                batch_size=batch_size,
                progress=advance,
                check_union=not no_union_check,
            )
    except kg.PushMismatch:
        raise
    except kg.EndpointError as exc:
        raise kg.PtmkgError(
            f"{exc}. The graphs sent so far are on the server; run the same push again to "
            f"complete it"
        ) from None
    for pushed in report.graphs:
        out.print(
            f"{escape(pushed.graph)}: {pushed.remote_triples:,} triples "
            f"({pushed.batches:,} batch(es), {pushed.method})"
            + (
                f"; sent again {pushed.repairs} time(s), as its count differed at first"
                if pushed.repairs
                else ""
            )
        )
    out.print(
        f"pushed {len(report.graphs)} graph(s), {report.triples:,} triples, to "
        f"{escape(report.endpoint)}; the counts on the server match"
    )
    if report.union_default_graph is False:
        err.print(
            "[yellow]warning[/yellow]: the server's default graph is not the union of its "
            "named graphs, so ptmkg's queries will refuse it; queries there must name the "
            "graphs (GRAPH ?g { ... }). Oxigraph: 'oxigraph serve --union-default-graph'"
        )


def _graph_label(iri: str | None) -> str:
    """A named graph as a progress line shows it: a source's name, or the IRI's last part."""
    import urllib.parse

    if not iri:
        return ""
    return urllib.parse.unquote(iri.rstrip("/#").rsplit("/", 1)[-1]) or iri


@app.command(
    epilog="Examples:  ptmkg serve  |  ptmkg serve --port 8000 --cors https://yasgui.triply.cc  |  "
    "ptmkg serve --host 0.0.0.0   (every interface: only on a trusted network)"
)
@user_errors
def serve(
    store: StoreOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; 0.0.0.0 opens it to the network."),
    ] = SERVE_HOST,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = SERVE_PORT,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors",
            help="Allow web pages of this origin (e.g. https://yasgui.triply.cc) to query; "
            "repeatable; '*' allows every origin. Pages of other origins are refused.",
            show_default=False,
        ),
    ] = None,
    allow_service: AllowServiceOption = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help="Seconds a query may run (the server counts whole seconds: 0.5 is 1).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the graph as a read-only SPARQL endpoint until Ctrl-C.

    The real Oxigraph server, for colleagues and tools such as YASGUI or Gephi's
    SPARQL plugin. Its query page (YASGUI) opens in a browser at the address served,
    on a query that declares the project's prefixes.

    Queries see the union of all sources' graphs, as 'ptmkg query' does; updates are
    refused. The graph served is the one built when the server started.
    """
    local = kg.EmbeddedStore(store or kg.default_store_path())
    server = kg.ReadOnlyServer(
        local,
        host=host,
        port=port,
        cors_origins=tuple(cors or ()),
        allowed_services=tuple(allow_service or ()),
        timeout_seconds=timeout,
    )
    server.start()
    try:
        allowed = f", CORS for {', '.join(cors)}" if cors else ""
        err.print(
            f"serving {escape(local.location)} read-only at {escape(server.url)} "
            f"(SPARQL 1.1 Protocol{escape(allowed)}); a query page (YASGUI) at "
            f"{escape(server.page_url)}; Ctrl-C stops it"
        )
        status = server.wait()
    finally:
        server.stop()  # whatever stopped us, the server goes too
    if status not in (0, -2, -15):
        raise kg.PtmkgError(f"the Oxigraph server stopped with exit status {status}")


# ================================================================ networks
#
# 'ptmkg network KIND': the graph as a network for Gephi, Cytoscape, d3 or the
# browser, or its statistics. The work is in kg.networks.graph (building, stats) and
# kg.networks.formats (files).


def _network_kinds_help() -> str:
    from kg.networks.graph import NETWORK_KINDS

    return "; ".join(f"{kind.name}: {kind.description}" for kind in NETWORK_KINDS.values())


def _network_format_names() -> str:
    from kg.networks.formats import NETWORK_FORMATS

    return ", ".join(NETWORK_FORMATS)


@app.command(
    epilog="Examples:  ptmkg network model-field -o net.graphml  |  "
    "ptmkg network model-model --field Neuroscience --min-weight 2 -o models.html  |  "
    "ptmkg network field-field --format json > fields.json  |  "
    "ptmkg network model-field --year-from 2020 --top 30 -o net.png  |  "
    "ptmkg network paper-model -o raw.csv  |  ptmkg network model-field --stats"
)
@user_errors
@reads_graph
def network(
    kind: Annotated[
        str,
        typer.Argument(help=f"The network. {_later(_network_kinds_help)}.", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write; its extension picks the format. CSV writes OUT-nodes.csv and "
            "OUT-edges.csv for -o OUT.csv, or nodes.csv and edges.csv into a folder.",
        ),
    ] = None,
    network_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of {_later(_network_format_names)}. Default: from the output file's "
            "extension. Text formats go to stdout without -o. With --stats: table or csv.",
            show_default=False,
        ),
    ] = None,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            help="model-model: link models through shared 'paper' (default) or 'field'; "
            "field-field: through shared 'model' (default) or 'paper'.",
            show_default=False,
        ),
    ] = None,
    field: Annotated[
        str | None,
        typer.Option(
            "--field",
            help="Keep papers in this field (name, id such as 28, or IRI).",
            show_default=False,
        ),
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(
            "--pattern",
            help="Keep reuse with this pattern (conceptual, adaptation, deployment).",
            show_default=False,
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help="Keep reuse with impact at this stage (e.g. test, analysis).",
            show_default=False,
        ),
    ] = None,
    year_from: Annotated[
        int | None,
        typer.Option(
            "--year-from", help="Keep papers published in this year or later.", show_default=False
        ),
    ] = None,
    year_to: Annotated[
        int | None,
        typer.Option(
            "--year-to", help="Keep papers published in this year or earlier.", show_default=False
        ),
    ] = None,
    min_weight: Annotated[
        int | None,
        typer.Option(
            "--min-weight",
            help="Drop lighter edges, then nodes left without an edge.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            help="Keep the N heaviest nodes (most papers, then weighted degree).",
            show_default=False,
        ),
    ] = None,
    show_stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            help="Print degree, weighted degree, betweenness, eigenvector centrality and "
            "Louvain communities instead of the network.",
        ),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Rows in the tables printed on the terminal.")
    ] = TERMINAL_ROWS,
    width: Annotated[
        int, typer.Option("--width", help="PNG and SVG width in pixels.")
    ] = DRAWING_WIDTH,
    height: Annotated[
        int, typer.Option("--height", help="PNG and SVG height in pixels.")
    ] = DRAWING_HEIGHT,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title of a drawing or HTML page.", show_default=False),
    ] = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
) -> None:
    """Export a network: models and fields, models together, fields together, or papers.

    Which models serve which fields (model-field), which models travel together
    (model-model), which fields share models (field-field), or the raw paper-model graph.

    Edge weights count distinct papers (model-field, model-model via paper, paper-model),
    shared fields (model-model --via field) or shared models (field-field). model-field
    edges also count papers per reuse pattern and per stage. Nodes carry their IRI,
    label, type, degree, papers and external ids (DOI, OpenAlex field).

    Formats: GraphML and GEXF (Gephi, Cytoscape), GML, node-link JSON (d3), Cytoscape.js
    JSON (.cyjs), CSV (nodes + edges), PNG and SVG drawings, and an interactive HTML page
    that works offline.
    """
    from kg.networks.drawing import drawing_note
    from kg.networks.formats import choose_format, render_network, to_stdout

    graph = kg.network(
        _store(store, endpoint, timeout=timeout, retries=retries),
        kind,
        via=via,
        field=field,
        pattern=pattern,
        stage=stage,
        year_from=year_from,
        year_to=year_to,
        min_weight=min_weight,
        top=top,
    )
    if show_stats:
        _print_network_stats(graph, network_format, output, limit)
        return
    drawing = {"width": width, "height": height, "title": title}
    if output is not None:
        chosen = choose_format(network_format, output)
        written = kg.write_network(graph, output, chosen.name, **drawing)
        shown = ", ".join(escape(str(path)) for path in written)
        err.print(
            f"wrote the {escape(kind)} network ({len(graph):,} nodes, "
            f"{graph.number_of_edges():,} edges) as {chosen.name} to {shown}"
        )
        if chosen.name in ("png", "svg") and drawing_note(graph):
            err.print(escape(drawing_note(graph)))
        return
    if network_format is not None:
        chosen = choose_format(network_format, None)
        if not to_stdout(chosen):
            raise kg.PtmkgError(f"{chosen.name} needs an output file: add -o FILE")
        sys.stdout.buffer.write(render_network(graph, chosen.name, **drawing))
        sys.stdout.flush()
        return
    _print_network_summary(graph, limit)


def _print_network_summary(graph: Any, limit: int) -> None:
    from kg.networks.graph import network_kind

    kind = network_kind(graph.graph["kind"])
    out.print(
        f"[bold]{escape(kind.name)}[/bold] network: {len(graph):,} nodes, "
        f"{graph.number_of_edges():,} edges"
        + (f" ({escape(graph.graph['filters'])})" if graph.graph.get("filters") else "")
    )
    out.print(f"edge weight: {escape(graph.graph['weighting'])}")
    table = Table(title=f"Heaviest edges (top {limit})", title_justify="left")
    table.add_column("node", no_wrap=True)
    table.add_column("node", no_wrap=True)
    table.add_column("weight", justify="right")
    heaviest = sorted(
        graph.edges(data="weight"),
        key=lambda edge: (-edge[2], graph.nodes[edge[0]]["label"], graph.nodes[edge[1]]["label"]),
    )
    for a, b, weight in heaviest[:limit]:
        table.add_row(
            escape(graph.nodes[a]["label"]), escape(graph.nodes[b]["label"]), _number(weight)
        )
    if not heaviest:
        table.caption = "(no edges)"
    out.print(table)
    err.print("write it with -o FILE (.graphml .gexf .gml .json .cyjs .csv .png .svg .html)")


def _print_network_stats(
    graph: Any, format_name: str | None, output: Path | None, limit: int
) -> None:
    from kg.networks.statistics import NETWORK_STATS_FORMATS, stats_csv, stats_tables

    chosen = _chosen(NETWORK_STATS_FORMATS, format_name, output, None)
    figures = kg.network_stats(graph)
    if output is not None:
        text = stats_csv(figures) if chosen.name == "csv" else chosen.load()(figures, limit)
        _write_output(output, text)
    elif chosen.name == "csv":
        sys.stdout.write(stats_csv(figures))
    else:
        for part in stats_tables(figures, limit):
            out.print(part)


# ================================================================= linking
#
# 'ptmkg link openalex' and 'ptmkg link wikidata': the graph's papers and models
# looked up in OpenAlex and Wikidata. The work is in kg.links (and kg.http for
# pacing, retries and the cache); this section parses options and prints.

link_app = typer.Typer(
    help="Link the graph's papers and models to OpenAlex and Wikidata (each link command "
    "writes its own named graph, replaced by a rerun).",
    no_args_is_help=True,
)
app.add_typer(link_app, name="link")

LinkCacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="Cache of answers (SQLite). Default: link-cache.sqlite in the store folder.",
        show_default=False,
    ),
]
LinkBaseIriOption = Annotated[
    str,
    typer.Option(
        "--base-iri", envvar="PTMKG_BASE_IRI", help="The base IRI the graph was built with."
    ),
]
LinkRefreshOption = Annotated[
    bool, typer.Option("--refresh", help="Ask again even what the cache already knows.")
]
LinkRetriesOption = Annotated[
    int, typer.Option("--retries", help="Retries of a request answered 429, 5xx or not at all.")
]
LinkBackoffOption = Annotated[
    float,
    typer.Option("--backoff", help="Seconds before the first retry; doubles for each further one."),
]


def _link_policy(rate: float, retries: int, backoff: float) -> Any:
    from kg.http import RetryPolicy

    return RetryPolicy.with_retries(retries, requests_per_second=rate, backoff=backoff)


def _link_progress() -> tuple[Any, Callable[[str, int, int], None]]:
    progress = _progress("")
    tasks: dict[str, Any] = {}

    def advance(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = progress.add_task(f"asking for {what}", total=total)
        progress.update(tasks[what], completed=done)

    return progress, advance


@contextlib.contextmanager
def _resumable_link() -> Iterator[Callable[[str, int, int], None]]:
    """A link command's progress bar, and the one way its failures are explained."""
    progress, advance = _link_progress()
    try:
        with progress:
            yield advance
    except kg.PtmkgError as exc:
        raise kg.PtmkgError(
            f"{exc}; the store is unchanged, and what was fetched is cached: run the same "
            f"command again to resume"
        ) from None


def _print_link_cache(asked: int, from_cache: int, requests: int, cache: Path | None) -> None:
    where = f" ({escape(str(cache))})" if cache else ""
    out.print(
        f"{from_cache:,} answered from the cache{where}, {asked:,} asked in {requests:,} request(s)"
    )


@link_app.command(
    "openalex",
    epilog="Examples:  ptmkg link openalex --mailto you@example.org  |  "
    "ptmkg link openalex --batch-size 25 --rate 2",
)
@user_errors
def link_openalex(
    store: StoreOption = None,
    mailto: Annotated[
        str | None,
        typer.Option(
            "--mailto",
            envvar="PTMKG_MAILTO",
            help="Your e-mail, sent to OpenAlex for its polite pool (faster, more reliable).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="The OpenAlex API.")] = OPENALEX_API,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="DOIs per request (at most 100).")
    ] = OPENALEX_BATCH,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second, at most.")
    ] = OPENALEX_RATE,
    retries: LinkRetriesOption = HTTP_RETRIES,
    backoff: LinkBackoffOption = HTTP_BACKOFF,
    cache: LinkCacheOption = None,
    refresh: LinkRefreshOption = False,
    base_iri: LinkBaseIriOption = kg.DEFAULT_BASE_IRI,
    origins: Annotated[
        bool,
        typer.Option(
            "--origins/--no-origins",
            help="Also the origin papers of the models (model registry, model cards).",
        ),
    ] = True,
) -> None:
    """Fill in OpenAlex metadata (title, year, venue, topics, citations, ...) for the
    papers that lack it, and for the models' origin papers, looked up by DOI, many DOIs
    per request.

    The works go into their own graph (<base>source/link-openalex), which a rerun
    rebuilds. Answers are cached as they arrive: an interrupted or failed run is
    resumed by running it again, and a rerun asks only for DOIs it has not asked.
    """
    from kg.links import link_openalex as run_link

    with _resumable_link() as advance:
        report = run_link(
            _store(store),
            base_url=base_url,
            mailto=mailto,
            batch_size=batch_size,
            policy=_link_policy(rate, retries, backoff),
            cache_path=cache,
            refresh=refresh,
            base_iri=base_iri,
            progress=advance,
            origins=origins,
        )
    out.print(
        f"{report.papers:,} paper(s) without OpenAlex metadata: {report.written:,} linked, "
        f"{len(report.not_found):,} not in OpenAlex, {len(report.rejects):,} rejected"
    )
    if origins:
        out.print(
            f"{report.origins:,} origin paper(s) of models without it: "
            f"{report.origins_written:,} linked, {len(report.origins_not_found):,} not in OpenAlex"
        )
    _print_link_cache(report.asked, report.from_cache, report.requests, report.cache)
    for reject in report.rejects[:MAX_REJECTS_SHOWN]:
        err.print(f"  {escape(reject.location)}: {escape(reject.reason)}")
    for doi in report.not_found[:MAX_REJECTS_SHOWN]:
        err.print(f"  not in OpenAlex: {escape(doi)}")
    if len(report.not_found) > MAX_REJECTS_SHOWN:
        err.print(f"  ... and {len(report.not_found) - MAX_REJECTS_SHOWN:,} more")
    for warning in report.warnings + [f"not a DOI: {d}" for d in report.invalid]:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    out.print(f"wrote {report.triples:,} triples into {escape(report.graph)}")


@link_app.command(
    "wikidata",
    epilog="Examples:  ptmkg link wikidata  |  ptmkg link wikidata --only models  |  "
    "ptmkg link wikidata --drop  |  ptmkg link wikidata --papers-endpoint "
    "http://localhost:7878/query --models-endpoint http://localhost:7878/query",
)
@user_errors
def link_wikidata(
    store: StoreOption = None,
    papers_endpoint: Annotated[
        str,
        typer.Option(
            "--papers-endpoint",
            help="SPARQL endpoint for papers (Wikidata's scholarly articles).",
        ),
    ] = WIKIDATA_SCHOLARLY,
    models_endpoint: Annotated[
        str,
        typer.Option("--models-endpoint", help="SPARQL endpoint for models (main Wikidata)."),
    ] = WIKIDATA_MAIN,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Link only 'papers' or only 'models'.", show_default=False),
    ] = None,
    model_class: Annotated[
        list[str] | None,
        typer.Option(
            "--model-class",
            help="A Wikidata class (Q id) a model's item must be an instance or subclass of; "
            "repeatable. Default: Q192776 (artificial neural network).",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="DOIs, items or names per query.")
    ] = WIKIDATA_BATCH,
    rate: Annotated[
        float, typer.Option("--rate", help="Queries per second, at most.")
    ] = WIKIDATA_RATE,
    retries: LinkRetriesOption = HTTP_RETRIES,
    backoff: LinkBackoffOption = HTTP_BACKOFF,
    cache: LinkCacheOption = None,
    refresh: LinkRefreshOption = False,
    drop: Annotated[
        bool, typer.Option("--drop", help="Remove the Wikidata links and do nothing else.")
    ] = False,
    mailto: Annotated[
        str | None,
        typer.Option(
            "--mailto",
            envvar="PTMKG_MAILTO",
            help="Your e-mail, sent in the User-Agent as Wikimedia's policy asks of tools.",
            show_default=False,
        ),
    ] = None,
    base_iri: LinkBaseIriOption = kg.DEFAULT_BASE_IRI,
) -> None:
    """Find Wikidata items for papers (by DOI, on the scholarly query service) and models
    (by the registry's Wikidata id, checked, else by label and alias under the allowed
    classes).

    The links go into their own graph (<base>source/link-wikidata), each with its
    endpoint, date and how it matched; a rerun replaces it, --drop removes it.
    Answers are cached as they arrive, so running again resumes.
    """
    from kg.links import MODEL_CLASSES, drop_wikidata_links
    from kg.links import link_wikidata as run_link

    target = _store(store)
    if drop:
        dropped = drop_wikidata_links(target, base_iri)
        out.print("dropped the Wikidata links" if dropped else "there were no Wikidata links")
        return
    if only not in (None, "papers", "models"):
        raise kg.PtmkgError(f"--only takes 'papers' or 'models', not {only!r}")
    with _resumable_link() as advance:
        report = run_link(
            target,
            papers_endpoint=papers_endpoint,
            models_endpoint=models_endpoint,
            papers=only != "models",
            models=only != "papers",
            model_classes=model_class or MODEL_CLASSES,
            batch_size=batch_size,
            policy=_link_policy(rate, retries, backoff),
            cache_path=cache,
            refresh=refresh,
            base_iri=base_iri,
            mailto=mailto,
            progress=advance,
        )
    if only != "models":
        linked = len({m.subject for m in report.paper_matches})
        out.print(f"papers: {linked:,} of {report.papers:,} linked by DOI")
    if only != "papers":
        linked = len({m.subject for m in report.model_matches})
        out.print(f"models: {linked:,} of {report.models:,} linked")
        table = Table(title="Model links", title_justify="left")
        for heading in ("model", "item", "how", "matched"):
            table.add_column(heading)
        for match in sorted(report.model_matches, key=lambda m: m.label.casefold()):
            table.add_row(
                escape(match.label),
                escape(match.item.rsplit("/", 1)[-1]),
                match.method,
                escape(match.matched),
            )
        if report.model_matches:
            out.print(table)
    for label, items in report.ambiguous:
        shown = ", ".join(i.rsplit("/", 1)[-1] for i in items)
        err.print(f"[yellow]ambiguous:[/yellow] {escape(label)} matches {shown}; not linked")
    for label, item in report.unverified:
        err.print(
            f"[yellow]warning:[/yellow] the registry's item {item.rsplit('/', 1)[-1]} for "
            f"{escape(label)} is not at {escape(report.models_endpoint)}; matched by name instead"
        )
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    _print_link_cache(report.asked, report.from_cache, report.requests, report.cache)
    out.print(f"wrote {report.triples:,} triples into {escape(report.graph)}")


# ------------------------------------------------------------------ ontology

ontology_app = typer.Typer(help="The ontology: its documentation page.", no_args_is_help=True)
app.add_typer(ontology_app, name="ontology")


@ontology_app.command(
    "docs",
    epilog="Examples:  ptmkg ontology docs -o ontology.html  |  ptmkg ontology docs --no-examples",
)
@user_errors
def ontology_docs(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        ONTOLOGY_PAGE
    ),
    store: StoreOption = None,
    examples: Annotated[
        bool, typer.Option(help="Show an example of each term from the store's graph.")
    ] = True,
) -> None:
    """Write the ontology as one HTML page: every class and property, its definition,
    alignments and an example from the graph. The page needs no network to open."""
    from kg.report.ontology_page import write_ontology_page

    count = write_ontology_page(output, _store(store) if examples else None)
    err.print(f"wrote {count} terms to {escape(str(output))}")


# ------------------------------------------------------------------ models

models_app = typer.Typer(
    help="Model identity: what a model mention resolves to, and why.", no_args_is_help=True
)
app.add_typer(models_app, name="models")

ModelAliasesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--aliases",
        help="Model registry or alias file to add (CSV: name, aliases, ...); repeatable.",
    ),
]


@models_app.command(
    "resolve",
    epilog="Examples:  ptmkg models resolve AF2 'VGGNet (VGG-16)' 'TargetP v2.0'  |  "
    "ptmkg models resolve --json 'Segment Anything Model (SAM)'",
)
@user_errors
def models_resolve(
    names: Annotated[list[str], typer.Argument(help="Model mentions, as sources write them.")],
    aliases: ModelAliasesOption = None,
    encoding: RegistryEncodingOption = SOURCE_ENCODING,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object a line.")] = False,
) -> None:
    """Show the model each mention resolves to, by which rule, with its backbone and family."""
    resolver = kg.ModelResolver.from_environment(aliases or [], encoding)
    records = [resolver.explain(name).record() for name in names]
    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title="Model mentions", title_justify="left")
    for column in ("mention", "model", "rule", "backbone", "version of", "check"):
        table.add_column(column)
    for record in records:
        model = f"{record['model']}" + ("" if record["known"] else " (new)")
        table.add_row(
            *(
                escape(str(value))
                for value in (
                    record["mention"],
                    model,
                    record["rule"],
                    record["backbone"],
                    record["version_of"],
                    record["check"],
                )
            )
        )
    out.print(table)


@models_app.command(
    "explain", epilog="Example:  ptmkg models explain 'BERT (BioBERT)' --aliases my-models.csv"
)
@user_errors
def models_explain(
    name: Annotated[str, typer.Argument(help="A model mention, as a source writes it.")],
    aliases: ModelAliasesOption = None,
    encoding: RegistryEncodingOption = SOURCE_ENCODING,
) -> None:
    """Tell why a mention resolves as it does: its key, the rule, the registry rows used."""
    explanation = kg.ModelResolver.from_environment(aliases or [], encoding).explain(name)
    for line in explanation.lines():
        out.print(escape(line))


# ------------------------------------------------------------------ synth


def _synth_formats_help() -> str:
    from kg.synth import SYNTH_FORMATS

    return "; ".join(f"{f.name}: {f.description}" for f in SYNTH_FORMATS.values())


@app.command(
    epilog="Examples:  ptmkg synth -o corpus.jsonl  |  ptmkg synth -o sheet.csv --papers 5000  "
    "|  ptmkg synth -o pipeline.db --papers 1000000 --seed 3"
)
@user_errors
def synth(
    positional: Annotated[
        Path | None,
        typer.Argument(help="The same as -o (kept for older scripts).", hidden=True),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (its extension names the format).",
            show_default=False,
        ),
    ] = None,
    papers: Annotated[int, typer.Option("--papers", help="Papers in the corpus.")] = SYNTH_PAPERS,
    seed: Annotated[
        int, typer.Option("--seed", help="Same seed and size, same files.")
    ] = SYNTH_SEED,
    format_name: Annotated[
        str | None,
        typer.Option(
            "--format", help=f"Format ({_later(_synth_formats_help)}).", show_default=False
        ),
    ] = None,
) -> None:
    """Write a synthetic corpus calibrated to the PTM-reuse study's published figures.

    Shares of PTM reuse, patterns, stages, models, fields and years follow the study's
    (kg/synth.py). The files say they are synthetic; a million papers stream out with
    little memory.
    """

    if output is not None and positional is not None:
        raise kg.PtmkgError("give the file once: -o FILE")
    target = output or positional
    if target is None:
        raise kg.PtmkgError("no file to write: give -o FILE (ptmkg synth -o corpus.jsonl)")
    from kg.synth import write_corpus

    report = write_corpus(target, format_name, papers=papers, seed=seed)
    err.print(
        f"wrote {report.papers:,} synthetic papers ({report.ptm_papers:,} reusing PTMs, "
        f"{report.reuses:,} reused models) to {escape(str(report.path))} as {report.format}"
    )


def _use_plain_help(typer_app: typer.Typer) -> None:
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = _Command
    for group in typer_app.registered_groups:
        if not isinstance(group.cls, type) or group.cls is TyperGroup:  # typer's default
            group.cls = _Group
        if group.typer_instance is not None:
            _use_plain_help(group.typer_instance)


_use_plain_help(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
