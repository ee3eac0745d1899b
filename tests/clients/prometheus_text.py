"""Reads Prometheus text on stdin with prometheus_client's own parser and prints its samples as
JSON: [{"name": ..., "labels": {...}, "value": ...}]. Decides nothing."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = [
    {"name": s.name, "labels": s.labels, "value": s.value, "family": family.name, "type": family.type}
    for family in text_string_to_metric_families(sys.stdin.read())
    for s in family.samples
]
print(json.dumps(samples))
