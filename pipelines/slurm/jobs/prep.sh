#!/usr/bin/env bash
# An array task of the per-image stages: rb-prep image and rb-mask for its images.
# Usage (sbatch --array): prep.sh IDS_FILE
set -euo pipefail
source pipelines/slurm/lib.sh
rb_job_start "per-image stages (rb-prep image, rb-mask) of the images in $1"
rb_array_task prep "$1" "$RB_SLURM_W/stats.json" \
  "stats.json or what it is made from changed after the data job: submit again"
