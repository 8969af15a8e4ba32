#!/usr/bin/env bash
# Screenshots for the documentation. Builds anneal and anneal-cli if needed, runs the app under Xvfb
# on temporary databases and saves what the screen shows with ImageMagick's `import`:
#   docs/screenshot.png             the main window while the built-in default experiment trains
#   docs/screenshots/<view>.png     one per view, on a small lab database made with anneal-cli:
#                                   loss, lr, mixture, grad-norm, throughput, compare, schedule,
#                                   new-experiment, branch, weights, scaling (the last two on a
#                                   noisy-reweight run and the scaling-entropy study: a few minutes)
#   docs/screenshots/real-text-bpb.png  with REAL_TEXT_SHOT=1 only: the Loss tab in bits/byte on a
#                                   short run of the real-text preset (downloads its corpus with
#                                   anneal-cli corpus prepare; REAL_STEPS steps, default 300;
#                                   REAL_SETS more --set options, e.g. a smaller model)
# Usage: scripts/screenshots.sh [--main-only]
#   BUILD_DIR   build directory (default: build; configured if missing)
#   SHOT_STEPS  steps the live run must reach before the main screenshot (default 400)
#   LAB_STEPS   steps of each run of the lab database (default 500)
# Needs: xvfb-run, xauth, import (imagemagick), xdotool (to click Fit in the scaling view), python3. Settings go to a temporary XDG_CONFIG_HOME.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
STEPS=${SHOT_STEPS:-400}
LAB_STEPS=${LAB_STEPS:-500}
TIMEOUT=${SHOT_TIMEOUT:-900}
SCREEN="-screen 0 1600x1000x24"
MAIN_ONLY=0
[ "${1:-}" = "--main-only" ] && MAIN_ONLY=1
export OPENBLAS_NUM_THREADS=1

for tool in xvfb-run import xdotool python3; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (apt-get install xvfb xauth imagemagick xdotool)" >&2; exit 1; }
done
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DANNEAL_BUILD_BENCH=OFF
fi
targets="anneal"
[ $MAIN_ONLY = 0 ] && targets="anneal anneal-cli"
nice -n 10 cmake --build "$BUILD" -j2 --target $targets
APP="$BUILD/bin/anneal"
CLI="$BUILD/bin/anneal-cli"
DEFAULT="$ROOT/resources/experiments/default.toml"

