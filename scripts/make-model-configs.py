#!/usr/bin/env python3
"""Writes configs/models/*.json: the Tiramisu (FC-DenseNet) variants of Jegou et al. 2017 and
the small tiramisu_tiny, in roadbrew's model format (composite DenseBlock / TransitionDown /
TransitionUp layers). Architecture facts: ../shared/notes/networks.md section 1.

Usage: scripts/make-model-configs.py   (from the repository root)
"""
import json
import pathlib

HE_UNIFORM = {"type": "msra", "distribution": "uniform"}  # Lasagne HeUniform(gain='relu')

# name: (growth k, first conv filters, layers per down block, bottleneck, up blocks)
PAPER = {
    "fc_densenet56": (12, 48, [4, 4, 4, 4, 4], 4, [4, 4, 4, 4, 4]),
    "fc_densenet67": (16, 48, [5, 5, 5, 5, 5], 5, [5, 5, 5, 5, 5]),
    "fc_densenet103": (16, 48, [4, 5, 7, 10, 12], 15, [12, 10, 7, 5, 4]),
}
# Input variants: the seed's 8-band model starts with 96 filters; R/NIR uses 3 bands.
VARIANTS = {"": (3, None), "_8band": (8, 96), "_rnir": (3, None)}


def tiramisu(name, bands, classes, growth, first, down, bottleneck, up, dropout, jaccard,
             description):
    layers = [
        {"name": "data", "type": "Input", "top": "data",
         "input": {"shape": [[4, bands, 256, 256]]}},
        {"name": "label", "type": "Input", "top": "label",
         "input": {"shape": [[4, 1, 256, 256]]}, "exclude": {"phase": "DEPLOY"}},
        {"name": "conv0", "type": "Convolution", "bottom": "data", "top": "conv0",
         "convolution": {"num_output": first, "kernel_size": 3, "pad": 1,
                         "weight_filler": HE_UNIFORM}},
    ]
    block = {"growth": growth, "dropout": dropout, "weight_filler": HE_UNIFORM}
    previous, skips = "conv0", []
    for i, n in enumerate(down, 1):
        layers.append({"name": f"down{i}", "type": "DenseBlock", "bottom": previous,
                       "top": f"down{i}", "dense_block": dict(block, layers=n)})
        layers.append({"name": f"td{i}", "type": "TransitionDown", "bottom": f"down{i}",
                       "top": f"td{i}", "transition_down": {"dropout": dropout,
                                                            "weight_filler": HE_UNIFORM}})
        skips.append(f"down{i}")
        previous = f"td{i}"
    layers.append({"name": "bottleneck", "type": "DenseBlock", "bottom": previous,
                   "top": ["bottleneck", "bottleneck_new"],
                   "dense_block": dict(block, layers=bottleneck)})
    features = "bottleneck_new"
    for i, n in enumerate(up, 1):
        skip = skips[-i]
        last = i == len(up)
        layers.append({"name": f"tu{i}", "type": "TransitionUp", "bottom": [features, skip],
                       "top": f"tu{i}", "transition_up": {"weight_filler": HE_UNIFORM}})
        tops = [f"up{i}"] if last else [f"up{i}", f"up{i}_new"]
        layers.append({"name": f"up{i}", "type": "DenseBlock", "bottom": f"tu{i}", "top": tops,
                       "dense_block": dict(block, layers=n)})
        features = f"up{i}_new"
    layers += [
        {"name": "score", "type": "Convolution", "bottom": f"up{len(up)}", "top": "score",
         "convolution": {"num_output": classes, "kernel_size": 1, "weight_filler": HE_UNIFORM}},
        {"name": "loss", "type": "SoftmaxWithLoss", "bottom": ["score", "label"], "top": "loss",
         "softmax_with_loss": {"ignore_label": 255}, "exclude": {"phase": "DEPLOY"}},
        {"name": "prob", "type": "Softmax", "bottom": "score", "top": "prob"},
    ]
    if jaccard:
        layers.append({"name": "jaccard", "type": "JaccardLoss", "bottom": ["prob", "label"],
                       "top": "jaccard", "loss_weight": jaccard,
                       "jaccard_loss": {"class": 1, "ignore_label": 255},
                       "exclude": {"phase": "DEPLOY"}})
    layers.append({"name": "iou", "type": "IoU", "bottom": ["score", "label"], "top": "iou",
                   "iou": {"ignore_label": 255}, "include": {"phase": "TEST"}})
    return {"schema_version": 1, "name": name, "description": description, "layers": layers}


def main():
    out = pathlib.Path("configs/models")
    out.mkdir(parents=True, exist_ok=True)
    for base, (growth, first, down, bottleneck, up) in PAPER.items():
        for suffix, (bands, filters) in VARIANTS.items():
            name = base + suffix
            what = {"": "3-band input as in the paper",
                    "_8band": "8-band WorldView-3 input, 96 first filters as in the seed",
                    "_rnir": "3-band RedEdge/NIR1/NIR2 input, the seed's R/NIR model"}[suffix]
            spec = tiramisu(name, bands, 2, growth, filters or first, down, bottleneck, up, 0.2,
                            None, f"{base} (Jegou et al. 2017), {what}; 2 classes")
            (out / f"{name}.json").write_text(json.dumps(spec, indent=1) + "\n")
    for suffix, bands in (("", 8), ("_rnir", 3)):
        name = "tiramisu_tiny" + suffix
        spec = tiramisu(name, bands, 2, 8, 24, [2, 2, 3], 3, [3, 2, 2], 0.1, 0.5,
                        f"small Tiramisu for CPU training in minutes, {bands}-band input; "
                        "cross-entropy + 0.5 soft Jaccard")
        (out / f"{name}.json").write_text(json.dumps(spec, indent=1) + "\n")


if __name__ == "__main__":
    main()
