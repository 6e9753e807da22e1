#!/usr/bin/env bash
# pipelines/slurm/submit.sh on a real single-node Slurm started here (pipelines/slurm/
# local-cluster.sh: munged, slurmctld, slurmd on localhost), on the sample AOI's data and
# per-image stages:
#   1. --stop-after data: one job makes the synthetic data, the ids and the statistics;
#   2. one image's labels are broken: the per-image array runs 24 tasks, exactly that one fails,
#      and the tiles job that waited on the array is cancelled instead of running;
#   3. the labels repaired, the same submission again runs an array of that one image only, no
#      other output is touched, and the tiles job runs after it;
#   4. plain make of the same targets in another WORK gives the same bytes for every prep/*.tif
#      and masks/*.tif;
#   5. the whole DAG of the six-image `ci` AOI, two images per array task: every job runs once,
#      and the outputs (to the model, the predictions, the graphs and the submission) are the
#      bytes plain make gives.
# Installs slurm-wlm and munge with apt when they are missing (as root; otherwise exit 77, and 77
# when the daemons cannot run here). Usage: slurm_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
skip() { echo "slurm_test: SKIPPED: $*"; exit 77; }
fail() { echo "slurm_test: FAILED: $*" >&2; exit 1; }
step() { echo "== $* (at ${SECONDS} s)"; }

install_slurm() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null &&
    command -v munged >/dev/null && return 0
  [ "$(id -u)" = 0 ] ||
    skip "Slurm is not installed, and only root may apt-get install slurm-wlm munge"
  command -v apt-get >/dev/null || skip "Slurm is not installed and there is no apt-get"
  step "installing slurm-wlm and munge"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
    slurm-wlm munge)
  "${apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && "${apt[@]}" >/dev/null; } ||
    skip "apt-get install slurm-wlm munge failed"
}

