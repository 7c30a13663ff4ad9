"""One sport vocabulary: every label a file or export writes -> one of :data:`schema.SPORTS`.

Every reader looks its sport label up here (:func:`lookup`); none keeps a table of its own.
Each table names its source. Labels are compared without case, accents, spaces or
punctuation (``"Trail Run"``, ``"trail_run"`` and ``"TRAILRUN"`` are one label).

Policy
------
- A label in a table takes that table's sport.
- A **generic** label (``Other``, ``generic``, ``unknown``, ...) says nothing about the
  activity: it becomes ``other`` (not running load), with a note naming the label.
- A label that says what the activity is but that kneeload does not know becomes ``other``
  (not running load), with a note naming the label.
- Only a **missing** label takes ``default_sport`` (the reader's argument, default
  ``running``), and the row summary keeps it only at a speed plausible on foot, else
  ``other`` with a note (see :data:`MAX_ASSUMED_RUN_SPEED_M_S`).
- The user mapping (``[sports]`` in kneeload.toml, or :func:`user_sports`) comes first:
  ``road_biking = "cycling"``, ``Other = "running"``.

A ride or a swim counted as running inflates the week and raises a false 10% flag, the worst
wrong this tool can make; so the doubtful label goes to ``other``, never to running.

``docs/sports.md`` is generated from this module (``python -m kneeload.sports``).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .schema import SPORTS

RUN, TRAIL, TREAD, WALK, BIKE, SWIM, OTHER = ("running", "trail_running", "treadmill",
                                              "walking", "cycling", "swimming", "other")


def key(label: object) -> str:
    """A label compared without case, accents, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Table:
    """One source's labels: ``labels`` (as written) -> sport, ``generic`` labels, the source."""

    source: str
    title: str
    reference: str
    labels: Mapping[str, str]
    generic: tuple[str, ...] = ()
    #: what a numeric code means, as its source names it (shown in docs/sports.md)
    code_names: Mapping[str, str] = field(default_factory=dict)


def _names(sport: str, text: str) -> dict[str, str]:
    return {n.strip(): sport for n in text.split(",") if n.strip()}


# --- FIT --------------------------------------------------------------------------------------
#: FIT ``sport`` enumeration (code -> name), Garmin FIT SDK Profile 21.171 (as in fitdecode's
#: profile.py). Every value is listed; only the ones below map to a sport other than ``other``.
FIT_SPORT_CODES = {
    0: "generic", 1: "running", 2: "cycling", 3: "transition", 4: "fitness_equipment",
    5: "swimming", 6: "basketball", 7: "soccer", 8: "tennis", 9: "american_football",
    10: "training", 11: "walking", 12: "cross_country_skiing", 13: "alpine_skiing",
    14: "snowboarding", 15: "rowing", 16: "mountaineering", 17: "hiking", 18: "multisport",
    19: "paddling", 20: "flying", 21: "e_biking", 22: "motorcycling", 23: "boating",
    24: "driving", 25: "golf", 26: "hang_gliding", 27: "horseback_riding", 28: "hunting",
    29: "fishing", 30: "inline_skating", 31: "rock_climbing", 32: "sailing", 33: "ice_skating",
    34: "sky_diving", 35: "snowshoeing", 36: "snowmobiling", 37: "stand_up_paddleboarding",
    38: "surfing", 39: "wakeboarding", 40: "water_skiing", 41: "kayaking", 42: "rafting",
    43: "windsurfing", 44: "kitesurfing", 45: "tactical", 46: "jumpmaster", 47: "boxing",
    48: "floor_climbing", 49: "baseball", 53: "diving", 62: "hiit", 64: "racket",
    65: "wheelchair_push_walk", 66: "wheelchair_push_run", 67: "meditation", 69: "disc_golf",
    71: "cricket", 72: "rugby", 73: "hockey", 74: "lacrosse", 75: "volleyball",
    76: "water_tubing", 77: "wakesurfing", 80: "mixed_martial_arts", 82: "snorkeling",
    83: "dance", 84: "jump_rope", 254: "all",
}
#: FIT ``sub_sport`` enumeration (code -> name), same profile.
FIT_SUB_SPORT_CODES = {
    0: "generic", 1: "treadmill", 2: "street", 3: "trail", 4: "track", 5: "spin",
    6: "indoor_cycling", 7: "road", 8: "mountain", 9: "downhill", 10: "recumbent",
    11: "cyclocross", 12: "hand_cycling", 13: "track_cycling", 14: "indoor_rowing",
    15: "elliptical", 16: "stair_climbing", 17: "lap_swimming", 18: "open_water",
    19: "flexibility_training", 20: "strength_training", 21: "warm_up", 22: "match",
    23: "exercise", 24: "challenge", 25: "indoor_skiing", 26: "cardio_training",
    27: "indoor_walking", 28: "e_bike_fitness", 29: "bmx", 30: "casual_walking",
    31: "speed_walking", 32: "bike_to_run_transition", 33: "run_to_bike_transition",
    34: "swim_to_bike_transition", 35: "atv", 36: "motocross", 37: "backcountry", 38: "resort",
    39: "rc_drone", 40: "wingsuit", 41: "whitewater", 42: "skate_skiing", 43: "yoga",
    44: "pilates", 45: "indoor_running", 46: "gravel_cycling", 47: "e_bike_mountain",
    48: "commuting", 49: "mixed_surface", 50: "navigate", 51: "track_me", 52: "map",
    53: "single_gas_diving", 54: "multi_gas_diving", 55: "gauge_diving", 56: "apnea_diving",
    57: "apnea_hunting", 58: "virtual_activity", 59: "obstacle", 62: "breathing",
    65: "sail_race", 67: "ultra", 68: "indoor_climbing", 69: "bouldering", 70: "hiit",
    73: "amrap", 74: "emom", 75: "tabata", 84: "pickleball", 85: "padel",
    86: "indoor_wheelchair_walk", 87: "indoor_wheelchair_run", 88: "indoor_hand_cycling",
    94: "squash", 95: "badminton", 96: "racquetball", 97: "table_tennis", 110: "fly_canopy",
    111: "fly_paraglide", 112: "fly_paramotor", 113: "fly_pressurized", 114: "fly_navigate",
    115: "fly_timer", 116: "fly_altimeter", 117: "fly_wx", 118: "fly_vfr", 119: "fly_ifr",
    254: "all",
}
_FIT_SPORTS = {"running": RUN, "walking": WALK, "hiking": WALK, "mountaineering": WALK,
               "cycling": BIKE, "e_biking": BIKE, "swimming": SWIM}
