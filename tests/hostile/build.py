"""Builders of synthetic instruments and responses, sized to order: the corpus and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audit_kit.model import limits as lim


def words(length: int, seed: str = "text") -> str:
    """Readable filler text of ``length`` characters, starting with ``seed`` (which it never cuts,
    so that seeds keep texts distinct)."""
    length = max(length, len(seed))
    pool = f"{seed} policy charts staff review program patients medication evidence audit "
    out = (pool * (length // len(pool) + 1))[:length]
    return out[:-1] + "." if length > len(seed) else out


def instrument_doc(
    items: int,
    *,
    domains: int = 3,
    per_dimension: int = 10,
    text: int = 60,
    rendered: int | None = None,
    choices: int = 3,
    critical: bool = False,
    identifier: str = "synthetic",
) -> dict[str, Any]:
    """A valid instrument of ``items`` items spread over ``domains`` domains, every third a choice
    item and every fifth a percent item.

    ``text`` sets the length of the long texts; ``rendered`` (default ``text``) the length of
    those the report prints (recommendation, anchors, critical finding, title, labels). With
    ``critical``, a score of 1 (or under 10%, or the last choice) is a critical finding.
    """
    shown = text if rendered is None else rendered
    citation = {
        "id": "guide",
        "author": "Example Society",
        "title": "Example guideline",
        "year": 2020,
    }
    out_domains: list[dict[str, Any]] = []
    for d in range(domains):
        domain_id = f"d{d}"
        count = items // domains + (1 if d < items % domains else 0)
        dimensions: list[dict[str, Any]] = []
        for start in range(0, count, per_dimension):
            dimension_items = [
                _item(domain_id, n, text, shown, choices, critical)
                for n in range(start, min(count, start + per_dimension))
            ]
            dimensions.append(
                {"id": f"m{start // per_dimension}", "title": "Dimension", "items": dimension_items}
            )
        out_domains.append(
            {
                "id": domain_id,
                "title": f"Domain {d}",
                "levels": {
                    "not_yet_capable": "Not yet",
                    "emerging": "Emerging",
                    "capable": "Capable",
                    "enhanced": "Enhanced",
                },
                "dimensions": dimensions,
            }
        )
    return {
        "id": identifier,
        "version": "1.0",
        "title": "Synthetic instrument",
        "domains": out_domains,
        "citations": [citation],
    }


def _item(
    domain_id: str, n: int, text: int, shown: int, choices: int, critical: bool
) -> dict[str, Any]:
    anchor = min(shown, lim.ANCHOR_MAX)
    item: dict[str, Any] = {
        "id": f"{domain_id}.i{n}",
        "title": words(min(shown, lim.NAME_MAX), f"title{n}"),
        "question": words(text, f"question{n}"),
        "guidance": words(text, "guidance"),
        "evidence": ["policy"],
        "anchors": {1: words(anchor, "one"), 3: words(anchor, "three"), 5: words(anchor, "five")},
        "citations": ["guide"],
        "recommendation": words(min(shown, lim.RECOMMENDATION_MAX), "recommend"),
    }
    finding = words(min(shown, lim.FINDING_MAX), "finding")
    if n % 3 == 1:
        item["kind"] = "choice"
        item["choices"] = [
            {
                "value": f"c{c}",
                "label": words(min(shown, lim.NAME_MAX), f"label{c}"),
                "score": max(1, 5 - c),
            }
            for c in range(choices)
        ]
        if critical:
            item["critical"] = {"answers": [f"c{choices - 1}"], "finding": finding}
    elif n % 5 == 2:
        item["kind"] = "percent"
        if critical:
            item["critical"] = {"below_percent": 10, "finding": finding}
    elif critical:
        item["critical"] = {"answers": [1], "finding": finding}
    return item


def tiny_instrument(items: int, per_dimension: int = 1000) -> dict[str, Any]:
    """A valid instrument of ``items`` one-letter scale items: the most items per byte."""
    doc = instrument_doc(1, domains=1)
    item = {
        "title": "t",
        "question": "q",
        "guidance": "g",
        "evidence": ["policy"],
        "anchors": {1: "a", 3: "b", 5: "c"},
        "citations": ["guide"],
        "recommendation": "r",
    }
    doc["domains"][0]["dimensions"] = [
        {
            "id": f"m{start}",
            "title": "M",
            "items": [
                {"id": f"d0.i{n}", **item} for n in range(start, min(items, start + per_dimension))
            ],
        }
        for start in range(0, items, per_dimension)
    ]
    return doc


def item_ids(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, kind) of every item of an instrument document, in order."""
    return [
        (item["id"], item.get("kind", "scale"))
        for domain in doc["domains"]
        for dimension in domain["dimensions"]
        for item in dimension["items"]
    ]


