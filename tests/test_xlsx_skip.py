"""Skip logic in the workbook (issue 9): the Applies? column, the greyed rows and the answered
count agree with skipped_items and with score(), as written and live in LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from test_xlsx_reader import MINI, PROGRAM, fill, item_rows, save

from audit_kit.catalog import examples_dir
from audit_kit.formats.responses_json import read_responses_json
from audit_kit.formats.xlsx import layout as lay
from audit_kit.formats.xlsx.reader import read_workbook
from audit_kit.formats.xlsx.template import build_workbook
from audit_kit.model import limits as lim
from audit_kit.model.applicability import skipped_items
from audit_kit.model.instrument import Instrument
from audit_kit.model.responses import Answer, Responses
from audit_kit.model.vocab import ItemStatus, NaKind, Setting
from audit_kit.scoring import score

from conftest import DATA


def _skip_instrument() -> Instrument:
    """tests/data/skip.yaml with a second domain whose item depends on an item of the first:
    a condition across sheets."""
    data = yaml.safe_load((DATA / "skip.yaml").read_text())
    data["domains"].append(
        {
            "id": "cod",
            "title": "Co-occurring",
            "levels": data["domains"][0]["levels"],
            "dimensions": [
                {
                    "id": "care",
                    "title": "Care",
                    "items": [
                        {
                            "id": "cod.moud_review",
                            "title": "MOUD reviewed with mental health care",
                            "question": "Are MOUD doses reviewed with the psychiatrist?",
                            "guidance": "Ask the psychiatrist.",
                            "evidence": ["interview"],
                            "anchors": {1: "Never", 3: "Sometimes", 5: "Always"},
                            "citations": ["guide"],
                            "recommendation": "Review MOUD with mental health care.",
                            "applies_when": {"item": "mat.on_moud", "answers": ["most"]},
                        }
                    ],
                }
            ],
        }
    )
    return Instrument.model_validate(data)


SKIP = _skip_instrument()
APPLIES = lay.COLUMN_INDEX["applies"]

# What a person picks, and what then does not apply (skip.yaml: mat.continuity applies when
# mat.on_moud is most or some; mat.dose_review when mat.continuity is 3-5; cod.moud_review
# when mat.on_moud is most)
SCENARIOS: list[tuple[dict[str, Any], set[str]]] = [
    ({}, set()),
    (
        {"mat.on_moud": "None in the last 12 months"},
        {"mat.continuity", "mat.dose_review", "cod.moud_review"},
    ),
    ({"mat.on_moud": "Most patients with OUD", "mat.continuity": 2}, {"mat.dose_review"}),
    ({"mat.on_moud": "Some patients with OUD", "mat.continuity": 4}, {"cod.moud_review"}),
    ({"mat.on_moud": "Most patients with OUD", "mat.continuity": "3 - partly"}, set()),
]


def _shown(data: bytes) -> dict[str, str]:
    """What each item's Applies? cell shows, as saved in the file, by item id."""
    wb = load_workbook(io.BytesIO(data), data_only=True)
    return {
        item_id: ws.cell(row, APPLIES).value or ""
        for item_id, (ws, row, _) in item_rows(wb).items()
    }


def _counts(data: bytes) -> dict[str, str]:
    wb = load_workbook(io.BytesIO(data), data_only=True)
    return {ws.title: ws["A2"].value for ws in wb.worksheets if ws.title in ("MAT", "COD")}


def _responses(instrument: Instrument, typed: dict[str, Any]) -> Responses:
    """The answers as the reader reads them from the workbook a person filled in."""
    path = Path(tempfile.mkdtemp()) / "typed.xlsx"
    save(fill(build_workbook(instrument), {i: {"answer": v} for i, v in typed.items()}), path)
    return read_workbook(path, instrument)[1]


def _not_applying(instrument: Instrument, responses: Responses) -> dict[str, set[str]]:
    """Items that do not apply, by what says so: applicability and the score."""
    result = score(instrument, responses)
    return {
        "applicability": set(
            skipped_items(instrument, responses.program.setting, responses.answers)
        ),
        "score": {
            r.item_id
            for r in result.items
            if r.status is ItemStatus.NOT_APPLICABLE
            and r.na_kind in (NaKind.SKIP_LOGIC, NaKind.SETTING)
        },
    }


