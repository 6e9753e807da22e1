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

text=$(rb_make_var IDS)
read -r -a ids <<<"$text"
[ ${#ids[@]} -gt 0 ] || rb_die "ids.mk lists no images"
text=$(rb_stale_ids prep "${ids[@]}")
read -r -a stale <<<"$text"
array=$(rb_submit_array prep "" "${stale[@]}")
rb_log "${#ids[@]} images, ${#stale[@]} to make${array:+: array job $array}"
rb_wanted tiles || exit 0

tiles=$(rb_sbatch tiles ${array:+--dependency=afterok:$array} --output="$W/slurm/%x-%j.log")
rb_log "tiles job $tiles"
