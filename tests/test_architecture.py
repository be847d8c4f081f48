"""The shape of ``kg/``, read from its source with :mod:`ast` (nothing is imported):

- no import cycle among its modules, counting imports inside functions and the
  implementations a format registry names by their ``"module:attribute"`` paths;
- one module talks HTTP (``kg/http.py``);
- format detection (magic bytes, extensions, sniffers) happens only in :mod:`kg.formats`
  and in the modules that build a registry with it, and every format table is one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

#: A lazy implementation path in a format registry: "kg.module.sub:attribute".
_IMPLEMENTATION = re.compile(r"^(kg(?:\.\w+)+):[\w.]+$")


@cache
def modules() -> dict[str, Path]:
    """Every module of ``kg`` by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(KG.rglob("*.py")):
        if path.is_symlink():  # kg/cli.py is a link to the top-level cli.py
            continue
        parts = list(path.relative_to(KG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"), filename=str(modules()[name]))


def _package(name: str) -> str:
    return name if modules()[name].name == "__init__.py" else name.rpartition(".")[0]


def imported(name: str) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import in a module, at any depth, and every
    implementation a registry in it names by path."""
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(name).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in modules() else base), node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _IMPLEMENTATION.match(node.value)
            if match:
                yield match.group(1), node.lineno


def import_graph() -> dict[str, set[str]]:
    """Who imports whom; a registry naming code of its own module is no edge."""
    return {
        name: {target for target, _ in imported(name) if target in modules() and target != name}
        for name in modules()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_module_list_is_the_package():
    assert {"kg", "kg.formats", "kg.http", "kg.importers", "kg.rdf.triples"} <= set(modules())
    assert "kg.cli" not in modules()  # the link is checked as cli.py, outside kg


def test_imports_inside_functions_and_registry_paths_are_edges():
    graph = import_graph()
    assert "kg.importers.tabular" in graph["kg.importers"]  # a registry path only
    assert "kg.networks.page" in graph["kg.networks.formats"]  # an import in a function


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_no_import_cycle_inside_kg():
    found = cycles(import_graph())
    assert [sorted(cycle) for cycle in found] == []


# ------------------------------------------------------------------ stages

#: The data's journey, lowest stage first: a stage imports only the stages below it (and
#: itself). Modules at the top of kg/ not named here are the ground floor (errors,
#: records, defaults, formats, http, ...), which imports no stage. Importers and the
#: extractor share a stage: both turn what was read into records (the JATS importer runs
#: the extractor, and the extractor's evaluation reads its labels through the importers).
STAGES: tuple[frozenset[str], ...] = tuple(
    frozenset(stage.split())
    for stage in (
        "kg.read",
        "kg.models",
        "kg.rdf",
        "kg.sparql",
        "kg.importers kg.extract",
        "kg.stores",
        "kg.query kg.pipeline",
        "kg.networks kg.report kg.links",
        "kg",
    )
)


def stage_of(module: str) -> int:
    """The stage a module belongs to; -1 for the ground floor."""
    for level in range(len(STAGES) - 1, -1, -1):
        for package in STAGES[level]:
            inside = module == package or module.startswith(package + ".")
            if inside and (package != "kg" or module == "kg"):
                return level
    return -1


def test_each_stage_imports_only_the_stages_below_it():
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        for target in targets
        if stage_of(target) > stage_of(name)
    )
    assert upward == []


def test_the_stages_name_every_package():
    packages = {
        name
        for name, path in modules().items()
        if path.name == "__init__.py" and name.count(".") <= 1
    }
    named = {package for stage in STAGES for package in stage}
    assert packages <= named <= set(modules())


# ------------------------------------------------------------------ one transport

#: Modules that open connections or speak HTTP themselves.
HTTP_MODULES = ("httpx", "urllib.request", "http.client", "socket", "requests", "urllib3")
HTTP_MODULES += ("aiohttp", "SPARQLWrapper", "pycurl", "ssl")


def test_only_kg_http_talks_http():
    offenders = [
        f"{name}:{line} imports {target}"
        for name in modules()
        if name != "kg.http"
        for target, line in imported(name)
        if target.split(".")[0] in {m.split(".")[0] for m in HTTP_MODULES if "." not in m}
        or any(target == m or target.startswith(m + ".") for m in HTTP_MODULES)
    ]
    assert offenders == []


# ------------------------------------------------------------------ one registry pattern


def _is_registry_call(value: ast.expr | None) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name | ast.Attribute)
        and (value.func.id if isinstance(value.func, ast.Name) else value.func.attr) == "Registry"
    )


def _top_level_assignments(name: str) -> Iterator[tuple[str, ast.expr | None, int]]:
    for node in tree(name).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value, node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node.value, node.lineno


def registry_modules() -> set[str]:
    """kg.formats and every module that builds a registry with it."""
    return {"kg.formats"} | {
        name
        for name in modules()
        if any(_is_registry_call(value) for _, value, _ in _top_level_assignments(name))
    }


def _bytes_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bytes) and len(node.value) > 0
    if isinstance(node, ast.Tuple):
        return any(_bytes_constant(element) for element in node.elts)
    if isinstance(node, ast.Name):  # a module constant such as ZIP_MAGIC
        return node.id.endswith("MAGIC")
    return False


def _mentions_suffix(node: ast.expr) -> bool:
    return any(
        isinstance(part, ast.Attribute) and part.attr in ("suffix", "suffixes")
        for part in ast.walk(node)
    )


_SNIFFER_NAME = re.compile(r"^_?(detect|sniff|looks_like|guess)|format_for|_for_file$")


def detection(module: ast.AST) -> Iterator[str]:
    """Every place in a module's tree that decides a format from content or name."""
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef) and _SNIFFER_NAME.search(node.name):
            yield f"{node.lineno}: defines {node.name}()"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "startswith" and node.args and _bytes_constant(node.args[0]):
                yield f"{node.lineno}: compares leading bytes"
            elif node.func.attr in ("is_zipfile", "guess_type", "what", "from_file"):
                yield f"{node.lineno}: calls {node.func.attr}()"
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_bytes_constant(side) for side in sides) and not any(
                isinstance(op, ast.In | ast.NotIn) for op in node.ops
            ):
                yield f"{node.lineno}: compares bytes with a magic"
            elif _mentions_suffix(node.left):
                yield f"{node.lineno}: decides by a file's extension"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.endswith("MAGIC"):
                    yield f"{node.lineno}: defines {target.id}"


