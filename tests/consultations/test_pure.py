"""Pure helpers: file checks, the draft's rich text, labels, design votes in comments."""

import io
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from civicloop.consultations import richtext
from civicloop.consultations.answers import design_vote
from civicloop.consultations.models import Question, QuestionKind
from civicloop.errors import Invalid, PayloadTooLarge
from civicloop.kit import uploads
from tests.consultations.conftest import PDF, PNG
from tests.consultations.crafted import (
    pdf_with_hex_escaped_javascript,
    pdf_with_javascript_in_an_object_stream,
    plain_pdf,
    png_of_size,
)


def _picture(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(out, kind)
    return out.getvalue()


JPEG = _picture("JPEG")
WEBP = _picture("WEBP")


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (PDF, "application/pdf")],
)
def test_allowed_types_are_recognised_by_their_bytes(data: bytes, expected: str) -> None:
    assert uploads.check(data, filename="whatever.txt") == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG image"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "HTML page"),
        (b"PK\x03\x04rest-of-a-docx", "ZIP or Office file"),
        (b"MZ\x90\x00", "a program"),
        (b"GIF89a....", "GIF image"),
        (b"just text", "unknown type"),
    ],
)
def test_forbidden_types_are_refused_with_what_they_are(data: bytes, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        uploads.check(data, filename="design.png")


def test_a_pdf_is_refused_as_a_picture_and_active_pdfs_are_refused() -> None:
    with pytest.raises(Invalid, match="is a PDF document; only PNG, JPEG or WebP images"):
        uploads.check(PDF, filename="a.pdf", images_only=True)
    scripted = PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
    with pytest.raises(Invalid, match="contains scripts"):
        uploads.check(scripted, filename="a.pdf")
    with pytest.raises(Invalid, match="not a complete PDF"):
        uploads.check(PDF[:-7], filename="a.pdf")


@pytest.mark.parametrize(
    "data",
    [
        pdf_with_hex_escaped_javascript(),
        pdf_with_javascript_in_an_object_stream(),
        plain_pdf(b"/Names<</EmbeddedFiles<</Names[(a.exe)<</Type/Filespec>>]>>>>"),
        plain_pdf(b"/AA<</O<</S/Launch/F(cmd.exe)>>>>"),
    ],
    ids=["hex-escaped names", "object stream", "embedded file", "launch action"],
)
def test_pdfs_with_hidden_scripts_or_programs_are_refused(data: bytes) -> None:
    with pytest.raises(Invalid, match="contains scripts or embedded programs"):
        uploads.check(data, filename="plan.pdf")


def test_unreadable_pdfs_are_refused_because_they_cannot_be_checked() -> None:
    broken = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction 9 0 R>>\n%%EOF\n"
    with pytest.raises(Invalid, match="could not be read as a PDF"):
        uploads.check(broken, filename="plan.pdf")


def test_images_with_enormous_dimensions_are_refused_before_anything_decodes_them() -> None:
    assert uploads.check(png_of_size(4000, 3000), filename="photo.png") == "image/png"
    with pytest.raises(Invalid, match=r"bomb\.png has too many pixels; the largest accepted is"):
        uploads.check(png_of_size(30000, 30000), filename="bomb.png")
    with pytest.raises(Invalid, match="9000 × 9000 pixels"):
        uploads.check(png_of_size(9000, 9000), filename="big.png", images_only=True)


def test_files_that_only_start_like_an_image_are_refused() -> None:
    with pytest.raises(Invalid, match="could not be read as an image"):
        uploads.check(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, filename="fake.jpg")


def test_size_limit_and_empty_files() -> None:
    with pytest.raises(PayloadTooLarge, match="larger than the limit"):
        uploads.check(PNG + b"0" * 100, filename="a.png", limit=50)
    with pytest.raises(Invalid, match="is empty"):
        uploads.check(b"", filename="a.png")


def test_stored_names_cannot_escape_the_upload_folder() -> None:
    for name in ("../secret_key", "..%2Fsecret", "a" * 32 + ".html", "/etc/passwd"):
        with pytest.raises(Exception, match="not found"):
            uploads.path_of(name)


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/Plan.pdf", "application/pdf", "Plan.pdf"),
        ("C:\\Users\\x\\design A.exe", "image/png", "design A.png"),
        ("\u202eevil\x00.png", "image/png", "evil.png"),
        ("", "image/jpeg", "file.jpg"),
    ],
)
def test_display_names_are_cleaned(name: str, content_type: str, expected: str) -> None:
    assert uploads.clean_filename(name, content_type) == expected


def test_rich_text_keeps_formatting_and_drops_anything_active() -> None:
    html = richtext.render(
        "# Plan\n**roof** and [site](https://thimphu.bt) [x](javascript:alert(1))\n\n<script>alert(1)</script>\n\n"
        '<a href="https://x" onclick="alert(1)">y</a>\n\n| a | b |\n|---|---|\n| 1 | 2 |'
    )
    assert "<h2>Plan</h2>" in html and "<strong>roof</strong>" in html and "<table>" in html
    assert 'href="https://thimphu.bt" rel="noopener noreferrer nofollow"' in html
    assert "<script" not in html and "onclick=" not in _tags(html) and "javascript:" not in _tags(html)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def _parse(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.seen


def _tags(html: str) -> str:
    """Only the markup (tags and attributes), not the text that merely shows them."""
    return " ".join(f"<{tag} {attrs}>" for tag, attrs in _parse(html))


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ascriptonerlhfjv:()&;# *[]!-")), max_size=160))
def test_no_markdown_renders_to_a_tag_or_attribute_outside_the_allow_list(source: str) -> None:
    for tag, attrs in _parse(richtext.render(source)):
        assert tag in richtext.ALLOWED_TAGS
        for name, value in attrs:
            assert name in richtext.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
            assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))


def test_a_comment_counts_as_a_vote_only_when_it_names_one_option() -> None:
    question = Question(kind=QuestionKind.design_option, prompt="Which?", options=["A", "B", "C"])
    assert design_vote("I prefer Option B, it has a roof", question) == "B"
    assert design_vote("design-c please", question) == "C"
    assert design_vote("option A or option C, not B", question) is None
    assert design_vote("a bus stop with a roof", question) is None
    assert design_vote("option D", question) is None
