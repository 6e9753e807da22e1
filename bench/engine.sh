#!/usr/bin/env bash
# The CNN engine against PyTorch on the CPU: forward+backward training passes per second and
# peak resident memory for FC-DenseNet56 (224x224, batch 2) and tiramisu_tiny (256x256, batch 2),
# all cores, identical architecture (PyTorch rebuilds it from our expanded model), identical
# weights and inputs (exported by engine_core), with a forward-parity check and the machine's
# SGEMM rate beside the engine's GFLOP/s.
#
# Peers, installed here, never vendored: Debian's python3-torch (apt, when root) and the PyPI
# wheel in a virtual environment under the build directory (a few GB, downloaded once).
#
# GPU columns: when engine_core sees a CUDA device (a CUDA build on a machine with a GPU), the
# same passes run on the engine's CUDA backend in fp32 and in fp16 mixed precision, and on
# PyTorch's CUDA backend (peers whose torch sees the GPU): images/s and peak device memory
# (held by each caching allocator, and in use by tensors). Without a device they are skipped,
# saying so.
# Usage: bench/engine.sh [build dir] [rounds] [iterations per round] [cpu,gpu]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
rounds="${2:-3}"
iterations="${3:-4}"
devices="${4:-cpu,gpu}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

core="$build/bench/engine_core"
[ -x "$core" ] || { echo "bench/engine.sh: $core is missing; build first" >&2; exit 1; }
gpus=$($core --devices)
gpu_skipped="GPU: skipped: $core sees no CUDA device (a build without CUDA, or no GPU and driver here)"
if [[ ",$devices," != *,cpu,* && "$gpus" == "[]" ]]; then
  echo "$gpu_skipped"
  exit 0
fi

