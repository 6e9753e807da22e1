#!/usr/bin/env bash
# The DAG's training step: rb-train into RUN_DIR, resuming from the latest snapshot when a
# previous run with the same settings was stopped, starting afresh when the settings changed.
# Exits non-zero when training was interrupted (rb-train itself exits 0 after its snapshot), so
# that Make leaves the target unmade and the next make resumes.
# Usage: train.sh BIN_DIR PARAMS_DIR TILES_DIR RUN_DIR DEVICE MODEL_FILE SOLVER_FILE
set -euo pipefail
bin=$1 params=$2 tiles=$3 run=$4 device=$5 model=$6 solver=$7

same_settings() {
  cmp -s "$params/train.json" "$run/settings/train.json" &&
    cmp -s "$params/train.args" "$run/settings/train.args" &&
    cmp -s "$model" "$run/settings/model.json" && cmp -s "$solver" "$run/settings/solver.json" &&
    [ "$tiles/manifest.json" -ot "$run/settings/train.json" ]
}
resume=()
if [ -d "$run/snapshots" ] && same_settings; then
  resume=(--resume "$run")
  echo "rb-train: resuming the stopped run in $run"
else
  rm -rf "$run"
  mkdir -p "$run/settings"
  cp "$params/train.json" "$params/train.args" "$run/settings/"
  cp "$model" "$run/settings/model.json"
  cp "$solver" "$run/settings/solver.json"
fi
# In the background and waited for through SIGTERM and SIGINT, which reach rb-train too (Slurm's
# time limit and scancel signal every process of the job; Ctrl-C the terminal's process group):
# rb-train then writes its snapshot, which a cluster that kills a job's processes once its main
# one exits would cut short if this script died at once. Nothing is forwarded: a second signal
# makes rb-train exit without a snapshot.
"$bin/rb-train" --config "$params/train.json" --model "$model" --solver "$solver" \
  --train "$tiles/train/manifest.json" --val "$tiles/val/manifest.json" --out "$run" \
  --device "$device" "${resume[@]}" &
pid=$!
trap : TERM INT
while :; do
  wait "$pid" && rc=0 || rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
trap - TERM INT
[ "$rc" -eq 0 ] || exit "$rc"
# Every run report under $run says whether training was interrupted; the newest one is this run's.
report=$(ls -t "$run"/*.report.json 2>/dev/null | head -1)
if [ -n "$report" ] && grep -q '"interrupted": *true' "$report"; then
  echo "rb-train: interrupted; run make again to resume" >&2
  exit 1
fi
