#!/usr/bin/env bash
# Submits the roadbrew DAG of one AOI (pipelines/dag.mk) to Slurm as a chain of jobs, each a make
# of some of the DAG's targets: data -> per-image array -> tiles -> training -> per-test-image
# array -> report. Each job submits the next ones once it knows the image ids; dependencies are
# afterok. See pipelines/slurm/README.md.
#
# Usage: submit.sh [VAR=value ...] [options] [-- sbatch options for every job]
#   VAR: AOI (sample), DATA, AOI_CONFIG, BANDS, LABELS, MODEL, DEVICE, POST, WORK (work),
#        BUILD_DIR (build) -- as for `make -f Makefile.pipeline`; relative paths are taken from
#        the current directory
#   --stop-after STAGE   submit up to STAGE: data, prep, tiles, train, infer or report (default)
#   --chunk N            images per array task (1)
#   --max-parallel N     at most N tasks of an array at once (no limit)
#   --train-sbatch ARGS  more sbatch options for the training job, e.g. "-c 16 --time=12:00:00"
#   --gres SPEC          the --gres of training and inference when DEVICE is cuda (gpu:1)
#   --wait               return when the submission's jobs are all gone: 0 when the DAG is up to
#                        date up to STAGE, 1 otherwise (with the logs of the jobs that failed)
#   --poll SECONDS       how often --wait asks squeue (10)
#   --cancel             cancel the jobs of this AOI and WORK still queued or running, and exit
# Exit status: 0 submitted (or, with --wait, done), 1 failed, 2 bad usage.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/pipelines/slurm/lib.sh"

usage() {
  sed -n 's/^# \{0,1\}//; 7,20p' "${BASH_SOURCE[0]}" >&2
  exit 2
}
bad() { echo "submit.sh: $*" >&2; exit 2; }
die() { echo "submit.sh: $*" >&2; exit 1; }
absolute() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
count() { [[ $2 =~ ^[1-9][0-9]*$ ]] || bad "$1 wants a positive integer, not '$2'"; }

declare -A var=([AOI]=sample [WORK]=work [BUILD_DIR]=build)
stop=report chunk=1 parallel='' train_sbatch='' gres=gpu:1 wait=0 poll=10 cancel=0
sbatch_extra=()
while [ $# -gt 0 ]; do
  case $1 in
    AOI=* | DATA=* | AOI_CONFIG=* | BANDS=* | LABELS=* | MODEL=* | DEVICE=* | POST=* | WORK=* | \
      BUILD_DIR=*) var[${1%%=*}]=${1#*=} ;;
    --stop-after) stop=${2:-}; shift ;;
    --stop-after=*) stop=${1#*=} ;;
    --chunk) count "$1" "${2:-}"; chunk=$2; shift ;;
    --max-parallel) count "$1" "${2:-}"; parallel=$2; shift ;;
    --train-sbatch) train_sbatch=${2:-}; shift ;;
    --gres) gres=${2:-}; shift ;;
    --wait) wait=1 ;;
    --poll) count "$1" "${2:-}"; poll=$2; shift ;;
    --cancel) cancel=1 ;;
    -h | --help) usage ;;
    --) shift; sbatch_extra=("$@"); break ;;
    *) bad "unknown argument '$1' (try --help)" ;;
  esac
  shift
done
[[ " ${RB_SLURM_STAGES[*]} " == *" $stop "* ]] ||
  bad "--stop-after: '$stop' is not one of ${RB_SLURM_STAGES[*]}"
[[ ${var[AOI]} =~ ^[A-Za-z0-9_.-]+$ ]] || bad "AOI: '${var[AOI]}' is not a name"
for name in WORK BUILD_DIR DATA AOI_CONFIG; do
  [ -n "${var[$name]:-}" ] && var[$name]=$(absolute "${var[$name]}")
done
for tool in sbatch squeue scancel; do
  command -v $tool >/dev/null || bad "$tool is not on PATH: is this a Slurm login node?"
done

makevars=()
for name in AOI DATA AOI_CONFIG BANDS LABELS MODEL DEVICE POST WORK BUILD_DIR; do
  [ -n "${var[$name]:-}" ] && makevars+=("$name=${var[$name]}")
done
export RB_SLURM_ROOT=$root
export RB_SLURM_W=${var[WORK]}/${var[AOI]}
export RB_SLURM_MAKEVARS=${makevars[*]@Q}
export RB_SLURM_SBATCH=${sbatch_extra[*]@Q}
export RB_SLURM_TRAIN=$train_sbatch
export RB_SLURM_GRES=$gres RB_SLURM_STOP=$stop RB_SLURM_CHUNK=$chunk RB_SLURM_PARALLEL=$parallel
W=$RB_SLURM_W
cd "$root"

# This AOI's and WORK's jobs still in the queue, by the comment every job here carries (an array
# by its base id, which stands for all its tasks).
active_jobs() {
  squeue --me -h -o '%F|%k' | awk -F'|' -v c="roadbrew:$W" '$2 == c { print $1 }' | sort -u
}

if [ $cancel = 1 ]; then
  jobs=$(active_jobs)
  [ -z "$jobs" ] && { echo "submit.sh: no job of $W in the queue"; exit 0; }
  # shellcheck disable=SC2086
  scancel $jobs
  echo "submit.sh: cancelled ${jobs//$'\n'/ }"
  exit 0
fi

[ -x "${var[BUILD_DIR]}/stages/rb-prep" ] ||
  bad "BUILD_DIR=${var[BUILD_DIR]} has no stages/rb-prep:" \
    "build first (make -f Makefile.pipeline build)"
jobs=$(active_jobs)
[ -z "$jobs" ] || die "jobs of $W are still queued or running (${jobs//$'\n'/ }): wait for them," \
  "or cancel them with submit.sh ${var[AOI]:+AOI=${var[AOI]}} WORK=${var[WORK]} --cancel"

# Reading the DAG here checks the AOI, its config and DATA before anything is queued (the DAG's
# own messages), and writes the stage presets the jobs will find unchanged.
rb_make_fixed --eval='rb-slurm-check: ; @:' rb-slurm-check >/dev/null
mkdir -p "$W/slurm"
submitted=$(date +%s)
data=$(rb_sbatch data --output="$W/slurm/%x-%j.log")
echo "submit.sh: data job $data submitted (up to '$stop'); logs in $W/slurm/"
[ $wait = 1 ] || exit 0

# --wait: until none of the submission's jobs is left. Each job submits the next ones before it
# ends, so the queue is never empty while the chain goes on.
while :; do
  # squeue can fail for a while on a busy controller: that is no empty queue.
  if left=$(active_jobs) && [ -z "$left" ]; then break; fi
  sleep "$poll"
done
if rb_up_to_date "$stop"; then
  echo "submit.sh: done: the DAG is up to date up to '$stop'"
  exit 0
fi
echo "submit.sh: FAILED: the DAG is not up to date up to '$stop'; logs of failed jobs:" >&2
find "$W/slurm" -name '*.log' -newermt "@$((submitted - 1))" \
  -exec grep -lE 'rb-slurm: FAILED|CANCELLED AT' {} + >&2 || echo "  (none found)" >&2
exit 1