#: FIT (sport, sub_sport) pairs that refine the sport (same profile).
FIT_PAIRS = {
    ("running", "trail"): TRAIL, ("running", "treadmill"): TREAD,
    ("running", "indoor_running"): TREAD, ("running", "virtual_activity"): TREAD,
    ("fitness_equipment", "treadmill"): TREAD, ("fitness_equipment", "indoor_running"): TREAD,
    ("fitness_equipment", "indoor_cycling"): BIKE, ("fitness_equipment", "spin"): BIKE,
    ("fitness_equipment", "indoor_walking"): WALK, ("training", "treadmill"): TREAD,
}

# --- the tables -------------------------------------------------------------------------------
_GARMIN = {
    **_names(RUN, "running, street_running, track_running, indoor_track_running?, obstacle_run,"
             " ultra_run_road?"),
    **_names(TRAIL, "trail_running, ultra_run"),
    **_names(TREAD, "treadmill_running, indoor_running, virtual_run"),
    **_names(WALK, "walking, casual_walking, speed_walking, hiking, mountaineering, "
             "indoor_walking, rucking"),
    **_names(BIKE, "cycling, road_biking, mountain_biking, gravel_cycling, indoor_cycling, "
             "virtual_ride, e_bike_fitness, e_bike_mountain, cyclocross, downhill_biking, "
             "track_cycling, recumbent_cycling, bmx, hand_cycling, indoor_hand_cycling, "
             "e_bike_road?, bike_commuting, bike_touring"),
    **_names(SWIM, "lap_swimming, open_water_swimming, swimming"),
    **_names(OTHER, "strength_training, indoor_cardio, fitness_equipment, elliptical, "
             "stair_climbing, floor_climbing, indoor_rowing, rowing, yoga, pilates, hiit, "
             "breathwork, paddling, stand_up_paddleboarding, kayaking, whitewater_rafting_kayaking,"
             " resort_skiing_snowboarding_ws, backcountry_skiing, cross_country_skiing_ws, "
             "skate_skiing_ws, snowshoeing_ws, multi_sport, transition, golf, tennis, pickleball,"
             " padel, boxing, mixed_martial_arts, rock_climbing, bouldering, indoor_climbing, "
             "inline_skating, sailing, surfing, wind_kite_surfing, diving, motorcycling, "
             "driving_general, flying, hunting, fishing, horseback_riding, meditation, "
             "wheelchair_push_walk, wheelchair_push_run, jump_rope, dance, soccer, basketball"),
    **_names(OTHER, "other, uncategorized, all"),
}
_GARMIN = {k.rstrip("?"): v for k, v in _GARMIN.items()}

