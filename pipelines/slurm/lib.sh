# Shared by submit.sh and the job scripts in jobs/ (sourced, from the repository root).
#
# A submission's settings travel to its jobs, and to the jobs those jobs submit, as environment
# variables (every sbatch here passes --export=ALL):
#   RB_SLURM_ROOT       the repository root, the jobs' working directory
#   RB_SLURM_W          $WORK/$AOI, absolute: the DAG's outputs; logs go to its slurm/
#   RB_SLURM_MAKEVARS   the Make variables (AOI=... WORK=... BUILD_DIR=... and any of DATA,
#                       AOI_CONFIG, BANDS, LABELS, MODEL, DEVICE, POST), shell-quoted
#   RB_SLURM_SBATCH     extra sbatch arguments for every job, shell-quoted
#   RB_SLURM_TRAIN      extra sbatch arguments for the training job, as typed (shell words)
#   RB_SLURM_GRES       the --gres of the jobs that run on DEVICE=cuda (gpu:1)
#   RB_SLURM_STOP       the last stage to submit: data, prep, tiles, train, infer or report
#   RB_SLURM_CHUNK      images per array task
#   RB_SLURM_PARALLEL   at most this many tasks of an array at once (empty: no limit)
# shellcheck shell=bash

RB_SLURM_STAGES=(data prep tiles train infer report)

rb_log() { echo "rb-slurm: $*" >&2; }
rb_die() { echo "rb-slurm: $*" >&2; exit 1; }

# True when stage $1 is to be submitted (it is not after RB_SLURM_STOP).
rb_wanted() {
  local stage
  for stage in "${RB_SLURM_STAGES[@]}"; do
    [ "$stage" = "$1" ] && return 0
    [ "$stage" = "$RB_SLURM_STOP" ] && return 1
  done
  return 1
}

# The DAG's make with this submission's variables.
rb_make() {
  local vars
  eval "vars=($RB_SLURM_MAKEVARS)"
  make --no-print-directory -f Makefile.pipeline RB_DAG=1 "${vars[@]}" "$@"
}

# rb_make for a job that runs after the data job: it neither remakes ids.mk (the data job's) nor
# split.mk (the tiles job's) but reads what is there. GNU make remakes every included makefile
# before any goal, even under -q and -n: remaking split.mk means tiling every image, and two
# jobs remaking ids.mk at once would race.
rb_make_fixed() { rb_make -o "$RB_SLURM_W/ids.mk" -o "$RB_SLURM_W/split.mk" "$@"; }

# Prints the value of the DAG's Make variable $1 (IDS, TEST_IDS, DEVICE).
rb_make_var() {
  rb_make_fixed --eval="rb-slurm-print-var: ; @echo 'rb-slurm-var: \$($1)'" rb-slurm-print-var |
    sed -n 's/^rb-slurm-var: //p'
}

# The DAG targets of image $2 for the per-image stage $1 (prep or infer).
rb_targets() {
  case $1 in
    prep) echo "$RB_SLURM_W/prep/$2.tif $RB_SLURM_W/masks/$2.tif" ;;
    infer) echo "$RB_SLURM_W/pred/$2.prob.tif $RB_SLURM_W/graphs/$2.geojson" ;;
  esac
}

# Prints (on one line), of the image ids given after the stage $1, those whose targets are out of
# date: every id with a missing target, and those make would remake (one `make -n --debug=b` for
# all of them rather than one `make -q` per image). After a failure these are the images that
# failed or never ran, however they failed (error, time limit, memory, node).
rb_stale_ids() {
  local stage=$1 id target
  shift
  local -a targets=()
  declare -A stale=()
  for id in "$@"; do
    for target in $(rb_targets "$stage" "$id"); do
      targets+=("$target")
      [ -e "$target" ] || stale[$id]=1
    done
  done
  local remake
  remake=$(LC_ALL=C rb_make_fixed -n --debug=b "${targets[@]}" |
    sed -n "s/^ *Must remake target '\(.*\)'\.$/\1/p") ||
    rb_die "make -n failed for the $stage targets"
  declare -A remade=()
  while IFS= read -r target; do
    [ -n "$target" ] && remade[$target]=1
  done <<<"$remake"
  for id in "$@"; do
    for target in $(rb_targets "$stage" "$id"); do
      [ -n "${remade[$target]:-}" ] && stale[$id]=1
    done
  done
  local -a out=()
  for id in "$@"; do
    [ -n "${stale[$id]:-}" ] && out+=("$id")
  done
  echo "${out[*]}"
}

