#!/usr/bin/env bash
# An array task of the per-image stages: rb-prep image and rb-mask for its images.
# Usage (sbatch --array): prep.sh IDS_FILE
set -euo pipefail
source pipelines/slurm/lib.sh
W=$RB_SLURM_W
rb_job_start "per-image stages (rb-prep image, rb-mask) of the images in $1"
text=$(rb_task_ids "$1")
read -r -a ids <<<"$text"
rb_log "images: ${ids[*]}"
# What every image needs must be made already (by the data job): tasks making it at once race.
rb_make_fixed -q "$W/stats.json" ||
  rb_die "stats.json or what it is made from changed after the data job: submit again"
targets=()
for id in "${ids[@]}"; do read -r -a t <<<"$(rb_targets prep "$id")"; targets+=("${t[@]}"); done
rb_run_to_end rb_make_fixed "${targets[@]}"
