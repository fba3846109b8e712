"""Sentences every output shares: counts, articles, settings and a domain's standing, built once."""

from __future__ import annotations

from collections.abc import Sequence

from audit_kit.model.responses import Program
from audit_kit.model.result import DomainResult
from audit_kit.model.vocab import DomainState, Setting
from audit_kit.scoring import MAX_UNANSWERED_SHARE

_VERBS = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "needs": "need",
    "applies": "apply",
}
# words that start with a vowel letter but not a vowel sound, and the reverse
_A_BEFORE = ("one", "once", "uni", "use", "usu", "eu", "ur")
_AN_BEFORE = ("hour", "honest", "honor", "heir")


def fmt_score(value: float | None) -> str:
    """A score to two decimals, or an en dash when there is none."""
    return "–" if value is None else f"{value:.2f}"


def count(n: int, noun: str = "", plural: str | None = None, verb: str | None = None) -> str:
    """A number with its noun and verb in the right number: '1 item was', '3 items were'.

    Without a noun, the number and the verb alone: '1 was', '7 were'.
    """
    words = [str(n)]
    if noun:
        words.append(number(n, noun, plural))
    if verb:
        words.append(verb if n == 1 else _VERBS[verb])
    return " ".join(words)


def number(n: int, noun: str, plural: str | None = None) -> str:
    """The noun in the number that goes with n: 'source' for 1, 'sources' otherwise."""
    return noun if n == 1 else plural or noun + "s"


def article(phrase: str) -> str:
    """The phrase with 'a' or 'an' before it: 'an intensive outpatient program'."""
    head = phrase.lstrip().lower()
    vowel = head[:1] in ("a", "e", "i", "o", "u")
    if head.startswith(_A_BEFORE):
        vowel = False
    elif head.startswith(_AN_BEFORE):
        vowel = True
    return ("an " if vowel else "a ") + phrase.lstrip()


def and_list(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def setting_phrase(setting: Setting | None) -> str:
    """The kind of program with its article, in the catalogue's words: 'an opioid treatment
    program'; 'a program of another kind'; 'a program whose setting is not given'."""
    if setting is None:
        return "a program whose setting is not given"
    if setting is Setting.OTHER:
        return "a program of another kind"
    return article(f"{setting.kind} program")


def program_sentence(program: Program) -> str:
    """One sentence that says what the program is: 'An opioid treatment program, not
    hospital-based, serving adults and pregnant patients.'"""
    parts = [setting_phrase(program.setting)]
    if program.hospital_based is not None:
        parts.append("hospital-based" if program.hospital_based else "not hospital-based")
    if program.populations:
        parts.append("serving " + and_list(program.populations))
    sentence = ", ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def standing(d: DomainResult) -> str:
    """A domain's level or state, with what qualifies it (the level its scores alone give)."""
    if d.state is DomainState.CAPPED:
        if d.scores_level_name:
            return f"{d.headline} (the scores alone give: {d.scores_level_name})"
        return f"{d.headline} (too few answers for a level from the scores)"
    if d.state is DomainState.INSUFFICIENT_EVIDENCE:
        return f"{d.headline} (more than {MAX_UNANSWERED_SHARE:.0%} of applicable items unanswered)"
    return d.headline


def unanswered_clause(d: DomainResult) -> str:
    """How much of a domain is unanswered: '12 of 23 applicable items unanswered'."""
    comp = d.completeness
    return f"{comp.unanswered} of {count(comp.applicable, 'applicable item')} unanswered"
