"""The metrics glossary (docs/glossary.md), generated from the measures.

`salesmgmt.measures` holds the core measures; each `salesmgmt.metrics` module may declare its own
`MEASURES` list. This module gathers them all (the one place that imports every metrics module,
so `measures` stays below `metrics`) and writes the glossary; a test checks the committed file
is current, so the definitions in the docs are the ones in the code.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

import salesmgmt.metrics as metrics
from salesmgmt.measures import MEASURES, Measure
from salesmgmt.stages import DEFAULT_PROBABILITY, UNKNOWN_OPEN_PROBABILITY

#: Domain modules outside `salesmgmt.metrics` that define measures of their own.
OTHER_MODULES = ("salesmgmt.targets", "salesmgmt.delivery.alert_rules")


def all_measures() -> list[Measure]:
    """The core measures, then those of each metrics module (a module-level `MEASURES` list in
    any `salesmgmt.metrics.*` module), in module-name order, then OTHER_MODULES'. A key defined
    twice is an error."""
    found = list(MEASURES)
    names = [f"salesmgmt.metrics.{info.name}" for info in pkgutil.iter_modules(metrics.__path__)]
    for name in sorted(names) + list(OTHER_MODULES):
        found += getattr(importlib.import_module(name), "MEASURES", [])
    keys = [m.key for m in found]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise RuntimeError(f"measures defined twice: {sorted(duplicates)}")
    return found


@functools.cache
def _by_key() -> dict[str, Measure]:
    return {m.key: m for m in all_measures()}


def find(key: str) -> Measure | None:
    """The measure named `key`, or None when there is none (tables and the scorecard name their
    columns by measure key)."""
    return _by_key().get(key)


def glossary_markdown() -> str:
    """docs/glossary.md, generated: one section per measure."""
    lines = [
        "# Metrics glossary",
        "",
        "Generated from `salesmgmt/measures.py` by `python -m salesmgmt glossary`; do not edit by hand.",
        "Every figure in the app, the exports and the slides uses these definitions. A period is a",
        "month (`YYYY-MM`), quarter (`YYYY-Qn`) or year (`YYYY`); a scope is any set of regions,",
        "teams and reps, and every fact belongs to a rep. Money is CNY (shown in 万元 in Chinese).",
        "",
        "Stage default probabilities: "
        + ", ".join(f"`{k}` {int(p * 100)}%" for k, p in DEFAULT_PROBABILITY.items())
        + f"; any other open stage {int(UNKNOWN_OPEN_PROBABILITY * 100)}%.",
        "",
    ]
    for m in all_measures():
        lines += [f"## {m.label_en} / {m.label_zh} (`{m.key}`)", "", m.definition, ""]
    return "\n".join(lines)
