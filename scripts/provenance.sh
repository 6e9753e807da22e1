#!/usr/bin/env bash
# Prints, as JSON, what reproduces a pipeline run: the commit (and whether the tree had local
# changes), the AOI's stage settings and the Make variables, the binaries' versions and the
# library versions they were built against.
# Usage: provenance.sh BIN_DIR PARAMS_DIR AOI
set -euo pipefail
bin=$1 params=$2 aoi=$3
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=false
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=true
python3 - "$bin" "$params" "$aoi" "$commit" "$dirty" <<'PY'
import datetime, glob, json, os, subprocess, sys
bin_dir, params, aoi, commit, dirty = sys.argv[1:]
def version(binary):
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
settings = {}
for path in sorted(glob.glob(os.path.join(params, "*"))):
    with open(path) as f:
        text = f.read()
    settings[os.path.basename(path)] = json.loads(text) if path.endswith(".json") else text.strip()
gdal = subprocess.run(["gdal-config", "--version"], capture_output=True, text=True).stdout.strip()
print(json.dumps({
    "aoi": aoi,
    "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "roadbrew_commit": commit,
    "local_changes": dirty == "true",
    "settings": settings,
    "binaries": {os.path.basename(b): version(b) for b in sorted(glob.glob(os.path.join(bin_dir, "rb-*")))},
    "gdal": gdal,
    "reproduce": f"git checkout {commit} && make -f Makefile.pipeline AOI={aoi} submission "
                 "(with the Make variables in settings['vars.mk'])",
}, indent=1))
PY
