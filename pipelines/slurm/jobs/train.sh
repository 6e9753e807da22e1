#!/usr/bin/env bash
# The training job: run/.complete (pipelines/steps/train.sh, which resumes a stopped run).
set -euo pipefail
source pipelines/slurm/lib.sh
rb_job_start "training: $RB_SLURM_W/run/.complete"
rb_run_to_end rb_make_fixed "$RB_SLURM_W/run/.complete"
