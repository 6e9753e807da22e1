#!/usr/bin/env python3
"""Writes a pipeline run's report page from the files the stages wrote.

Usage: make-report.py --work work/<AOI> --aoi <AOI> --out work/<AOI>/report/index.html

Reads eval.json (rb-eval), apls.json (rb-apls), run/*.report.json and run/train_log.csv
(rb-train), decisions/*.report.json (rb-route, rb-percolate, rb-gridworld when present) and
params/vars.mk; every number on the page is printed from those files as they are (4 decimals),
and each table names the file it comes from. Images are referenced relative to the page
(report/img/). Python standard library only.
"""
import argparse
import csv
import glob
import html
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def number(value, digits=4):
    return "—" if value is None else f"{value:.{digits}f}"


def table(headers, rows, source):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p class=source>from <code>{html.escape(source)}</code></p>")


def metrics_section(work):
    evaluation = load(os.path.join(work, "eval.json"))
    apls = load(os.path.join(work, "apls.json"))
    by_id = {row["image_id"]: row for row in apls["images"] if row.get("status") == "scored"}
    rows = []
    for image in evaluation["images"]:
        a = by_id.get(image["image_id"], {})
        rows.append([html.escape(image["image_id"]), number(a.get("apls")),
                     number(a.get("truth_to_proposal")), number(a.get("proposal_to_truth")),
                     number(image["iou"]["road"]), number(image["f1"])])
    data = evaluation["dataset"]
    rows.append(["<b>all test images</b>", f"<b>{number(apls['overall']['apls'])}</b>", "", "",
                 f"<b>{number(data['iou']['road'])}</b>", f"<b>{number(data['f1'])}</b>"])
    return ("<h2>Metrics on the test images</h2>" +
            table(["image", "APLS", "truth→proposal", "proposal→truth", "road IoU", "road F1"],
                  rows, "eval.json (IoU, F1: per image, and dataset level summed over pixels) and "
                  f"apls.json ({apls['variant']} rules; the total is the mean of AOI means)"))


def training_section(work):
    reports = sorted(glob.glob(os.path.join(work, "run", "*.report.json")), key=os.path.getmtime)
    figures = load(reports[-1]).get("figures", {}) if reports else {}
    keep = [k for k in ("iterations", "best_iteration", "best_mean_iou", "seconds", "stopped")
            if k in figures]
    rows = [[html.escape(k), html.escape(json.dumps(figures[k]))] for k in keep]
    # train_log.csv has a row per logged step (loss, lr, speed) and one per validation (its own
    # columns; the step columns then empty or nan): the last of each kind.
    log = os.path.join(work, "run", "train_log.csv")
    entries = []
    if os.path.exists(log):
        with open(log) as f:
            entries = list(csv.DictReader(f))
    steps = [e for e in entries if not e.get("val_loss")]
    validations = [e for e in entries if e.get("val_loss")]
    if steps:
        e = steps[-1]
        rows.append([f"last training step (iteration {html.escape(e['iteration'])})",
                     f"loss {html.escape(e['loss'])}, learning rate {html.escape(e['learning_rate'])}"
                     f", {html.escape(e['images_per_second'])} images/s"])
    if validations:
        e = validations[-1]
        rows.append([f"last validation (iteration {html.escape(e['iteration'])})",
                     ", ".join(f"{k} {html.escape(e[k])}" for k in
                               ("val_loss", "road_iou", "background_iou", "mean_iou", "road_f1"))])
    source = os.path.relpath(reports[-1], work) if reports else "run/"
    return ("<h2>Training</h2><img class=wide src='img/curves.png' alt='training curves'>" +
            table(["figure", "value"], rows, f"{source} and run/train_log.csv"))


def image_section(work, ids):
    parts = ["<h2>Test images</h2>"]
    for image_id in ids:
        cells = "".join(
            f"<figure><img src='img/{html.escape(image_id)}.{kind}.png' alt='{kind}'>"
            f"<figcaption>{caption}</figcaption></figure>"
            for kind, caption in (("image", "image"), ("truth", "truth mask"),
                                  ("pred", "road probability"), ("graph", "extracted graph")))
        parts.append(f"<h3>{html.escape(image_id)}</h3><div class=row>{cells}</div>")
    return "".join(parts)


def decisions_section(work):
    parts = ["<h2>Decisions on one test scene</h2><div class=row>"]
    shown = (("route.png", "most probable route (rb-route)"),
             ("percolation.png", "a percolation realization (rb-percolate)"),
             ("connectivity.png", "connectivity from the source (rb-percolate)"),
             ("policy.png", "policy to the goal (rb-gridworld)"))
    for name, caption in shown:
        if os.path.exists(os.path.join(work, "report", "img", name)):
            parts.append(f"<figure><img src='img/{name}' alt='{name}'>"
                         f"<figcaption>{caption}</figcaption></figure>")
    parts.append("</div>")
    rows = []
    for report in sorted(glob.glob(os.path.join(work, "decisions", "*.report.json"))):
        figures = load(report).get("figures", {})
        rows.append([html.escape(os.path.relpath(report, work)),
                     f"<pre>{html.escape(json.dumps(figures, indent=1)[:1500])}</pre>"])
    if rows:
        parts.append(table(["report", "figures"], rows, "decisions/"))
    return "".join(parts)


STYLE = """body{font-family:sans-serif;margin:2em;max-width:1400px}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}
td:first-child{text-align:left}.source{color:#666;font-size:90%}
.row{display:flex;gap:8px;flex-wrap:wrap}figure{margin:0}figure img{width:320px}
img.wide{max-width:900px}pre{text-align:left;font-size:80%;margin:0}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--aoi", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        evaluation = load(os.path.join(args.work, "eval.json"))
        ids = [image["image_id"] for image in evaluation["images"]]
        settings = open(os.path.join(args.work, "params", "vars.mk")).read()
        page = (f"<!doctype html><meta charset=utf-8><title>roadbrew — {html.escape(args.aoi)}"
                f"</title><style>{STYLE}</style><h1>roadbrew — AOI {html.escape(args.aoi)}</h1>"
                f"<p>Settings: <code>{html.escape(' · '.join(settings.splitlines()))}</code></p>"
                + metrics_section(args.work) + training_section(args.work)
                + image_section(args.work, ids) + decisions_section(args.work))
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"make-report: {e}")
    with open(args.out + ".tmp", "w") as f:
        f.write(page + "\n")
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
