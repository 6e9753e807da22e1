#!/usr/bin/env python3
"""Splits an AOI config (configs/aoi/<aoi>.json) into what each pipeline stage reads.

Usage: stage-params.py AOI_JSON OUT_DIR [NAME=VALUE ...]
NAME=VALUE are the Make variables BANDS, LABELS, MODEL, DEVICE and POST (empty = the AOI's
default). Writes OUT_DIR/<stage>.json (an `rb-<stage> --config` preset) for every stage of the
config, and OUT_DIR/vars.mk (the resolved variables and the synthetic-data arguments), each only
when its content changes: Make then re-runs exactly the stages whose settings changed.
Errors name the file and key and exit 2.
"""
import json
import os
import sys

VARIABLES = {
    "BANDS": ("ms8", "rnir", "rgb"),
    "LABELS": ("buffer", "floodfill"),
    "MODEL": ("tiny", "tiramisu56", "tiramisu67", "tiramisu103"),
    "DEVICE": ("cpu", "cuda"),
    "POST": ("none", "crf"),
}
MODEL_FILES = {  # (MODEL, BANDS) -> configs/models/<name>.json
    ("tiny", "ms8"): "tiramisu_tiny", ("tiny", "rnir"): "tiramisu_tiny_rnir",
    **{(f"tiramisu{d}", b): f"fc_densenet{d}{s}" for d in (56, 67, 103)
       for b, s in (("ms8", "_8band"), ("rnir", "_rnir"), ("rgb", ""))},
}


def fail(message):
    print(f"stage-params: {message}", file=sys.stderr)
    sys.exit(2)


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) < 3:
        fail(__doc__.strip().splitlines()[2])
    config_path, out = sys.argv[1], sys.argv[2]
    try:
        with open(config_path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read '{config_path}': {e}")
    if config.get("schema_version") != 1:
        fail(f"'{config_path}': schema_version must be 1")
    given = dict(a.split("=", 1) for a in sys.argv[3:])
    chosen = {}
    for name, allowed in VARIABLES.items():
        value = given.get(name) or config.get("defaults", {}).get(name)
        if value not in allowed:
            fail(f"{name}={value!r} (from the command line or 'defaults.{name}' in '{config_path}') "
                 f"is not one of {', '.join(allowed)}")
        chosen[name] = value
    if (chosen["MODEL"], chosen["BANDS"]) not in MODEL_FILES:
        fail(f"MODEL={chosen['MODEL']} has no {chosen['BANDS']} variant; use BANDS=ms8 or rnir")
    band_settings = config.get("bands", {}).get(chosen["BANDS"])
    if band_settings is None:
        fail(f"'{config_path}' has no 'bands.{chosen['BANDS']}'")
    stages = config.get("stages")
    if not isinstance(stages, dict):
        fail(f"'{config_path}' needs a 'stages' object")

    os.makedirs(out, exist_ok=True)
    for stage, settings in stages.items():
        preset = {"schema_version": 1, **settings}
        if stage in ("prep", "stats"):
            preset["bands"] = chosen["BANDS"]
        if stage == "prep":
            preset.update(band_settings)
        if stage == "mask":
            preset["method"] = chosen["LABELS"]
        write_if_changed(os.path.join(out, f"{stage}.json"), json.dumps(preset, indent=1) + "\n")

    files = {
        "MODEL_FILE": f"configs/models/{MODEL_FILES[(chosen['MODEL'], chosen['BANDS'])]}.json",
        "SOLVER_FILE": f"configs/solvers/{config.get('solver', 'tiramisu_tiny')}.json",
        "SYNTH_ARGS": " ".join(f"--{k} {v}" for k, v in config.get("synth", {}).items()),
    }
    lines = [f"{name} := {value}" for name, value in {**chosen, **files}.items()]
    lines.append(f"AOI_NAME := {config.get('aoi', 'AOI_2_Vegas')}")
    write_if_changed(os.path.join(out, "vars.mk"), "\n".join(lines) + "\n")
    # What a stage is run with beyond its preset, so that changing it re-runs the stage.
    arguments = {
        "synth": files["SYNTH_ARGS"],
        "train": f"{files['MODEL_FILE']} {files['SOLVER_FILE']} --device {chosen['DEVICE']}",
        "infer": f"--device {chosen['DEVICE']}",
    }
    for stage, text in arguments.items():
        write_if_changed(os.path.join(out, f"{stage}.args"), text + "\n")


if __name__ == "__main__":
    main()
