#!/usr/bin/env python3
"""Copies the reference.json that `selectbench predict --full RUN` wrote into reference-runs/<name>.json, naming the
shipped config it scores (reference-runs/README.md). Usage: scripts/reference-run.py PREDICTION_DIR NAME CONFIG"""
import json
import sys

folder, name, config = sys.argv[1:4]
with open(f"{folder}/reference.json", encoding="utf-8") as f:
    data = json.load(f)
data["name"], data["config"] = name, config
with open(f"reference-runs/{name}.json", "w", encoding="utf-8") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
print(f"reference-runs/{name}.json: {len(data['proxies'])} proxies, full run {data['full_cpu_seconds']:.0f} CPU-s")
