"""Hostile input and hostile machines: every case is generated here, at test time.

Each case asserts the exit status, a message naming the file (and line) and the problem, no
traceback, and that nothing was lost or half-written. Classes and counts are listed in
docs/reliability.md (keep them in step: ``python -m pytest tests/test_hostile.py -q
--collect-only | tail -1``).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import kneeload
from kneeload import pain as pn
from kneeload.cli import main
from kneeload.io import cache as cache_mod
from kneeload.plan import read_plan

ROOT = Path(__file__).resolve().parent.parent
KNEELOAD = [sys.executable, "-c", "import sys; from kneeload.cli import main; sys.exit(main())"]


def run_cli(argv, capsys):
    """main() in-process: (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


def run_sub(args, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run([*KNEELOAD, *map(str, args)], text=True, timeout=120, env=env, **kw)


def kill_before_rename(body: str) -> None:
    """Run ``body`` in a child whose file renames hang, SIGKILL it at the first rename (the
    new file complete beside the target, not yet in place)."""
    code = textwrap.dedent("""
        import os, time
        def hang(src, dst):
            print("ready", flush=True)
            time.sleep(60)
        os.replace = hang
    """) + textwrap.dedent(body)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "ready"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)


@pytest.fixture
def one_run(tmp_path, data):
    d = tmp_path / "runs"
    d.mkdir()
    shutil.copy(data / "fit/fr645-run.fit", d)
    return d


# --- 1. the safety net ---------------------------------------------------------------------

def test_an_unexpected_error_is_one_line_and_exit_3(one_run, tmp_path, capsys, monkeypatch):
    def boom(*a, **k):
        raise ValueError("something inside broke")
    monkeypatch.setattr("kneeload.cli.read_activities", boom)
    status, out, err = run_cli(["summary", one_run, "--no-cache"], capsys)
    assert status == 3
    no_traceback(err)
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kneeload summary: internal error (ValueError: something inside "
                          "broke at cli.py:")
    assert "report it" in err and "--debug" in err
    status, out, err = run_cli(["summary", one_run, "--no-cache", "--debug"], capsys)
    assert status == 3 and "Traceback" in err and "something inside broke" in err


def test_interrupt_is_130_with_one_line(one_run, capsys, monkeypatch):
    def stop(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr("kneeload.cli.read_activities", stop)
    status, _, err = run_cli(["summary", one_run, "--no-cache"], capsys)
    assert status == 130 and err.startswith("kneeload summary: interrupted")


def test_stdout_on_a_full_disk_is_not_success(one_run):
    with open("/dev/full", "w") as full:
        r = run_sub(["summary", one_run, "--no-cache"], stdout=full, stderr=subprocess.PIPE)
    assert r.returncode == 2
    assert r.stderr.strip() == ("kneeload: standard output: could not be written (No space "
                                "left on device); the results were not delivered")


def test_stdout_closed_is_not_success_and_does_nothing(tmp_path):
    log = tmp_path / "pain.csv"
    r = subprocess.run(f"{sys.executable} -c 'import sys; from kneeload.cli import main; "
                       f"sys.exit(main())' pain add --log {log} --score 2 >&-",
                       shell=True, capture_output=False, stderr=subprocess.PIPE, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert r.returncode == 2
    assert "standard output is closed" in r.stderr
    assert not log.exists()


def test_a_long_time_zone_is_a_usage_error(one_run, capsys):
    status, _, err = run_cli(["summary", one_run, "--no-cache", "--tz", "A" * 300], capsys)
    assert status == 2 and "unknown time zone" in err
    no_traceback(err)


# --- 2. user-written CSV files ---------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16": lambda t: t.encode("utf-16"),  # with its byte-order mark, as Excel/Notepad
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
    "cp1252": lambda t: t.encode("cp1252"),
}

PAIN_TEXT = "note,pain,date\r\nCôte de la Croix,3,2026-05-01\r\nthé,4,2026-05-02\r\n"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_pain_log_in_any_encoding_and_column_order(tmp_path, encoding, recwarn):
    p = tmp_path / "pain.csv"
    p.write_bytes(ENCODINGS[encoding](PAIN_TEXT))
    log = pn.read_pain_log(p)
    assert log["note"].tolist() == ["Côte de la Croix", "thé"]
    assert log["pain"].tolist() == [3.0, 4.0] and log["line"].tolist() == [2, 3]
    assert any("Windows-1252" in str(w.message) for w in recwarn) == (encoding == "cp1252")


def test_semicolons_and_decimal_commas(tmp_path):
    p = tmp_path / "pain.csv"
    p.write_text("date;pain;side\n2026-05-01;3,5;left\n")
    assert pn.read_pain_log(p)["pain"].tolist() == [3.5]
    plan = tmp_path / "plan.csv"
    plan.write_text("date;distance\n2026-09-01;5,5\n")
    # 5.5 mi = 5.5 * 1609.344 m = 8851.392 m
    assert read_plan(plan)["distance_m"].tolist() == pytest.approx([8851.392])


# file, header + rows, the expected problem (named with its line)
BAD_FILES = {
    "pain-nan": ("pain.csv", "date,pain\n2026-05-01,nan\n", "line 2: pain 'nan' is not a finite"),
    "pain-inf": ("pain.csv", "date,pain\n2026-05-01,inf\n", "line 2: pain 'inf' is not a finite"),
    "pain-year-1": ("pain.csv", "date,pain\n0001-05-01,2\n", "line 2: date 0001-05-01 is "
                    "outside 1900-2200"),
    "pain-year-9999": ("pain.csv", "date,pain\n9999-05-01,2\n", "line 2: date 9999-05-01 is "
                       "outside"),
    "pain-huge-field": ("pain.csv", "date,pain,note\n2026-05-01,2," + "x" * 140_000 + "\n",
                        "line 2: "),
    "pain-binary": ("pain.csv", "date,pain\n2026-05-01,2\n\x00\x01\x02\n", "NUL bytes"),
    "pain-empty": ("pain.csv", "", "line 1: is empty"),
    "pain-two-bad-rows": ("pain.csv", "date,pain\n2026-05-01,x\n2026-05-02,2\n2026-13-01,3\n",
                          "2 problems:\n  line 2: pain 'x' is not a "
                          "number from 0 to 10\n  line 4: date '2026-13-01'"),
    "shoes-inf": ("shoes.csv", "shoe,replace\nA,inf\n", "line 2: replace 'inf' is not a finite"),
    "shoes-nan-start": ("shoes.csv", "shoe,start_distance\nA,NaN\n", "line 2: start_distance "
                        "'NaN' is not a finite"),
    "shoes-year-1": ("shoes.csv", "shoe,first_used\nA,0001-01-01\n", "line 2: first_used "
                     "0001-01-01 is outside"),
    "assign-extra-field": ("shoe_assignments.csv", "activity,shoe\n2026-03-08,A,B\n",
                           "line 2: has 3 fields but the header has 2"),
    "assign-huge": ("shoe_assignments.csv", "activity,shoe\n2026-03-08," + "y" * 200_000 + "\n",
                    "line 2: "),
    "plan-nan": ("plan.csv", "date,distance\n2026-09-01,nan\n", "line 2: distance 'nan' is not "
                 "a finite"),
    "plan-year-9999": ("plan.csv", "date,distance\n9999-09-01,3\n", "line 2: date 9999-09-01 "
                       "is outside"),
    "manual-inf": ("log.csv", "date,distance,duration\n2026-05-01,inf,30\n", "line 2: distance "
                   "'inf' is not a finite"),
    "manual-year-1": ("log.csv", "date,distance,duration\n0001-05-01,3,30\n", "line 2: date "
                      "0001-05-01 is outside"),
    "manual-nan-duration": ("log.csv", "date,distance,duration\n2026-05-01,3,nan\n",
                            "line 2: duration 'nan' is not"),
}


def _command_for(name: str, path: Path, tmp_path: Path, runs: Path) -> list:
    if name == "pain.csv":
        return ["check", runs, "--pain", path, "--no-cache"]
    if name == "shoes.csv":
        return ["shoes", runs, "--shoes", path, "--no-cache"]
    if name == "shoe_assignments.csv":
        (tmp_path / "shoes.csv").write_text("shoe\nA\n")
        return ["shoes", runs, "--shoes", tmp_path / "shoes.csv", "--assign", path,
                "--no-cache"]
    if name == "plan.csv":
        return ["plan", path, "--history", runs, "--no-cache"]
    return ["summary", path, "--no-cache"]


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_user_files_exit_2_naming_file_and_line(case, tmp_path, one_run, capsys):
    name, text, problem = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    before = path.read_bytes()
    status, out, err = run_cli(_command_for(name, path, tmp_path, one_run), capsys)
    no_traceback(err)
    if name == "log.csv":  # a manual log is an input among others: skipped, named, exit 1
        assert status == 1 and f"{path}: {problem}" in out
    else:
        assert status == 2
        # stderr may first say which files were used (discovery), then the error
        assert f"\nkneeload: {path}: " in "\n" + err and problem in err
    assert path.read_bytes() == before
    if case == "pain-huge-field" or case == "assign-huge":
        assert "a field is longer than 10,000 characters" in err


def test_toml_saved_as_utf16_or_cp1252_is_a_clear_error(one_run, capsys):
    cfg = one_run / "kneeload.toml"
    for blob, what in ((('unit = "km"\n').encode("utf-16"), "is UTF-16"),
                       (b'unit = "km"\n# caf\xe9\n', "is not UTF-8 (first at line 2)")):
        cfg.write_bytes(blob)
        status, _, err = run_cli(["check", one_run, "--no-cache"], capsys)
        assert status == 2 and f"{cfg}: {what}" in err and "save it again as UTF-8" in err


# --- 2b. pain add --------------------------------------------------------------------------

def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_pain_add_keeps_the_logs_column_order(tmp_path, capsys):
    p = tmp_path / "pain.csv"
    p.write_text("pain,date\n2,2026-05-01\n")
    status, out, err = run_cli(["pain", "add", "--log", p, "--score", "3", "--date",
                                "2026-05-02"], capsys)
    assert status == 0, err
    assert p.read_text() == "pain,date\n2,2026-05-01\n3,2026-05-02\n"
    assert pn.read_pain_log(p)["pain"].tolist() == [2.0, 3.0]
    assert _temps(tmp_path) == []


def test_pain_add_on_the_minimal_log_keeps_every_value_given(tmp_path, capsys):
    p = tmp_path / "pain.csv"
    p.write_text("date,pain\n2026-05-01,2\n")
    status, out, _ = run_cli(["pain", "add", "--log", p, "--score", "4", "--date", "2026-05-02",
                              "--side", "left", "--when", "next_morning", "--note", "stairs, "
                              "then \"ow\""], capsys)
    assert status == 0 and "Added the column(s) side, when, note" in out
    log = pn.read_pain_log(p)
    assert log.iloc[1][["side", "when", "note"]].tolist() == ["left", "next_morning",
                                                             'stairs, then "ow"']
    assert log.iloc[0][["pain", "side"]].tolist() == [2.0, ""]  # the old row, unchanged


def test_pain_add_follows_a_symlink(tmp_path, capsys):
    real = tmp_path / "synced" / "pain.csv"
    real.parent.mkdir()
    real.write_text("date,pain\n2026-05-01,2\n")
    link = tmp_path / "pain.csv"
    link.symlink_to(real)
    assert run_cli(["pain", "add", "--log", link, "--score", "1", "--date", "2026-05-02"],
                   capsys)[0] == 0
    assert link.is_symlink() and real.read_text().endswith("2026-05-02,1\n")
    assert _temps(tmp_path) == [] and _temps(real.parent) == []


def test_pain_add_on_a_cp1252_log_appends_cp1252_or_refuses(tmp_path, capsys):
    p = tmp_path / "pain.csv"
    p.write_bytes(b"date,pain,note\r\n2026-05-01,2,caf\xe9\r\n")
    assert run_cli(["pain", "add", "--log", p, "--score", "3", "--date", "2026-05-02",
                    "--note", "crème"], capsys)[0] == 0
    assert p.read_bytes() == b"date,pain,note\r\n2026-05-01,2,caf\xe9\r\n2026-05-02,3,cr\xe8me\r\n"
    before = p.read_bytes()
    status, _, err = run_cli(["pain", "add", "--log", p, "--score", "3", "--note", "膝"],
                             capsys)
    assert status == 2 and "saved as cp1252, which cannot hold '膝'" in err
    assert p.read_bytes() == before


def test_pain_add_on_a_utf16_log_stays_utf16(tmp_path, capsys):
    p = tmp_path / "pain.csv"
    p.write_bytes("date,pain\n2026-05-01,2\n".encode("utf-16"))
    assert run_cli(["pain", "add", "--log", p, "--score", "5", "--date", "2026-05-02"],
                   capsys)[0] == 0
    assert p.read_bytes() == "date,pain\n2026-05-01,2\n2026-05-02,5\n".encode("utf-16")


def test_the_before_stop_hooks_latin1_log(tmp_path):
    p = tmp_path / "pain.csv"
    p.write_bytes(b"date,pain\n2026-01-01,caf\xe9\n")
    r = run_sub(["pain", "add", "--log", p, "--score", "3"])
    assert r.returncode == 2
    assert r.stderr.strip() == (f"kneeload: {p}: line 2: pain 'café' is not a number from 0 "
                                "to 10")
    assert p.read_bytes() == b"date,pain\n2026-01-01,caf\xe9\n"


@pytest.mark.parametrize("args, problem", [
    (["--score", "nan"], "pain 'nan' is not a finite number"),
    (["--score", "inf"], "pain 'inf' is not a finite number"),
    (["--score", "3", "--date", "0001-01-01"], "date 0001-01-01 is outside 1900-2200"),
    (["--score", "3", "--note", "a\nb"], "note holds a control character"),
    (["--score", "3", "--note", "x" * 10_001], "note is 10,001 characters"),
])
def test_pain_add_refuses_what_could_not_be_read_back(tmp_path, capsys, args, problem):
    p = tmp_path / "pain.csv"
    p.write_text("date,pain\n2026-05-01,2\n")
    status, _, err = run_cli(["pain", "add", "--log", p, *args], capsys)
    assert status == 2 and f"{p}: new entry: {problem}" in err
    assert p.read_text() == "date,pain\n2026-05-01,2\n"


def test_pain_add_onto_a_folder_or_device(tmp_path, capsys):
    status, _, err = run_cli(["pain", "add", "--log", tmp_path, "--score", "2"], capsys)
    assert status == 2 and f"{tmp_path}: is a folder" in err
    status, _, err = run_cli(["pain", "add", "--log", "/dev/null", "--score", "2"], capsys)
    assert status == 2 and "/dev/null: is a device" in err


def test_a_killed_pain_add_leaves_the_log_and_no_temporary_file_behind(tmp_path):
    p = tmp_path / "pain.csv"
    p.write_text("date,pain\n2026-05-01,2\n")
    before = p.read_bytes()
    kill_before_rename(f"""
        from kneeload import pain
        pain.append_pain({str(p)!r}, pain=9, date="2026-05-02")
    """)
    assert p.read_bytes() == before
    assert len(_temps(tmp_path)) == 1  # the killed writer's, removed by the next write
    pn.append_pain(p, pain=1, date="2026-05-03")
    assert _temps(tmp_path) == []
    assert pn.read_pain_log(p)["pain"].tolist() == [2.0, 1.0]


# --- 3. safe writes: reports -----------------------------------------------------------------

@pytest.mark.parametrize("target, problem", [
    ("missing/r.pdf", "the folder {tmp}/missing does not exist"),
    (".", "is a folder"),
    ("/dev/full", "is a device"),
])
def test_report_to_a_place_that_cannot_take_it(tmp_path, one_run, capsys, target, problem):
    out = target if target.startswith("/") else str(tmp_path / target)
    status, _, err = run_cli(["report", one_run, "-o", out, "--no-cache"], capsys)
    assert status == 2 and problem.format(tmp=tmp_path) in err
    no_traceback(err)


def test_a_report_that_fails_on_a_full_disk_keeps_the_old_one(tmp_path, one_run, capsys,
                                                              monkeypatch):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"%PDF-1.4 the old report")
    real = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    status, _, err = run_cli(["report", one_run, "-o", out, "--no-cache"], capsys)
    monkeypatch.setattr(os, "fsync", real)
    assert status == 2
    assert f"{out}: could not be written (the disk is full); the previous file is " \
           "unchanged" in err
    assert out.read_bytes() == b"%PDF-1.4 the old report"
    assert _temps(tmp_path) == []


def test_two_reports_to_one_file_leave_one_whole_pdf(tmp_path, one_run):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "r.pdf"
    procs = [subprocess.Popen([*KNEELOAD, "report", str(one_run), "-o", str(out),
                               "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]
    for pr in procs:
        pr.wait(180)
        assert pr.returncode == 0
    assert len(pypdf.PdfReader(out).pages) >= 2
    assert _temps(tmp_path) == []


def test_a_killed_report_keeps_the_old_one(tmp_path, one_run):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"%PDF-1.4 the old report")
    kill_before_rename(f"""
        from kneeload.cli import main
        main(["report", {str(one_run)!r}, "-o", {str(out)!r}, "--no-cache"])
    """)
    assert out.read_bytes() == b"%PDF-1.4 the old report"


# --- 4. the cache ------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["file", "devnull", "readonly"])
def test_an_unusable_cache_is_bypassed_and_said_once(tmp_path, one_run, where, monkeypatch):
    if where == "file":
        cache = tmp_path / "cachefile"
        cache.write_text("not a folder")
    elif where == "devnull":
        cache = Path("/dev/null")
    else:
        cache = tmp_path / "ro"
        cache.mkdir()

        def denied(*a, **k):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr(cache_mod.ParseCache, "_read_index", lambda self: None)
        monkeypatch.setattr(cache_mod, "atomic_write", denied)
    with pytest.warns(UserWarning, match="cannot be used") as caught:
        a = kneeload.read_activities(one_run, cache=cache, workers=1)
        b = kneeload.read_activities(one_run, cache=cache, workers=1)
    assert len(a.activities) == len(b.activities) == 1
    assert sum("cannot be used" in str(w.message) for w in caught) == 1


def test_the_cli_works_without_a_writable_cache(tmp_path, one_run):
    (tmp_path / "c").write_text("x")
    r = run_sub(["summary", one_run, "--cache-dir", tmp_path / "c"])
    assert r.returncode == 0 and "1 activity" in r.stdout
    assert r.stderr.count("cannot be used") == 1 and r.stderr.startswith("kneeload: note: ")


def test_byte_flips_in_the_cache_are_never_used(tmp_path, data):
    """Flip one bit anywhere in the index, 40 times (KNEELOAD_CACHE_FLIPS): every read gives
    the true table."""
    import random
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in ("fit/fenix5-tiny-run.fit", "gpx/garmin-connect-ns3-prefix.gpx",
              "invalid/no-time-stamps.fit"):
        shutil.copy(data / f, runs)
    cache = tmp_path / "cache"
    truth = kneeload.read_activities(runs, cache=False, workers=1)
    kneeload.read_activities(runs, cache=cache, workers=1)
    index = cache / cache_mod.CACHE_VERSION / "index.npz"
    good = index.read_bytes()
    rng = random.Random(15)
    import warnings
    for _ in range(int(os.environ.get("KNEELOAD_CACHE_FLIPS", "40"))):
        blob = bytearray(good)
        blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
        index.write_bytes(bytes(blob))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = kneeload.read_activities(runs, cache=cache, workers=1)
        pd.testing.assert_frame_equal(got.activities, truth.activities)
        pd.testing.assert_frame_equal(got.skipped, truth.skipped)


def test_a_damaged_entry_is_dropped_and_rebuilt(tmp_path, one_run):
    cache = tmp_path / "cache"
    truth = kneeload.read_activities(one_run, cache=cache, workers=1).activities
    index = cache / cache_mod.CACHE_VERSION / "index.npz"
    df = cache_mod.read_index_file(index)
    df.loc[df["_entry"] == "row", "distance_m"] += 1000.0  # silently wrong, sums kept
    index.write_bytes(cache_mod.encode_index(df))
    with pytest.warns(UserWarning, match="1 damaged entry dropped"):
        got = kneeload.read_activities(one_run, cache=cache, workers=1).activities
    pd.testing.assert_frame_equal(got, truth)
    rebuilt = cache_mod.read_index_file(index)
    assert (cache_mod.entry_sums(rebuilt) == rebuilt["_sum"]).all()


@pytest.mark.filterwarnings("error")
def test_the_cache_is_pruned(tmp_path, data):
    cache = tmp_path / "cache"
    runs = tmp_path / "runs"
    runs.mkdir()
    for i, f in enumerate(["fit/fr645-run.fit", "fit/fenix5-walk.fit", "tcx/"
                           "fr620-run-runcadence.tcx"]):
        shutil.copy(data / f, runs / f"{i}-{Path(f).name}")
    (cache / "v1" / "samples").mkdir(parents=True)  # an older version's folder
    kneeload.read_activities(runs, cache=cache, workers=1)
    assert not (cache / "v1").exists()
    os.remove(runs / "0-fr645-run.fit")  # gone inputs are dropped at the next write
    shutil.copy(data / "fit/fenix5-tiny-run.fit", runs / "3-new.fit")
    kneeload.read_activities(runs, cache=cache, workers=1)
    idx = cache_mod.read_index_file(cache / cache_mod.CACHE_VERSION / "index.npz")
    assert sorted(Path(p).name for p in idx["_path"].unique()) == [
        "1-fenix5-walk.fit", "2-fr620-run-runcadence.tcx", "3-new.fit"]
    store = cache_mod.ParseCache(cache, max_bytes=1)  # over the bound: the oldest go
    store.store({"k": (str(runs / "1-fenix5-walk.fit"), [], [])})
    idx = cache_mod.read_index_file(cache / cache_mod.CACHE_VERSION / "index.npz")
    assert idx["_key"].unique().tolist() == ["k"]


def test_the_index_is_written_as_the_run_goes(tmp_path, data, monkeypatch):
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in ("fit/fr645-run.fit", "fit/fenix5-walk.fit", "tcx/fr620-run-runcadence.tcx"):
        shutil.copy(data / f, runs)
    monkeypatch.setattr(kneeload.io._workers, "CACHE_STORE_EVERY_S", 0.0)
    real = kneeload.io._ingest._parse
    seen = []

    def killed_on_third(source, *a, **k):
        seen.append(source)
        if len(seen) == 3:
            raise KeyboardInterrupt  # the run stops here, like a kill
        return real(source, *a, **k)
    monkeypatch.setattr(kneeload.io._ingest, "_parse", killed_on_third)
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        kneeload.read_activities(runs, cache=cache, workers=1)
    idx = cache_mod.read_index_file(cache / cache_mod.CACHE_VERSION / "index.npz")
    assert idx["_path"].nunique() == 2  # the two files parsed before the stop were kept


# --- 5. names, devices, archives, time ------------------------------------------------------

def test_an_undecodable_name_is_read_and_shown_with_replacement_chars(tmp_path, data, capsys):
    folder = os.fsencode(str(tmp_path)) + b"/caf\xe9"
    os.mkdir(folder)
    shutil.copy(data / "fit/fr645-run.fit", folder + b"/r\xe9un.fit")
    result = kneeload.read_activities(os.fsdecode(folder), cache=tmp_path / "cache", workers=1)
    assert result.activities["source_path"].str.endswith("caf\ufffd/r\ufffdun.fit").all()
    status, out, err = run_cli(["summary", os.fsdecode(folder), "--cache-dir",
                                tmp_path / "cache"], capsys)
    assert status == 0 and "r\ufffdun.fit" in out


def test_fifos_and_devices_are_skipped_with_a_reason(tmp_path, data):
    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(data / "fit/fr645-run.fit", folder)
    os.mkfifo(folder / "waiting.gpx")
    (folder / "zero.fit").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "log.csv")
    t = time.monotonic()
    r = run_sub(["summary", folder, tmp_path / "log.csv", "--no-cache"])
    assert time.monotonic() - t < 60
    assert r.returncode == 1, r.stderr
    assert "waiting.gpx: is a named pipe (FIFO), not a regular file; not read" in r.stdout
    assert "zero.fit: is a device, not a regular file; not read" in r.stdout
    assert "log.csv: is a named pipe (FIFO)" in r.stdout
    assert "1 activity" in r.stdout


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, blob in entries.items():
            zf.writestr(name, blob)
    return buf.getvalue()


def _encrypt_flag(blob: bytes, name: bytes) -> bytes:
    """Set the 'encrypted' flag of member ``name`` in both of its headers."""
    b = bytearray(blob)
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = 0
        while (pos := b.find(sig, pos)) != -1:
            if b[pos + name_at:pos + name_at + len(name)] == name:
                b[pos + flag_at] |= 1
            pos += 4
    return bytes(b)


def test_archives_encrypted_nested_and_streamed(tmp_path, data, monkeypatch):
    fit = (data / "fit/fr645-run.fit").read_bytes()
    walk = (data / "fit/fenix5-walk.fit").read_bytes()
    deep = _zip({"d.zip": _zip({"e.zip": _zip({"deep.fit": walk})})})
    blob = _encrypt_flag(_zip({"run.fit": fit, "secret.fit": walk, "c.zip": deep}),
                         b"secret.fit")
    (tmp_path / "export.zip").write_bytes(blob)
    from kneeload.io import exports
    reads = []
    real = exports._read_member

    def counting(zf, info, display):
        reads.append(info.filename)
        return real(zf, info, display)
    monkeypatch.setattr(exports, "_read_member", counting)
    members = list(exports.iter_zip(str(tmp_path / "export.zip")))
    assert reads == ["c.zip", "d.zip"]  # files are read only when parsed, one at a time
    result = kneeload.read_activities(tmp_path / "export.zip", cache=False, workers=1)
    assert len(result.activities) == 1 and len(members) == 3
    reasons = dict(zip(result.skipped["path"].str.rsplit("!", n=1).str[1],
                       result.skipped["reason"], strict=True))
    assert reasons["secret.fit"].startswith("is encrypted (password-protected)")
    assert reasons["e.zip"].startswith("is an archive nested more than 2 deep")


def test_a_member_lying_about_its_size_is_stopped_at_the_ratio(tmp_path):
    from kneeload.io import exports
    blob = bytearray(_zip({"bomb.gpx": b"<gpx>" + b" " * (8 * 2**20)}))
    # rewrite the declared size (central directory) to look small and harmless
    cd = blob.find(b"PK\x01\x02")
    blob[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
    (tmp_path / "b.zip").write_bytes(bytes(blob))
    [member] = list(exports.iter_zip(str(tmp_path / "b.zip")))
    with pytest.raises(kneeload.InputError, match="b.zip!bomb.gpx: .*compression bomb|"
                                                  "cannot be read from the archive"):
        member.read()


def test_a_multi_member_gzip_is_read_whole(tmp_path, data):
    gpx = (data / "gpx/garmin-connect-ns3-prefix.gpx").read_bytes()
    half = len(gpx) // 2
    (tmp_path / "run.gpx.gz").write_bytes(gzip.compress(gpx[:half]) + gzip.compress(gpx[half:]))
    whole = kneeload.read_file(data / "gpx/garmin-connect-ns3-prefix.gpx")
    got = kneeload.read_file(tmp_path / "run.gpx.gz")
    assert got["distance_m"].tolist() == whole["distance_m"].tolist()


def test_a_file_past_the_parse_deadline_is_skipped(tmp_path, one_run, monkeypatch):
    from kneeload.io import _deadline, fit
    monkeypatch.setenv("KNEELOAD_PARSE_DEADLINE_S", "0.5")

    def stuck(*a, **k):
        while True:
            time.sleep(0.01)
    monkeypatch.setattr(kneeload.io._ingest, "parse_fit", stuck)
    assert fit and _deadline
    t = time.monotonic()
    result = kneeload.read_activities(one_run, cache=False, workers=1)
    assert time.monotonic() - t < 10
    assert result.skipped["reason"].tolist() == [
        "took longer than 0.5 s to parse; skipped as a likely crafted file (a real activity "
        "file takes seconds)"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_workers_end_with_their_parent(tmp_path, data):
    runs = tmp_path / "runs"
    runs.mkdir()
    for i in range(8):
        shutil.copy(data / "fit/fenix5-tiny-run.fit", runs / f"{i}.fit")
    pids = tmp_path / "pids"
    pids.mkdir()
    code = textwrap.dedent(f"""
        import os, time
        import kneeload.io as kio
        def slow(*a, **k):
            open(os.path.join({str(pids)!r}, str(os.getpid())), "w").close()
            time.sleep(120)
        kio._ingest._parse = slow
        kio.read_activities({str(runs)!r}, cache=False, workers=2)
    """)
    child = subprocess.Popen([sys.executable, "-c", code],
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while len(os.listdir(pids)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = [int(p) for p in os.listdir(pids)]
    assert len(workers) == 2 and child.pid not in workers
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, data, monkeypatch):
    (tmp_path / "locked").mkdir()
    shutil.copy(data / "fit/fr645-run.fit", tmp_path / "locked")
    real_scandir, real_listdir = os.scandir, os.listdir

    def denied(real):
        def call(path="."):
            if str(path).endswith("locked"):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path)
        return call
    monkeypatch.setattr(os, "scandir", denied(real_scandir))
    monkeypatch.setattr(os, "listdir", denied(real_listdir))
    result = kneeload.read_activities(tmp_path, cache=False, workers=1)
    assert result.skipped.to_dict("records") == [{
        "path": str(tmp_path / "locked"), "kind": "unreadable",
        "reason": "folder cannot be read (Permission denied); its files were not read"}]


def test_json_output_is_strict_json():
    import json

    import numpy as np

    from kneeload.cli import json_text
    text = json_text({"a": float("nan"), "b": [np.float64("inf"), 1.5, np.int64(3)]})
    assert json.loads(text) == {"a": None, "b": [None, 1.5, 3]}


def test_sigterm_during_a_parallel_ingest_ends_promptly_with_130(tmp_path, data):
    runs = tmp_path / "runs"
    runs.mkdir()
    for i in range(9):
        shutil.copy(data / "fit/fenix5-tiny-run.fit", runs / f"{i}.fit")
    started = tmp_path / "started"
    code = textwrap.dedent(f"""
        import sys, time
        import kneeload.io as kio
        def slow(*a, **k):
            open({str(started)!r}, "w").close()
            time.sleep(120)
        kio._ingest._parse = slow
        kio._workers.default_workers = lambda n: 2  # two worker processes, whatever the load
        kio._workers.MIN_FILES_FOR_WORKERS = 2
        from kneeload.cli import main
        sys.exit(main(["summary", {str(runs)!r}, "--no-cache"]))
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    t = time.monotonic()
    child.terminate()
    _, err = child.communicate(timeout=30)
    assert time.monotonic() - t < 15
    assert child.returncode == 130
    assert err.strip() == "kneeload summary: interrupted; files being written were left as " \
                          "they were"


@pytest.mark.parametrize("argv", [["report", "{runs}", "-o", "{tmp}/r.pdf", "--since",
                                   "2262-04-12"],
                                  ["check", "{runs}", "--since", "0001-01-01"],
                                  ["shoes", "{runs}", "--as-of", "9999-12-31"]])
def test_command_line_dates_out_of_range_are_usage_errors(tmp_path, one_run, capsys, argv):
    argv = [a.format(runs=one_run, tmp=tmp_path) for a in argv] + ["--no-cache"]
    status, _, err = run_cli(argv, capsys)
    assert status == 2 and "is outside 1900-2200" in err
    no_traceback(err)


def test_an_unclosed_quote_is_an_error_and_never_swallows_an_appended_row(tmp_path, capsys):
    p = tmp_path / "pain.csv"
    p.write_text('date,pain,note\n2026-05-01,2,"stairs\n2026-05-02,3,\n')
    before = p.read_bytes()
    status, _, err = run_cli(["pain", "add", "--log", p, "--score", "1"], capsys)
    assert status == 2
    assert "line 2: a quoted value is never closed" in err
    assert p.read_bytes() == before


_CSV_SEEDS = {
    "pain": b"date,pain,side,when,activity,note\n2026-03-03,0,right,after,,\n2026-03-05,2,,,,x\n",
    "shoes": b"shoe,brand,first_used,retired,notice,replace,unit,start_distance,default\n"
             b"A,Nike,2025-09-01,2026-05-31,,,mi,390,yes\nB,Hoka,2025-11-01,,300,500,km,0,\n",
    "assign": b"activity,shoe\n2026-03-08,A\nrun.fit,B\n",
    "plan": b"date,distance\n2026-08-18,3.5\n2026-08-20,4.0\n",
    "manual": b"date,distance,duration,shoe,sport,unit,note\n2026-05-01,3.1,30:00,A,running,mi,x\n",
    "toml": b'unit = "km"\nweek_start = "monday"\n[rules.weekly_increase]\nthreshold_pct = 15\n',
}
_TOKENS = [b",", b";", b"\n", b"\r\n", b'"', b"\x00", b"\xff", b"\xe9", b"nan", b"inf", b"-1",
           b"1e308", b"9999-12-31", b"0001-01-01", codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
           b"x" * 20_000]


def test_mutated_user_files_give_a_value_or_kneeloads_error(tmp_path, recwarn):
    """Mutated CSV/TOML files (bit flips, inserted separators, quotes, NULs, non-finite
    numbers, out-of-range dates, other encodings) through every reader and ``pain add``:
    each gives its table or a KneeloadError; an append that succeeds reads back one more
    row, the new one. KNEELOAD_CSV_FUZZ sets the count (docs/reliability.md: 10,500)."""
    import random
    from zoneinfo import ZoneInfo

    from kneeload.config import load_config
    from kneeload.io.exports import parse_manual_log
    from kneeload.shoes import read_shoe_overrides, read_shoes

    readers = {"pain": pn.read_pain_log, "shoes": read_shoes, "assign": read_shoe_overrides,
               "plan": read_plan, "toml": load_config,
               "manual": lambda p: parse_manual_log(str(p), p.read_bytes(), ZoneInfo("UTC"))}
    rng = random.Random(15)
    for i in range(int(os.environ.get("KNEELOAD_CSV_FUZZ", "150"))):
        kind = rng.choice([*readers, "append"])
        data = bytearray(_CSV_SEEDS["pain" if kind == "append" else kind])
        for _ in range(rng.randint(1, 4)):
            op, n = rng.random(), len(data)
            if op < 0.3 and n:
                data[rng.randrange(n)] ^= 1 << rng.randrange(8)
            elif op < 0.6:
                pos = rng.randrange(n + 1)
                data[pos:pos] = rng.choice(_TOKENS)
            elif op < 0.8 and n:
                pos = rng.randrange(n)
                del data[pos:pos + rng.randint(1, 20)]
            else:
                with contextlib.suppress(UnicodeError):
                    data = bytearray(bytes(data).decode("utf-8").encode(
                        rng.choice(["utf-16", "cp1252", "utf-8-sig"])))
        path = tmp_path / f"f{i}.{'toml' if kind == 'toml' else 'csv'}"
        path.write_bytes(bytes(data))
        try:
            if kind == "append":
                before = len(pn.read_pain_log(path))
                pn.append_pain(path, pain=3, date="2026-05-05", note="é")
                after = pn.read_pain_log(path)
                assert len(after) == before + 1 and after["note"].iloc[-1] == "é"
            else:
                readers[kind](path)
        except kneeload.KneeloadError:
            pass
