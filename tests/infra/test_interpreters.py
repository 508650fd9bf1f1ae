"""Which Python `make install` builds .venv with (infra/interpreters.py): the
Lambda runtime's version when the machine has it, else the newest from 3.11 on,
saying so; a .venv of another version is rebuilt."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.interpreters import (
    Choice,
    Interpreter,
    candidates,
    choose_for_venv,
    ensure_venv,
    find,
    probe,
    this_interpreter,
)
from infra.runtime import LAMBDA_RUNTIME, python_version
from infra.stages import PROJECT_DIR


def pyenv_with(tmp_path: Path, *versions: str) -> dict[str, str]:
    """A pyenv root holding those versions, and a PATH with nothing on it."""
    for version in versions:
        (tmp_path / "pyenv" / "versions" / version / "bin").mkdir(parents=True)
    (tmp_path / "bin").mkdir(exist_ok=True)
    return {"PYENV_ROOT": str(tmp_path / "pyenv"), "PATH": str(tmp_path / "bin"), "HOME": str(tmp_path)}


def fake_run(path: Path) -> Interpreter | None:
    """What each python3 of pyenv_with's folders would say it is."""
    name = path.parent.parent.name  # versions/<3.13.0>/bin/python3
    major, minor, *_ = name.split(".")
    return Interpreter(path, (int(major), int(minor)), b"", f"cpython-{major}{minor}")


def other_version_than_this() -> tuple[int, int]:
    return (3, 12) if sys.version_info[:2] != (3, 12) else (3, 11)


def test_pyenv_s_own_folders_come_first_newest_patch_first_without_free_threaded_builds(
        tmp_path: Path) -> None:
    environ = pyenv_with(tmp_path, "3.13.0", "3.13.10", "3.13.2t", "3.12.1", "3.13-dev")
    shim = tmp_path / "bin" / "python3.13"
    shim.write_text("#!/bin/sh\nexit 127\n")  # pyenv's shim refuses an unselected version
    shim.chmod(0o755)
    versions = tmp_path / "pyenv" / "versions"
    assert list(candidates((3, 13), environ)) == [
        versions / "3.13.10" / "bin" / "python3", versions / "3.13.0" / "bin" / "python3", shim]


def test_a_candidate_that_does_not_run_is_passed_over(tmp_path: Path) -> None:
    shim = tmp_path / "python3"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    assert probe(shim) is None
    assert probe(tmp_path / "missing") is None


def test_probe_tells_an_interpreter_s_version_and_bytecode_magic() -> None:
    here = probe(Path(sys.executable))
    assert here == this_interpreter()


def test_the_runtime_s_version_is_chosen_when_the_machine_has_it(tmp_path: Path) -> None:
    wanted = python_version(LAMBDA_RUNTIME)
    environ = pyenv_with(tmp_path, "3.11.7", "3.12.1", f"{wanted[0]}.{wanted[1]}.0", "3.14.2")
    choice = choose_for_venv(LAMBDA_RUNTIME, environ, fake_run)
    assert choice.interpreter.version == wanted and choice.note is None


def test_without_it_the_newest_from_3_11_is_chosen_saying_so_in_one_line(tmp_path: Path) -> None:
    environ = pyenv_with(tmp_path, "3.10.13", "3.11.7", "3.12.1", "3.9.18")
    runtime = "python3.19"  # no machine has it
    choice = choose_for_venv(runtime, environ, fake_run)
    assert choice.interpreter.version == max((3, 12), sys.version_info[:2])  # this one counts too
    assert choice.note is not None and "\n" not in choice.note
    assert choice.note.startswith("no Python 3.19 (the Lambda runtime python3.19, infra/runtime.py) "
                                  "on this machine: .venv uses Python 3.")


def test_the_running_interpreter_counts_and_nothing_older_than_3_11_does(tmp_path: Path) -> None:
    environ = pyenv_with(tmp_path, "3.10.13", "3.9.18")
    assert find((3, 10), environ, fake_run) is not None
    choice = choose_for_venv("python3.19", environ, fake_run)
    assert choice.interpreter == this_interpreter()  # the suite runs on 3.11 or newer


def test_with_nothing_from_3_11_on_there_is_one_clear_sentence(tmp_path: Path) -> None:
    environ = pyenv_with(tmp_path, "3.10.13")
    with pytest.raises(LookupError, match=r"^Frontdesk needs Python 3\.19 \(or at least 3\.11\)"):
        choose_for_venv("python3.19", environ, fake_run, current=None)


def test_the_choice_needs_only_the_standard_library() -> None:
    """`make install` runs it with the machine's bare python3, before .venv exists."""
    result = subprocess.run([sys.executable, "-S", "-m", "infra.interpreters", "version"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    version = choose_for_venv().interpreter.version
    assert result.stdout == f"{version[0]}.{version[1]}\n"


@pytest.fixture(scope="module")
def another_python() -> Interpreter:
    found = find(other_version_than_this())
    if found is None:
        pytest.skip(f"needs a Python {other_version_than_this()} beside this one (pyenv has one here)")
    return found


def test_a_venv_of_another_python_is_rebuilt_and_one_of_the_same_is_kept(
        tmp_path: Path, another_python: Interpreter) -> None:
    venv = tmp_path / ".venv"
    subprocess.run([str(another_python.path), "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / "marker").write_text("built before")
    said: list[str] = []

    assert ensure_venv(venv, Choice(this_interpreter(), None), said.append)

    rebuilt = probe(venv / "bin" / "python")
    assert rebuilt is not None and rebuilt.version == sys.version_info[:2]
    assert not (venv / "marker").exists()
    assert said == [f"{venv} was built with Python {another_python.version[0]}."
                    f"{another_python.version[1]}: rebuilding it with {this_interpreter().shown}"]
    assert not ensure_venv(venv, Choice(this_interpreter(), None), said.append)
    assert len(said) == 1


def test_a_venv_linked_from_another_checkout_is_unlinked_not_emptied(
        tmp_path: Path, another_python: Interpreter) -> None:
    shared = tmp_path / "shared-venv"
    subprocess.run([str(another_python.path), "-m", "venv", "--without-pip", str(shared)], check=True)
    link = tmp_path / "worktree" / ".venv"
    link.parent.mkdir()
    link.symlink_to(shared)

    ensure_venv(link, Choice(this_interpreter(), None), lambda line: None)

    assert not link.is_symlink() and (link / "bin" / "python").exists()
    kept = probe(shared / "bin" / "python")
    assert kept is not None and kept.version == another_python.version
