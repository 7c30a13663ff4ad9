from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SAMPLE
from factories import activities

from kneeload import InputError
from kneeload import shoes as sh
from kneeload.cli import main
from kneeload.schema import M_PER_MI

MI = M_PER_MI


def shoes_csv(tmp_path, text):
    p = tmp_path / "shoes.csv"
    p.write_text(text)
    return sh.read_shoes(p)


def test_assignment_rules_in_order(tmp_path):
    shoes = shoes_csv(tmp_path, "shoe,first_used,retired,default,sports\n"
                                "Road,2026-01-01,,yes,\nTrail,2026-01-01,,,trail_running\n"
                                "Old,2025-01-01,2025-12-31,,\nRacer,2026-02-01,,,\n")
    acts = activities([
        ("2025-06-01 08:00", 5.0),                    # only Old in use -> only pair
        ("2026-01-10 08:00", 5.0),                    # Road+Trail -> default Road
        ("2026-01-11 08:00", 6.0, "trail_running"),   # -> sport Trail
        ("2026-02-03 08:00", 4.0),                    # Road+Trail+Racer -> default Road
        ("2026-02-05 08:00", 3.0),                    # override by date -> Racer
        ("2024-06-01 08:00", 2.0),                    # before any pair -> unassigned
        ("2026-02-07 08:00", 1.0, "cycling"),         # not running: never assigned
    ])
    acts.loc[1, "gear"] = ""
    overrides = pd.DataFrame({"activity": ["2026-02-05"], "shoe": ["racer"], "line": [2]})
    a = sh.assign_shoes(acts, shoes, overrides)
    assert a["shoe"].tolist() == ["Old", "Road", "Trail", "Road", "Racer", ""]
    assert a["shoe_rule"].tolist() == ["only pair", "default", "sport", "default", "override",
                                       "unassigned"]


def test_recorded_gear_wins_and_unknown_gear_is_kept_as_its_own_pair(tmp_path):
    shoes = shoes_csv(tmp_path, "shoe,default\nRoad,yes\n")
    acts = activities([("2026-01-10 08:00", 5.0), ("2026-01-11 08:00", 6.0)])
    acts["gear"] = ["ROAD", "Ghost 15"]
    a = sh.assign_shoes(acts, shoes)
    assert a["shoe"].tolist() == ["Road", "Ghost 15"]
    st = sh.shoe_status(a, shoes).set_index("shoe")
    assert not st.loc["Ghost 15", "in_file"]
    assert st.loc["Ghost 15", "distance_m"] == pytest.approx(6 * MI)


def test_several_pairs_and_no_rule_means_unassigned(tmp_path):
    shoes = shoes_csv(tmp_path, "shoe\nA\nB\n")
    a = sh.assign_shoes(activities([("2026-01-10 08:00", 5.0)]), shoes)
    assert a["shoe"].tolist() == [""]
    assert sh.unassigned_runs(a) == {"distance_m": pytest.approx(5 * MI), "runs": 1}


def test_status_limits_projection_and_rotation(tmp_path):
    shoes = shoes_csv(tmp_path, "shoe,start_distance,unit,notice,replace\n"
                                "Worn,290,mi,,\nKm pair,0,km,100,200\n")
    runs = [(f"2026-03-{d:02d} 08:00", 5.0) for d in range(1, 29)]  # 140 mi in 28 days
    acts = activities(runs)
    acts["gear"] = "Worn"
    a = sh.assign_shoes(acts, shoes)
    st = sh.shoe_status(a, shoes).set_index("shoe")
    worn = st.loc["Worn"]
    assert worn.distance_m == pytest.approx(430 * MI)
    assert worn.status == "notice"
    assert worn.notice_on == pd.Timestamp("2026-03-02")   # 290 + 5 + 5 reaches 300
    # the pair has been in use 28 days (1-28 Mar), not the whole 56-day window: its rate is
    # 140 mi / 28 d = 5 mi/day (over 56 days it would be 2.5 and the date 14 days late);
    # 70 mi to go -> 14 days
    assert worn.replace_on == pd.Timestamp("2026-03-28") + pd.Timedelta(days=14)
    assert worn.share == 1.0
    assert st.loc["Km pair", "replace_m"] == 200_000
    assert pd.isna(st.loc["Km pair", "replace_on"])  # not in use: no projection
    advice = sh.rotation_advice(st.reset_index())
    assert any("consider a second pair" in a and "Malisoux" in a for a in advice)
    assert any(a.startswith("Worn has 430 mi") for a in advice)
    # shoe advice in the display unit: 430 mi = 692 km
    assert any(a.startswith("Worn has 692 km") for a in sh.rotation_advice(st.reset_index(),
                                                                          unit="km"))


@pytest.mark.parametrize("text, match", [
    ("name\nA\n", "has no 'shoe' column"),
    ("shoe,first_used\nA,01/02/2026\n", "line 2: first_used '01/02/2026' is not an ISO date"),
    ("shoe,replace\nA,lots\n", "line 2: replace 'lots' is not a number"),
    ("shoe\nA\na\n", "line 3: shoe 'a' is listed twice"),
    ("shoe,first_used,retired\nA,2026-02-01,2026-01-01\n", "retired 2026-01-01 is before"),
    ("shoe,colour\nA,red\n", "unknown column"),
])
def test_bad_shoes_file_names_the_line(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        shoes_csv(tmp_path, text)


def test_sample_shoes_as_its_readme_says(capsys):
    assert main(["shoes", str(SAMPLE), "--shoes", str(SAMPLE / "shoes.csv"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    st = {s["shoe"]: s for s in doc["shoes"]}
    assert st["Pegasus 40"]["status"] == "retired"
    assert st["Pegasus 40"]["replace_on"] == "2026-05-21"
    assert st["Pegasus 40"]["distance"] == pytest.approx(513.5, abs=0.1)
    assert st["Speedgoat 5"]["status"] == "notice" and round(st["Speedgoat 5"]["distance"]) == 316
    assert st["Speedgoat 5"]["notice_on"] == "2026-07-26"
    assert st["Pegasus 41"]["status"] == "ok" and round(st["Pegasus 41"]["distance"]) == 105
    assert st["Pegasus 41"]["share"] == pytest.approx(0.66, abs=0.01)
    assert doc["unassigned"] == {"distance": 0.0, "runs": 0, "unit": "mi"}
    assert set(st["Pegasus 41"]) >= {"shoe", "distance", "unit", "runs", "status", "first_used",
                                     "last_used", "notice_on", "replace_on", "share"}


def test_shoes_exit_1_when_a_pair_in_use_is_past_replace(tmp_path, data, capsys):
    import shutil
    shutil.copy(data / "fit/fr645-run.fit", tmp_path)
    (tmp_path / "shoes.csv").write_text("shoe,start_distance\nOld faithful,499\n")
    assert main(["shoes", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Replace Old faithful: 503 mi" in out
    assert main(["shoes", str(tmp_path), "--shoes", str(tmp_path / "none.csv")]) == 2
