"""Every example in the docs runs (issue 25 item 8), collected by Sybil from README.md,
docs/*.md, docs/rules/*.md and sample_data/README.md (``testpaths`` in pyproject.toml).

- ```python blocks run in one namespace per page, in order; a block starting with ``>>>`` is
  a doctest and its output is compared (``...`` matches anything, whitespace is normalised).
- ```bash / ```sh / ```console blocks are shell examples, run with bash in a folder of their
  own (below). Lines starting with ``$ `` are commands and the lines after them up to the
  next ``$ `` the output they print (stdout; stderr is the terminal's too, so it may follow),
  compared as a doctest is; a block without ``$ `` runs line by line and each command must
  end with exit 0 or 1 (1: "something to act on", e.g. flags at ``--fail-on``), never 2
  (usage or input error) or 3 (a bug). A block whose options are in brackets
  (``[--json]``, ``PATH...``) is a synopsis: every option it names must be one the
  sub-command accepts.
- ```toml blocks are settings: read with :func:`kneeload.config.load_config` (unknown
  sections, keys and bad values fail). ```csv blocks are kneeload's input files, read by
  the reader their header names (a manual log, a shoes file, a plan): every row is read.
- A ```json block right after ``<!-- output of: kneeload ... -->`` is that command's JSON,
  abridged: the command runs and every key the block shows (``"..."`` aside) must be in its
  output, at the same place (a list's first item against the output's first). A json block
  without the comment is data, not checked.
- ``<!-- skip: next "reason" -->`` before a block skips it, with the reason in the test
  report (``pytest -ra``).

After a change that moves what a command prints, ``KNEELOAD_DOCS_UPDATE=1 python -m pytest
README.md docs`` writes the new output into every console example shown in full (one
without ``...``); an abridged one fails and is edited by hand.

Each page runs in a fresh temporary folder that is also ``$HOME``: ``sample_data/`` (the
sample season), ``runs/`` (the same season, what ``~/runs`` means in the examples),
``pain.csv``, ``shoes.csv``, ``shoe_assignments.csv``, ``next_week.csv`` (the sample's plan),
``export_81234567.zip`` and ``strava_export.zip`` (a Strava export of tests/data) and
``team/`` (two athletes, for the cohort example). ``kneeload`` is this checkout's; ``TZ`` is
UTC; the user's config folder is empty. Examples whose output depends on the day pass
``--today`` (or ``today=``), so they give the same answer on any day.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "sample_data"
STRAVA = ROOT / "tests" / "data" / "exports" / "strava_en"
#: how doctests and shell output are compared
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
#: exit statuses a documented command may end with: 0 all well, 1 something to act on
OK_STATUS = (0, 1)
TIMEOUT_S = 600

_TEMPLATE: Path | None = None
#: files a page's commands name beside the data folder, copied from sample_data/ before its
#: first shell example (elsewhere an export read in the same folder would find them)
PAGE_FILES = {"README.md": ("pain.csv", "shoes.csv", "shoe_assignments.csv")}


def _template() -> Path:
    """The folder every page's folder is copied from (made once a session)."""
    global _TEMPLATE
    if _TEMPLATE is not None:
        return _TEMPLATE
    base = Path(tempfile.mkdtemp(prefix="kneeload-docs-template-"))
    shutil.copytree(SAMPLE, base / "sample_data")
    shutil.copytree(SAMPLE, base / "runs")
    shutil.copy(SAMPLE / "plan.csv", base / "next_week.csv")
    for name in ("export_81234567.zip", "strava_export.zip"):
        with zipfile.ZipFile(base / name, "w") as z:
            for f in sorted(STRAVA.rglob("*")):
                z.write(f, f.relative_to(STRAVA).as_posix())
    runs = sorted((SAMPLE / "runs").iterdir())
    for athlete, part in (("alex", runs[::2]), ("sam", runs[1::2])):
        (base / "team" / athlete).mkdir(parents=True)
        for f in part:
            shutil.copy(f, base / "team" / athlete / f.name)
    bin_dir = base / ".bin"
    bin_dir.mkdir()
    # the checkout's kneeload, whichever environment runs the tests
    (bin_dir / "kneeload").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m kneeload.cli "$@"\n', encoding="utf-8")
    # the README's "notify-me": the reader's own notifier, a no-op here
    (bin_dir / "notify-me").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    _TEMPLATE = base
    return base


