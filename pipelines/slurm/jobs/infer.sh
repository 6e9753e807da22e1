#!/usr/bin/env bash
# An array task of the per-test-image stages: rb-infer and rb-graph for its images.
# Usage (sbatch --array): infer.sh IDS_FILE
set -euo pipefail
source pipelines/slurm/lib.sh
W=$RB_SLURM_W
rb_job_start "per-test-image stages (rb-infer, rb-graph) of the images in $1"
text=$(rb_task_ids "$1")
read -r -a ids <<<"$text"
rb_log "test images: ${ids[*]}"
rb_make_fixed -q "$W/run/.complete" ||
  rb_die "the trained model or what it is made from changed after training: submit again"
targets=()
for id in "${ids[@]}"; do read -r -a t <<<"$(rb_targets infer "$id")"; targets+=("${t[@]}"); done
rb_run_to_end rb_make_fixed "${targets[@]}"
