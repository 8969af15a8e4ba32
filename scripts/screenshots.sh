#!/usr/bin/env bash
# Screenshots for the documentation. Builds anneal (and anneal-cli) if needed, runs the app under Xvfb
# on a temporary database and saves what the screen shows with ImageMagick's `import`:
#   docs/screenshot.png   the main window while the built-in default experiment trains
# Usage: scripts/screenshots.sh            (BUILD_DIR=build by default; SHOT_STEPS=steps to wait for)
# Needs: xvfb-run, xauth, import (imagemagick). Settings go to a temporary XDG_CONFIG_HOME.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
STEPS=${SHOT_STEPS:-400}          # the loss plot has filled in once the live run is this far
TIMEOUT=${SHOT_TIMEOUT:-600}
SCREEN="-screen 0 1600x1000x24"
export OPENBLAS_NUM_THREADS=1

for tool in xvfb-run import; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (apt-get install xvfb xauth imagemagick)" >&2; exit 1; }
done
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DANNEAL_BUILD_BENCH=OFF
fi
nice -n 10 cmake --build "$BUILD" -j2 --target anneal
APP="$BUILD/bin/anneal"

TMP=$(mktemp -d /tmp/anneal-shots-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/config"
mkdir -p "$ROOT/docs"

# steps_done of the newest run in a database (0 when there is none yet); read-only, through SQLite.
steps_done() {
    python3 - "$1" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
try:
    db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
    row = db.execute("SELECT steps_done FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    print(row[0] if row else 0)
except Exception:
    print(0)
PY
}

# shoot OUTPUT DB WAIT_STEPS [anneal options...]: start the app, wait until the newest run of DB has
# WAIT_STEPS steps (0: just let the window settle), then capture the whole screen.
shoot() {
    local out=$1 db=$2 wait_steps=$3
    shift 3
    xvfb-run -a -s "$SCREEN" bash -c '
        set -u
        out=$1 db=$2 wait_steps=$3 timeout=$4 app=$5; shift 5
        "$app" --db "$db" -geometry 1600x1000+0+0 "$@" &
        pid=$!
        start=$(date +%s)
        while [ "$wait_steps" -gt 0 ]; do
            done_steps=$('"$(declare -f steps_done)"'; steps_done "$db")
            [ "${done_steps:-0}" -ge "$wait_steps" ] && break
            if [ $(( $(date +%s) - start )) -gt "$timeout" ]; then echo "timed out waiting for $wait_steps steps" >&2; break; fi
            kill -0 $pid 2>/dev/null || { echo "anneal exited early" >&2; exit 1; }
            sleep 2
        done
        sleep 3   # let the last points arrive and the plot repaint
        import -window root "$out"
        kill $pid; wait $pid 2>/dev/null || true
    ' shoot "$out" "$db" "$wait_steps" "$TIMEOUT" "$APP" "$@"
    echo "saved $out"
}

# 1. The main window: the default experiment (embedded in the app) starts on an empty database.
shoot "$ROOT/docs/screenshot.png" "$TMP/live.db" "$STEPS"
