"""Strava's bulk export: ``activities.csv`` in any of its languages, and its gear lists.

Strava writes ``activities.csv`` in the account's language: the header, the activity types,
the date (``May 6, 2024, 4:02:34 AM`` in English, ``20.09.2026, 14:12:12`` in German) and,
in the display columns, decimal commas (``"10,20"``). The columns grow over the years (87,
92, 101, 103 ...); kneeload looks columns up by name, so any superset is read. Where a name
repeats, the *last* one is used: the first ``Distance`` is in the account's display unit,
the last in metres (likewise ``Elapsed Time``, ``Max Heart Rate``).

Beside it Strava puts ``shoes.csv`` and ``bikes.csv`` (``Shoe Name,Shoe Brand,Shoe Model,
Shoe Default Sport Types``): the export's gear lists, never kneeload's own shoes file. Its
``Activity Gear`` column names the gear as Strava shows it: the name the runner gave, or
"Brand Model", sometimes "Brand Model Name"; :func:`gear_matcher` maps each form to the
one pair.

Shapes covered and where they come from: docs/exports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..errors import InputError, UnsupportedFormatError
from ..sports import lookup

#: Canonical column -> its header in each language Strava exports (en, de, fr, es, it, pt,
#: nl). Matching ignores case, accents and punctuation.
STRAVA_COLUMNS: dict[str, dict[str, str]] = {
    "id": {"en": "Activity ID", "de": "Aktivitäts-ID", "fr": "ID de l'activité",
           "es": "ID de actividad", "it": "ID attività", "pt": "ID da atividade",
           "nl": "Activiteits-ID"},
    "date": {"en": "Activity Date", "de": "Aktivitätsdatum", "fr": "Date de l'activité",
             "es": "Fecha de la actividad", "it": "Data dell'attività",
             "pt": "Data da atividade", "nl": "Activiteitsdatum"},
    "name": {"en": "Activity Name", "de": "Name der Aktivität", "fr": "Nom de l'activité",
             "es": "Nombre de la actividad", "it": "Nome attività",
             "pt": "Nome da atividade", "nl": "Naam activiteit"},
    "type": {"en": "Activity Type", "de": "Aktivitätsart", "fr": "Type d'activité",
             "es": "Tipo de actividad", "it": "Tipo di attività", "pt": "Tipo de atividade",
             "nl": "Activiteitstype"},
    "elapsed": {"en": "Elapsed Time", "de": "Verstrichene Zeit", "fr": "Temps écoulé",
                "es": "Tiempo transcurrido", "it": "Tempo trascorso",
                "pt": "Tempo decorrido", "nl": "Verstreken tijd"},
    "moving": {"en": "Moving Time", "de": "Bewegungszeit", "fr": "Durée de déplacement",
               "es": "Tiempo en movimiento", "it": "Tempo in movimento",
               "pt": "Tempo em movimento", "nl": "Tijd in beweging"},
    "distance": {"en": "Distance", "de": "Distanz", "fr": "Distance", "es": "Distancia",
                 "it": "Distanza", "pt": "Distância", "nl": "Afstand"},
    "gear": {"en": "Activity Gear", "de": "Aktivitätsausrüstung",
             "fr": "Matériel utilisé pour l'activité", "es": "Equipo de la actividad",
             "it": "Attrezzatura per attività", "pt": "Equipamento da atividade",
             "nl": "Uitrusting voor activiteit"},
    "filename": {"en": "Filename", "de": "Dateiname", "fr": "Nom du fichier",
                 "es": "Nombre del archivo", "it": "Nome file", "pt": "Nome do arquivo",
                 "nl": "Bestandsnaam"},
    "ascent": {"en": "Elevation Gain", "de": "Höhenzunahme", "fr": "Dénivelé positif",
               "es": "Desnivel positivo", "it": "Dislivello positivo",
               "pt": "Ganho de elevação", "nl": "Hoogtewinst"},
    "descent": {"en": "Elevation Loss", "de": "Höhenunterschied", "fr": "Dénivelé négatif",
                "es": "Desnivel negativo", "it": "Dislivello negativo",
                "pt": "Perda de elevação", "nl": "Hoogteverlies"},
    "hr_avg": {"en": "Average Heart Rate", "de": "Durchschnittliche Herzfrequenz",
               "fr": "Fréquence cardiaque moyenne", "es": "Frecuencia cardiaca media",
               "it": "Frequenza cardiaca media", "pt": "Frequência cardíaca média",
               "nl": "Gemiddelde hartslag"},
    "hr_max": {"en": "Max Heart Rate", "de": "Max. Herzfrequenz",
               "fr": "Fréquence cardiaque max.", "es": "Frecuencia cardiaca máxima",
               "it": "Frequenza cardiaca max", "pt": "Frequência cardíaca máxima",
               "nl": "Max. hartslag"},
    "cadence": {"en": "Average Cadence", "de": "Durchschnittliche Trittfrequenz",
                "fr": "Cadence moyenne", "es": "Cadencia media", "it": "Cadenza media",
                "pt": "Cadência média", "nl": "Gemiddelde cadans"},
    "rpe": {"en": "Perceived Exertion", "de": "Gefühlte Anstrengung", "fr": "Effort perçu",
            "es": "Esfuerzo percibido", "it": "Sforzo percepito", "pt": "Esforço percebido",
            "nl": "Waargenomen inspanning"},
}
REQUIRED = ("id", "date", "type", "filename")
LANGUAGES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
             "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}
#: Languages whose numbers use a decimal comma ("10,20").
DECIMAL_COMMA = frozenset({"de", "fr", "es", "it", "pt", "nl"})

#: Month names and abbreviations in the export languages (lower case, no accents or dots).
_MONTHS: dict[str, int] = {}
for _i, _month_names in enumerate([
    "jan january januar janvier janv enero ene gennaio gen janeiro januari",
    "feb february februar fevrier fevr febrero febbraio fevereiro fev februari",
    "mar march marz maerz mars marzo marco maart mrt maa",
    "apr april avril avr abril abr aprile",
    "may mai mayo maggio mag maio mei",
    "jun june juni juin junio giugno giu junho",
    "jul july juli juillet juil julio luglio lug julho",
    "aug august aout agosto ago augustus",
    "sep sept september septembre septiembre settembre set setembro",
    "oct october oktober octobre octubre ottobre ott outubro out okt",
    "nov november novembre noviembre novembro",
    "dec december dezember decembre diciembre dic dicembre dezembro dez",
], start=1):
    for _n in _month_names.split():
        _MONTHS[_n] = _i


def _key(text: str) -> str:
    """Header/label text compared without case, accents, punctuation or spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", plain)


