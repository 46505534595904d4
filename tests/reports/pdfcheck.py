"""Reading reports back: their text, and which characters their embedded fonts can draw."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

_HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _decode(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be")


def _tounicode(data: bytes) -> dict[int, str]:
    """The code → text map of a ToUnicode CMap (bfchar and bfrange sections)."""
    text = data.decode("latin-1")
    result: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            result[int(src, 16)] = _decode(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for line in block.strip().splitlines():
            values = _HEX.findall(line)
            if len(values) < 3:
                continue
            low, high = int(values[0], 16), int(values[1], 16)
            if "[" in line:
                for offset, dst in enumerate(values[2:]):
                    result[low + offset] = _decode(dst)
            else:
                start = _decode(values[2])
                for offset in range(high - low + 1):
                    result[low + offset] = start[:-1] + chr(ord(start[-1]) + offset)
    return result


def _fonts(resources: DictionaryObject, seen: set[int]):
    fonts = resources.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            yield ref.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if id(obj) in seen or "/Resources" not in obj:
                continue
            seen.add(id(obj))
            yield from _fonts(obj["/Resources"].get_object(), seen)


def drawable_characters(pdf: bytes) -> set[str]:
    """Every character some embedded font draws with a real glyph: the ToUnicode entries of
    each font, less code 0 (.notdef, the empty box a missing glyph becomes)."""
    covered: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in _fonts(page["/Resources"].get_object(), set()):
            if "/ToUnicode" not in font:
                continue
            for code, text in _tounicode(font["/ToUnicode"].get_object().get_data()).items():
                if code != 0:
                    covered |= set(text)
    return covered


def missing_glyphs(pdf: bytes, *texts: str) -> set[str]:
    """The characters of `texts` (other than spaces) that no embedded font of `pdf` draws."""
    wanted = {c for t in texts for c in t if not c.isspace()}
    return wanted - drawable_characters(pdf)