_STRAVA = {  # activities.csv "Activity Type" in the export languages io/strava.py reads
    **_names(RUN, "Run, Lauf, Laufen, Course à pied, Course, Carrera, Correr, Corsa, Corrida, "
             "Hardlopen, Hardloop"),
    **_names(TRAIL, "Trail Run, Traillauf, Trailrun, Trail, Carrera por montaña, Trail running,"
             " Corsa in montagna, Corrida em trilha, Traillopen"),
    **_names(TREAD, "Virtual Run, Virtueller Lauf, Course virtuelle, Carrera virtual, "
             "Corsa virtuale, Corrida virtual, Virtuele run, Virtueel hardlopen, VirtualRun"),
    **_names(WALK, "Walk, Hike, Spaziergang, Gehen, Wanderung, Wandern, Marche, Randonnée, "
             "Caminata, Senderismo, Camminata, Escursionismo, Caminhada, Trilha, Wandelen, "
             "Wandeltocht, Hiken"),
    **_names(BIKE, "Ride, Virtual Ride, E-Bike Ride, Gravel Ride, Mountain Bike Ride, "
             "E-Mountain Bike Ride, Velomobile, Handcycle, Radfahrt, Radfahren, "
             "Virtuelle Radfahrt, E-Bike-Fahrt, Gravel-Fahrt, Mountainbike-Fahrt, Vélo, "
             "Sortie à vélo, Vélo virtuel, Vélo électrique, VTT, Gravel, Bicicleta, Ciclismo, "
             "Bicicleta virtual, Giro in bici, Bici, Giro in bici virtuale, Pedalada, "
             "Pedalada virtual, Fietsrit, Fietsen, Virtuele fietsrit, Mountainbikerit, "
             "VirtualRide, EBikeRide, GravelRide, MountainBikeRide, EMountainBikeRide"),
    **_names(SWIM, "Swim, Schwimmen, Natation, Natación, Nuoto, Natação, Zwemmen"),
    **_names(OTHER, "Alpine Ski, AlpineSki, Backcountry Ski, BackcountrySki, Canoe, Canoeing, "
             "Crossfit, Elliptical, Golf, Ice Skate, IceSkate, Inline Skate, InlineSkate, Kayaking,"
             " Kitesurf, Nordic Ski, NordicSki, Rock Climb, RockClimbing, Roller Ski, RollerSki, "
             "Rowing, Virtual Row, Sail, Skateboard, Snowboard, Snowshoe, Soccer, Stair-Stepper, "
             "StairStepper, Stand Up Paddling, StandUpPaddling, Surfing, Weight Training, "
             "WeightTraining, Wheelchair, Windsurf, Yoga, Pilates, HIIT, Badminton, Pickleball, "
             "Racquetball, Squash, Table Tennis, Tennis, Padel"),
    **_names(OTHER, "Workout, Training"),
}
#: Strava's numeric activity types in its GPX exports (``<type>9</type>``).
_STRAVA_CODES = {"1": BIKE, "2": OTHER, "3": OTHER, "4": WALK, "5": OTHER, "6": OTHER,
                 "7": OTHER, "8": OTHER, "9": RUN, "10": WALK, "11": OTHER, "12": OTHER,
                 "13": OTHER, "16": SWIM, "17": BIKE, "18": BIKE, "19": BIKE, "51": BIKE,
                 "52": OTHER, "53": TREAD}

_OPENTRACKS = {  # ActivityType ids, OpenTracks data/models/ActivityType.java
    **_names(RUN, "running, street running, track running"),
    **_names(TRAIL, "trail running"),
    **_names(WALK, "walking, hiking, off trail hiking, trail hiking, speed walking"),
    **_names(BIKE, "biking, cycling, mountain biking, road biking, track cycling"),
    **_names(SWIM, "swimming, swimming in open water"),
    **_names(OTHER, "airplane, ATV, blimp, boat, climbing, commercial airplane, cross-country "
             "skiing, dirt bike, donkey back riding, driving, driving bus, driving car, escooter,"
             " ferry, frisbee, gliding, hang gliding, helicopter, horse back riding, hot air "
             "balloon, ice sailing, inline skating, kayaking, kite surfing, land sailing, motor "
             "bike, motor boating, paddling, para gliding, RC airplane, RC boat, RC helicopter, "
             "riding, roller skiing, rowing, sailing, kickscooter, seaplane, skate boarding, "
             "skating, skiing, sky jumping, sled, snow boarding, snow shoeing, surfing, train, "
             "ultimate frisbee, wakeboarding, water skiing, wind surfing, workout"),
}
_KOMOOT = {  # komoot sport keys of tours (komoot API ``sport``)
    **_names(RUN, "jogging"), **_names(WALK, "hike, mountaineering, nordicwalking"),
    **_names(BIKE, "touringbicycle, e_touringbicycle, mtb, e_mtb, mtb_easy, e_mtb_easy, "
             "mtb_advanced, e_mtb_advanced, racebike, e_racebike, citybike, downhillbike"),
    **_names(OTHER, "climbing, skitour, snowshoe, nordic, skaten, unicycle"),
}
_APP_NAMES = {  # display names: Suunto, Polar, COROS, Wahoo, Runkeeper, Sports Tracker
    **_names(RUN, "Run, Running, Road Running, Outdoor Run, Track Run, Track Running"),
    **_names(TRAIL, "Trail Run, Trail Running, Trail"),
    **_names(TREAD, "Treadmill, Indoor Run, Indoor Running, Treadmill Running"),
    **_names(WALK, "Walk, Walking, Hike, Hiking, Nordic Walking, Mountaineering, Outdoor Walk"),
    **_names(BIKE, "Ride, Bike, Biking, Cycling, Road Biking, Road Cycling, Mountain Biking, "
             "Mountain Bike, Indoor Cycling, Indoor Bike, Gravel Cycling, Gravel, Bike Ride"),
    **_names(SWIM, "Swim, Swimming, Pool Swim, Pool Swimming, Open Water, Open Water Swim, "
             "Open Water Swimming, Lap Swimming"),
    **_names(OTHER, "Rowing, Skiing, Cross-Country Skiing, Downhill Skiing, Snowboarding, "
             "Skating, Elliptical, Strength Training, Yoga, Kayaking, Paddling"),
}
_GENERIC = ("other", "generic", "unknown", "uncategorized", "all", "workout", "training",
            "sport", "activity", "multisport", "misc", "none", "0")