# --- peers -------------------------------------------------------------------------------------
peers=()
if ! $py -c 'import torch' 2>/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch >/dev/null
fi
$py -c 'import torch' 2>/dev/null && peers+=("$py")
venv="$build/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q torch numpy || echo "note: no PyPI torch"
fi
"$venv/bin/python" -c 'import torch' 2>/dev/null && peers+=("$venv/bin/python")
[ ${#peers[@]} -gt 0 ] || { echo "bench/engine.sh: no PyTorch could be installed" >&2; exit 1; }

threads=$(nproc)
cases=("fc_densenet56 2 224" "tiramisu_tiny 2 256")
for case in "${cases[@]}"; do  # identical weights and inputs for every tool and device
  read -r model batch size <<< "$case"
  $core --model "configs/models/$model.json" --batch "$batch" --size "$size" \
    --iterations 1 --warmup 0 --export "$work/$model" > /dev/null
done

if [[ ",$devices," == *,cpu,* ]]; then
echo "roadbrew engine vs PyTorch, CPU, $threads threads, $rounds rounds x $iterations timed passes"
echo "(one pass = forward + backward of a training step; medians over rounds)"
$core --sgemm 2048 > "$work/sgemm.json"

for case in "${cases[@]}"; do
  read -r model batch size <<< "$case"
  dir="$work/$model"
  for round in $(seq "$rounds"); do
    $core --model "configs/models/$model.json" --batch "$batch" --size "$size" \
      --iterations "$iterations" > "$dir/roadbrew.$round.json"
    for i in "${!peers[@]}"; do
      "${peers[$i]}" bench/engine_torch.py "$dir" --iterations "$iterations" \
        --threads "$threads" > "$dir/torch$i.$round.json"
    done
  done
  $py - "$dir" "$model" "$batch" "$size" "$work/sgemm.json" <<'EOF'
import glob, json, statistics, sys
folder, model, batch, size, sgemm_file = sys.argv[1:]
sgemm = json.load(open(sgemm_file))["sgemm_gflops"]
def runs(prefix):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{folder}/{prefix}.*.json"))]
def summary(results):
    median_s = statistics.median(r["median_s"] for r in results)
    return {"tool": results[0]["tool"], "ips": int(batch) / median_s, "median_s": median_s,
            "peak": max(r["peak_rss_mb"] for r in results),
            "work": max(r["peak_rss_mb"] - r["baseline_rss_mb"] for r in results),
            "gflops": results[0].get("gflops", 0) * results[0]["median_s"] / median_s,
            "parity": max((r.get("prob_max_abs_diff", 0) for r in results), default=0)}
ours = summary(runs("roadbrew"))
peers = [summary(runs(p)) for p in sorted({f.split("/")[-1].split(".")[0] for f in glob.glob(f"{folder}/torch*.json")})]
print(f"\n{model}, {size}x{size}, batch {batch}")
print(f"  {'':28} {'images/s':>9} {'s/pass':>8} {'peak RSS MB':>12} {'above start MB':>15}")
for s in [ours] + peers:
    print(f"  {s['tool']:28} {s['ips']:9.2f} {s['median_s']:8.3f} {s['peak']:12.0f} {s['work']:15.0f}")
best = max(peers, key=lambda s: s["ips"])
print(f"  roadbrew: {ours['gflops']:.0f} GFLOP/s (SGEMM peak here {sgemm:.0f} GFLOP/s)")
print(f"  speed vs fastest PyTorch ({best['tool']}): {ours['ips'] / best['ips']:.2f}x;"
      f" peak memory {ours['peak'] / best['peak']:.2f} of its peak")
print(f"  forward parity (TEST-phase softmax, identical weights): max |diff| "
      f"{max(s['parity'] for s in peers):.2e}")
EOF
done
fi

# --- GPU columns ----------------------------------------------------------------------------------
[[ ",$devices," == *,gpu,* ]] || exit 0
if [ "$gpus" = "[]" ]; then
  echo
  echo "$gpu_skipped"
  exit 0
fi
gpu_peers=()
for peer in "${peers[@]}"; do
  "$peer" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null &&
    gpu_peers+=("$peer")
done
echo
echo "roadbrew engine vs PyTorch, GPU: $gpus"
echo "($rounds rounds x $iterations timed passes, each ending with a device synchronisation)"
[ ${#gpu_peers[@]} -gt 0 ] || echo "note: no PyTorch with CUDA among the peers: roadbrew columns only"
for case in "${cases[@]}"; do
  read -r model batch size <<< "$case"
  dir="$work/$model"
  for round in $(seq "$rounds"); do
    for precision in fp32 fp16; do
      $core --model "configs/models/$model.json" --batch "$batch" --size "$size" --backend cuda \
        --precision "$precision" --iterations "$iterations" > "$dir/gpu_$precision.$round.json"
    done
    for i in "${!gpu_peers[@]}"; do
      "${gpu_peers[$i]}" bench/engine_torch.py "$dir" --iterations "$iterations" --device cuda \
        > "$dir/gputorch$i.$round.json"
    done
  done
  $py - "$dir" "$model" "$batch" "$size" <<'EOF'
import glob, json, statistics, sys
folder, model, batch, size = sys.argv[1:]
def runs(prefix):
    return [json.load(open(f)) for f in sorted(glob.glob(f"{folder}/{prefix}.*.json"))]
def summary(results):
    median_s = statistics.median(r["median_s"] for r in results)
    return {"tool": results[0]["tool"], "ips": int(batch) / median_s, "median_s": median_s,
            "held": max(r["device_peak_mb"] for r in results),
            "used": max(r["device_in_use_peak_mb"] for r in results),
            "parity": max((r.get("prob_max_abs_diff", 0) for r in results), default=0)}
ours = [summary(runs(p)) for p in ("gpu_fp32", "gpu_fp16")]
peers = [summary(runs(p)) for p in sorted({f.split("/")[-1].split(".")[0]
                                           for f in glob.glob(f"{folder}/gputorch*.json")})]
print(f"\n{model}, {size}x{size}, batch {batch}, GPU")
print(f"  {'':28} {'images/s':>9} {'s/pass':>8} {'device MB held':>15} {'MB in use':>10}")
for s in ours + peers:
    print(f"  {s['tool']:28} {s['ips']:9.2f} {s['median_s']:8.4f} {s['held']:15.0f} {s['used']:10.0f}")
if peers:
    best = max(peers, key=lambda s: s["ips"])
    print(f"  speed vs {best['tool']}: fp32 {ours[0]['ips'] / best['ips']:.2f}x, "
          f"fp16 {ours[1]['ips'] / best['ips']:.2f}x; device memory held "
          f"{ours[0]['held'] / best['held']:.2f} of its")
    print(f"  PyTorch CUDA forward parity with the exported probabilities: max |diff| "
          f"{max(s['parity'] for s in peers):.2e}")
EOF
done