def responses_doc(
    instrument: dict[str, Any],
    *,
    note: int = 0,
    evidence: int = 0,
    populations: list[str] | None = None,
    name: str = "Synthetic Program",
    value: int = 3,
    worst: bool = False,
) -> dict[str, Any]:
    """Responses answering every item of ``instrument`` with ``value`` (its first choice for
    choice items, ``value * 20`` percent for percent items), with notes of ``note`` characters;
    with ``worst``, the lowest answer everywhere (every critical rule fires)."""
    answers: dict[str, Any] = {}
    last = {
        item["id"]: f"c{len(item.get('choices') or [1]) - 1}" for *_, item in _items_of(instrument)
    }
    usual = {"choice": "c0", "percent": value * 20, "scale": value}
    for item_id, kind in item_ids(instrument):
        lowest = {"choice": last[item_id], "percent": 5, "scale": 1}
        answer: dict[str, Any] = {"value": (lowest if worst else usual)[kind]}
        if note:
            answer["note"] = words(note, "note")
        if evidence:
            answer["evidence"] = words(evidence, "evidence")
        answers[item_id] = answer
    return {
        "instrument_id": instrument["id"],
        "instrument_version": instrument["version"],
        "program": {
            "name": name,
            "setting": "outpatient",
            "hospital_based": False,
            "populations": populations or ["adults"],
        },
        "assessor": "Test Assessor",
        "assessment_date": "2026-10-01",
        "answers": answers,
    }


def write_json(path: Path, doc: Any) -> Path:
    """Write a document as UTF-8 JSON and return the path."""
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def largest(domains: int = 3) -> tuple[dict[str, Any], dict[str, Any]]:
    """The largest instrument and responses the limits accept, at their worst for the report:
    every item (model/limits.py's MAX_ITEMS) answered low, every critical rule allowed firing,
    every printed text at its longest, the answer texts at their total, the populations full."""
    per_domain = lim.MAX_ITEMS // domains
    dimensions = min(lim.MAX_DIMENSIONS, per_domain)
    doc = instrument_doc(
        lim.MAX_ITEMS,
        domains=domains,
        per_dimension=-(-per_domain // dimensions),
        text=100,
        rendered=lim.TEXT_MAX,
        choices=5,
        critical=False,
    )
    critical = 0
    for domain in doc["domains"]:
        domain["title"] = words(lim.NAME_MAX, domain["title"])
        domain["description"] = words(lim.TEXT_MAX, "description")
        domain["levels"] = {k: words(lim.NAME_MAX, k) for k in domain["levels"]}
        for dimension in domain["dimensions"]:
            dimension["title"] = words(lim.NAME_MAX, dimension["id"])
            for item in dimension["items"]:
                item["title"] = words(lim.ITEM_TITLE_MAX, item["id"])
                item["recommendation_variants"] = {
                    "outpatient": words(lim.RECOMMENDATION_MAX, "variant")
                }
                if critical < lim.MAX_CRITICAL_RULES and item.get("kind", "scale") == "scale":
                    critical += 1
                    item["critical"] = {
                        "answers": [1],
                        "finding": words(lim.FINDING_MAX, "finding"),
                    }
    doc["citations"] = [
        {
            "id": f"source{n}",
            "author": words(lim.AUTHOR_MAX, "author"),
            "title": words(lim.SOURCE_MAX, "title"),
            "year": 2020,
            "published_in": words(lim.SOURCE_MAX, "journal"),
            "section": words(lim.SECTION_MAX, "section"),
            "url": words(lim.SOURCE_MAX, "https://example.org/"),
        }
        for n in range(lim.MAX_CITATIONS)
    ]
    for n, (_, _, item) in enumerate(_items_of(doc)):
        item["citations"] = [
            {"id": f"source{(n + k) % lim.MAX_CITATIONS}", "section": words(lim.SECTION_MAX, "s")}
            for k in range(lim.MAX_ITEM_CITATIONS)
        ]
        if "critical" in item:
            item["critical"]["citations"] = item["citations"]
    responses = responses_doc(
        doc,
        populations=[words(lim.POPULATION_MAX, f"p{n}") for n in range(lim.MAX_POPULATIONS)],
        name=words(lim.PROGRAM_NAME_MAX, "Program"),
        worst=True,
    )
    responses["assessor"] = words(lim.PROGRAM_NAME_MAX, "Assessor")
    budget = lim.ANSWER_TEXT_MAX
    for answer in responses["answers"].values():
        for field, size in (("note", lim.NOTE_MAX), ("evidence", lim.EVIDENCE_MAX)):
            take = min(size, budget)
            if take:
                answer[field] = words(take, field)
                budget -= take
    return doc, responses


def _items_of(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return [
        (domain, dimension, item)
        for domain in doc["domains"]
        for dimension in domain["dimensions"]
        for item in dimension["items"]
    ]