_GPX = {**_GARMIN, **_STRAVA, **_STRAVA_CODES, **_OPENTRACKS, **_KOMOOT, **_APP_NAMES,
        **_names(TREAD, "virtualrun, virtual_run")}

_APPLE = {  # HKWorkoutActivityType, Apple HealthKit documentation (prefix dropped)
    "Running": RUN, "Walking": WALK, "Hiking": WALK, "Cycling": BIKE, "HandCycling": BIKE,
    "Swimming": SWIM, **{n: OTHER for n in (
        "AmericanFootball Archery AustralianFootball Badminton Baseball Basketball Bowling "
        "Boxing Climbing Cricket CrossTraining Curling Dance DanceInspiredTraining Elliptical "
        "EquestrianSports Fencing Fishing FunctionalStrengthTraining Golf Gymnastics Handball "
        "Hockey Hunting Lacrosse MartialArts MindAndBody MixedMetabolicCardioTraining "
        "PaddleSports Play PreparationAndRecovery Racquetball Rowing Rugby Sailing SkatingSports "
        "SnowSports Soccer Softball Squash StairClimbing SurfingSports TableTennis Tennis "
        "TrackAndField TraditionalStrengthTraining Volleyball WaterFitness WaterPolo WaterSports "
        "Wrestling Yoga Barre CoreTraining CrossCountrySkiing DownhillSkiing Flexibility "
        "HighIntensityIntervalTraining JumpRope Kickboxing Pilates Snowboarding Stairs "
        "StepTraining WheelchairWalkPace WheelchairRunPace TaiChi MixedCardio DiscSports "
        "FitnessGaming CardioDance SocialDance Pickleball Cooldown SwimBikeRun Transition "
        "UnderwaterDiving Other").split()}}

#: Health Connect exercise types: androidx/androidx health/connect/connect-client/src/main/
#: java/androidx/health/connect/client/records/ExerciseSessionRecord.kt (EXERCISE_TYPE_*,
#: every constant; "Next Id: 84"); 0 OTHER_WORKOUT is generic.
_HC_NAMES = {
    0: "OTHER_WORKOUT", 2: "BADMINTON", 4: "BASEBALL", 5: "BASKETBALL", 8: "BIKING",
    9: "BIKING_STATIONARY", 10: "BOOT_CAMP", 11: "BOXING", 13: "CALISTHENICS", 14: "CRICKET",
    16: "DANCING", 25: "ELLIPTICAL", 26: "EXERCISE_CLASS", 27: "FENCING",
    28: "FOOTBALL_AMERICAN", 29: "FOOTBALL_AUSTRALIAN", 31: "FRISBEE_DISC", 32: "GOLF",
    33: "GUIDED_BREATHING", 34: "GYMNASTICS", 35: "HANDBALL",
    36: "HIGH_INTENSITY_INTERVAL_TRAINING", 37: "HIKING", 38: "ICE_HOCKEY", 39: "ICE_SKATING",
    44: "MARTIAL_ARTS", 46: "PADDLING", 47: "PARAGLIDING", 48: "PILATES", 50: "RACQUETBALL",
    51: "ROCK_CLIMBING", 52: "ROLLER_HOCKEY", 53: "ROWING", 54: "ROWING_MACHINE", 55: "RUGBY",
    56: "RUNNING", 57: "RUNNING_TREADMILL", 58: "SAILING", 59: "SCUBA_DIVING", 60: "SKATING",
    61: "SKIING", 62: "SNOWBOARDING", 63: "SNOWSHOEING", 64: "SOCCER", 65: "SOFTBALL",
    66: "SQUASH", 68: "STAIR_CLIMBING", 69: "STAIR_CLIMBING_MACHINE", 70: "STRENGTH_TRAINING",
    71: "STRETCHING", 72: "SURFING", 73: "SWIMMING_OPEN_WATER", 74: "SWIMMING_POOL",
    75: "TABLE_TENNIS", 76: "TENNIS", 78: "VOLLEYBALL", 79: "WALKING", 80: "WATER_POLO",
    81: "WEIGHTLIFTING", 82: "WHEELCHAIR", 83: "YOGA",
}
_HC_SPORT = {"RUNNING": RUN, "RUNNING_TREADMILL": TREAD, "WALKING": WALK, "HIKING": WALK,
             "BIKING": BIKE, "BIKING_STATIONARY": BIKE, "SWIMMING_OPEN_WATER": SWIM,
             "SWIMMING_POOL": SWIM}
_HEALTH_CONNECT = {**{str(c): _HC_SPORT.get(n, OTHER) for c, n in _HC_NAMES.items()},
                   **{n: _HC_SPORT.get(n, OTHER) for n in _HC_NAMES.values()}}