def test_the_detection_finder_sees_what_it_looks_for():
    sample = ast.parse(
        "GZIP_MAGIC = b'\\x1f\\x8b'\n"
        "def looks_like_x(head):\n"
        "    return head.startswith(b'PK') or head[:2] == GZIP_MAGIC\n"
        "def pick(path):\n"
        "    return 'csv' if path.suffix.lower() == '.csv' else zipfile.is_zipfile(path)\n"
        "def fine(line):\n"
        "    return line.endswith(b'\\n') or line == b'' or b'x' in line\n"
    )
    assert sorted(place.split(": ")[1] for place in detection(sample)) == [
        "calls is_zipfile()",
        "compares bytes with a magic",
        "compares leading bytes",
        "decides by a file's extension",
        "defines GZIP_MAGIC",
        "defines looks_like_x()",
    ]


def test_only_the_format_registries_detect_formats():
    allowed = registry_modules()
    offenders = [
        f"{name}:{place}"
        for name in modules()
        if name not in allowed
        for place in detection(tree(name))
    ]
    assert offenders == []


def test_every_format_table_is_a_registry():
    tables = [
        f"{name}:{line} {variable}"
        for name in modules()
        for variable, value, line in _top_level_assignments(name)
        if (variable.endswith("_FORMATS") or variable == "IMPORTERS")
        and not _is_registry_call(value)
    ]
    records = [
        f"{name}:{node.lineno} class {node.name}"
        for name in modules()
        if name != "kg.formats"
        for node in ast.walk(tree(name))
        if isinstance(node, ast.ClassDef)
        and node.name.endswith("Format")
        and not any(isinstance(base, ast.Name) and base.id.endswith("Error") for base in node.bases)
    ]
    assert tables == [] and records == []
    assert {"kg.importers", "kg.rdf.formats", "kg.query.results", "kg.synth"} <= registry_modules()


# ------------------------------------------------------------------ a thin CLI


def _literal_option_defaults(source: str) -> list[str]:
    """Options of the command functions (the public ones) whose default is written as a
    number, a text or a ``Path("...")`` in place, rather than read from the library
    (:mod:`kg.defaults`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        arguments = node.args.args + node.args.kwonlyargs
        defaults = [None] * (len(node.args.args) - len(node.args.defaults))
        defaults += [*node.args.defaults, *node.args.kw_defaults]
        for argument, default in zip(arguments, defaults, strict=True):
            literal = isinstance(default, ast.Constant) and not isinstance(
                default.value, bool | type(None)
            )
            made = (
                isinstance(default, ast.Call)
                and isinstance(default.func, ast.Name)
                and default.func.id == "Path"
                and any(isinstance(given, ast.Constant) for given in default.args)
            )
            if literal or made:
                found.append(f"{node.name}({argument.arg}) line {default.lineno}")
    return found


def test_the_cli_reads_its_defaults_from_the_library():
    """A default written in cli.py drifts from the library's; one in kg.defaults cannot."""
    cli = (KG.parent / "cli.py").read_text()
    assert _literal_option_defaults(cli) == []


def test_the_default_finder_sees_what_it_looks_for():
    sample = (
        "def command(a: int = 3, *, b: str = 'x', c: bool = False, d: P = None,\n"
        "            e: Path = Path('out'), f: int = LIMIT, g: Path = Path(PAGE)): ...\n"
        "def _helper(limit: int = 10): ...\n"
    )
    assert _literal_option_defaults(sample) == [
        "command(a) line 1",
        "command(b) line 1",
        "command(e) line 2",
    ]