# True when the DAG is up to date up to stage $1, as far as can be told without making anything:
# make -q on the stage's targets, except for the makefiles ids.mk and split.mk, which make would
# remake even under -q, so their own prerequisites are asked instead.
rb_up_to_date() {
  local W=$RB_SLURM_W stage=$1 variable id text
  local -a targets=()
  case $stage in
    data)
      [ -e "$W/ids.mk" ] && [ ! "$W/list.tsv" -nt "$W/ids.mk" ] || return 1
      targets=("$W/stats.json") ;;
    tiles)
      [ -e "$W/split.mk" ] && [ ! "$W/tiles/manifest.json" -nt "$W/split.mk" ] || return 1
      targets=("$W/tiles/manifest.json") ;;
    prep | infer)
      variable=$([ "$stage" = prep ] && echo IDS || echo TEST_IDS)
      text=$(rb_make_var "$variable") && [ -n "$text" ] || return 1
      local -a pair
      for id in $text; do
        read -r -a pair <<<"$(rb_targets "$stage" "$id")"
        targets+=("${pair[@]}")
      done ;;
    train) targets=("$W/run/.complete") ;;
    report) targets=("$W/report/index.html") ;;
  esac
  rb_make_fixed -q "${targets[@]}" 2>/dev/null
}

# A job submitting jobs passes on its environment, but not the SLURM_* variables that describe
# itself: Slurm sets the new job's own, and a stale one left over (SLURM_CPUS_PER_TASK when the new
# job has no -c) would mislead it. SLURM_CONF, which says where the cluster is, stays.
rb_forget_job_env() {
  local name
  [ -n "${SLURM_JOB_ID:-}" ] || return 0
  for name in $(compgen -e); do
    [[ $name == SLURM_* && $name != SLURM_CONF ]] && unset "$name"
  done
  return 0
}

# sbatch with this submission's settings; prints the job id. $1 is the stage (the job's name is
# rb-<AOI>-<stage>, its script jobs/<stage>.sh), then sbatch options, then `--` and the script's
# arguments.
rb_sbatch() {
  local stage=$1 aoi extra
  shift
  aoi=$(basename "$RB_SLURM_W")
  local -a options=() args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  eval "extra=($RB_SLURM_SBATCH)"
  local out
  out=$(
    rb_forget_job_env
    sbatch --parsable --export=ALL --chdir="$RB_SLURM_ROOT" --job-name="rb-$aoi-$stage" \
      --comment="roadbrew:$RB_SLURM_W" --kill-on-invalid-dep=yes "${extra[@]}" "${options[@]}" \
      "$RB_SLURM_ROOT/pipelines/slurm/jobs/$stage.sh" "${args[@]}"
  ) || rb_die "sbatch of the $stage job failed"
  echo "${out%%;*}"
}

