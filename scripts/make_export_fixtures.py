"""Generate tests/data/exports/: small bulk exports shaped like the real ones.

Deterministic; run from the repository root (needs only kneeload's own dependencies)::

    python scripts/make_export_fixtures.py

Writes:

- ``strava_<lang>/`` for en, de, fr, es, it, pt, nl: an unzipped Strava bulk export
  (``activities.csv``, Strava's ``shoes.csv`` and ``bikes.csv``, ``activities/`` with a
  ``.fit.gz``, a ``.gpx.gz`` and a ``.tcx.gz`` whose XML begins with blanks, as Strava writes
  them). The tests zip a folder to get the ``.zip`` Strava sends (files at the archive root).
- ``garmin-connect-export.zip``: Garmin Connect's data export layout, FIT files inside a
  nested ``UploadedFiles_0-_Part1.zip``, ``*_summarizedActivities.json`` and ``*_gear.json``.
- ``apple_health_export/``: ``export.xml`` (with Apple's DTD) and ``workout-routes/``.

Where each shape comes from (public parsers and their test data) is in docs/exports.md.
The activity files inside are real files from tests/data (see tests/data/SOURCES.md) or,
for the Phoenix evening run, a synthetic track written the way Strava writes GPX.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OUT = DATA / "exports"
UTC = dt.timezone.utc

# --- Strava -----------------------------------------------------------------------------------

#: The 103-column English header (2024-2025 exports), as quoted in public parser tests.
HEADER_EN = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,"
    "Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,Average Grade Adjusted Pace,"
    "Timer Time,Total Cycles,Recovery,With Pet,Competition,Long Run,For a Cause,With Kid,"
    "Downhill Distance,Total Sets,Total Reps,Media").split(",")

#: The 92-column German header, as quoted in a public parser's tests.
HEADER_DE = (
    "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,"
    "Verstrichene Zeit,Distanz,Max. Herzfrequenz,Relative Leistung,Pendeln,"
    "Hinweis zur Privatsphäre für Aktivitäten,Aktivitätsausrüstung,Dateiname,Sportlergewicht,"
    "Fahrradgewicht,Verstrichene Zeit,Bewegungszeit,Distanz,Höchstgeschw.,"
    "Durchschnittliche Geschwindigkeit,Höhenzunahme,Höhenunterschied,Min. Höhe,Max. Höhe,"
    "Max. Steigung,Durchschnittliche Steigung,Durchschnittliche positive Steigung,"
    "Durchschnittliche negative Steigung,Max. Tritt-/Schrittfrequenz,"
    "Durchschnittliche Trittfrequenz,Max. Herzfrequenz,Durchschnittliche Herzfrequenz,"
    "Max. Watt,Durchschnittliche Watt,Kalorien,Max. Temperatur,Durchschnittliche Temperatur,"
    "Relative Leistung,Gesamtarbeit,Anzahl Läufe,Bergaufzeit,Bergabzeit,Andere Zeit,"
    "Gefühlte Anstrengung,Art,Startzeit,Gewichtete durchschnittliche Leistung,Leistungszahl,"
    "Gefühlte Anstrengung verwenden,Gefühlte relative Leistung,Pendeln,"
    "Insgesamt gestemmtes Gewicht,Von Upload,Auf Steigung angepasste Distanz,"
    "Wetterbeobachtungszeit,Wetterlage,Wetter: Temperatur,Scheinbare Temperatur,Taupunkt,"
    "Luftfeuchtigkeit,Wetter: Druck,Windgeschwindigkeit,Windböe,Windrichtung,"
    "Niederschlagsintensität,Sonnenaufgangszeit,Sonnenuntergangszeit,Mondphase,Fahrrad,"
    "Ausrüstung,Niederschlagswahrscheinlichkeit,Niederschlagsart,Wolkendecke,"
    "Wetter: Sichtbarkeit,UV-Index,Wetter: Ozon,Sprunganzahl,Schwierigkeit insgesamt,"
    "Durchschnittlicher Flow,Markiert,Durchschnittsgeschwindigkeit im Aufzeichnungszeitraum,"
    "Auf Schotter zurückgelegte Distanz,Neu getestete Distanz,Neu getestete Schotterdistanz,"
    "Aktivitätsanzahl,Schritte insgesamt,Eingesparte CO₂-Emissionen,Pool-Länge,"
    "Trainingsbelastung,Intensität,Durchschnittliches auf Steigung angepasstes Tempo,Medien"
).split(",")

#: The first 21 columns of a French export, as quoted in a public parser's tests; the rest
#: of the French header (not seen) is the columns kneeload reads, in the English order.
HEADER_FR = (
    "ID de l'activité,Date de l'activité,Nom de l'activité,Type d'activité,"
    "Description de l'activité,Temps écoulé,Distance,Fréquence cardiaque max.,Effort relatif,"
    "Déplacement-transport,Note privée sur les activités,Matériel utilisé pour l'activité,"
    "Nom du fichier,Poids de l'athlète,Poids du vélo,Temps écoulé,Durée de déplacement,"
    "Distance,Vitesse max.,Vitesse moyenne,Dénivelé positif,Dénivelé négatif,"
    "Cadence moyenne,Fréquence cardiaque max.,Fréquence cardiaque moyenne,Effort perçu"
).split(",")

#: Canonical column order of the constructed headers (es, it, pt, nl: not seen in public
#: sources; key columns only, named as in kneeload.io.strava.STRAVA_COLUMNS).
KEY_ORDER = ["id", "date", "name", "type", "elapsed", "distance", "hr_max", "gear",
             "filename", "elapsed", "moving", "distance", "ascent", "descent", "cadence",
             "hr_max", "hr_avg", "rpe"]

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "es": "ene feb mar abr may jun jul ago sept oct nov dic",
    "it": "gen feb mar apr mag giu lug ago set ott nov dic",
    "pt": "jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez.",
    "nl": "jan feb mrt apr mei jun jul aug sep okt nov dec",
}
TYPES = {  # Run, Ride in each language
    "en": ("Run", "Ride"), "de": ("Lauf", "Radfahrt"), "fr": ("Course à pied", "Vélo"),
    "es": ("Carrera", "Bicicleta"), "it": ("Corsa", "Giro in bici"),
    "pt": ("Corrida", "Pedalada"), "nl": ("Hardlopen", "Fietsrit"),
}
GEAR_HEADERS = {
    "en": ("Shoe Name,Shoe Brand,Shoe Model,Shoe Default Sport Types",
           "Bike Name,Bike Brand,Bike Model,Bike Default Sport Types"),
    "de": ("Schuhname,Schuhmarke,Schuhmodell,Standardsportarten für Schuhe",
           "Fahrradname,Fahrradmarke,Fahrradmodell,Standardsportarten für Fahrräder"),
}


def strava_date(when: dt.datetime, lang: str) -> str:
    """``Activity Date`` as Strava writes it in ``lang`` (UTC)."""
    if lang == "en":
        return f"{when:%b} {when.day}, {when.year}, {when.hour % 12 or 12}:{when:%M:%S %p}"
    if lang == "de":
        return f"{when:%d.%m.%Y, %H:%M:%S}"
    mon = MONTHS[lang].split()[when.month - 1]
    if lang == "pt":
        return f"{when.day} de {mon} de {when.year}, {when:%H:%M:%S}"
    return f"{when.day} {mon} {when.year}, {when:%H:%M:%S}"


def number(value: float, lang: str, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if lang != "en" else text


def phoenix_gpx() -> bytes:
    """A Sunday-evening 5 km run in Phoenix (UTC-7, no daylight saving), as Strava writes GPX:
    19:30 local on Sunday 9 June 2024 is 02:30 UTC on Monday 10 June."""
    start = dt.datetime(2024, 6, 10, 2, 30, tzinfo=UTC)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gpx creator="StravaGPX" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
             'http://www.topografix.com/GPX/1/1/gpx.xsd" version="1.1" '
             'xmlns="http://www.topografix.com/GPX/1/1">',
             " <metadata>", f"  <time>{start:%Y-%m-%dT%H:%M:%SZ}</time>", " </metadata>",
             " <trk>", "  <name>Evening Run</name>", "  <type>running</type>", "  <trkseg>"]
    lat0, lon0 = 33.4484, -112.0740
    step_deg = 30.0 / 111_195.0  # 30 m north every 10 s (3 m/s)
    for i in range(168):
        t = start + dt.timedelta(seconds=10 * i)
        ele = 331.0 + 4.0 * math.sin(i / 20)
        lines += [f'   <trkpt lat="{lat0 + i * step_deg:.7f}" lon="{lon0:.7f}">',
                  f"    <ele>{ele:.1f}</ele>", f"    <time>{t:%Y-%m-%dT%H:%M:%SZ}</time>",
                  "   </trkpt>"]
    lines += ["  </trkseg>", " </trk>", "</gpx>"]
    return ("\n".join(lines) + "\n").encode()


def strava_rows(lang: str) -> list[dict[str, str]]:
    run, ride = TYPES[lang]
    rows = [
        # Activity Gear as "Brand Model Name": the same pair as "Daily Trainer"
        dict(id="2700000001", when=dt.datetime(2017, 6, 11, 14, 34, 9), type=run,  # noqa: DTZ001
             name="Tiny run", gear="Nike Pegasus 40 Daily Trainer",
             file="activities/2700000001.fit.gz", elapsed=57, metres=157.6, rpe=""),
        dict(id="2700000002", when=dt.datetime(2024, 6, 10, 2, 30, 0), type=run,  # noqa: DTZ001
             name="Evening Run", gear="Daily Trainer", file="activities/2700000002.gpx.gz",
             elapsed=1670, metres=5004.4, rpe="6"),
        dict(id="2700000003", when=dt.datetime(2024, 6, 11, 12, 0, 0), type=run,  # noqa: DTZ001
             name="Treadmill", gear="Saucony Endorphin Pro 3", file="", elapsed=2400,
             metres=8046.7, rpe="7"),
        dict(id="2700000004", when=dt.datetime(2024, 6, 12, 17, 0, 0), type=ride,  # noqa: DTZ001
             name="Commute", gear="Commuter", file="", elapsed=3600, metres=30000.0, rpe=""),
        dict(id="2700000005", when=dt.datetime(2018, 11, 25, 7, 20, 49), type=run,  # noqa: DTZ001
             name="Race", gear="Race", file="activities/2700000005.tcx.gz", elapsed=823,
             metres=2153.7, rpe="9"),
        dict(id="2700000006", when=dt.datetime(2024, 6, 14, 6, 0, 0), type=run,  # noqa: DTZ001
             name="Lost file", gear="Race", file="activities/2700000006.fit.gz",
             elapsed=1800, metres=5000.0, rpe=""),
    ]
    return rows


def header_for(lang: str) -> list[str]:
    if lang == "en":
        return HEADER_EN
    if lang == "de":
        return HEADER_DE
    if lang == "fr":
        return HEADER_FR
    import sys
    sys.path.insert(0, str(ROOT))
    from kneeload.io.strava import STRAVA_COLUMNS
    return [STRAVA_COLUMNS[c][lang] for c in KEY_ORDER]


def write_strava(lang: str) -> None:
    import sys
    sys.path.insert(0, str(ROOT))
    from kneeload.io.strava import _HEADER_LOOKUP, _key

    root = OUT / f"strava_{lang}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "activities").mkdir(parents=True)
    header = header_for(lang)
    canon = [(_HEADER_LOOKUP.get(_key(h)) or (None,))[0] for h in header]
    seen: dict[str, int] = {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in strava_rows(lang):
        cells = []
        seen.clear()
        for c in canon:
            n = seen[c] = seen.get(c, 0) + 1 if c else 0
            first = n == 1
            value = {
                "id": r["id"], "date": strava_date(r["when"], lang), "name": r["name"],
                "type": r["type"], "gear": r["gear"], "filename": r["file"],
                "elapsed": str(r["elapsed"]) if first else f"{r['elapsed']:.1f}",
                "moving": f"{r['elapsed']:.1f}",
                # first Distance: display unit (km, two places, the language's decimal mark);
                # the last: metres with a decimal point, as Strava writes it in every language
                "distance": number(r["metres"] / 1000, lang, 2) if first
                else f"{r['metres']:.1f}",
                "descent": "0.0" if r["id"] == "2700000003" else "",
                "rpe": r["rpe"],
            }.get(c, "") if c else ""
            cells.append(value)
        w.writerow(cells)
    (root / "activities.csv").write_text(buf.getvalue(), encoding="utf-8")
    shoes_h, bikes_h = GEAR_HEADERS.get(lang, GEAR_HEADERS["en"])
    (root / "shoes.csv").write_text(
        f"{shoes_h}\nDaily Trainer,Nike,Pegasus 40,Run\n,Saucony,Endorphin Pro 3,Run\n"
        "Race,Adidas,Adios Pro 3,Run\n", encoding="utf-8")
    (root / "bikes.csv").write_text(f"{bikes_h}\nCommuter,Trek,FX 3,Ride\n", encoding="utf-8")
    acts = root / "activities"
    (acts / "2700000001.fit.gz").write_bytes(
        gzip.compress((DATA / "fit/fenix5-tiny-run.fit").read_bytes(), mtime=0))
    blanks = b" " * 10  # Strava's GPX and TCX begin with blanks before <?xml
    (acts / "2700000002.gpx.gz").write_bytes(gzip.compress(blanks + phoenix_gpx(), mtime=0))
    (acts / "2700000005.tcx.gz").write_bytes(gzip.compress(
        blanks + (DATA / "tcx/fr620-run-runcadence.tcx").read_bytes(), mtime=0))


# --- Garmin Connect ---------------------------------------------------------------------------

def _ms(when: dt.datetime) -> int:
    return int(when.replace(tzinfo=UTC).timestamp() * 1000)


def write_garmin() -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        # named with the activity id, as Garmin names uploaded files
        z.writestr(zipfile.ZipInfo("user@example.com_1001.fit", (2017, 6, 11, 0, 0, 0)),
                   (DATA / "fit/fenix5-tiny-run.fit").read_bytes())
        # named with an upload number: matched to its summary by start time
        z.writestr(zipfile.ZipInfo("user@example.com_77.fit", (2013, 2, 6, 0, 0, 0)),
                   (DATA / "fit/fr110-run-no-cadence.fit").read_bytes())
    fenix = dt.datetime(2017, 6, 11, 14, 34, 9)  # noqa: DTZ001
    fr110 = dt.datetime(2013, 2, 6, 12, 11, 14)  # noqa: DTZ001
    tread = dt.datetime(2024, 6, 11, 5, 30, 0)   # 07:30 in Berlin (UTC+2)  # noqa: DTZ001
    manual = dt.datetime(2024, 6, 12, 22, 30, 0)  # 00:30 next day in Berlin  # noqa: DTZ001
    summaries = [{"summarizedActivitiesExport": [
        {"activityId": 1001, "name": "Tiny run", "activityType": "running",
         "sportType": "RUNNING", "beginTimestamp": _ms(fenix),
         "startTimeGmt": _ms(fenix), "startTimeLocal": _ms(fenix - dt.timedelta(hours=7)),
         "duration": 56887.0, "elapsedDuration": 56887.0, "movingDuration": 56887.0,
         "distance": 15756.0, "elevationGain": 200.0, "elevationLoss": 100.0, "avgHr": 90.0,
         "maxHr": 96.0, "avgRunCadence": 83.0, "deviceId": 3912345678, "manualActivity": False},
        {"activityId": 1002, "name": "Inverness Running", "activityType": "running",
         "sportType": "RUNNING", "beginTimestamp": _ms(fr110), "startTimeGmt": _ms(fr110),
         "startTimeLocal": _ms(fr110), "duration": 2625140.0, "distance": 483538.0,
         "manualActivity": False},
        {"activityId": 1003, "name": "Treadmill", "activityType": "treadmill_running",
         "sportType": "RUNNING", "beginTimestamp": _ms(tread), "startTimeGmt": _ms(tread),
         "startTimeLocal": _ms(tread + dt.timedelta(hours=2)), "duration": 2400000.0,
         "movingDuration": 2400000.0, "distance": 800000.0, "avgHr": 141.0,
         "manualActivity": False},
        {"activityId": 1004, "name": "Forgot the watch", "activityType": "running",
         "sportType": "RUNNING", "beginTimestamp": _ms(manual), "startTimeGmt": _ms(manual),
         "startTimeLocal": _ms(manual + dt.timedelta(hours=2)), "duration": 1800000.0,
         "distance": 500000.0, "manualActivity": True},
        {"activityId": 1005, "name": "Evening ride", "activityType": "road_biking",
         "sportType": "CYCLING", "beginTimestamp": _ms(manual - dt.timedelta(hours=5)),
         "startTimeLocal": _ms(manual - dt.timedelta(hours=3)), "duration": 3600000.0,
         "distance": 3000000.0, "manualActivity": False},
    ]}]
    gear = [{
        "gearDTOS": [
            {"gearPk": 501, "uuid": "a1b2c3", "gearMakeName": "Nike",
             "gearModelName": "Pegasus 40", "gearTypeName": "Shoes", "gearStatusName": "active",
             "displayName": "Pegasus 40", "customMakeModel": "Nike Pegasus 40",
             "maximumMeters": 650000.0, "dateBegin": "2017-01-02T00:00:00.0", "dateEnd": None},
            {"gearPk": 502, "uuid": "d4e5f6", "gearMakeName": "Brooks",
             "gearModelName": "Ghost 14", "gearTypeName": "Shoes",
             "gearStatusName": "retired", "displayName": None,
             "customMakeModel": "Brooks Ghost 14", "maximumMeters": 0.0,
             "dateBegin": "2012-11-01T00:00:00.0", "dateEnd": "2013-12-31T00:00:00.0"},
            {"gearPk": 503, "uuid": "g7h8i9", "gearMakeName": "Trek", "gearModelName": "FX 3",
             "gearTypeName": "Bike", "gearStatusName": "active", "displayName": "Commuter",
             "customMakeModel": "Trek FX 3", "maximumMeters": 0.0,
             "dateBegin": "2020-01-01T00:00:00.0", "dateEnd": None},
        ],
        "gearActivityDTOs": {
            "501": [{"activityId": 1001, "gearPk": 501}, {"activityId": 1003, "gearPk": 501},
                    {"activityId": 1004, "gearPk": 501}],
            "502": [{"activityId": 1002, "gearPk": 502}],
            "503": [{"activityId": 1005, "gearPk": 503}],
        },
    }]
    members = {
        "DI_CONNECT/DI-Connect-Fitness/user@example.com_0_summarizedActivities.json":
            json.dumps(summaries).encode(),
        "DI_CONNECT/DI-Connect-Fitness/user@example.com_gear.json": json.dumps(gear).encode(),
        "DI_CONNECT/DI-Connect-Fitness/user@example.com_personalRecord.json":
            b'[{"personalRecords": []}]',
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": inner.getvalue(),
    }
    out = OUT / "garmin-connect-export.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 6, 20, 0, 0, 0)), data)
    # The same export unzipped, as Garmin's archive unpacks (issue 22): the folder layout of
    # the "Export Your Data" archive (DI_CONNECT/DI-Connect-*), with the other JSON files it
    # holds besides the activities (wellness, user, aggregator, metrics), each with a tiny
    # made-up body: kneeload lists them as ignored, with why.
    folder = OUT / "garmin_connect_export"
    if folder.exists():
        shutil.rmtree(folder)
    extra = {
        "DI_CONNECT/DI-Connect-Fitness/user@example.com_0_activityImages.json": b"[]",
        "DI_CONNECT/DI-Connect-Wellness/2024-03-01_2024-06-09_12345678_sleepData.json":
            b'[{"calendarDate": "2024-06-09", "deepSleepSeconds": 5400}]',
        "DI_CONNECT/DI-Connect-Wellness/12345678_userBioMetrics.json":
            b'[{"weight": 70000.0}]',
        "DI_CONNECT/DI-Connect-User/user_profile.json": b'{"userName": "user@example.com"}',
        "DI_CONNECT/DI-Connect-User/user_settings.json": b'{"measurementSystem": "metric"}',
        "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2024-03-01_2024-06-09.json":
            b'[{"calendarDate": "2024-06-09", "totalSteps": 12000}]',
        "DI_CONNECT/DI-Connect-Metrics/MetricsMaxMetData_20240301_20240609_12345678.json":
            b'[{"vo2MaxValue": 52.0}]',
    }
    for name, data in {**members, **extra}.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# --- Apple Health -------------------------------------------------------------------------------

APPLE_DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|\
ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  totalDistance         CDATA #IMPLIED
  totalDistanceUnit     CDATA #IMPLIED
  totalEnergyBurned     CDATA #IMPLIED
  totalEnergyBurnedUnit CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
]>
"""


