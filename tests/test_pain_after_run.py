"""The ``pain_after_run`` rule (issue 20 item 12): pain logged after a run above the model's
limit and above the runner's usual level."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from factories import activities, weekly_runs

from kneeload import pain as pn
from kneeload.config import Config
from kneeload.limits import allowance
from kneeload.rules import registry
from kneeload.schema import M_PER_MI as MI


def log_of(tmp_path, rows: str):
    p = tmp_path / "pain.csv"
    p.write_text("date,pain,side,when,activity,note\n" + textwrap.dedent(rows))
    return pn.read_pain_log(p)


def after_flags(log, **kw):
    f = pn.pain_flags(log, **kw)
    return f[f["rule"] == "pain_after_run"]


def test_after_run_pain_above_the_limit_and_the_usual_level(tmp_path):
    log = log_of(tmp_path, """\
        2026-05-01,1,right,rest,,
        2026-05-02,1,right,rest,,
        2026-05-03,1,right,rest,,
        2026-05-04,3,right,after,,
        2026-05-06,2,right,after,,
        2026-05-08,6,right,after,,
        """)
    f = after_flags(log)
    # usual: 3 rest entries of 1/10 in the 28 days before -> median 1/10.
    # 4 May 3/10 > max(2 (PFP limit), 1) -> flag, threshold 2; 6 May 2/10 is not above the
    # 2/10 limit -> none; 8 May 6/10 > 2 (usual: median of 1, 1, 1 mornings = 1) -> flag
    assert f["date"].dt.strftime("%m-%d").tolist() == ["05-04", "05-08"]
    assert f["value"].tolist() == [3.0, 6.0] and f["threshold"].tolist() == [2.0, 2.0]
    assert f["severity"].tolist() == ["warn", "warn"]  # clinical grade, over
    msg = f["message"].iloc[0]
    assert "3/10 after running, above the 2/10 the patellofemoral pain-monitoring model" in msg
    assert "above your usual morning" in msg and "within about an hour" in msg
    # the tendon model accepts up to 5/10 after activity: only 8 May's 6/10
    t = after_flags(log, model="tendon")
    assert t["date"].dt.strftime("%m-%d").tolist() == ["05-08"]
    assert "settles by the next morning" in t["message"].iloc[0]


def test_pain_already_there_before_the_run_is_not_the_runs(tmp_path):
    log = log_of(tmp_path, """\
        2026-05-01,3,,rest,,
        2026-05-02,3,,rest,,
        2026-05-03,3,,next_morning,,
        2026-05-04,3,,after,,
        2026-05-05,4,,after,,
        """)
    f = after_flags(log)
    # usual 3/10 (median of 3, 3, 3 mornings): 4 May's 3/10 is no rise -> none;
    # 5 May 4/10 > max(2, 3) = 3 -> flag, threshold 3 (median of 3, 3, 3: 4 May's 'after'
    # is not a morning)
    assert f["date"].dt.strftime("%m-%d").tolist() == ["05-05"]
    assert f["threshold"].tolist() == [3.0]


def test_with_no_entry_before_the_limit_alone(tmp_path):
    # the log's first entry: no usual level -> 2.5 > 2 (PFP) flags; the message names no usual
    f = after_flags(log_of(tmp_path, "2026-05-04,2.5,,after,,\n"))
    assert f["value"].tolist() == [2.5] and f["threshold"].tolist() == [2.0]
    assert "accepts. The model asks" in f["message"].iloc[0]  # no "and above your usual"


def test_the_rule_is_registered_with_its_limit_and_no_pairing():
    r = registry["pain_after_run"]
    assert r.kind == "pain" and r.grade == "clinical" and not r.pairs_with_pain
    assert r.limit is not None
    assert r.defaults["pfp_limit"] == 2.0 and r.defaults["tendon_limit"] == 5.0
    assert "60-minute" in r.citation
    assert after_flags(pd.DataFrame({"date": [pd.Timestamp("2026-05-04")], "pain": [9.0],
                                     "when": ["after"]}),
                       config=Config().with_rules({"pain_after_run": {"enabled": False}})
                       ).empty


def test_an_open_after_run_flag_holds_the_week_and_caps_the_long_run():
    # 10 mi weeks (Mon/Thu/Sun, 3.33 mi runs) from Mon 5 Jan, then Sun 1 Feb 8 mi; rest
    # entries of 1/10 from 6 Jan to 31 Jan, then 4/10 after Sunday's 8 mi: 4 > max(2, 1)
    runs = weekly_runs("2026-01-05", [10, 10, 10, 10])[:-1] + [("2026-02-01 08:00", 8.0)]
    acts = activities(runs)
    dates = pd.date_range("2026-01-06", "2026-01-31", freq="D")
    log = pd.DataFrame({"date": [*dates, pd.Timestamp("2026-02-01")],
                        "pain": [1.0] * len(dates) + [4.0],
                        "when": ["rest"] * len(dates) + ["after"]})
    al = allowance(acts, "2026-02-02", Config(), pain_log=log)
    hold = next(lim for lim in al.limits if lim.rule == "pain_after_run")
    # the week held at the last complete week (26 Jan - 1 Feb): 10/3 + 10/3 + 8 = 14.67 mi.
    # The tolerated longest: full clear windows [d, d + 3] inside the log (6 Jan - 1 Feb):
    # 1 Feb's runs past the log (not judged), 29 Jan's holds 1 Feb's 4/10 (painful), 26 Jan's
    # (26-29 Jan) is clear: 3.33 mi
    assert hold.week_max_m == pytest.approx((20 / 3 + 8) * MI)
    assert hold.run_max_m == pytest.approx(10 / 3 * MI)
    assert hold.detail["pain_date"] == "2026-02-01" and hold.detail["when"] == "after"