# Submits the per-image stage $1 (prep or infer) as a job array over the ids given after the
# stage options ($2: more sbatch options, one string; then the ids): RB_SLURM_CHUNK images per
# task, listed in $RB_SLURM_W/slurm/<stage>-<the submitting job>.ids. Prints the array's job id,
# or nothing when there are no ids.
rb_submit_array() {
  local stage=$1 more=$2
  shift 2
  [ $# -gt 0 ] || return 0
  local list=$RB_SLURM_W/slurm/$stage-${SLURM_JOB_ID:-$$}.ids
  printf '%s\n' "$@" > "$list"
  local tasks=$((($# + RB_SLURM_CHUNK - 1) / RB_SLURM_CHUNK))
  local spec="0-$((tasks - 1))${RB_SLURM_PARALLEL:+%$RB_SLURM_PARALLEL}"
  local -a options
  read -r -a options <<<"$more"
  rb_sbatch "$stage" --array="$spec" --output="$RB_SLURM_W/slurm/%x-%A_%a.log" "${options[@]}" \
    -- "$list"
}

# Submits the per-image stage $1 (prep or infer) as an array over those images of the Make
# variable $2 (IDS or TEST_IDS, from ids.mk or split.mk) whose targets are out of date, with more
# sbatch options $4 (one string); $3 names the images in the log line. Prints the array's job id,
# or nothing when every image is made.
rb_submit_stale() {
  local stage=$1 variable=$2 what=$3 more=$4 text array
  local -a ids stale
  text=$(rb_make_var "$variable")
  read -r -a ids <<<"$text"
  [ ${#ids[@]} -gt 0 ] || rb_die "$variable lists no $what"
  text=$(rb_stale_ids "$stage" "${ids[@]}")
  read -r -a stale <<<"$text"
  array=$(rb_submit_array "$stage" "$more" "${stale[@]}")
  rb_log "${#ids[@]} $what, ${#stale[@]} to make${array:+: array job $array}"
  echo "$array"
}

# The ids (on one line) of array task SLURM_ARRAY_TASK_ID in the list $1.
rb_task_ids() {
  local first=$((SLURM_ARRAY_TASK_ID * RB_SLURM_CHUNK + 1)) ids
  ids=$(sed -n "${first},$((first + RB_SLURM_CHUNK - 1))p" "$1") || rb_die "cannot read $1"
  [ -n "$ids" ] || rb_die "$1 has no line $first (array task $SLURM_ARRAY_TASK_ID)"
  echo "${ids//$'\n'/ }"
}

# The body of an array task of stage $1 (prep or infer): makes the targets of the images that the
# list $2 holds for this task. What all the images need ($3) must be made already, by an earlier
# job (tasks making it at once would race); when it is not, the task fails with message $4.
rb_array_task() {
  local stage=$1 list=$2 shared=$3 changed=$4 text id
  local -a ids targets pair
  text=$(rb_task_ids "$list")
  read -r -a ids <<<"$text"
  rb_log "images: ${ids[*]}"
  rb_make_fixed -q "$shared" || rb_die "$changed"
  for id in "${ids[@]}"; do
    read -r -a pair <<<"$(rb_targets "$stage" "$id")"
    targets+=("${pair[@]}")
  done
  rb_run_to_end rb_make_fixed "${targets[@]}"
}

# Runs "$@" and waits for it, also through a SIGTERM (Slurm's time limit and scancel send it to
# every process of the job): the stage under make gets it too and needs the time until SIGKILL
# (KillWait) to stop cleanly, which it has only while this shell, the job's main process, lives.
rb_run_to_end() {
  "$@" &
  local pid=$! rc
  trap 'rb_log "SIGTERM: waiting for the stage to stop"' TERM
  while :; do
    wait "$pid" && rc=0 || rc=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - TERM
  return "$rc"
}

# The first and last lines of every job's log: what it does, and `rb-slurm: done` or
# `rb-slurm: FAILED (exit N)`, which `grep -l FAILED` finds (a job killed by Slurm has Slurm's
# own "CANCELLED ... DUE TO ..." line instead).
rb_job_start() {
  rb_log "job ${SLURM_JOB_ID:-?}${SLURM_ARRAY_TASK_ID:+ (array task $SLURM_ARRAY_TASK_ID)} on" \
    "$(hostname) at $(date -Is): $*"
  trap 'rc=$?; [ $rc -eq 0 ] && rb_log "done" || rb_log "FAILED (exit $rc)"' EXIT
  # The stages' OpenMP loops use the CPUs Slurm gave the job (-c), not every core of the node.
  export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}}
}