_HEADER_LOOKUP: dict[str, tuple[str, str]] = {
    _key(label): (col, lang) for col, labels in STRAVA_COLUMNS.items()
    for lang, label in labels.items()}


def strava_sport(activity_type: str) -> str | None:
    """kneeload's sport for a Strava activity type in any export language; None if unknown."""
    label = lookup("strava", activity_type)
    return None if label.assumed or label.unknown else label.sport


def header_language(header: list[str]) -> str | None:
    """The export language of an ``activities.csv`` header ('en', 'de', ...), or None."""
    first = _HEADER_LOOKUP.get(_key(header[0])) if header else None
    if first is not None and first[0] == "id":
        return first[1]
    langs = [_HEADER_LOOKUP[_key(h)][1] for h in header if _key(h) in _HEADER_LOOKUP
             and _HEADER_LOOKUP[_key(h)][0] == "id"]
    return langs[0] if langs else None


def is_strava_activities(data: bytes) -> bool:
    """Whether ``data`` starts like a Strava ``activities.csv`` in a known language."""
    line = data[:2000].decode("utf-8-sig", errors="replace").splitlines()[:1]
    if not line:
        return False
    try:
        header = next(csv.reader(io.StringIO(line[0])))
    except (csv.Error, StopIteration):
        return False
    return header_language(header) is not None


def parse_number(text: str | None, decimal_comma: bool) -> float | None:  # noqa: FBT001
    """A Strava CSV number: ``"5839.8"``, ``"1,234.5"`` (English thousands), ``"10,20"``
    (decimal comma); None when blank or not a number."""
    if text is None:
        return None
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not t:
        return None
    if "," in t and "." in t:
        # the last separator is the decimal one
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") \
            else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", ".") if decimal_comma else t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


