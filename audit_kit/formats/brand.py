"""Read a brand file (TOML or YAML): name, contact, logo and accent, every problem located."""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_kit.errors import InputFileError, Location, Problem
from audit_kit.fsutil import MiB, check_input, read_input

if TYPE_CHECKING:
    from audit_kit.model.brand import Brand

MAX_BRAND_BYTES = 64 * 1024
MAX_LOGO_BYTES = 2 * MiB
MAX_LOGO_SIDE = 4000  # pixels; decoding is bounded by this, not by the file size
MAX_LOGO_PIXELS = 8_000_000
SUFFIXES = (".toml", ".yaml", ".yml")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"

EXAMPLE = """name = "Meridian Quality Partners"
contact = "meridian.example · +1 555 0100"
logo = "meridian-logo.png"   # PNG or JPEG, relative to this file
accent = "#7A2E8E"
"""


def load_brand(path: Path) -> Brand:
    """Read and check a brand file; InputFileError with every problem located otherwise.

    The logo must exist, be a PNG or JPEG of at most 2 MiB and 4,000 pixels a side, and
    decode; its path is made absolute (relative paths are relative to the brand file).
    """
    from pydantic import ValidationError

    from audit_kit.locate import problems_from_validation
    from audit_kit.model.brand import Brand

    shown = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputFileError.single(
            "a brand file is .toml or .yaml; for example:\n" + EXAMPLE.rstrip(),
            file=shown,
            code="brand-format",
        )
    raw = read_input(path, MAX_BRAND_BYTES, "a brand file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError.single(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=shown
        ) from None
    data = _parse_toml(text, shown) if suffix == ".toml" else _parse_yaml(text, shown)
    if not isinstance(data, dict):
        raise InputFileError.single(
            "the file must hold name, and optionally contact, logo and accent, as keys",
            file=shown,
            code="brand-shape",
        )

    def line_of(loc: tuple[int | str, ...]) -> int | None:
        return _key_line(text, str(loc[0])) if loc else None

    try:
        brand = Brand.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(
            problems_from_validation(exc, file=shown, data=data, model=Brand, line_of=line_of)
        ) from None
    if brand.logo is None:
        return brand
    logo = brand.logo if brand.logo.is_absolute() else path.parent / brand.logo
    check_logo(logo, Location(file=shown, path="logo", line=line_of(("logo",))))
    return brand.model_copy(update={"logo": logo.resolve()})


def _parse_toml(text: str, shown: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the message ends "(at line L, column C)"
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InputFileError.single(
            f'not valid TOML: {message}; text values need quotes, e.g. name = "My Firm"',
            file=shown,
            line=int(found.group(1)) if found else None,
            column=int(found.group(2)) if found else None,
            code="toml-syntax",
        ) from None


def _parse_yaml(text: str, shown: str) -> Any:
    import yaml

    # the instrument loader's safe loader: `yes` stays text, a key given twice is refused
    from audit_kit.catalog.loader import _yaml_loader, yaml_problem

    loader = _yaml_loader()
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise InputFileError.single(
                    "YAML aliases (*name) are not accepted; write the value out",
                    file=shown,
                    line=event.start_mark.line + 1 if event.start_mark else None,
                    code="yaml-alias",
                )
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise yaml_problem(exc, shown, InputFileError) from None


def _key_line(text: str, key: str) -> int | None:
    """The line on which a top-level key is set (TOML `key =` or YAML `key:`)."""
    pattern = re.compile(rf"^[\"']?{re.escape(key)}[\"']?\s*[=:]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def check_logo(path: Path, where: Location) -> tuple[int, int]:
    """Refuse a logo that is missing, too large, not a PNG or JPEG, or does not decode;
    return its size in pixels. Problems are located at ``where`` (the brand file's logo key)."""

    def refuse(message: str, code: str) -> InputFileError:
        return InputFileError([Problem(where, message, code)])

    try:
        check_input(path, "a PNG or JPEG logo")
    except InputFileError as exc:
        reason = exc.problems[0].message
        raise refuse(
            f"the logo {str(path)!r} {reason.replace('no such file', 'does not exist')}"
            " (a relative path is relative to the brand file)",
            "logo-missing",
        ) from None
    try:
        data = read_input(path, MAX_LOGO_BYTES, "a logo", "save it smaller (a logo needs little)")
    except InputFileError as exc:
        raise refuse(f"the logo {str(path)!r} {exc.problems[0].message}", "logo-size") from None
    size = _png_size(data) if data.startswith(_PNG) else None
    if data.startswith(_JPEG):
        size = _jpeg_size(data)
    elif not data.startswith(_PNG):
        raise refuse(
            f"the logo {str(path)!r} is not a PNG or JPEG image; save it as one of those",
            "logo-format",
        )
    if size is None:
        raise refuse(
            f"the logo {str(path)!r} is damaged (its size cannot be read); save it again",
            "logo-damaged",
        )
    width, height = size
    if not width or not height:
        raise refuse(f"the logo {str(path)!r} is empty (0 pixels wide or high)", "logo-damaged")
    if max(width, height) > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
        raise refuse(
            f"the logo {str(path)!r} is {width} × {height} pixels, over the limit of "
            f"{MAX_LOGO_SIDE} a side and {MAX_LOGO_PIXELS // 1_000_000} million in all; "
            "scale it down (600 pixels wide is plenty)",
            "logo-size",
        )
    _decode(data, path, refuse)
    return width, height


def _decode(data: bytes, path: Path, refuse: Any) -> None:
    """Decode the whole image the way the PDF writer will (a truncated file fails here)."""
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    try:
        ImageReader(BytesIO(data)).getRGBData()
    except Exception as exc:  # Pillow raises many types for damaged images
        raise refuse(
            f"the logo {str(path)!r} cannot be decoded ({type(exc).__name__}); save it again "
            "as PNG or JPEG",
            "logo-damaged",
        ) from None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame marker."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def brand_fingerprint(brand: Brand | None) -> str:
    """SHA-256 of the brand and its logo's bytes: what decides whether outputs must be redone."""
    if brand is None:
        return "none"
    digest = hashlib.sha256(
        json.dumps(brand.model_dump(mode="json"), sort_keys=True).encode("utf-8")
    )
    if brand.logo is not None:
        digest.update(brand.logo.read_bytes())
    return digest.hexdigest()
