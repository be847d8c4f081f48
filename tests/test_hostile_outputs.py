"""Files we write are whole or untouched: full disks, planted links, terminal escapes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.atomic import atomic_write

GOOD = b"a good file the user keeps\n"


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """A store whose dump (several MB) cannot fit on the tiny disk."""
    from typer.testing import CliRunner

    from kg.cli import app

    folder = tmp_path_factory.mktemp("big")
    corpus = folder / "corpus.csv"
    runner = CliRunner()
    assert runner.invoke(app, ["synth", str(corpus), "--papers", "4000"]).exit_code == 0
    store = folder / "store"
    done = runner.invoke(
        app, ["build", str(corpus), "--store", str(store), "--rejects", str(folder)]
    )
    assert done.exit_code == 0, done.output
    return store


def _fill(disk: Path, leave: int = 16_384) -> None:
    """Fill the file system until only ``leave`` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(free - leave, 0))


@pytest.mark.parametrize(
    "command",
    [
        ["dump", "-o", "{target}.nq"],
        ["dump", "--format", "turtle", "-o", "{target}.ttl"],
        ["query", "network-reuse", "-o", "{target}.csv"],
        ["network", "paper-model", "-o", "{target}.graphml"],
    ],
    ids=["dump-nquads", "dump-turtle", "query-csv", "network-graphml"],
)
def test_a_full_disk_leaves_an_existing_output_as_it_was(cli, tiny_disk, big_store, command):
    target = tiny_disk / "out"
    args = [part.format(target=target) for part in command]
    output = Path(args[args.index("-o") + 1])
    output.write_bytes(GOOD)
    _fill(tiny_disk)
    result = cli(*args, "--store", big_store)
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert output.read_bytes() == GOOD
    assert sorted(p.name for p in tiny_disk.iterdir()) == sorted(["filler", output.name])


def test_a_full_disk_leaves_no_partial_new_output(cli, tiny_disk, big_store):
    _fill(tiny_disk)
    result = cli("dump", "-o", tiny_disk / "new.nq", "--store", big_store)
    assert result.exit_code == 1
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def test_extract_on_a_full_disk_keeps_the_old_records(cli, tiny_disk, tmp_path):
    articles = Path(__file__).parent / "data" / "jats"
    output = tiny_disk / "records.jsonl"
    output.write_bytes(GOOD)
    _fill(tiny_disk, leave=0)
    result = cli("extract", articles, "-o", output)
    assert result.exit_code == 1, result.output
    assert output.read_bytes() == GOOD


def test_a_link_planted_in_the_rejects_folder_is_replaced_not_followed(cli, tmp_path, write):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite\n")
    rejects = tmp_path / "ptmkg-rejects"
    rejects.mkdir()
    (rejects / "sheet.csv.rejects.csv").symlink_to(precious)
    sheet = write("sheet.csv", "doi,model,pattern\nnot-a-doi,ResNet-50,Adaptation\n")
    result = cli("build", sheet, "--store", tmp_path / "store", "--rejects", rejects)
    assert result.exit_code == 0, result.output
    assert precious.read_text() == "do not overwrite\n"
    written = rejects / "sheet.csv.rejects.csv"
    assert not written.is_symlink()
    assert "not-a-doi" in written.read_text()


def test_a_link_at_an_output_path_is_replaced_not_followed(cli, tmp_path, illustrative_store):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite\n")
    output = tmp_path / "result.csv"
    output.symlink_to(precious)
    with atomic_write(output) as handle:
        handle.write(b"new\n")
    assert precious.read_text() == "do not overwrite\n"
    assert output.read_bytes() == b"new\n" and not output.is_symlink()


def test_an_error_inside_the_block_keeps_the_old_file(tmp_path):
    output = tmp_path / "kept.txt"
    output.write_bytes(GOOD)
    with pytest.raises(RuntimeError), atomic_write(output) as handle:
        handle.write(b"half")
        raise RuntimeError("stopped")
    assert output.read_bytes() == GOOD
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


HOSTILE = "\x1b]0;PWNED\x07Res\x1b[31mNet\u202e"


def _hostile_source(write) -> Path:
    return write(
        "clear\x1b[2Jscreen.csv", f'doi,model,pattern\n10.5555/x1,"{HOSTILE}",Adaptation\n'
    )


def test_control_characters_in_names_and_data_are_shown_as_escapes(cli, tmp_path, write):
    source = _hostile_source(write)
    result = cli("build", source, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    assert "clear\\x1b[2Jscreen.csv" in result.output
    table = cli("query", "models", "--store", tmp_path / "store", "--format", "table")
    for shown in (result.output, table.output):
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\\x1b]0;PWNED\\x07Res" in table.output


def test_data_reaches_a_pipe_exactly_and_a_terminal_escaped(tmp_path, write):
    import pty
    import subprocess
    import sys

    source = _hostile_source(write)
    store = tmp_path / "store"
    command = [sys.executable, "-m", "kg.cli"]
    subprocess.run(
        [*command, "build", str(source), "--store", str(store)], check=True, capture_output=True
    )
    piped = subprocess.run(
        [*command, "query", "models", "--store", str(store), "--format", "csv"],
        capture_output=True,
        check=True,
    )
    assert HOSTILE in piped.stdout.decode()
    primary, secondary = pty.openpty()
    shown = subprocess.run(
        [*command, "query", "models", "--store", str(store), "--format", "csv"],
        stdout=secondary,
        stderr=subprocess.PIPE,
        check=True,
    )
    os.close(secondary)
    received = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    os.close(primary)
    assert shown.returncode == 0
    text = received.decode()
    assert "\\x1b]0;PWNED\\x07Res\\x1b[31mNet\\u202e" in text
    assert "\x1b" not in text and "\x07" not in text
