"""The shared report export (core/exports.py): header, cell types, safety, flat memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import override_settings
from openpyxl import load_workbook

from switchboard.core.exports import export_response, format_duration

COLUMNS = ["Name", "Amount", "When", "Talk", "Note", "Number", "Empty", "Count"]
ROW = [
    "Alice",
    Decimal("1.50"),
    dt.datetime(2026, 3, 31, 22, 0, 5, tzinfo=dt.UTC),
    dt.timedelta(seconds=3725),
    '=HYPERLINK("http://evil")',
    "+33 1 40 00 00 00",
    None,
    7,
]


def make(fmt: str, rows) -> object:
    return export_response(
        fmt,
        title="Telephone consumption",
        report_type="summary per phone",
        period="2026-03",
        columns=COLUMNS,
        rows=rows,
        filename="billing summary 2026-03",
    )


@override_settings(TIME_ZONE="Europe/Paris")
def test_csv_is_streamed_with_the_header_on_top() -> None:
    consumed = []

    def rows() -> Iterator[list[object]]:
        for row in ([*ROW], ["@SUM(A1)", -3, "-2", "-x", True, dt.date(2026, 3, 1), "", 0]):
            consumed.append(row)
            yield row

    response = make("csv", rows())
    assert isinstance(response, StreamingHttpResponse)
    assert not consumed  # nothing read before the response is sent
    assert response["Content-Disposition"] == 'attachment; filename="billing-summary-2026-03.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0] == ["Telephone consumption"]
    assert lines[1][0] == "Date" and len(lines[1][1]) == 16
    assert lines[2:6] == [["Report type", "summary per phone"], ["Period", "2026-03"], [], COLUMNS]
    assert lines[6] == [
        "Alice",
        "1.50",
        "2026-04-01 00:00:05",  # shown in the site's time zone
        "1:02:05",
        '\'=HYPERLINK("http://evil")',  # never a formula
        "+33 1 40 00 00 00",  # a number stays as it is
        "",
        "7",
    ]
    assert lines[7] == ["'@SUM(A1)", "-3", "-2", "'-x", "yes", "2026-03-01", "", "0"]


@override_settings(TIME_ZONE="Europe/Paris")
def test_excel_has_the_header_typed_cells_and_no_formula() -> None:
    response = make("xlsx", iter([ROW, ["bad\x01char", 2.5, None, None, "", "", "", -1]]))
    assert isinstance(response, FileResponse)
    assert 'filename="billing-summary-2026-03.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    response.file_to_stream.close()  # the temporary file goes with it
    sheet = workbook.active
    assert sheet.title == "Telephone consumption"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Telephone consumption" and sheet["A1"].font.bold
    assert rows[1][0] == "Date" and rows[2][:2] == ["Report type", "summary per phone"]
    assert rows[3][:2] == ["Period", "2026-03"] and rows[5] == COLUMNS
    assert rows[6] == [
        "Alice",
        1.5,
        dt.datetime(2026, 4, 1, 0, 0, 5),
        "1:02:05",
        '=HYPERLINK("http://evil")',
        "+33 1 40 00 00 00",
        None,
        7,
    ]
    assert sheet["E7"].data_type == "s"  # text, not a formula
    assert sheet["C7"].is_date
    assert rows[7][:2] == ["badchar", 2.5]


def test_sheet_title_is_made_valid() -> None:
    response = export_response(
        "xlsx",
        title="Queues: 2026/03 [all] * ? and a very long title beyond 31",
        report_type="t",
        period="p",
        columns=["a"],
        rows=iter([]),
        filename="x",
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        make("pdf", iter([]))


def test_excel_memory_stays_flat() -> None:
    def rows(count: int) -> Iterator[list[object]]:
        for n in range(count):
            yield [f"phone {n}", Decimal(n) / 100, n, "0612345678", "1:00:00", None, "EUR", n]

    b"".join(make("xlsx", rows(100)).streaming_content)  # imports, caches
    tracemalloc.start()
    try:
        response = make("xlsx", rows(10_000))
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.file_to_stream.close()  # the temporary file goes with it
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 100_000
    # 80,000 cells held in memory would take tens of MB; written row by row they take none
    assert peak < 5_000_000, peak


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (59, "0:00:59"), (3725, "1:02:05"), (90000, "25:00:00"), (None, "")],
)
def test_format_duration(seconds, text: str) -> None:
    assert format_duration(seconds) == text
