"""Consultant branding: the brand file, its checks with located errors, and where it shows."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as hst
from PIL import Image
from pypdf import PdfReader

from audit_kit.cli import cli
from audit_kit.errors import InputFileError
from audit_kit.formats.brand import MAX_LOGO_BYTES, brand_fingerprint, load_brand
from audit_kit.model.brand import MIN_CONTRAST, Brand, contrast_with_white, parse_colour

from conftest import EXAMPLES

EXAMPLE = EXAMPLES / "residential-12step.json"


def _png(path: Path, size: tuple[int, int] = (240, 80), colour: str = "#7A2E8E") -> Path:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


def _brand_file(folder: Path, body: str, name: str = "brand.toml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD_TOML = """name = "Meridian Quality Partners"
contact = "meridian.example · +1 555 0100"
logo = "logo.png"
accent = "#7a2e8e"
"""


def _one_problem(path: Path) -> str:
    with pytest.raises(InputFileError) as caught:
        load_brand(path)
    (problem,) = caught.value.problems
    return str(problem)


def test_toml_brand_is_read_with_the_logo_beside_it(tmp_path: Path) -> None:
    """Name, contact, logo (relative to the brand file, made absolute) and accent (#RRGGBB)."""
    _png(tmp_path / "logo.png")
    brand = load_brand(_brand_file(tmp_path, GOOD_TOML))
    assert brand.name == "Meridian Quality Partners"
    assert brand.contact == "meridian.example · +1 555 0100"
    assert brand.logo == (tmp_path / "logo.png").resolve()
    assert brand.accent == "#7A2E8E"


def test_yaml_brand_reads_the_same(tmp_path: Path) -> None:
    """The same brand in YAML gives the same Brand, and the same fingerprint."""
    _png(tmp_path / "logo.png")
    toml = load_brand(_brand_file(tmp_path, GOOD_TOML))
    yaml = load_brand(
        _brand_file(
            tmp_path,
            "name: Meridian Quality Partners\ncontact: meridian.example · +1 555 0100\n"
            "logo: logo.png\naccent: '#7A2E8E'\n",
            "brand.yaml",
        )
    )
    assert yaml == toml
    assert brand_fingerprint(yaml) == brand_fingerprint(toml)


def test_fingerprint_follows_the_logo_bytes(tmp_path: Path) -> None:
    """A new logo under the same name changes the fingerprint (reports must be redone)."""
    _png(tmp_path / "logo.png")
    path = _brand_file(tmp_path, GOOD_TOML)
    before = brand_fingerprint(load_brand(path))
    _png(tmp_path / "logo.png", colour="#123456")
    assert brand_fingerprint(load_brand(path)) != before


def test_missing_logo_is_located_at_its_line(tmp_path: Path) -> None:
    path = _brand_file(tmp_path, GOOD_TOML)
    assert _one_problem(path) == (
        f"{path}:3: logo: the logo '{tmp_path / 'logo.png'}' does not exist; check the path "
        "(a relative path is relative to the brand file)"
    )


def test_logo_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not a picture", encoding="utf-8")
    message = _one_problem(_brand_file(tmp_path, GOOD_TOML))
    assert message.endswith("is not a PNG or JPEG image; save it as one of those")
    assert ":3: logo: " in message


def test_logo_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    logo = _png(tmp_path / "logo.png")
    logo.write_bytes(logo.read_bytes() + b"\0" * MAX_LOGO_BYTES)
    message = _one_problem(_brand_file(tmp_path, GOOD_TOML))
    assert "over the 2 MiB limit for a logo; save it smaller" in message


def test_logo_with_too_many_pixels_is_refused_before_decoding(tmp_path: Path) -> None:
    """A small file that claims a huge image (a decompression bomb) is refused by its header."""
    _png(tmp_path / "logo.png", size=(5000, 4))
    message = _one_problem(_brand_file(tmp_path, GOOD_TOML))
    assert "is 5000 × 4 pixels, over the limit of 4000 a side" in message


def test_truncated_logo_is_refused(tmp_path: Path) -> None:
    logo = tmp_path / "logo.jpg"
    Image.new("RGB", (300, 200), "#336699").save(logo, format="JPEG")
    logo.write_bytes(logo.read_bytes()[:400])
    body = GOOD_TOML.replace("logo.png", "logo.jpg")
    message = _one_problem(_brand_file(tmp_path, body))
    assert "cannot be decoded" in message or "is damaged" in message


def test_jpeg_logo_is_accepted(tmp_path: Path) -> None:
    Image.new("RGB", (300, 200), "#336699").save(tmp_path / "logo.jpg", format="JPEG")
    brand = load_brand(_brand_file(tmp_path, GOOD_TOML.replace("logo.png", "logo.jpg")))
    assert brand.logo is not None and brand.logo.name == "logo.jpg"


@pytest.mark.parametrize(
    ("accent", "expected"),
    [
        ("tealish", "'tealish' is not a colour; write it as #RRGGBB in hexadecimal, e.g. #0B4F6C"),
        (
            "#FFFF00",
            "'#FFFF00' is too light to read on white (contrast 1.1:1, at least 3:1 "
            "needed); choose a darker shade",
        ),
    ],
)
def test_unreadable_or_too_light_colour_is_located(
    tmp_path: Path, accent: str, expected: str
) -> None:
    path = _brand_file(tmp_path, f'name = "Firm"\n\naccent = "{accent}"\n')
    assert _one_problem(path) == f"{path}:3: accent: {expected}"


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = _brand_file(tmp_path, 'name = "Firm"\naccnet = "#112233"\n')
    assert _one_problem(path) == f"{path}:2: accnet: unknown field 'accnet'; did you mean 'accent'?"


def test_missing_name_and_bad_toml_are_located(tmp_path: Path) -> None:
    path = _brand_file(tmp_path, 'contact = "x"\n')
    assert _one_problem(path) == f"{path}: name: required field 'name' is missing; add it"
    path = _brand_file(tmp_path, "name = Meridian\n")
    message = _one_problem(path)
    assert message.startswith(f"{path}:1:")
    assert 'text values need quotes, e.g. name = "My Firm"' in message


def test_yaml_alias_and_other_suffixes_are_refused(tmp_path: Path) -> None:
    path = _brand_file(tmp_path, "name: &n Firm\ncontact: *n\n", "brand.yaml")
    assert _one_problem(path) == (
        f"{path}:2: YAML aliases (*name) are not accepted; write the value out"
    )
    path = _brand_file(tmp_path, "{}", "brand.json")
    assert _one_problem(path).startswith(f"{path}: a brand file is .toml or .yaml; for example:")


@given(hst.from_regex(r"#?[0-9a-fA-F]{6}", fullmatch=True))
def test_any_hex_colour_parses_to_upper_case(text: str) -> None:
    colour = parse_colour(text)
    assert colour == "#" + text.lstrip("#").upper()
    assert 1.0 <= contrast_with_white(colour) <= 21.0
    if contrast_with_white(colour) >= MIN_CONTRAST:
        assert Brand(name="Firm", accent=text).accent == colour


def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages]


def test_report_brand_on_the_cover_and_the_same_bytes_each_time(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`report --brand`: 'Prepared by' with the name and contact on the cover, which stays one
    page; byte-identical for the same inputs and brand."""
    _png(tmp_path / "logo.png")
    brand = _brand_file(tmp_path, GOOD_TOML)
    first, second, plain = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "plain.pdf"
    for out in (first, second):
        result = runner.invoke(cli, ["report", str(EXAMPLE), "--brand", str(brand), "-o", str(out)])
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    assert runner.invoke(cli, ["report", str(EXAMPLE), "-o", str(plain)]).exit_code == 0
    assert len(_pdf_pages(first.read_bytes())) == len(_pdf_pages(plain.read_bytes()))
    cover = _pdf_pages(first.read_bytes())[0]
    assert "Prepared by Meridian Quality Partners meridian.example · +1 555 0100" in cover


def test_report_with_a_bad_brand_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    brand = _brand_file(tmp_path, GOOD_TOML)  # its logo is missing
    out = tmp_path / "r.pdf"
    result = runner.invoke(cli, ["report", str(EXAMPLE), "--brand", str(brand), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {brand}:3: logo: the logo ")
    assert not out.exists()


def test_portfolio_and_rollup_carry_the_brand_and_are_reproducible(tmp_path: Path) -> None:
    """The brand's name heads every portfolio page and its contact line every footer; the
    roll-up names it; both come out byte-identical for the same inputs and brand."""
    from openpyxl import load_workbook

    from audit_kit.catalog import load_instrument
    from audit_kit.model.portfolio import program_row
    from audit_kit.outputs.portfolio.document import render_portfolio
    from audit_kit.outputs.rollup import build_rollup
    from audit_kit.workflows.assess import assess

    _png(tmp_path / "logo.png")
    brand = load_brand(_brand_file(tmp_path, GOOD_TOML))
    rows = [
        program_row(str(path), "0" * 64, assess(path).result)
        for path in sorted(EXAMPLES.glob("*.json"))
    ]
    instruments = {"mat-tsf-cod@1.1": load_instrument("mat-tsf-cod@1.1")}
    pdf = render_portfolio(rows, instruments, brand=brand)
    assert render_portfolio(rows, instruments, brand=brand) == pdf
    pages = _pdf_pages(pdf)
    footer = "Prepared by Meridian Quality Partners · meridian.example · +1 555 0100"
    # the name in the header and in the footer of every page
    assert all(footer in p and p.count("Meridian Quality Partners") >= 2 for p in pages)
    workbook = build_rollup(rows, brand=brand)
    assert build_rollup(rows, brand=brand) == workbook
    about = load_workbook(BytesIO(workbook))["About"]
    assert about["B3"].value == "Meridian Quality Partners"
    assert about["B4"].value == "meridian.example · +1 555 0100"