@pytest.mark.parametrize(("typed", "skipped"), SCENARIOS)
def test_workbook_score_and_applicability_agree(typed: dict[str, Any], skipped: set[str]) -> None:
    """A filled workbook (as convert writes it from the answers) shows, in its Applies?
    column, exactly the items that skipped_items and score() treat as not applying."""
    responses = _responses(SKIP, typed)
    data = build_workbook(SKIP, responses=responses)
    shown = _shown(data)
    said = _not_applying(SKIP, responses)
    assert said == {"applicability": skipped, "score": skipped}
    assert {i for i, text in shown.items() if text} == skipped
    for item_id in skipped:
        reason = SKIP.item(item_id).applies_when.reason  # type: ignore[union-attr]
        decider = SKIP.item(SKIP.item(item_id).applies_when.item)  # type: ignore[union-attr]
        assert shown[item_id] == (
            f"No: {(reason or f'Applies only with other answers to {decider.title}').rstrip('.')}."
        )
    # read back, the workbook gives the same answers and the same score
    path = Path(tempfile.mkdtemp()) / "back.xlsx"
    path.write_bytes(data)
    _, again = read_workbook(path, SKIP)
    assert again == responses
    assert score(SKIP, again) == score(SKIP, responses)


@pytest.mark.parametrize("example", sorted(p.name for p in examples_dir().glob("*.json")))
def test_bundled_examples_show_what_does_not_apply(example: str) -> None:
    instrument, responses = read_responses_json(examples_dir() / example, None)
    data = build_workbook(instrument, responses=responses)
    shown = {i for i, text in _shown(data).items() if text}
    said = _not_applying(instrument, responses)
    assert shown == said["applicability"] == said["score"]


def test_an_answer_to_an_item_that_does_not_apply_is_kept_and_scoring_warns(
    tmp_path: Path,
) -> None:
    """The reader neither drops nor changes it; score() leaves it out and says so."""
    typed = {"mat.on_moud": "None in the last 12 months", "mat.continuity": 1}
    responses = _responses(SKIP, typed)
    assert responses.answers["mat.continuity"] == Answer(value=1)
    result = score(SKIP, responses)
    assert result.item("mat.continuity").status is ItemStatus.NOT_APPLICABLE
    assert not result.critical_findings  # 1 would be critical, were the item to apply
    assert any(
        w.startswith("MAT-2 MOUD continued through transfers: answered, but it does not apply")
        for w in result.warnings
    )
    data = build_workbook(SKIP, responses=responses)
    path = tmp_path / "kept.xlsx"
    path.write_bytes(data)
    assert read_workbook(path, SKIP)[1] == responses
    assert _shown(data)["mat.continuity"].startswith("No: The program has no patients taking MOUD")


def test_the_count_says_what_is_answered_and_what_does_not_apply() -> None:
    responses = _responses(SKIP, {"mat.on_moud": "None in the last 12 months"})
    assert _counts(build_workbook(SKIP, responses=responses)) == {
        "MAT": "Progress: 1 of 5 answered, 2 do not apply, 2 to go",
        "COD": "Progress: 0 of 1 answered, 1 do not apply",
    }


# -- live, as LibreOffice computes it ----------------------------------------------------------