TMP=$(mktemp -d /tmp/anneal-shots-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/config"
mkdir -p "$ROOT/docs/screenshots"

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

# shoot OUTPUT DB WAIT_STEPS SETTLE_SECONDS [anneal options...]: start the app, wait until the newest
# run of DB has WAIT_STEPS steps (0: don't wait for training), let it settle, capture the screen.
shoot() {
    local out=$1 db=$2 wait_steps=$3 settle=$4
    shift 4
    xvfb-run -a -s "$SCREEN" bash -c '
        set -u
        out=$1 db=$2 wait_steps=$3 settle=$4 timeout=$5 app=$6; shift 6
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
        sleep "$settle"   # the last points arrive, history loads, the plots repaint
        if [ -n "${SHOT_CLICK:-}" ]; then   # "X Y": click there (a button), then wait SHOT_AFTER s
            xdotool mousemove $SHOT_CLICK click 1
            sleep "${SHOT_AFTER:-20}"
        fi
        import -window root "$out"
        kill $pid; wait $pid 2>/dev/null || true
    ' shoot "$out" "$db" "$wait_steps" "$settle" "$TIMEOUT" "$APP" "$@"
    echo "saved $out"
}

# 1. The main window: the default experiment (embedded in the app) starts on an empty database.
shoot "$ROOT/docs/screenshot.png" "$TMP/live.db" "$STEPS" 3
cp "$ROOT/docs/screenshot.png" "$ROOT/docs/screenshots/loss.png"
[ $MAIN_ONLY = 1 ] && exit 0

# 2. A lab database: a WSD run with checkpoints and end-of-training upsampling, a cooldown branched
#    from its stable phase, and two cosine runs of an LR sweep.
LAB="$TMP/lab.db"
cli() { "$CLI" --db "$LAB" "$@" -q; }
third=$((LAB_STEPS * 3 / 5))
cli run "$DEFAULT" --name wsd --set schedule.kind=wsd --set schedule.decay_fraction=0.2 \
    --set train.steps=$LAB_STEPS --set log.checkpoint_every=$((LAB_STEPS / 5)) \
    --set mixture.upsample.start_fraction=0.8 --set 'mixture.upsample.weights={arithmetic=0.5}'
cli branch 1 --at-step $third --name "wsd@$third-cooldown" --set train.steps=$((third + LAB_STEPS / 5)) \
    --set schedule.decay_fraction=$(python3 -c "print(($LAB_STEPS/5)/($third+$LAB_STEPS/5))") \
    --set schedule.decay_shape=1-sqrt
cli run "$DEFAULT" --name cosine --group lr-sweep --set train.steps=$LAB_STEPS
cli run "$DEFAULT" --name cosine-lr6e-3 --group lr-sweep --set train.steps=$LAB_STEPS --set train.lr=6e-3

S="$ROOT/docs/screenshots"
shoot "$S/lr.png" "$LAB" 0 5 --select 1,2,3 --view lr
shoot "$S/mixture.png" "$LAB" 0 5 --select 1 --view mixture
shoot "$S/grad-norm.png" "$LAB" 0 5 --select 3,4 --view grad-norm
shoot "$S/throughput.png" "$LAB" 0 5 --select 3,4 --view throughput
shoot "$S/compare.png" "$LAB" 0 6 --select 1,2,3 --view compare
shoot "$S/schedule.png" "$LAB" 0 5 --select 1 --view schedule
shoot "$S/new-experiment.png" "$LAB" 0 5 --select 1 --view new-experiment
shoot "$S/branch.png" "$LAB" 0 5 --select 1 --view branch
shoot "$S/runs-and-properties.png" "$LAB" 0 5 --select 2,1 --view loss

# 3. The Weights tab on a reweighted run with planted noise, and the Scaling laws tab on the
#    scaling-entropy study (20 small runs) with a Chinchilla fit: SHOT_CLICK presses Fit, whose place
#    is fixed by the 1600x1000 window.
NOISY="$TMP/noisy.db"
"$CLI" --db "$NOISY" run "$ROOT/resources/experiments/noisy-reweight.toml" --name meta_rescale -q
shoot "$S/weights.png" "$NOISY" 0 8 --select 1 --view weights
SCALING="$TMP/scaling.db"
"$CLI" sweep "$ROOT/resources/studies/scaling-entropy/plan.toml" --db "$SCALING" -q
SHOT_CLICK="653 432" SHOT_AFTER=25 shoot "$S/scaling.png" "$SCALING" 0 8 \
    --select "$(seq -s, 1 20)" --view scaling
# Palette PNGs: a tenth of the size, no visible difference in plots.
for f in "$S/weights.png" "$S/scaling.png"; do convert "$f" -strip +dither -colors 256 "PNG8:$f"; done

# 4. The Loss tab in bits per byte on the real-text preset: six real domains, no floor. Its corpus
#    comes from Debian packages (a download), so only with REAL_TEXT_SHOT=1. The units are a plot
#    option remembered in the settings: a settings file of its own selects bits/byte.
if [ "${REAL_TEXT_SHOT:-0}" = 1 ]; then
    export ANNEAL_CORPUS=${ANNEAL_CORPUS:-$TMP/corpus}
    [ -d "$ANNEAL_CORPUS/prose" ] || "$CLI" corpus prepare
    REAL="$TMP/real.db"
    # shellcheck disable=SC2086  # REAL_SETS is a list of options
    "$CLI" --db "$REAL" run "$ROOT/resources/experiments/real-text.toml" --name real-text \
        --set train.steps="${REAL_STEPS:-300}" ${REAL_SETS:-} -q
    mkdir -p "$TMP/config-bpb/Anneal"
    printf '[plot]\nlossUnits=bpb\n' >"$TMP/config-bpb/Anneal/anneal.conf"
    XDG_CONFIG_HOME="$TMP/config-bpb" shoot "$S/real-text-bpb.png" "$REAL" 0 6 --select 1 --view loss
    convert "$S/real-text-bpb.png" -strip +dither -colors 256 "PNG8:$S/real-text-bpb.png"
fi