_DATE_RE = re.compile(r"^\s*(?P<d>.+?),?\s+(?P<h>\d{1,2})[:.h](?P<mi>\d{2})(?::(?P<s>\d{2}))?"
                      r"\s*(?P<ampm>[ap]\.?\s?m\.?)?\s*$", re.IGNORECASE)


def parse_strava_date(text: str) -> pd.Timestamp:
    """Strava's ``Activity Date`` (UTC) in any export language, as a UTC timestamp.

    ``May 6, 2024, 4:02:34 AM`` (English), ``06.05.2024, 04:02:34`` (German), ``6 mai 2024,
    04:02:34`` (French), ``6 de mai. de 2024, 04:02:34`` (Portuguese), ``06/05/2024, 04:02:34``
    (day first), ``2024-05-06 04:02:34``. Raises ValueError when the text is none of these.
    """
    m = _DATE_RE.match(text)
    if not m:
        raise ValueError(text)
    day_text = m.group("d").strip().rstrip(",")
    hour, minute = int(m.group("h")), int(m.group("mi"))
    second = int(m.group("s") or 0)
    ampm = (m.group("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    numbers = re.findall(r"\d+", day_text)
    words = [w for w in re.findall(r"[^\W\d_]+", unicodedata.normalize(
        "NFKD", day_text).encode("ascii", "ignore").decode().lower()) if w not in ("de", "del")]
    if words:
        months = [_MONTHS[w] for w in words if w in _MONTHS]
        if len(months) != 1 or len(numbers) != 2:
            raise ValueError(text)
        month = months[0]
        a, b = int(numbers[0]), int(numbers[1])
        day, year = (a, b) if b > 31 else (b, a)
    else:
        if len(numbers) != 3:
            raise ValueError(text)
        if len(numbers[0]) == 4:  # ISO order
            year, month, day = (int(n) for n in numbers)
        else:  # day first: every export language but English, which spells the month
            day, month, year = (int(n) for n in numbers)
    return pd.Timestamp(dt.datetime(year, month, day, hour, minute, second), tz="UTC")  # noqa: DTZ001


@dataclass
class StravaRow:
    """One row of ``activities.csv``."""

    line: int
    activity_id: str
    start_time: pd.Timestamp | None  # None: the date could not be read (see ``problem``)
    name: str
    sport: str | None  # None: a type kneeload does not know
    activity_type: str
    gear: str
    filename: str
    values: dict[str, float | None] = field(default_factory=dict)
    #: Why the row's own date is unusable ('' when it is fine). Such a row still gives its
    #: gear to its activity file; without a file it is reported as skipped, alone.
    problem: str = ""


def parse_strava_csv(name: str, data: bytes) -> list[StravaRow]:
    """Rows of a Strava ``activities.csv`` in any export language (see module docs).

    Raises
    ------
    UnsupportedFormatError
        When the header is in no known language (naming its first column and the
        languages read); the export's files are still read without it.

    A row whose date cannot be read is kept with ``start_time`` None and its ``problem``
    set, so one bad row never costs the other rows (or their gear).
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise UnsupportedFormatError(name, "is empty") from None
    lang = header_language(header)
    cols: dict[str, int] = {}  # canonical column -> the last index with that name
    for i, h in enumerate(header):
        hit = _HEADER_LOOKUP.get(_key(h))
        if hit is not None:
            cols[hit[0]] = i
    missing = [c for c in REQUIRED if c not in cols]
    if lang is None or missing:
        names = [STRAVA_COLUMNS[c]["en"] for c in (missing or REQUIRED)]
        raise UnsupportedFormatError(
            name, f"is not a Strava activities.csv kneeload can read (no {', '.join(names)} "
            f"column in any of {', '.join(LANGUAGES.values())}; its first column is "
            f"{header[0]!r}). Set Strava's language to one of those and request the export "
            "again. The activity files are read without the CSV (no gear, no manual entries)",
            "line 1")
    comma = lang in DECIMAL_COMMA
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if not any(cell.strip() for cell in rec):
            continue

        def get(col: str, rec: list[str] = rec) -> str:
            i = cols.get(col)
            return rec[i].strip() if i is not None and i < len(rec) else ""

        date_text = get("date")
        start: pd.Timestamp | None
        problem = ""
        try:
            start = parse_strava_date(date_text)
        except ValueError:
            start = None
            problem = (f"Activity Date {date_text!r} is not a date Strava writes (like "
                       "'May 6, 2024, 4:02:34 AM' or '06.05.2024, 04:02:34'); fix the row or "
                       "re-export")
        values = {k: parse_number(get(col), comma) for k, col in (
            ("distance_m", "distance"), ("elapsed_s", "elapsed"), ("moving_s", "moving"),
            ("ascent_m", "ascent"), ("descent_m", "descent"), ("hr_avg_bpm", "hr_avg"),
            ("hr_max_bpm", "hr_max"), ("cadence", "cadence"), ("rpe", "rpe"))}
        atype = get("type")
        rows.append(StravaRow(line=lineno, activity_id=get("id"), start_time=start,
                              name=get("name"), sport=strava_sport(atype),
                              activity_type=atype, gear=get("gear"),
                              filename=get("filename"), values=values, problem=problem))
    return rows


# --- gear lists (shoes.csv, bikes.csv) -------------------------------------------------------

GEAR_FILES = {"shoes.csv": "shoe", "bikes.csv": "bike"}


@dataclass(frozen=True)
class GearItem:
    """One item of an export's gear list."""

    name: str        # the pair's name as kneeload shows it
    kind: str        # 'shoe' or 'bike'
    brand: str = ""
    model: str = ""
    source: str = ""
    first_used: pd.Timestamp | None = None
    retired: pd.Timestamp | None = None
    replace_m: float | None = None  # the limit the runner set [m]
    status: str = ""                # 'retired' when the export says so (date may be unknown)
    aliases: tuple[str, ...] = ()   # other ways the export names it


def is_kneeload_shoes_header(data: bytes) -> bool:
    """Whether a ``shoes.csv`` is kneeload's own (a ``shoe`` column, in any encoding and
    separator kneeload's CSV layer reads), not Strava's gear list."""
    from ..textfile import DELIMITERS, decode_text
    try:
        text = decode_text("<head>", data[:2000]).text
    except InputError:
        return False
    first = text.splitlines()[:1]
    return bool(first) and any("shoe" in [c.strip().strip('"').lower()
                                          for c in first[0].split(d)] for d in DELIMITERS)


def parse_strava_gear(name: str, data: bytes, kind: str) -> list[GearItem]:
    """Strava's ``shoes.csv`` or ``bikes.csv``: name, brand, model, default sport types, in
    that order in every language (the header is translated, the order is not)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
    try:
        next(reader)
    except StopIteration:
        return []
    items = []
    for rec in reader:
        cells = [c.strip() for c in rec] + ["", "", ""]
        gear_name, brand, model = cells[:3]
        if not any((gear_name, brand, model)):
            continue
        shown = gear_name or " ".join(p for p in (brand, model) if p)
        aliases = tuple(a for a in {
            gear_name, f"{brand} {model}".strip(), f"{brand} {model} {gear_name}".strip(),
            f"{brand} {gear_name}".strip(), f"{gear_name} ({brand} {model})".strip()} if a)
        items.append(GearItem(name=shown, kind=kind, brand=brand, model=model, source=name,
                              aliases=aliases))
    return items


def gear_matcher(items: list[GearItem]) -> Callable[[str], str]:
    """A function mapping a recorded gear label (``Activity Gear``) to the list's item name:
    exact name, "Brand Model", "Brand Model Name" ..., compared without case or extra
    spaces. Labels that match nothing are returned as recorded."""
    table: dict[str, str] = {}
    for it in items:
        for alias in (it.name, *it.aliases):
            table.setdefault(" ".join(alias.lower().split()), it.name)

    def match(label: str) -> str:
        label = label.strip()
        return table.get(" ".join(label.lower().split()), label) if label else ""

    return match
