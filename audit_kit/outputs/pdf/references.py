"""The references: every source this report cites, under the label used in the text."""

from __future__ import annotations

import re

from reportlab.platypus import Flowable

from audit_kit.model.instrument import Citation
from audit_kit.outputs.pdf.blocks import Para, Report, block, esc

_DOI_LINK = "https://doi.org/"
_MAX_AUTHORS = 6
_PERSON = re.compile(r"^[A-Z][^\s,]*(?: [^\s,]+)* [A-Z]{1,3}$")  # Vancouver style: 'McGovern MP'


def references(report: Report) -> list[Flowable]:
    """The reference list, after the findings on the same page when there is room."""
    s = report.styles
    cited = report.cited()
    entries = [
        Para(
            f"<b>{esc(report.short_cites[c.id])}</b> {esc(reference(c, report.full))}",
            s["Reference"],
        )
        for c in cited
    ]
    out: list[Flowable] = [
        report.heading("References", "H1", "references"),
        report.para(
            "The sources this report cites, under the label used in the text"
            + (
                "."
                if report.full
                else ": author, year and title; the full report adds where each was published."
            ),
            "Muted",
        ),
    ]
    if entries:
        out += entries
    else:
        out.append(report.para("None: no finding or recommendation is printed in this report."))
    return block(out, min_height=90)


def reference(citation: Citation, full: bool = True) -> str:
    """The citation as one entry of the list: a DOI link is left out where the DOI is given,
    and a list of more than six people is cut to the first three and "et al." (AMA style).

    Not ``full``: author, year and title only, enough to find the source.
    """
    update: dict[str, str | None] = {}
    if not full:
        update.update(published_in=None, section=None, url=None)
    url = citation.url
    if url and url.startswith(_DOI_LINK) and url[len(_DOI_LINK) :] in (citation.published_in or ""):
        update["url"] = None
    people = [p.strip() for p in citation.author.split(",")]
    if len(people) > _MAX_AUTHORS and all(_PERSON.match(p) for p in people):
        update["author"] = ", ".join(people[:3]) + ", et al."
    return (citation.model_copy(update=update) if update else citation).reference()
