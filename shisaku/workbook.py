"""The XLSX of the projects table, written as SpreadsheetML by this module.

Why not a library (the guide prefers well-kept ones where one fits): the workbook is remade at
every build, and at 10,000 projects XlsxWriter took 1.9 s of a 2.7 s data package even when
one row had changed. A rebuild reuses the compressed bytes of the rows that did not change
(see archive.py), which needs the sheet's XML as pieces made from rows, and no library
(XlsxWriter, openpyxl) writes a workbook from precomputed parts. One sheet of inline strings
and numbers with five cell styles is small enough to write here; tests read it back with
openpyxl and validate it with frictionless.

Rows and cells carry their `r` reference (A5, B5...): ECMA-376 makes it optional, but some
readers (older calamine, ExcelDataReader) place every cell without one in the first row. A
chunk's XML therefore depends on where it starts: after a row is inserted or deleted, the
chunks below it are written again.
"""

from __future__ import annotations

import datetime
import html
import math
import re

from .formats import wide_characters

# A column is never set wider than this; a column with a longer line wraps its text.
MAX_WIDTH = 60
# Widths are measured up to here: every line wider than MAX_WIDTH looks the same.
WIDEST = MAX_WIDTH + 1

# Cell styles: indexes into cellXfs of STYLES.
PLAIN, HEADER, WRAP, INTEGER, NUMBER = range(5)
NUMBER_STYLES = {"integer": INTEGER, "number": NUMBER}

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = f"""{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
</Types>"""

PACKAGE_RELS = f"""{XML_DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">\
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>\
<Relationship Id="rId2" Type="{PACKAGE_RELATIONSHIPS}/metadata/core-properties" Target="docProps/core.xml"/>\
</Relationships>"""

WORKBOOK_RELS = f"""{XML_DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">\
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>\
</Relationships>"""

_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_XF = 'fontId="0" fillId="0" borderId="0" xfId="0"'
_TOP_WRAP = '<alignment vertical="top" wrapText="1"/>'
STYLES = f"""{XML_DECLARATION}<styleSheet xmlns="{MAIN}">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0"/><numFmt numFmtId="165" formatCode="0.0"/></numFmts>\
<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5">\
<xf numFmtId="0" {_XF}/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{_TOP_WRAP}</xf>\
<xf numFmtId="0" {_XF} applyAlignment="1">{_TOP_WRAP}</xf>\
<xf numFmtId="164" {_XF} applyNumberFormat="1"/>\
<xf numFmtId="165" {_XF} applyNumberFormat="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""

SHEET_END = b"</sheetData></worksheet>"


def workbook_xml(sheet_name: str) -> str:
    from xml.sax.saxutils import quoteattr  # (it imports urllib: only where a sheet is made)

    return (
        f'{XML_DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        "<bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def core_xml(author: str, when: datetime.datetime) -> str:
    """Document properties: who made the workbook and when (the release, never the clock)."""
    stamp = when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{XML_DECLARATION}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{html.escape(author, quote=False)}</dc:creator>"
        f"<cp:lastModifiedBy>{html.escape(author, quote=False)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def parts(sheet_name: str, author: str, when: datetime.datetime) -> list[tuple[str, bytes]]:
    """Every part of the workbook but its sheet, in the order of the zip."""
    texts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", core_xml(author, when)),
        ("xl/workbook.xml", workbook_xml(sheet_name)),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/styles.xml", STYLES),
    ]
    return [(name, text.encode("utf-8")) for name, text in texts]


SHEET_PART = "xl/worksheets/sheet1.xml"


# -- Widths ------------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (Japanese) characters count twice."""
    return len(text) + wide_characters(text)


# What str.splitlines splits at: a text without any is one line.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def line_width(line: str) -> int:
    """The width of one line, up to WIDEST."""
    return min(display_width(line[:WIDEST]), WIDEST)


def widest_line(text: str) -> int:
    """The width of a text's widest line, up to WIDEST."""
    if _LINE_BREAK.search(text):
        return max(map(line_width, text.splitlines()), default=0)
    return line_width(text)


def widths(rows: list[list[str]], columns: int) -> list[int]:
    """The widest line of each column of these rows, up to WIDEST."""
    found = [0] * columns
    for texts in rows:
        for index, text in enumerate(texts):
            # No line is wider than its text's length (twice that for wide characters), and
            # none counts past WIDEST: most texts cannot widen their column, and are not measured.
            most = len(text) if text.isascii() else 2 * len(text)
            if found[index] < min(most, WIDEST):
                found[index] = max(found[index], widest_line(text))
    return found


def stored_width(characters: int) -> float:
    """A width as Excel stores it: characters of 7 pixels plus 5 pixels of padding, in 1/256."""
    return math.trunc((characters * 7 + 5) / 7 * 256) / 256


# -- The sheet ----------------------------------------------------------------------------------
def cell_styles(kinds: list[str], widest: list[int]) -> bytes:
    """Each column's cell style: a number format, or wrapped text where a line is too wide."""
    return bytes(
        NUMBER_STYLES.get(kind, WRAP if width > MAX_WIDTH else PLAIN)
        for kind, width in zip(kinds, widest, strict=True)
    )


def column_letter(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_start(names: list[str], widest: list[int], rows: int) -> bytes:
    """The sheet up to its first data row: size, frozen header, column widths, header row.

    widest: each column's widest line, its header's included.
    """
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{stored_width(min(max(w + 2, 8), MAX_WIDTH))!r}" customWidth="1"/>'
        for i, w in enumerate(widest, start=1)
    )
    header = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr" s="{HEADER}"><is>{text_element(name)}</is></c>'
        for i, name in enumerate(names, start=1)
    )
    return (
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        f'<dimension ref="A1:{column_letter(len(names))}{rows + 1}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData><row r="1">{header}</row>'
    ).encode()


# Excel reads _xHHHH_ in a text as the character U+HHHH: a literal one has its _ escaped, and
# characters XML cannot carry are written that way (the loader refuses them; this is a guard).
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _excel_escape(match: re.Match[str]) -> str:
    found = match.group()
    return "_x005F" + found if len(found) > 1 else f"_x{ord(found):04X}_"


def text_element(text: str) -> str:
    """<t> with the text escaped, keeping the spaces it begins or ends with."""
    if not text.isprintable() or "_x" in text:  # quicker than searching for _EXCEL_ESCAPE
        text = _EXCEL_ESCAPE.sub(_excel_escape, text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def sheet_rows(styles: bytes, rows: list[list[str]], first: int) -> bytes:
    """The XML of these rows, the first of them row number first: numbers as numbers, text as
    inline strings, no cell for "".

    A number's text is the CSV's (integers without separators, the ratio with one decimal), so
    the workbook holds exactly what the CSV does.
    """
    letters = [column_letter(i) for i in range(1, len(styles) + 1)]
    text_start = {style: f' t="inlineStr" s="{style}"><is>' for style in (PLAIN, WRAP)}
    text_start[PLAIN] = ' t="inlineStr"><is>'
    number_start = {style: f' s="{style}"><v>' for style in NUMBER_STYLES.values()}
    out = []
    for number, texts in enumerate(rows, start=first):
        out.append(f'<row r="{number}">')
        for letter, style, text in zip(letters, styles, texts, strict=True):
            if not text:
                continue
            if style in number_start:
                out.append(f'<c r="{letter}{number}"{number_start[style]}{text}</v></c>')
            else:
                out.append(
                    f'<c r="{letter}{number}"{text_start[style]}{text_element(text)}</is></c>'
                )
        out.append("</row>")
    return "".join(out).encode("utf-8")