def _setup(namespace: dict[str, Any]) -> None:
    home = Path(tempfile.mkdtemp(prefix="kneeload-docs-")) / "home"
    shutil.copytree(_template(), home, symlinks=True)
    env = dict(os.environ)
    env.update(HOME=str(home), TZ="UTC", LC_ALL="C.UTF-8", COLUMNS="100",
               PATH=f"{home / '.bin'}{os.pathsep}{env.get('PATH', '')}",
               KNEELOAD_CONFIG_DIR=str(home / ".config" / "kneeload"),
               XDG_CONFIG_HOME=str(home / ".config"), PYTHONPATH=str(ROOT))
    env.pop("KNEELOAD_DEBUG", None)
    namespace["__docs__"] = {"home": home, "env": env, "cwd": os.getcwd(),
                             "config_dir": os.environ.get("KNEELOAD_CONFIG_DIR")}
    os.environ["KNEELOAD_CONFIG_DIR"] = env["KNEELOAD_CONFIG_DIR"]
    os.chdir(home)


def _teardown(namespace: dict[str, Any]) -> None:
    state = namespace["__docs__"]
    os.chdir(state["cwd"])
    if state["config_dir"] is None:
        os.environ.pop("KNEELOAD_CONFIG_DIR", None)
    else:
        os.environ["KNEELOAD_CONFIG_DIR"] = state["config_dir"]
    shutil.rmtree(state["home"].parent, ignore_errors=True)


def _commands(text: str) -> list[str]:
    """The block's commands: one a line, ``\\`` continuing one; comment lines dropped."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


def _run(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False)


#: a synopsis: optional arguments in brackets, or a placeholder such as PATH... / DATA...
SYNOPSIS = re.compile(r"\[--?\w|\b[A-Z]+\.\.\.")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _subparsers(parser: Any) -> dict[str, Any]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _check_synopsis(text: str) -> str | None:
    """Every option of a synopsis is one its sub-command accepts; None when so."""
    from kneeload.cli import build_parser

    problems = []
    for command in re.split(r"\n(?=kneeload )", text.strip()):
        words = command.split()
        if words[0] != "kneeload":
            return f"a synopsis line that is not a kneeload command: {command!r}"
        parser, name = build_parser(), "kneeload"
        for word in words[1:]:
            sub = _subparsers(parser).get(word)
            if sub is None:
                break
            parser, name = sub, f"{name} {word}"
        known = {s for a in parser._actions for s in a.option_strings}
        problems += [f"{name} has no option {opt}" for opt in OPTION.findall(command)
                     if opt not in known]
    return "; ".join(problems) or None


def _update(page: Path, command: str, shown: list[str], got: str) -> bool:
    """Write ``got`` as the output shown after ``$ command`` on ``page`` (KNEELOAD_DOCS_UPDATE
    set and the output shown in full); True when written."""
    if os.environ.get("KNEELOAD_DOCS_UPDATE") != "1" or any("..." in s for s in shown):
        return False
    text = page.read_text(encoding="utf-8")
    old = "\n".join([f"$ {command}", *shown]) + "\n"
    new = "\n".join([f"$ {command}", *got.rstrip("\n").splitlines()]) + "\n"
    if text.count(old) != 1:
        return False
    page.write_text(text.replace(old, new), encoding="utf-8")
    return True


def _console(text: str, env: dict[str, str], cwd: Path, page: Path) -> str | None:
    """``$ command`` lines run in turn, each one's output compared with the lines after it."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and steps[-1][0].endswith("\\") and not steps[-1][1]:
            steps[-1] = (steps[-1][0][:-1] + " " + line.strip(), [])
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            return f"output before the first '$ ' command: {line!r}"
    checker = doctest.OutputChecker()
    for command, shown in steps:
        done = _run(command, env, cwd)
        if done.returncode not in OK_STATUS:
            return f"$ {command}\nexit {done.returncode}\n{done.stdout}{done.stderr}"
        want = "\n".join(shown).strip()
        if not want:
            continue
        if not any(checker.check_output(want + "\n", got, FLAGS)
                   for got in (done.stdout, done.stdout + done.stderr)):
            if _update(page, command, shown, done.stdout):
                continue
            return (f"$ {command}\nexpected (whitespace normalised, ... matches anything):\n"
                    f"{want}\ngot:\n{done.stdout}{done.stderr}")
    return None


