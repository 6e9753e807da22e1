#!/usr/bin/env python3
"""The PyTorch side of bench/engine.sh: the same model, weights, inputs and work as engine_core.

Builds the net from engine_core's expanded.json (primitive layers, composites already expanded,
so the architecture is identical by construction), loads weights.safetensors, checks a
TEST-phase forward pass against engine_core's prob.npy, then times forward+backward training
passes the way a PyTorch user writes them (torch.cat per dense layer, in-place ReLU, autograd).
Prints one JSON line like engine_core's.

    engine_torch.py EXPORT_DIR [--iterations 5] [--warmup 1] [--threads N] [--device cuda]

With --device cuda the same work runs on the GPU (each pass ends with a synchronisation) and the
result adds PyTorch's peak device memory (reserved by its caching allocator, and allocated).
"""
import argparse
import json
import resource
import struct
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def read_safetensors(path):
    """name -> float32 array (the format: u64 header length, JSON header, raw little-endian)."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor '{name}' is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(blob[base + start:base + end], dtype="<f4").reshape(info["shape"])
    return tensors


def pair(options, key, default):
    value = options.get(key, default)
    return (value, value) if isinstance(value, int) else tuple(value)


def in_phase(layer, phase):
    include = layer.get("include", {}).get("phase")
    exclude = layer.get("exclude", {}).get("phase")
    return (include is None or include == phase) and (exclude is None or exclude != phase)


class Graph:
    """The expanded model's layers run in order over a dict of named tensors."""

    def __init__(self, model, weights, phase, device="cpu"):
        self.phase = phase
        self.layers = [layer for layer in model["layers"] if in_phase(layer, phase)]
        self.params = {}
        for layer in self.layers:
            for suffix in ("weights", "bias", "gamma", "beta", "running_mean", "running_var"):
                key = f"param/{layer['name']}/{suffix}"
                if key not in weights:
                    continue
                value = torch.from_numpy(weights[key].copy()).to(device)
                if suffix in ("bias", "gamma", "beta", "running_mean", "running_var"):
                    value = value.reshape(-1)
                trainable = suffix not in ("running_mean", "running_var")
                self.params[(layer["name"], suffix)] = value.requires_grad_(trainable)

    def trainable(self):
        return [p for p in self.params.values() if p.requires_grad]

    def param(self, layer, suffix):
        return self.params.get((layer["name"], suffix))

    def run(self, inputs):
        blobs = dict(inputs)
        losses = []
        for layer in self.layers:
            kind = layer["type"]
            options = layer.get(snake(kind), {})
            bottom = [blobs[name] for name in layer.get("bottom", [])]
            tops = layer.get("top", [])
            if kind == "Input":
                continue
            if kind == "IoU":
                continue  # a metric, not part of the work
            out = self.apply(layer, kind, options, bottom)
            if kind == "Slice":
                for name, value in zip(tops, out):
                    blobs[name] = value
                continue
            blobs[tops[0]] = out
            if kind.endswith("Loss"):
                weight = layer.get("loss_weight", [1.0])[0]
                losses.append(weight * out)
        return blobs, sum(losses) if losses else None

    def apply(self, layer, kind, o, bottom):
        x = bottom[0] if bottom else None
        if kind in ("Convolution", "Deconvolution"):
            w, b = self.param(layer, "weights"), self.param(layer, "bias")
            stride, dilation = pair(o, "stride", 1), pair(o, "dilation", 1)
            pad = pair(o, "pad", 0)
            pad_end = pair(o, "pad_end", pad)
            groups = o.get("group", 1)
            if kind == "Convolution":
                if pad != pad_end:
                    x = F.pad(x, (pad[1], pad_end[1], pad[0], pad_end[0]))
                    pad = (0, 0)
                return F.conv2d(x, w, b, stride, pad, dilation, groups)
            y = F.conv_transpose2d(x, w, b, stride, 0, 0, groups, dilation)
            return y[:, :, pad[0]:y.shape[2] - pad_end[0], pad[1]:y.shape[3] - pad_end[1]]
        if kind == "BatchNorm":
            mode = o.get("use_batch_stats", "train")
            batch_stats = mode == "always" or (mode == "train" and self.phase == "TRAIN")
            return F.batch_norm(x, self.param(layer, "running_mean"), self.param(layer, "running_var"),
                                self.param(layer, "gamma"), self.param(layer, "beta"), batch_stats,
                                o.get("momentum", 0.1), o.get("eps", 1e-5))
        if kind == "ReLU":
            in_place = layer["top"][0] in layer.get("bottom", [])
            return F.leaky_relu(x, o.get("negative_slope", 0.0), inplace=in_place)
        if kind == "Dropout":
            return F.dropout(x, o.get("ratio", 0.5), training=self.phase == "TRAIN")
        if kind == "Pooling":
            kernel = pair(o, "kernel_size", 2)
            stride, pad = pair(o, "stride", kernel), pair(o, "pad", 0)
            if pair(o, "pad_end", pad) != pad:
                raise SystemExit(f"engine_torch.py: asymmetric pooling pads ({layer['name']})")
            if o.get("pool", "max") == "max":
                return F.max_pool2d(x, kernel, stride, pad, ceil_mode=o.get("ceil_mode", False))
            return F.avg_pool2d(x, kernel, stride, pad, ceil_mode=o.get("ceil_mode", False))
        if kind == "Concat":
            return torch.cat(bottom, dim=o.get("axis", 1))
        if kind == "Slice":
            channels = x.shape[1]
            points = [p if p >= 0 else channels + p for p in o.get("slice_point", [])]
            bounds = [0] + points + [channels]
            return [x[:, a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        if kind == "Crop":
            top, left = pair(o, "offset", 0)
            h, w = bottom[1].shape[2], bottom[1].shape[3]
            return x[:, :, top:top + h, left:left + w]
        if kind == "Softmax":
            return F.softmax(x, dim=1)
        if kind == "SoftmaxWithLoss":
            weights = o.get("class_weights")
            return F.cross_entropy(x, bottom[1][:, 0].long(), ignore_index=o.get("ignore_label", -1),
                                   weight=torch.tensor(weights, device=x.device) if weights else None)
        if kind == "JaccardLoss":
            label = bottom[1][:, 0]
            valid = (label != o.get("ignore_label", -1)).float()
            cls = o.get("class", 1)
            q = x[:, cls] * valid
            t = (label == cls).float() * valid
            smooth = o.get("smooth", 1.0)
            intersection = (q * t).sum()
            return 1.0 - (intersection + smooth) / (q.sum() + t.sum() - intersection + smooth)
        raise SystemExit(f"engine_torch.py: layer type '{kind}' ({layer['name']}) is not supported")


def snake(kind):
    out = ""
    for i, c in enumerate(kind):
        word = i > 0 and not c.islower() and kind[i - 1].islower() and i + 1 < len(kind) and kind[i + 1].islower()
        out += ("_" if word else "") + c.lower()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export_dir")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("engine_torch.py: this PyTorch has no usable CUDA device")
    gpu = args.device == "cuda"
    sync = torch.cuda.synchronize if gpu else (lambda: None)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    baseline_rss = peak_rss_mb()
    folder = args.export_dir
    with open(f"{folder}/expanded.json") as f:
        model = json.load(f)
    weights = read_safetensors(f"{folder}/weights.safetensors")
    data = torch.from_numpy(np.load(f"{folder}/data.npy")).to(args.device)
    label = torch.from_numpy(np.load(f"{folder}/label.npy")).to(args.device)

    with torch.no_grad():
        blobs, _ = Graph(model, weights, "TEST", args.device).run({"data": data, "label": label})
        expected = np.load(f"{folder}/prob.npy")
        parity = float(np.abs(blobs["prob"].cpu().numpy() - expected).max())

    train = Graph(model, weights, "TRAIN", args.device)
    if gpu:
        torch.cuda.reset_peak_memory_stats()
    seconds, first_loss = [], None
    for i in range(args.warmup + args.iterations):
        start = time.perf_counter()
        for p in train.trainable():
            p.grad = None
        _, loss = train.run({"data": data, "label": label})
        loss.backward()
        sync()
        elapsed = time.perf_counter() - start
        if first_loss is None:
            first_loss = float(loss.detach())
        if i >= args.warmup:
            seconds.append(elapsed)
    median = statistics.median(seconds)
    result = {
        "tool": f"pytorch {torch.__version__}" + (" cuda" if gpu else ""),
        "threads": torch.get_num_threads(),
        "batch": int(data.shape[0]),
        "size": int(data.shape[2]),
        "seconds": seconds,
        "median_s": median,
        "images_per_s": data.shape[0] / median,
        "first_loss": first_loss,
        "prob_max_abs_diff": parity,
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": peak_rss_mb(),
    }
    if gpu:
        result["device_peak_mb"] = torch.cuda.max_memory_reserved() / 2**20
        result["device_in_use_peak_mb"] = torch.cuda.max_memory_allocated() / 2**20
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
