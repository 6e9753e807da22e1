#!/usr/bin/env bash
# The data job: the dataset (rb-synth for a synthetic AOI), its list, the image ids (ids.mk) and
# the AOI-wide statistics; then the per-image array over the images whose prep/mask targets are
# out of date, and the tiles job after it.
set -euo pipefail
source pipelines/slurm/lib.sh
rb_job_start "data: $RB_SLURM_W/ids.mk $RB_SLURM_W/stats.json"
W=$RB_SLURM_W
rb_run_to_end rb_make -o "$W/split.mk" "$W/ids.mk" "$W/stats.json"
rb_wanted prep || exit 0

array=$(rb_submit_stale prep IDS images "")
rb_wanted tiles || exit 0

tiles=$(rb_sbatch tiles ${array:+--dependency=afterok:$array} --output="$W/slurm/%x-%j.log")
rb_log "tiles job $tiles"