def evaluate_shell(example: Example) -> str | None:
    text = str(example.parsed)
    state = example.namespace["__docs__"]
    env, cwd = state["env"], state["home"]
    if not state.get("page_files"):
        state["page_files"] = True
        for name in PAGE_FILES.get(Path(example.path).name, ()):
            shutil.copy(SAMPLE / name, cwd / name)
    if SYNOPSIS.search(text):
        return _check_synopsis(text)
    if any(line.startswith("$ ") for line in text.splitlines()):
        return _console(text, env, cwd, Path(example.path))
    for command in _commands(text):
        done = _run(command, env, cwd)
        if done.returncode not in OK_STATUS:
            return f"{command}\nexit {done.returncode}\n{done.stdout}{done.stderr}"
    return None


def evaluate_toml(example: Example) -> str | None:
    from kneeload.config import load_config

    path = Path(example.namespace["__docs__"]["home"]) / "example.toml"
    path.write_text(str(example.parsed), encoding="utf-8")
    load_config(path)  # raises on an unknown section, key or a bad value
    return None


def evaluate_csv(example: Example) -> str | None:
    import kneeload
    from kneeload.plan import read_plan
    from kneeload.shoes import read_shoes

    text = str(example.parsed)
    header, *rows = [ln for ln in text.splitlines() if ln.strip()]
    path = Path(example.namespace["__docs__"]["home"]) / "example.csv"
    path.write_text(text, encoding="utf-8")
    if header.startswith("date,distance,duration"):  # a manual log (docs/exports.md)
        result = kneeload.read_activities([path], cache=False)
        if not result.skipped.empty:
            return f"not read: {result.skipped.to_dict('records')}"
        read = len(result.activities)
    elif header.startswith("shoe,"):  # a shoes file (docs/shoes.md)
        read = len(read_shoes(path))
    elif header.startswith("date,distance"):  # a plan (docs/plan.md)
        read = len(read_plan(path))
    else:
        return f"a CSV example no reader is named for: {header!r}"
    return None if read == len(rows) else f"{read} of {len(rows)} rows read"


OUTPUT_OF = re.compile(r"<!--\s*output of:\s*(kneeload [^\n]*?)\s*-->\s*$")


def _missing_keys(shown: Any, real: Any, where: str = "") -> list[str]:
    """Keys ``shown`` has (``"..."`` aside) that ``real`` lacks, recursively."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{where or '/'}: an object in the docs, {type(real).__name__} in the output"]
        out = []
        for key, value in shown.items():
            if key == "...":
                continue
            if key not in real:
                out.append(f"{where}/{key}")
            else:
                out += _missing_keys(value, real[key], f"{where}/{key}")
        return out
    if isinstance(shown, list) and shown and isinstance(shown[0], dict):
        if isinstance(real, list) and real:
            return _missing_keys(shown[0], real[0], f"{where}[0]")
    return []


def evaluate_json(example: Example) -> str | None:
    before = example.document.text[:example.region.start].rstrip().splitlines()
    command = OUTPUT_OF.match(before[-1]) if before else None
    if command is None:
        return None  # data shown, not a command's output
    import json

    state = example.namespace["__docs__"]
    done = _run(command.group(1), state["env"], state["home"])
    if done.returncode not in OK_STATUS:
        return f"{command.group(1)}\nexit {done.returncode}\n{done.stderr}"
    missing = _missing_keys(json.loads(str(example.parsed)), json.loads(done.stdout))
    return f"{command.group(1)}: not in its output: {', '.join(missing)}" if missing else None


class _Shell(CodeBlockParser):
    def evaluate(self, example: Example) -> str | None:
        return evaluate_shell(example)


pytest_collect_file = Sybil(
    parsers=[
        SkipParser(),
        PythonCodeBlockParser(doctest_optionflags=FLAGS),
        *(_Shell(language) for language in ("bash", "sh", "console")),
        CodeBlockParser("toml", evaluate_toml),
        CodeBlockParser("csv", evaluate_csv),
        CodeBlockParser("json", evaluate_json),
    ],
    patterns=["README.md", "docs/*.md", "docs/rules/*.md", "sample_data/README.md"],
    setup=_setup,
    teardown=_teardown,
).pytest()