def _recalculated(files: dict[str, bytes], tmp_path: Path) -> dict[str, bytes]:
    """The files as LibreOffice opens, computes and saves them (one process for all)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            *(str(tmp_path / name) for name in files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    return {name: (tmp_path / "out" / name).read_bytes() for name in files}


def _typed_by_a_person(instrument: Instrument, typed: dict[str, Any], program: Any) -> bytes:
    """The template filled with openpyxl: formulas keep no saved result, so LibreOffice
    computes each one when it opens the file."""
    out = io.BytesIO()
    fill(build_workbook(instrument), {i: {"answer": v} for i, v in typed.items()}, program).save(
        out
    )
    data = out.getvalue()
    assert not re.search(rb"</f><v>[^<]", data)  # nothing saved: LibreOffice decides
    return data


def test_live_in_libreoffice_the_deciding_answer_greys_what_does_not_apply(
    tmp_path: Path,
) -> None:
    """Each scenario typed as a person would, then recomputed by LibreOffice: its Applies?
    cells and counts are what skipped_items says of the answers the reader reads."""
    cases: dict[str, tuple[Instrument, dict[str, Any], Any]] = {
        f"skip{n}.xlsx": (SKIP, typed, None) for n, (typed, _) in enumerate(SCENARIOS)
    }
    for setting in (Setting.OUTPATIENT, Setting.RESIDENTIAL):
        cases[f"mini-{setting.value}.xlsx"] = (
            MINI,
            {"mat.admit": 3},
            PROGRAM | {"Setting": setting.label},
        )
    # "no eligible cases" typed, and an answer in a row the setting rules out: neither is answered
    cases["mini-typed-na.xlsx"] = (
        MINI,
        {"mat.admit": 3, "mat.naloxone": " no eligible case ", "mat.storage": 4},
        PROGRAM | {"Setting": Setting.OUTPATIENT.label},
    )
    files = {
        name: _typed_by_a_person(instrument, typed, program)
        for name, (instrument, typed, program) in cases.items()
    }
    computed = _recalculated(files, tmp_path)
    for name, (instrument, _typed, _) in cases.items():
        path = tmp_path / "out" / name
        _, responses = read_workbook(path, instrument)
        expected = build_workbook(instrument, responses=responses)
        assert _shown(computed[name]) == _shown(expected), name
        assert _counts(computed[name]) == _counts(expected), name
    # the scenarios do make items not apply, live
    assert {i for i, t in _shown(computed["skip1.xlsx"]).items() if t} == SCENARIOS[1][1]
    assert _shown(computed["mini-outpatient.xlsx"])["mat.storage"] == (
        "No: not for outpatient programs."
    )
    assert _counts(computed["mini-typed-na.xlsx"])["MAT"] == (
        "Progress: 1 of 5 answered, 2 do not apply, 2 to go"
    )


def test_formulas_stay_within_excel_limit_with_very_many_long_choices() -> None:
    """A custom decider with as many choices as the limits allow, each as long as allowed:
    the Applies? formulas stay within Excel's 8,192 characters, or the cell holds what
    applies as written instead."""
    data = SKIP.model_dump(mode="json")
    decider = data["domains"][0]["dimensions"][0]["items"][0]
    decider["choices"] = [
        {"value": f"c{n}", "label": (f"{n:02} " + "long wording " * 16)[:200], "score": 1 + n % 5}
        for n in range(lim.MAX_CHOICES)
    ]
    for item in data["domains"][0]["dimensions"][0]["items"][1:2]:
        item["applies_when"]["answers"] = ["c0"]
    data["domains"][1]["dimensions"][0]["items"][0]["applies_when"]["answers"] = ["c0"]
    wide = Instrument.model_validate(data)
    answer = Answer(value="c7")
    responses = _responses(SKIP, {}).model_copy(
        update={
            "instrument_id": wide.id,
            "answers": {"mat.on_moud": answer},
        }
    )
    raw = build_workbook(wide, responses=responses)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        formulas = [
            f
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for f in re.findall(r"<f>(.*?)</f>", zf.read(name).decode())
        ]
    assert formulas and max(len(f) for f in formulas) < 8192
    written = item_rows(load_workbook(io.BytesIO(raw)))
    for item_id in ("mat.continuity", "cod.moud_review"):
        ws, row, _ = written[item_id]
        # within the limits the live formula always fits
        assert str(ws.cell(row, APPLIES).value).startswith("=IF(")
    ws, row, _ = written["mat.dose_review"]
    assert str(ws.cell(row, APPLIES).value).startswith("=IF(")  # its decider is a scale item
    shown = _shown(raw)
    assert shown["mat.continuity"] == "No: The program has no patients taking MOUD."
    assert shown["cod.moud_review"].startswith("No: ")
    assert set(skipped_items(wide, Setting.OUTPATIENT, responses.answers)) == {
        "mat.continuity",
        "mat.dose_review",
        "cod.moud_review",
    }
