"""core.tabular: CSV streams (BOM and header first, rows as they are read, in pieces), XLSX
comes from a spooled file, and both write the same cells as the in-memory builders: formulas
made inert, Latvian letters kept."""

import csv
import io
from datetime import datetime

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from core import tabular

HEADER = ["Vārds", "Piezīme", "Datums"]
ROWS = [
    ["Bērziņš Ģirts", '=HYPERLINK("http://x")', datetime(2026, 3, 4, 5, 6)],
    ["Ļoti Žēl", "+371 26111222", None],
    ["Čaks", "-Rīga", 7],
]


def _table(rows=ROWS) -> tabular.Table:
    return tabular.Table(header=HEADER, rows=rows, sheet="Saraksts", widths=(20, 20, 16))


def test_csv_stream_sends_bom_and_header_before_any_row_is_read_when_iterated():
    read = []

    def rows():
        for row in ROWS:
            read.append(row)
            yield row

    pieces = tabular.csv_stream(HEADER, rows())
    first = next(pieces)
    assert first == "\ufeffVārds,Piezīme,Datums\r\n".encode()
    assert read == []  # the first byte left before the database was asked for a row
    rest = b"".join(pieces)
    assert len(read) == 3
    assert first + rest == tabular.to_csv(HEADER, ROWS)


def test_csv_stream_writes_the_old_format_when_rows_have_formulas_and_latvian_letters():
    content = b"".join(tabular.csv_stream(HEADER, ROWS))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        HEADER,
        ["Bērziņš Ģirts", '\'=HYPERLINK("http://x")', "2026-03-04 05:06"],
        ["Ļoti Žēl", "'+371 26111222", ""],
        ["Čaks", "'-Rīga", "7"],
    ]


def test_csv_stream_sends_rows_in_pieces_when_the_table_is_long(monkeypatch):
    monkeypatch.setattr(tabular, "CSV_PIECE", 100)
    rows = [[f"Rinda {n}", "Ābele", n] for n in range(50)]
    pieces = list(tabular.csv_stream(HEADER, rows))
    assert 5 < len(pieces) < 50  # neither one piece per row nor the whole file at once
    assert b"".join(pieces) == tabular.to_csv(HEADER, rows)


def test_response_streams_csv_as_an_attachment_when_asked_for_csv():
    response = tabular.response(_table(), "csv", filename="saraksts.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="saraksts.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response.getvalue() == tabular.to_csv(HEADER, ROWS)


def test_response_serves_xlsx_from_a_spooled_file_with_inert_text_cells_when_asked_for_xlsx():
    response = tabular.response(_table(), "xlsx", filename="saraksts.xlsx")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == tabular.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].startswith("attachment;")
    content = response.getvalue()
    assert int(response["Content-Length"]) == len(content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Saraksts"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert rows[1][:2] == ("Bērziņš Ģirts", '\'=HYPERLINK("http://x")')
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert rows[1][2] == datetime(2026, 3, 4, 5, 6)
    assert rows[3][2] == 7


def test_write_gives_the_same_bytes_as_the_stream_when_writing_csv_into_a_file():
    buffer = io.BytesIO()
    tabular.write(_table(iter(ROWS)), "csv", buffer)
    assert buffer.getvalue() == tabular.to_csv(HEADER, ROWS)


@pytest.mark.parametrize("call", ["write", "response"])
def test_unknown_format_is_refused_when_asked(call):
    with pytest.raises(ValueError, match="Unknown table format"):
        if call == "write":
            tabular.write(_table(), "exe", io.BytesIO())
        else:
            tabular.response(_table(), "exe", filename="x.exe")
