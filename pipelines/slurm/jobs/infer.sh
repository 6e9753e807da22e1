#!/usr/bin/env bash
# An array task of the per-test-image stages: rb-infer and rb-graph for its images.
# Usage (sbatch --array): infer.sh IDS_FILE
set -euo pipefail
source pipelines/slurm/lib.sh
rb_job_start "per-test-image stages (rb-infer, rb-graph) of the images in $1"
rb_array_task infer "$1" "$RB_SLURM_W/run/.complete" \
  "the trained model or what it is made from changed after training: submit again"