def apple_route_gpx() -> bytes:
    """A route as Apple Health writes it (workout-routes/route_*.gpx): Phoenix, Sunday
    9 June 2024, 19:30 local (-0700), 3 m/s north for 1,670 s."""
    start = dt.datetime(2024, 6, 10, 2, 30, tzinfo=UTC)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gpx version="1.1" creator="Apple Health Export" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             'xmlns="http://www.topografix.com/GPX/1/1" '
             'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
             'http://www.topografix.com/GPX/1/1/gpx.xsd">',
             f" <metadata>\n  <time>{start:%Y-%m-%dT%H:%M:%SZ}</time>\n </metadata>",
             " <trk>", "  <name>Route 2024-06-09 7:30pm</name>", "  <trkseg>"]
    step_deg = 30.0 / 111_195.0
    for i in range(168):
        t = start + dt.timedelta(seconds=10 * i)
        lines.append(f'   <trkpt lon="-112.074000" lat="{33.4484 + i * step_deg:.6f}">'
                     f"<ele>{331.0 + 4.0 * math.sin(i / 20):.6f}</ele>"
                     f"<time>{t:%Y-%m-%dT%H:%M:%SZ}</time><extensions><speed>3.000000</speed>"
                     "<course>0.000000</course><hAcc>3.500000</hAcc><vAcc>2.000000</vAcc>"
                     "</extensions></trkpt>")
    lines += ["  </trkseg>", " </trk>", "</gpx>"]
    return ("\n".join(lines) + "\n").encode()


