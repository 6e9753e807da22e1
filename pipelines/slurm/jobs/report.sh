#!/usr/bin/env bash
# The report job: evaluation, the submission CSV, APLS, the decisions and report/index.html.
set -euo pipefail
source pipelines/slurm/lib.sh
rb_job_start "report: $RB_SLURM_W/report/index.html"
rb_run_to_end rb_make_fixed dag-report
