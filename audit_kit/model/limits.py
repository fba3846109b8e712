"""Size limits on instruments and responses, chosen so that any accepted input reports quickly.

The largest input these allow scores and writes its PDF report in under 5 s and 300 MiB on a
2-core machine (measured with benchmarks/bench_limits.py; see SECURITY.md). What the bundled
instrument and examples use is shown in brackets: all fit, most several times over. The item
count and the printed texts are held where today's PDF report stays under 5 s; raising any
limit means measuring again.
"""

from __future__ import annotations

# -- instruments ------------------------------------------------------------------------------
MAX_ITEMS = 80  # items in one instrument [72]
MAX_DOMAINS = 10  # [3]
MAX_DIMENSIONS = 60  # dimensions in one domain [6]; the chart fits 60 on a page
MAX_CHOICES = 12  # choices of one choice item [5]
MAX_CRITICAL_RULES = 25  # items with a critical rule, in one instrument [12]
MAX_CITATIONS = 60  # sources in the citations catalogue [35]
MAX_ITEM_CITATIONS = 8  # sources cited by one item or critical rule [6]
MAX_BANDS = 20  # chart-audit bands of one item or instrument [5]
MAX_ID_LENGTH = 64  # characters in an id: instrument, domain, dimension, item, choice [30]

NAME_MAX = 200  # titles, labels, level names [142]
ITEM_TITLE_MAX = 120  # an item's title, printed in lists and tables [73]
TEXT_MAX = 4000  # questions, guidance, descriptions [1,163]
RECOMMENDATION_MAX = 1200  # a recommendation or one of its variants [791]
ANCHOR_MAX = 600  # what one score means [409]
FINDING_MAX = 300  # a critical finding, as the report states it [166]
SHORT_MAX = 500  # publishers, skip-logic reasons [120]
SOURCE_MAX = 300  # a source's title, where it was published, its URL [229]
AUTHOR_MAX = 120  # a source's authors, printed beside every item citing it [103]
ABBREVIATION_MAX = 40  # a source's short name, e.g. 'ASAM' [33]
SECTION_MAX = 150  # the section of a source an item relies on [135]

# -- responses --------------------------------------------------------------------------------
PROGRAM_NAME_MAX = 200  # the program's name, and the assessor [55]
MAX_POPULATIONS = 20  # populations served [3]
POPULATION_MAX = 200  # one population [20]
NOTE_MAX = 2000  # the note on one answer [303]
EVIDENCE_MAX = 500  # where the evidence for one answer is [104]
NA_REASON_MAX = 500  # why one item does not apply [54]
ANSWER_TEXT_MAX = 40_000  # every note, evidence and N/A reason together [12,173]