#: Zepp / Mi Fit workout ``type`` numbers of the cloud records the export's SPORT.csv holds, as
#: rolandsz/Mi-Fit-and-Zepp-workout-exporter src/exporters/gpx_exporter.py (WORKOUT_TYPE_MAP)
#: reads them: 1 running, 6 walking, 8 treadmill running, 9 cycling, 10 indoor cycling,
#: 16 other (free activity), 23 indoor rowing, 92 badminton. The watch's own workout codes
#: (Gadgetbridge ZeppOsActivityType: 6 pool swim, 7 open water...) are another numbering and
#: are not used. Codes not verified (7, 14, 15 were guessed once) are left out: they become
#: 'other' with a note naming the code, never a run.
_ZEPP = {"1": RUN, "6": WALK, "8": TREAD, "9": BIKE, "10": BIKE, "16": OTHER, "23": OTHER,
         "92": OTHER}
_ZEPP_NAMES = {"1": "running", "6": "walking", "8": "treadmill running", "9": "cycling",
               "10": "indoor cycling", "16": "other", "23": "indoor rowing", "92": "badminton"}
#: Huawei Health ``sportType`` numbers. The privacy export's motion paths (CTHRU/Hitrava
#: Hitrava.py, HiJson._JSON_SPORT_TYPES): 2 mountain hike, 3 cycle, 4 run, 5 walk,
#: 101 indoor run, 102 pool swim, 103 indoor cycle, 104 open-water swim, 111 cross trainer,
#: 117 other, 118 cross-country run, 145 CrossFit, 282 hike. The Health app's own track types
#: (davinci-tech/hh sources/com/huawei/hihealthservice/old/model/OldToNewMotionPath.java,
#: SPORT_TYPE_*): 257 walk, 258 run, 259 bike, 260 hill climb, 262 swim, 264 treadmill,
#: 265 indoor bike, 266 open-area swim, 273 cross trainer, 274 rowing machine, 279 other,
#: 280 cross-country race; the two numberings do not overlap.
_HUAWEI = {
    "2": WALK, "3": BIKE, "4": RUN, "5": WALK, "101": TREAD, "102": SWIM, "103": BIKE,
    "104": SWIM, "111": OTHER, "117": OTHER, "118": TRAIL, "145": OTHER, "282": WALK,
    "257": WALK, "258": RUN, "259": BIKE, "260": WALK, "262": SWIM, "264": TREAD, "265": BIKE,
    "266": SWIM, "273": OTHER, "274": OTHER, "279": OTHER, "280": TRAIL,
    **{c: OTHER for c in ("128", "129", "130", "133", "137", "138", "139", "261", "263", "267",
                          "270", "271", "275", "278")},
}
_HUAWEI_NAMES = {
    "2": "mountain hike", "3": "cycle", "4": "run", "5": "walk", "101": "indoor run",
    "102": "pool swim", "103": "indoor cycle", "104": "open-water swim", "111": "cross trainer",
    "117": "other", "118": "cross-country run", "145": "CrossFit", "282": "hike",
    "257": "walk", "258": "run", "259": "bike", "260": "hill climb", "262": "swim",
    "264": "treadmill", "265": "indoor bike", "266": "open-area swim", "273": "cross trainer",
    "274": "rowing machine", "279": "other sport", "280": "cross-country race",
    "128": "table", "129": "badminton", "130": "tennis", "133": "volleyball", "137": "yoga",
    "138": "pilates", "139": "aerobics", "261": "stair climbing", "263": "golf",
    "267": "ping-pong", "270": "football", "271": "basketball", "275": "tread machine",
    "278": "body building",
}
_POLAR = {  # Polar Flow sport names (Polar AccessLink "detailed-sport-info" / export "sport")
    **_names(RUN, "RUNNING, JOGGING, ROAD_RUNNING, TRACK_AND_FIELD_RUNNING, "
             "ULTRARUNNING_RUNNING"),
    **_names(TRAIL, "TRAIL_RUNNING"), **_names(TREAD, "TREADMILL_RUNNING"),
    **_names(WALK, "WALKING, HIKING, NORDIC_WALKING, MOUNTAINEERING"),
    **_names(BIKE, "CYCLING, ROAD_BIKING, MOUNTAIN_BIKING, INDOOR_CYCLING, GRAVEL_CYCLING"),
    **_names(SWIM, "SWIMMING, OPEN_WATER_SWIMMING, POOL_SWIMMING"),
    **_names(OTHER, "STRENGTH_TRAINING, CROSS_COUNTRY_SKIING, DOWNHILL_SKIING, ROWING, "
             "INDOOR_ROWING, YOGA, PILATES, ELLIPTICAL, CIRCUIT_TRAINING, CORE, DANCING"),
    **_names(OTHER, "OTHER_INDOOR, OTHER_OUTDOOR"),
}
#: Polar's numeric sport ids (the newer export's ``sport: {"id": "1"}``), as pcolby/bipolar
#: src/polar/v2/trainingsession.cpp (getPolarSportName) lists them; 16 other outdoor and
#: 83 other indoor are generic.
POLAR_SPORT_IDS = {
    1: "Running", 2: "Cycling", 3: "Walking", 4: "Jogging", 5: "Mountain biking", 6: "Skiing",
    7: "Downhill skiing", 8: "Rowing", 9: "Nordic walking", 10: "Skating", 11: "Hiking",
    12: "Tennis", 13: "Squash", 14: "Badminton", 15: "Strength training", 16: "Other outdoor",
    17: "Treadmill running", 18: "Indoor cycling", 19: "Road running", 20: "Circuit training",
    22: "Snowboarding", 23: "Swimming", 24: "Freestyle XC skiing", 25: "Classic XC skiing",
    27: "Trail running", 28: "Ice skating", 29: "Inline skating", 30: "Roller skating",
    32: "Group exercise", 33: "Yoga", 34: "Crossfit", 35: "Golf", 36: "Track&field running",
    38: "Road cycling", 39: "Soccer", 40: "Cricket", 41: "Basketball", 42: "Baseball",
    43: "Rugby", 44: "Field hockey", 45: "Volleyball", 46: "Ice hockey", 47: "Football",
    48: "Handball", 49: "Beach volley", 50: "Futsal", 51: "Floorball", 52: "Dancing",
    53: "Trotting", 54: "Riding", 55: "Cross-trainer", 56: "Fitness martial arts",
    57: "Functional training", 58: "Bootcamp", 59: "Freestyle roller skiing",
    60: "Classic roller skiing", 61: "Aerobics", 62: "Aqua fitness", 63: "Step workout",
    64: "Body&Mind", 65: "Pilates", 66: "Stretching", 67: "Fitness dancing", 68: "Triathlon",
    69: "Duathlon", 70: "Off-road triathlon", 71: "Off-road duathlon", 83: "Other indoor",
    84: "Orienteering", 85: "Ski orienteering", 86: "Mountain bike orienteering",
    87: "Biathlon", 88: "Sailing", 89: "Wheelchair racing", 90: "Disc golf",
    91: "Table tennis", 92: "Ultra running", 94: "Climbing (indoor)", 95: "Kayaking",
    96: "Canoeing", 100: "Kitesurfing", 101: "Windsurfing", 102: "Surfing",
    103: "Pool swimming", 104: "Finnish baseball", 105: "Open water swimming",
    107: "Wakeboarding", 108: "Water skiing", 109: "Boxing", 110: "Kickboxing",
    111: "Mobility (dynamic)", 112: "Telemark skiing", 113: "Backcountry skiing",
    114: "Gymnastics", 115: "Judo", 116: "Snowshoe trekking", 117: "Indoor rowing",
    118: "Spinning", 119: "Street", 120: "Latin", 121: "Show", 122: "Ballet", 123: "Jazz",
    124: "Modern", 125: "Ballroom", 126: "Core", 127: "Mobility (static)",
    **{n: "LES MILLS" for n in range(128, 144)},
}
_POLAR_ID_SPORT = {1: RUN, 4: RUN, 19: RUN, 36: RUN, 92: RUN, 27: TRAIL, 17: TREAD,
                   3: WALK, 9: WALK, 11: WALK, 2: BIKE, 5: BIKE, 18: BIKE, 38: BIKE, 86: BIKE,
                   118: BIKE, 23: SWIM, 103: SWIM, 105: SWIM}
