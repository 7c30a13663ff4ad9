#!/bin/bash
# A warm `kneeload check` before and after a change, side by side in one run: alternates the
# baseline code (a copy of kneeload/ from another commit, run with PYTHONPATH), this tree's
# code and a bare `import pandas`, N rounds; prints median wall and CPU (user + sys) times.
#
#   mkdir -p /tmp/base && git archive main kneeload | tar -x -C /tmp/base
#   BASE=/tmp/base N=12 benchmarks/check_side_by_side.sh [DATA_FOLDER]
#
# Run from outside the repository (it cds to /tmp) so the baseline copy is what is imported.
# Each side gets its own warm cache (/tmp/kneeload-sbs-base, /tmp/kneeload-sbs-new).
# BASE_PYTHON: the interpreter for the baseline when it needs other packages (e.g. a venv with
# pyarrow for code before the cache left Parquet); default: python on PATH.
# As a user's Python does, bytecode is written and read (this workplace sets
# PYTHONDONTWRITEBYTECODE=1, which makes every run compile kneeload's modules again).
set -e
unset PYTHONDONTWRITEBYTECODE
BASE=${BASE:?set BASE to a folder holding the baseline kneeload/}
BASE_PYTHON=${BASE_PYTHON:-python}
DATA=$(realpath "${1:-$(dirname "$0")/../sample_data}")
N=${N:-10}
cd /tmp
PYTHONPATH=$BASE $BASE_PYTHON -m kneeload.cli check "$DATA" --cache-dir /tmp/kneeload-sbs-base >/dev/null 2>&1 || true
python -m kneeload.cli check "$DATA" --cache-dir /tmp/kneeload-sbs-new >/dev/null 2>&1 || true
for _ in $(seq "$N"); do
  PYTHONPATH=$BASE /usr/bin/time -f "base %e %U %S" -o /dev/stdout \
    $BASE_PYTHON -m kneeload.cli check "$DATA" --cache-dir /tmp/kneeload-sbs-base 2>/dev/null | grep "^base" || true
  /usr/bin/time -f "new %e %U %S" -o /dev/stdout \
    python -m kneeload.cli check "$DATA" --cache-dir /tmp/kneeload-sbs-new 2>/dev/null | grep "^new" || true
  /usr/bin/time -f "pandas %e %U %S" -o /dev/stdout python -c "import pandas" | grep "^pandas"
done | python3 -c "
import collections, statistics as st, sys
w, c = collections.defaultdict(list), collections.defaultdict(list)
for line in sys.stdin:
    v, e, u, s = line.split()
    w[v].append(float(e))
    c[v].append(float(u) + float(s))
for v in w:
    print(f'{v:7s} wall median {st.median(w[v]):.3f} s (min {min(w[v]):.3f})  '
          f'CPU median {st.median(c[v]):.3f} s (min {min(c[v]):.3f})  n={len(w[v])}')
print('new/base: wall %.2f, CPU %.2f' % (st.median(w['new']) / st.median(w['base']),
                                         st.median(c['new']) / st.median(c['base'])))
"
