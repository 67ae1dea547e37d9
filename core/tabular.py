"""Tables for download: CSV (UTF-8 with a BOM, for Excel) and XLSX, with every text cell
made inert — a leading formula character never becomes a formula (CSV injection).

Two ways out, one format:

* ``response(table, fmt)`` — in the request, for small exports. CSV streams
  (``StreamingHttpResponse``: the BOM and the header leave before the first row is read, then
  the rows as the database hands them over); XLSX is a zip that cannot be sent row by row,
  so openpyxl's write-only workbook is written into a spooled temporary file (memory up to a
  few MB, then disk) and served from there.
* ``write(table, fmt, file)`` — into a file, for the background job of large exports
  (``documents.exports``); ``table.rows`` may report progress as it goes.

``to_csv`` / ``to_xlsx`` build the whole file in memory: for small, bounded tables only."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The BOM tells Excel that the file is UTF-8 (Latvian letters).
BOM = "\ufeff"
# A streamed CSV is sent in pieces of about this many bytes (one write per piece, not per row).
CSV_PIECE = 64 * 1024
# An XLSX being written stays in memory up to this size, then moves to a temporary file.
XLSX_SPOOL = 8 * 1024 * 1024


def neutralise(value: Any) -> Any:
    """Make a text cell inert: a leading formula character gets an apostrophe before it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return value


@dataclass
class Table:
    """What a download holds: the header, the rows (any iterable: a generator over a
    queryset's ``iterator()`` is read once, as it is written), and the XLSX sheet's name and
    column widths."""

    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    sheet: str = "Sheet"
    widths: Sequence[int] = field(default_factory=tuple)


class _Line:
    """A file-like object whose ``write`` returns what it was given: ``csv.writer`` over it
    turns one row into one CSV line, with nothing kept."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line(), quoting=csv.QUOTE_MINIMAL)
    yield BOM + writer.writerow([str(title) for title in header])
    for row in rows:
        yield writer.writerow([_csv_value(neutralise(value)) for value in row])


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV in pieces: the BOM and the header at once (the first byte leaves before any
    row is read), then the rows in pieces of about ``CSV_PIECE`` bytes."""
    lines = _csv_lines(header, rows)
    yield next(lines).encode("utf-8")
    piece: list[str] = []
    size = 0
    for line in lines:
        piece.append(line)
        size += len(line)
        if size >= CSV_PIECE:
            yield "".join(piece).encode("utf-8")
            piece, size = [], 0
    if piece:
        yield "".join(piece).encode("utf-8")


def write_csv(table: Table, file: IO[bytes]) -> None:
    for piece in csv_stream(table.header, table.rows):
        file.write(piece)


def write_xlsx(table: Table, file: IO[bytes]) -> None:
    """The table as an XLSX workbook written into ``file`` (openpyxl's write-only mode: one
    row in memory at a time, however long the table)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(str(table.sheet)[:31])
    for index, width in enumerate(table.widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for title in table.header:
        cell = WriteOnlyCell(worksheet, value=str(title))
        cell.font = bold
        cells.append(cell)
    worksheet.append(cells)
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # Never a formula: text cells are typed as strings, and control characters
                # that XLSX cannot hold are dropped.
                cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(worksheet, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        worksheet.append(cells)
    workbook.save(file)


def write(table: Table, fmt: str, file: IO[bytes]) -> None:
    """The table in ``fmt`` (``csv`` or ``xlsx``) written into a binary file."""
    if fmt == "csv":
        write_csv(table, file)
    elif fmt == "xlsx":
        write_xlsx(table, file)
    else:
        raise ValueError(f"Unknown table format {fmt!r}")


def response(table: Table, fmt: str, *, filename: str) -> StreamingHttpResponse | FileResponse:
    """The table as a download, never whole in memory: CSV streams row by row, XLSX comes
    from a spooled temporary file. Neither is cached anywhere on the way."""
    if fmt == "csv":
        pieces = csv_stream(table.header, table.rows)
        answer = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES["csv"])
        answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    elif fmt == "xlsx":
        spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL)  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(table, spool)
        spool.seek(0)
        answer = FileResponse(
            spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
        )
    else:
        raise ValueError(f"Unknown table format {fmt!r}")
    answer["Cache-Control"] = "no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV in memory (small tables only; see ``response``)."""
    return b"".join(csv_stream(header, rows))


def to_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str, widths: Sequence[int] = ()
) -> bytes:
    """The whole XLSX in memory (small tables only; see ``response``)."""
    buffer = io.BytesIO()
    write_xlsx(Table(header=header, rows=rows, sheet=sheet, widths=widths), buffer)
    return buffer.getvalue()