_POLAR.update({str(i): _POLAR_ID_SPORT.get(i, OTHER) for i in POLAR_SPORT_IDS})

_TCX = {"Running": RUN, "Biking": BIKE, "Other": OTHER,
        # not in the schema, but written by some converters
        "Walking": WALK, "Hiking": WALK, "Cycling": BIKE, "Swimming": SWIM}

FIT = "fit"
TABLES: dict[str, Table] = {t.source: t for t in (
    Table(FIT, "FIT sport", "Garmin FIT SDK Profile 21.171 (enum sport; fitdecode profile.py)",
          {**{n: _FIT_SPORTS.get(n, OTHER) for n in FIT_SPORT_CODES.values()},
           **{str(c): _FIT_SPORTS.get(n, OTHER) for c, n in FIT_SPORT_CODES.items()}},
          ("generic", "all", "0", "254", "multisport", "18", "training", "10",
           "fitness_equipment", "4")),
    Table("tcx", "TCX Sport", "Garmin TrainingCenterDatabase v2 XSD, ActivitySport_t "
          "(Running, Biking, Other)", _TCX, ("Other",)),
    Table("gpx", "GPX <trk><type>", "strings written by Garmin Connect (its typeKey), Strava "
          "(numbers and names), OpenTracks (ActivityType.java ids), komoot (sport keys), and "
          "the activity names of Suunto, Polar, COROS, Wahoo, Runkeeper and Sports Tracker",
          _GPX, _GENERIC),
    Table("strava", "Strava activity type", "Strava activities.csv 'Activity Type' in "
          "English, German, French, Spanish, Italian, Portuguese and Dutch exports; Strava "
          "API SportType", _STRAVA, ("Workout", "Training")),
    Table("garmin", "Garmin Connect typeKey", "Garmin Connect activityType.typeKey "
          "(summarizedActivities export)", _GARMIN, ("other", "uncategorized", "all")),
    Table("apple", "Apple HKWorkoutActivityType", "Apple HealthKit HKWorkoutActivityType "
          "(all cases, prefix dropped)", _APPLE, ("Other",)),
    Table("polar", "Polar sport", "Polar Flow sport names (AccessLink detailed-sport-info, as "
          "cpfair/tapiriik tapiriik/services/PolarFlow/polarflow.py reads them) and Polar's "
          "numeric sport ids (pcolby/bipolar src/polar/v2/trainingsession.cpp)", _POLAR,
          ("OTHER_INDOOR", "OTHER_OUTDOOR", "16", "83"),
          {str(k): v for k, v in POLAR_SPORT_IDS.items()}),
    Table("health_connect", "Health Connect exercise type", "Android Health Connect "
          "ExerciseSessionRecord.EXERCISE_TYPE_* (number or name without prefix; androidx/"
          "androidx health/connect/connect-client/.../records/ExerciseSessionRecord.kt)",
          _HEALTH_CONNECT, ("0", "OTHER_WORKOUT"), {str(k): v for k, v in _HC_NAMES.items()}),
    Table("zepp", "Zepp / Mi Fit sport type", "Zepp (Mi Fit) cloud workout type numbers, as "
          "rolandsz/Mi-Fit-and-Zepp-workout-exporter src/exporters/gpx_exporter.py reads them",
          _ZEPP, ("16",), _ZEPP_NAMES),
    Table("huawei", "Huawei Health sport type", "Huawei Health sportType numbers: the privacy "
          "export's (CTHRU/Hitrava Hitrava.py) and the Health app's track types (davinci-tech/hh "
          ".../hihealthservice/old/model/OldToNewMotionPath.java)", _HUAWEI, ("117", "279"),
          _HUAWEI_NAMES),
)}
_KEYED = {src: {key(k): v for k, v in t.labels.items()} for src, t in TABLES.items()}
_GENERIC_KEYED = {src: {key(g) for g in t.generic} | {key(g) for g in _GENERIC
                                                      if not g.isdigit()}
                  for src, t in TABLES.items()}