[ "$(id -u)" = 0 ] || skip "slurmd must run as root to start jobs (this is uid $(id -u))"
install_slurm
tmp=$(mktemp -d)
cleanup() {
  "$source_dir/pipelines/slurm/local-cluster.sh" stop "$tmp/cluster" || true
  [ -n "${RB_KEEP_TEST_DIR:-}" ] && echo "slurm_test: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
start=$SECONDS

step "starting Slurm"
started=$("$source_dir/pipelines/slurm/local-cluster.sh" start "$tmp/cluster" 2>&1) ||
  skip "the Slurm daemons cannot run here: $started"
eval "$started"
jobcomp=$tmp/cluster/jobcomp.txt

W=$tmp/slurm/sample
submit() {
  timeout 900 "$source_dir/pipelines/slurm/submit.sh" WORK="$tmp/slurm" BUILD_DIR="$build_dir" \
    --wait --poll 1 AOI=sample "$@"
}
plain() {
  (cd "$source_dir" && make --no-print-directory -f Makefile.pipeline RB_DAG=1 \
    BUILD_DIR="$build_dir" WORK="$tmp/plain" -j2 "$@") > "$tmp/plain.log" 2>&1 ||
    { cat "$tmp/plain.log"; fail "plain make $* failed"; }
}
# "name state" of each job (array tasks one by one) recorded after line $1 of the jobcomp file.
states_after() {
  tail -n +"$(($1 + 1))" "$jobcomp" | sed -n 's/.* Name=\([^ ]*\) JobState=\([A-Z_]*\) .*/\1 \2/p' |
    sort | uniq -c | awk '{ print $2, $3, $1 }'
}
expect_states() {
  local got
  got=$(states_after "$1")
  [ "$got" = "$2" ] || fail "$3: job states
$got
expected
$2"
}

step "1. the data job"
submit --stop-after data || fail "the data submission failed"
expect_states 0 "rb-sample-data COMPLETED 1" "data"
mapfile -t ids < <(sed -n 's/^IDS += //p' "$W/ids.mk")
[ ${#ids[@]} -eq 24 ] || fail "ids.mk lists ${#ids[@]} images, not 24"
[ -s "$W/stats.json" ] || fail "no stats.json"

step "2. one broken image: its task fails, the others finish, the tiles job never runs"
bad=${ids[2]}
label=$(sed -n "s/^LBL_$bad := //p" "$W/ids.mk")
mv "$label" "$tmp/label.saved"
echo "not GeoJSON" > "$label"
seen=$(wc -l < "$jobcomp")
if submit --stop-after tiles > "$tmp/submit2.log" 2>&1; then
  cat "$tmp/submit2.log"
  fail "the submission with a broken image succeeded"
fi
cat "$tmp/submit2.log"
expect_states "$seen" "rb-sample-data COMPLETED 1
rb-sample-prep COMPLETED 23
rb-sample-prep FAILED 1
rb-sample-tiles CANCELLED 1" "broken image"
failed_log=$(grep -l "rb-slurm: FAILED" "$W"/slurm/rb-sample-prep-*_*.log) ||
  fail "no array task log says FAILED"
[ "$(echo "$failed_log" | wc -l)" -eq 1 ] || fail "more than one failed task: $failed_log"
grep -q "images: $bad\$" "$failed_log" || fail "the failed task $failed_log is not the one of $bad"
grep -qF "$failed_log" "$tmp/submit2.log" || fail "submit.sh --wait did not name $failed_log"
[ "$(ls "$W"/slurm/rb-sample-prep-*_*.log | wc -l)" -eq 24 ] || fail "not one log per task"
[ -f "$W/prep/$bad.tif" ] && [ ! -e "$W/masks/$bad.tif" ] ||
  fail "the failed task should leave prep/$bad.tif and no masks/$bad.tif"
[ ! -e "$W/split.mk" ] || fail "split.mk exists although the tiles job was cancelled"

step "3. repaired: the resubmission runs the one failed image, then the tiles job"
mv "$tmp/label.saved" "$label"
before=$(cd "$W" && stat -c '%n %Y.%y' prep/*.tif masks/*.tif)
seen=$(wc -l < "$jobcomp")
submit --stop-after tiles || fail "the resubmission failed"
expect_states "$seen" "rb-sample-data COMPLETED 1
rb-sample-prep COMPLETED 1
rb-sample-tiles COMPLETED 1" "resubmission"
list=$(ls -t "$W"/slurm/prep-*.ids | head -1)
[ "$(cat "$list")" = "$bad" ] || fail "the resubmitted array's images: $(cat "$list")"
after=$(cd "$W" && stat -c '%n %Y.%y' prep/*.tif masks/*.tif | grep -v "masks/$bad.tif")
[ "$before" = "$after" ] || fail "the resubmission touched other outputs:
$(diff <(echo "$before") <(echo "$after"))"
grep -q '^TEST_IDS := AOI_' "$W/split.mk" || fail "split.mk: $(cat "$W/split.mk")"

step "4. plain make in another WORK gives the same bytes"
# The synthetic data and the stage presets are copied with their times (Make then finds them up to
# date): the comparison is of what the two runs make from the same inputs.
R=$tmp/plain/sample
mkdir -p "$R"
cp -a "$W/synth" "$W/params" "$R/"
targets=()
for id in "${ids[@]}"; do targets+=("$R/prep/$id.tif" "$R/masks/$id.tif"); done
plain AOI=sample -o "$R/split.mk" "${targets[@]}"
grep -q "rb-synth" "$tmp/plain.log" && fail "plain make made the synthetic data again"
for dir in prep masks; do
  n=0
  for f in "$R/$dir"/*.tif; do
    cmp -s "$f" "$W/$dir/$(basename "$f")" || fail "$dir/$(basename "$f") differs"
    n=$((n + 1))
  done
  [ "$n" -eq 24 ] && [ "$(ls "$W/$dir"/*.tif | wc -l)" -eq 24 ] || fail "$dir: $n files"
done
step "5. the whole DAG of the ci AOI, and the same bytes as plain make"
seen=$(wc -l < "$jobcomp")
submit AOI=ci --chunk 2 || fail "the ci submission failed"
W=$tmp/slurm/ci R=$tmp/plain/ci
read -r -a test_ids <<<"$(sed -n 's/^TEST_IDS := //p' "$W/split.mk")"
expect_states "$seen" "rb-ci-data COMPLETED 1
rb-ci-infer COMPLETED $(((${#test_ids[@]} + 1) / 2))
rb-ci-prep COMPLETED 3
rb-ci-report COMPLETED 1
rb-ci-tiles COMPLETED 1
rb-ci-train COMPLETED 1" "ci"
[ -s "$W/report/index.html" ] || fail "no ci report"
plain AOI=ci dag-report
compared=0
for f in split.mk run/best.safetensors submission/submission.csv apls.json \
  decisions/route.geojson prep/*.tif masks/*.tif pred/*.prob.tif graphs/*.geojson graphs/*.csv; do
  for g in "$R"/$f; do
    name=${g#"$R/"}
    cmp -s "$g" "$W/$name" || fail "ci: $name differs"
    compared=$((compared + 1))
  done
done
echo "$compared ci outputs identical"
echo "slurm_test: all checks passed in $((SECONDS - start)) s"
