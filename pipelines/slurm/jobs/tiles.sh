#!/usr/bin/env bash
# The tiles job: rb-prep tiles over every image and the split (split.mk: the test images); then
# training (unless it is up to date), the per-test-image array after it, and the report job.
set -euo pipefail
source pipelines/slurm/lib.sh
W=$RB_SLURM_W
rb_job_start "tiles and split: $W/split.mk"
rb_run_to_end rb_make -o "$W/ids.mk" "$W/split.mk"
rb_wanted train || exit 0

# DEVICE=cuda (given, or the AOI config's default) puts training and inference on a GPU.
gres=()
device=$(rb_make_var DEVICE)
[ "$device" = cuda ] && gres=(--gres="$RB_SLURM_GRES")
train=
if ! rb_make_fixed -q "$W/run/.complete"; then
  train_options=()
  eval "train_options=($RB_SLURM_TRAIN)"
  train=$(rb_sbatch train --output="$W/slurm/%x-%j.log" "${gres[@]}" "${train_options[@]}")
  rb_log "training job $train"
else
  rb_log "training is up to date"
fi
rb_wanted infer || exit 0

array=$(rb_submit_stale infer TEST_IDS "test images" "${train:+--dependency=afterok:$train} ${gres[*]}")
rb_wanted report || exit 0

after=${array:-$train}
report=$(rb_sbatch report ${after:+--dependency=afterok:$after} --output="$W/slurm/%x-%j.log")
rb_log "report job $report"