for _src, _t in TABLES.items():
    assert all(v in SPORTS for v in _t.labels.values()), _src

#: An activity whose sport was assumed but that averages faster than this [m/s] (3:00 min/km,
#: 20 km/h) over 10 min or more is not taken as a run.
MAX_ASSUMED_RUN_SPEED_M_S = 5.5


@dataclass(frozen=True)
class SportLabel:
    """What a label means: ``sport`` (one of :data:`schema.SPORTS`), the ``label`` as seen,
    a ``note`` (None when nothing to say); ``assumed`` when the label was missing,
    ``unknown`` when the label is generic or not in the vocabulary."""

    sport: str
    label: str
    note: str | None = None
    assumed: bool = False
    unknown: bool = False


_USER: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "kneeload_sports", default=MappingProxyType({}))


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """A user mapping (label -> sport) keyed for :func:`lookup`; ValueError on a bad sport."""
    out = {}
    for label, sport in mapping.items():
        if sport not in SPORTS:
            raise ValueError(f"[sports] {label!r} = {sport!r}: the sport must be one of "
                             f"{', '.join(SPORTS)}")
        out[key(label)] = sport
    return out


@contextlib.contextmanager
def user_sports(mapping: Mapping[str, str] | None) -> Iterator[None]:
    """Within the block, :func:`lookup` maps these labels first (``{"road_biking":
    "cycling", "Other": "running"}``; a key may name its source: ``"gpx:Other"``)."""
    token = _USER.set({**_USER.get(), **check_mapping(mapping or {})})
    try:
        yield
    finally:
        _USER.reset(token)


def lookup(source: str, label: Any, *, default_sport: str = RUN) -> SportLabel:
    """The sport of ``label`` as written by ``source`` (a key of :data:`TABLES`).

    FIT takes ``(sport, sub_sport)``. See the module's policy: missing -> ``default_sport``
    (``assumed``); generic or unknown -> ``other`` with a note; the user mapping first.
    """
    sub = None
    if isinstance(label, tuple):
        label, sub = (label + (None,))[:2]
    text = "" if label is None else str(label).strip()
    if source == FIT and isinstance(label, int) and not isinstance(label, bool):
        text = FIT_SPORT_CODES.get(label, str(label))
    sub_text = "" if sub is None else str(FIT_SUB_SPORT_CODES.get(sub, sub)
                                          if isinstance(sub, int) else sub).strip()
    if not text:
        return SportLabel(default_sport, "", f"sport not recorded; assumed {default_sport}",
                          assumed=True)
    user = _USER.get()
    shown = f"{text}/{sub_text}" if sub_text and sub_text != "generic" else text
    for k in (key(f"{source}:{shown}"), key(shown), key(f"{source}:{text}"), key(text)):
        if k in user:
            return SportLabel(user[k], shown, f"sport {shown!r} counted as {user[k]} "
                              "(your [sports] mapping)")
    if source == FIT and sub_text:
        pair = FIT_PAIRS.get((text.lower(), sub_text.lower()))
        if pair is not None:
            return SportLabel(pair, shown)
    k = key(text)
    if k in _GENERIC_KEYED.get(source, set()):
        return SportLabel(OTHER, shown, f"sport {shown!r} is generic; counted as 'other', not "
                          "as running load (map it under [sports] in kneeload.toml)",
                          unknown=True)
    sport = _KEYED.get(source, {}).get(k)
    if sport is None:
        return SportLabel(OTHER, shown, f"sport {shown!r} is not one kneeload knows; counted "
                          "as 'other', not as running load (map it under [sports] in "
                          "kneeload.toml)", unknown=True)
    return SportLabel(sport, shown)