def write_apple() -> None:
    root = OUT / "apple_health_export"
    shutil.rmtree(root, ignore_errors=True)
    (root / "workout-routes").mkdir(parents=True)
    body = [
        '<HealthData locale="en_US">',
        ' <ExportDate value="2024-06-20 08:00:00 -0700"/>',
        ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01" '
        'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>',
        ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count" '
        'creationDate="2019-05-01 09:00:00 +0200" startDate="2019-05-01 08:00:00 +0200" '
        'endDate="2019-05-01 08:10:00 +0200" value="1200"/>',
        # an older export: totals as Workout attributes
        ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30.5" '
        'durationUnit="min" totalDistance="5.01" totalDistanceUnit="km" '
        'totalEnergyBurned="320" totalEnergyBurnedUnit="kcal" sourceName="Apple Watch" '
        'sourceVersion="5.1" creationDate="2019-05-01 08:40:00 +0200" '
        'startDate="2019-05-01 08:05:00 +0200" endDate="2019-05-01 08:35:30 +0200">',
        '  <MetadataEntry key="HKIndoorWorkout" value="0"/>',
        '  <MetadataEntry key="HKElevationAscended" value="4200 cm"/>',
        ' </Workout>',
        # a newer export: WorkoutStatistics and a route
        ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="27.8333" '
        'durationUnit="min" sourceName="Apple Watch" sourceVersion="10.5" '
        'creationDate="2024-06-09 19:58:30 -0700" startDate="2024-06-09 19:30:00 -0700" '
        'endDate="2024-06-09 19:57:50 -0700">',
        '  <MetadataEntry key="HKIndoorWorkout" value="0"/>',
        '  <MetadataEntry key="HKTimeZone" value="America/Phoenix"/>',
        '  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="2024-06-09 19:30:00 -0700" '
        'duration="5.5" durationUnit="min"/>',
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" '
        'startDate="2024-06-09 19:30:00 -0700" endDate="2024-06-09 19:57:50 -0700" '
        'average="151" minimum="98" maximum="172" unit="count/min"/>',
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
        'startDate="2024-06-09 19:30:00 -0700" endDate="2024-06-09 19:57:50 -0700" '
        'sum="3.10955" unit="mi"/>',
        '  <WorkoutRoute sourceName="Apple Watch" sourceVersion="10.5" '
        'creationDate="2024-06-09 19:58:31 -0700" startDate="2024-06-09 19:30:00 -0700" '
        'endDate="2024-06-09 19:57:50 -0700">',
        '   <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>',
        '   <FileReference path="/workout-routes/route_2024-06-09_7.30pm.gpx"/>',
        '  </WorkoutRoute>',
        ' </Workout>',
        # a treadmill run
        ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="40" '
        'durationUnit="min" sourceName="Apple Watch" sourceVersion="10.5" '
        'startDate="2024-06-11 06:00:00 -0700" endDate="2024-06-11 06:40:00 -0700">',
        '  <MetadataEntry key="HKIndoorWorkout" value="1"/>',
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
        'startDate="2024-06-11 06:00:00 -0700" endDate="2024-06-11 06:40:00 -0700" '
        'sum="8" unit="km"/>',
        ' </Workout>',
        ' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="20" '
        'durationUnit="min" sourceName="iPhone" startDate="2024-06-12 12:00:00 -0700" '
        'endDate="2024-06-12 12:20:00 -0700">',
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
        'sum="1.6" unit="km"/>',
        ' </Workout>',
        ' <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="60" '
        'durationUnit="min" sourceName="Apple Watch" startDate="2024-06-13 17:00:00 -0700" '
        'endDate="2024-06-13 18:00:00 -0700">',
        '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceCycling" sum="20" '
        'unit="km"/>',
        ' </Workout>',
        ' <ActivitySummary dateComponents="2024-06-09" activeEnergyBurned="650" '
        'activeEnergyBurnedGoal="600" activeEnergyBurnedUnit="kcal"/>',
        '</HealthData>',
    ]
    (root / "export.xml").write_text(APPLE_DTD + "\n".join(body) + "\n", encoding="utf-8")
    (root / "export_cda.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                        '<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n',
                                        encoding="utf-8")
    (root / "workout-routes" / "route_2024-06-09_7.30pm.gpx").write_bytes(apple_route_gpx())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "de", "fr", "es", "it", "pt", "nl"):
        write_strava(lang)
    write_garmin()
    write_apple()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
