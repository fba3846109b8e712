"""A consultancy's brand on reports: its name, a contact line, a logo and an accent colour."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The lowest contrast against white an accent may have: it colours headings and rules.
MIN_CONTRAST = 3.0

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
OneLine = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\r\n\t\x00-\x1f]*$")]


def parse_colour(text: str) -> str:
    """'#0b4f6c', '0B4F6C' or '#0bf' as '#0B4F6C' / '#00BBFF' (ValueError otherwise)."""
    match = _HEX.match(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a colour; write it as #RRGGBB in hexadecimal, e.g. #0B4F6C"
        )
    digits = match.group(1).upper()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a '#RRGGBB' colour against white (1 to 21)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


class Brand(BaseModel):
    """How a consultancy marks the reports it hands over."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: OneLine = Field(description="The consultancy's name, e.g. 'Meridian Quality Partners'.")
    contact: OneLine | None = Field(
        default=None,
        description="One line of contact details, e.g. 'meridian.example · +1 555 0100'.",
    )
    logo: Path | None = Field(
        default=None,
        description="A PNG or JPEG logo; a relative path is relative to the brand file.",
    )
    accent: str | None = Field(
        default=None,
        description="Accent colour for headings and rules, #RRGGBB; dark enough to read on "
        "white. Default: the report's own.",
    )

    @field_validator("accent")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is None:
            return None
        colour = parse_colour(value)
        ratio = contrast_with_white(colour)
        if ratio < MIN_CONTRAST:
            raise ValueError(
                f"{value!r} is too light to read on white (contrast {ratio:.1f}:1, at least "
                f"{MIN_CONTRAST:g}:1 needed); choose a darker shade"
            )
        return colour