#: The note prefix of a label that kneeload counted as 'other' for want of knowing it.
UNKNOWN_NOTE = re.compile(r"sport '([^']*)' is (?:generic|not one kneeload knows)")


def unknown_labels(notes: Any) -> dict[str, int]:
    """Labels counted as 'other' for want of knowing them, with how many rows had each
    (``notes``: the activities table's ``note`` column)."""
    out: dict[str, int] = {}
    for note in notes:
        for m in UNKNOWN_NOTE.finditer(str(note)):
            out[m.group(1)] = out.get(m.group(1), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


# --- plausibility bounds -----------------------------------------------------------------------
@dataclass(frozen=True)
class Bound:
    """A range a value must lie in to be taken as real, with its source."""

    low: float
    high: float
    source: str


#: Fastest average speed a human holds, by sport [m/s]; a row faster than this over its
#: distance is marked implausible; a GPS step faster than twice it is cut from the track.
MAX_SPEED_M_S = {
    RUN: Bound(0, 12.5, "100 m world record 9.58 s = 10.4 m/s (Bolt 2009), with margin"),
    TRAIL: Bound(0, 12.5, "as running"),
    TREAD: Bound(0, 12.5, "as running"),
    WALK: Bound(0, 12.5, "on foot: as running"),
    BIKE: Bound(0, 40.0, "flat road sprint ~20 m/s; long descents ~30 m/s; 40 with margin"),
    SWIM: Bound(0, 3.0, "50 m freestyle world record 20.91 s = 2.4 m/s"),
    OTHER: Bound(0, 350.0, "any activity, flying included"),
}
HR_BPM = Bound(25, 250, "physiological: resting HR of elite athletes ~28 bpm; maximal HR "
               "~220 bpm (Tanaka 2001, 208 - 0.7 x age); 250 with margin")
CADENCE_SPM = Bound(0, 260, "running cadence 150-200 spm; sprinters ~250-280 spm at top "
                    "speed: 260 mean over a session")
ELEVATION_M = Bound(-500, 9000, "Earth's surface: Dead Sea shore -430 m, Everest 8849 m")
#: The longest distance a human covers in a day on foot [m] (24 h world record 319.6 km,
#: Sorokin 2022) with margin; a row beyond this per day on foot is implausible.
MAX_DAY_ON_FOOT_M = 350_000.0


def sports_markdown() -> str:
    """The whole of docs/sports.md: the policy and every label of every table."""
    lines = ["# Sports: every label and the sport it becomes", "",
             "Generated from `kneeload/sports.py` by `python -m kneeload.sports > "
             "docs/sports.md`; a test checks it is current.", "",
             "## Policy", "", (__doc__ or "").split("Policy\n------\n", 1)[1]
             .split("``docs/sports.md``")[0].strip(), "",
             "## Plausibility bounds", "", "| value | low | high | source |",
             "|---|---|---|---|"]
    for sport, b in MAX_SPEED_M_S.items():
        lines.append(f"| speed, {sport} [m/s] | {b.low:g} | {b.high:g} | {b.source} |")
    for name, b in (("heart rate [bpm]", HR_BPM), ("cadence [spm]", CADENCE_SPM),
                    ("elevation [m]", ELEVATION_M)):
        lines.append(f"| {name} | {b.low:g} | {b.high:g} | {b.source} |")
    lines.append("")
    lines += ["## FIT sport and sub_sport pairs", "", "| sport | sub_sport | becomes |",
              "|---|---|---|"]
    lines += [f"| {a} | {b} | {s} |" for (a, b), s in FIT_PAIRS.items()]
    lines += ["", "Every other FIT sub_sport (" + ", ".join(FIT_SUB_SPORT_CODES.values())
              + ") leaves the sport as below.", ""]
    for t in TABLES.values():
        lines += [f"## {t.title} (`{t.source}`)", "", f"Source: {t.reference}.", ""]
        if t.generic:
            lines += ["Generic (counted as `other` with a note): "
                      + ", ".join(f"`{g}`" for g in t.generic) + ".", ""]
        for sport in SPORTS:
            names = [f"`{n}`" + (f" ({t.code_names[n]})" if n in t.code_names else "")
                     for n, s in t.labels.items() if s == sport]
            if names:
                lines.append(f"- **{sport}**: " + ", ".join(names))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(sports_markdown(), end="")
