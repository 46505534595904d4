"""Fonts for the PDF reports: a Song-style serif for body text and a sans for headings.

WeasyPrint subsets every embedded font with fontTools when no HarfBuzz-Subset library is
installed. On the 65,000-glyph CFF fonts of Noto Serif SC that costs several seconds per
document. So each font is prepared once:

1. subset to the characters an office writes every day — ASCII, CJK and full-width
   punctuation and GBK's hanzi (GB2312 plus the traditional and rarer characters GBK adds);
2. converted from CFF to TrueType outlines, which fontTools subsets many times faster.

The prepared font is cached on disk, keyed by a hash of the original file and the recipe, so
it is built once per machine (about a minute) and shared by every process. The full font stays
second in the CSS font stack: Pango falls back to it for any character outside the prepared
set, so no glyph is lost and only such a document pays for the full font.

Noto SC stops at 30,928 characters. Names may use rarer ones from CJK Extension B and beyond
(𠮷, U+20BB7), so the last font of every stack is Noto Sans CJK TC (44,683 characters, OFL),
from the `cvttf-notosanscjk-regular` package.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RECIPE = "gbk-ttf-1"


@dataclass(frozen=True)
class FontFiles:
    serif: Path  # the original fonts
    sans: Path
    rare: Path  # the last fallback, for characters neither covers


def original_fonts() -> FontFiles:
    """Noto Serif SC and Noto Sans SC from the `pylopdf-fonts-zh-cn` package and Noto Sans CJK TC
    from `cvttf-notosanscjk-regular` (all OFL), unless APPRAISAL_FONT_SERIF /
    APPRAISAL_FONT_SANS / APPRAISAL_FONT_RARE name other files."""
    import cvttf_NotoSansCJK_Regular as rare_bundle
    import pylopdf_fonts_zh_cn as bundled

    serif = os.environ.get("APPRAISAL_FONT_SERIF") or str(bundled.serif_path())
    sans = os.environ.get("APPRAISAL_FONT_SANS") or str(bundled.sans_path())
    rare = os.environ.get("APPRAISAL_FONT_RARE") or rare_bundle.get_TTF_path()
    return FontFiles(Path(serif), Path(sans), Path(rare))


def cache_dir() -> Path:
    return Path(os.environ.get("APPRAISAL_FONT_CACHE") or Path.home() / ".cache" / "appraisal" / "fonts")


def common_characters() -> set[int]:
    """ASCII, general and CJK punctuation, full-width forms, and every character of GBK."""
    chars = set(range(0x20, 0x7F)) | set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    chars |= {0x00B7, 0x00D7, 0x00F7, 0x2103, 0x2116, 0x2160, 0x2161, 0x2162, 0x2163, 0x25A1, 0x25CB, 0x25CF, 0x2605}
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gbk")))
            except UnicodeDecodeError:
                pass
    return chars


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256(RECIPE.encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:20]


def _to_truetype(font) -> None:
    """Replace CFF outlines by quadratic TrueType outlines (the way fontTools' otf2ttf does)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"


def build_prepared(original: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    font = TTFont(str(original))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    if "CFF " in font:
        _to_truetype(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)  # atomic: a concurrent reader never sees half a font


@cache
def prepared_path(original: Path) -> Path:
    """Where the prepared font for `original` lives (hashing the file once per process)."""
    return cache_dir() / f"{original.stem}-{_file_hash(original)}.ttf"


def prepared(original: Path) -> Path:
    """The prepared font for `original`, building it once if no process has yet. Several
    processes may build at the same time; the first to finish wins and the others reuse it."""
    target = prepared_path(original)
    if not target.exists():
        lock = target.with_suffix(".lock")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            deadline = time.monotonic() + 600
            while not target.exists() and lock.exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            if target.exists():
                return target
            fd = None
        try:
            if not target.exists():
                build_prepared(original, target)
        finally:
            if fd is not None:
                os.close(fd)
                lock.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class ReportFonts:
    serif: Path
    sans: Path
    serif_full: Path
    sans_full: Path
    rare: Path

    def css(self) -> str:
        """@font-face rules; the report stylesheet names the prepared font first, the full font
        after it and the rare-character font last, so Pango falls back per character."""
        faces = []
        for family, path in (("AppraisalSerif", self.serif), ("AppraisalSerifFull", self.serif_full),
                             ("AppraisalSans", self.sans), ("AppraisalSansFull", self.sans_full),
                             ("AppraisalRare", self.rare)):
            faces.append(f"@font-face {{ font-family: '{family}'; src: url('{path.resolve().as_uri()}'); }}")
        return "\n".join(faces)


def prepare_all() -> tuple[Path, Path]:
    """Prepare the serif and the sans, in two processes when both are missing."""
    from concurrent.futures import ProcessPoolExecutor

    files = original_fonts()
    if prepared_path(files.serif).exists():
        return prepared(files.serif), prepared(files.sans)
    with ProcessPoolExecutor(max_workers=2) as pool:
        serif, sans = pool.submit(prepared, files.serif), pool.submit(prepared, files.sans)
        return serif.result(), sans.result()


@cache
def report_fonts() -> ReportFonts:
    files = original_fonts()
    serif, sans = prepare_all()
    return ReportFonts(serif, sans, files.serif, files.sans, files.rare)
