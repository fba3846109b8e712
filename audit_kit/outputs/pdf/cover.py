"""The report's cover: program facts, the answers fingerprint and the results at a glance."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from audit_kit.outputs.pdf import styles as st
from audit_kit.outputs.pdf.blocks import (
    REPORT_NAME,
    Para,
    Report,
    esc,
    level_fill,
    level_words,
    long_date,
    styled_table,
)


def cover(report: Report) -> list[Flowable]:
    """The cover page."""
    r, s = report.result, report.styles
    p = r.program
    hospital = {True: ", hospital-based", False: ", not hospital-based", None: ""}
    setting = p.setting_label + hospital[p.hospital_based]
    groups = [report.fingerprint[i : i + 8] for i in range(0, 64, 8)]
    facts = [
        ("Program", esc(p.display_name)),
        ("Setting", esc(setting)),
    ]
    if p.populations:
        facts.append(("Populations served", esc(", ".join(p.populations))))
    facts += [
        (
            "Assessment date",
            esc(f"{long_date(r.assessment_date)} ({r.assessment_date})")
            if r.assessment_date
            else "<i>Not given</i>",
        ),
        ("Assessor", esc(r.assessor) if r.assessor else "<i>Not stated</i>"),
        (
            "Instrument",
            esc(f"{r.instrument_title} — {r.instrument_id}, version {r.instrument_version}"),
        ),
        (
            "Answers fingerprint (SHA-256)",
            " ".join(groups[:4]) + "<br/>" + " ".join(groups[4:]),
        ),
    ]
    fact_rows = [
        [
            Para(label, s["FactLabel"]),
            Para(value, s["Fingerprint" if "SHA" in label else "Fact"]),
        ]
        for label, value in facts
    ]
    fact_table = styled_table(
        fact_rows, [52 * mm, st.CONTENT_WIDTH - 52 * mm], header=False, zebra=False
    )

    glance = [[Para("Domain", s["CellHead"]), Para("Level", s["CellHead"])]]
    glance += [
        [
            Para(esc(d.title), s["CellBold"]),
            Para(esc(level_words(report.instrument, d)), s["Cell"]),
        ]
        for d in r.domains
    ]
    fills = [("BACKGROUND", (1, n), (1, n), level_fill(d)) for n, d in enumerate(r.domains, 1)]
    glance_table = styled_table(
        glance, [70 * mm, st.CONTENT_WIDTH - 70 * mm], zebra=False, extra=fills
    )
    n_crit = len(r.critical_findings)
    crit = (
        f"<b>{n_crit} critical finding{'s' if n_crit != 1 else ''}</b> — see the executive summary."
        if n_crit
        else "No critical findings."
    )
    return [
        report.heading(REPORT_NAME.upper(), "Kicker", "cover", outline="Cover"),
        Spacer(1, 30 * mm),
        Para(esc(p.name), s["CoverTitle"]),
        Para(esc(r.instrument_title), s["CoverSubtitle"]),
        fact_table,
        Spacer(1, 10 * mm),
        Para("Results at a glance", s["H2"]),
        glance_table,
        Spacer(1, 3 * mm),
        Para(
            crit + f" {len(r.gaps)} action{'s' if len(r.gaps) != 1 else ''} in the action plan.",
            s["Body"],
        ),
        Spacer(1, 10 * mm),
        Para(
            "This is a self-assessment made by the program with audit-kit. It is not an "
            "accreditation decision, a certification or clinical advice. The fingerprint "
            "identifies the exact answers the report was made from: the same answers give the "
            "same fingerprint, whether they were entered in the workbook or in a JSON file.",
            s["Notice"],
        ),
    ]
