"""Hand-built files that hide active content from a byte search, or claim enormous dimensions."""

from __future__ import annotations

import struct
import zlib


def plain_pdf(catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF with a classic cross-reference table; ``catalog_extra`` goes into the catalog."""
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out.extend(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = len(out)
    out.extend(f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode())
    out.extend(b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets))
    out.extend(f"trailer<</Size {len(bodies) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)


def pdf_with_hex_escaped_javascript() -> bytes:
    """``/S /JavaScript`` and ``/JS`` written with #xx escapes, which every PDF reader decodes."""
    return plain_pdf(b"/OpenAction<</S/#4Aava#53cript/#4A#53(app.alert(1))>>")


def pdf_with_javascript_in_an_object_stream() -> bytes:
    """The catalog and its JavaScript action compressed inside an object stream, found through an xref stream."""
    catalog = b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>"
    action = b"<</S/JavaScript/JS(app.alert(1))>>"
    header = f"1 0 4 {len(catalog) + 1} ".encode()
    packed = zlib.compress(header + catalog + b" " + action)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    add(2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>")
    add(3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>")
    add(
        5,
        f"<</Type/ObjStm/N 2/First {len(header)}/Filter/FlateDecode/Length {len(packed)}>>stream\n".encode()
        + packed
        + b"\nendstream",
    )
    offsets[6] = len(out)
    rows = [
        (0, 0, 65535),
        (2, 5, 0),
        (1, offsets[2], 0),
        (1, offsets[3], 0),
        (2, 5, 1),
        (1, offsets[5], 0),
        (1, offsets[6], 0),
    ]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    add(
        6,
        f"<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length {len(table)}>>stream\n".encode() + table + b"\nendstream",
    )
    out.extend(f"startxref\n{offsets[6]}\n%%EOF\n".encode())
    return bytes(out)


def png_of_size(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` pixels, with a tiny (truncated) image body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )
