"""Report exports to CSV and Excel with flat memory, shared by every report (billing, stats).

``export_response`` writes, like the exports of the products we replace, a header on top of
the data::

    <title>
    Date          <date and time of the export>
    Report type   <report type>
    Period        <period>
    (empty line)
    <columns>
    <rows...>

Rows are consumed one at a time from the iterable the caller gives (pass a queryset's
``.iterator()`` or a generator, never a list of a million rows): CSV is streamed to the client
as it is produced (``StreamingHttpResponse``); Excel is written by an openpyxl *write-only*
workbook (rows go to disk as they come) into an anonymous temporary file, which is then sent
by ``FileResponse`` and deleted when the response is closed.

Cells: ``None`` is empty; numbers (``int``, ``float``, ``Decimal``) stay numbers in Excel;
aware datetimes are shown in the current time zone; ``timedelta`` is ``H:MM:SS``; text that a
spreadsheet would run as a formula (``=``, ``@``, or ``+``/``-`` not followed by a number) is
prefixed with an apostrophe in CSV and stored as plain text in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_NUMBER = re.compile(r"^[+-]?[\d\s().]*$")
# Characters that XML 1.0 (and so an .xlsx file) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def format_duration(seconds: int | float | dt.timedelta | None) -> str:
    """``3725`` -> ``1:02:05`` (hours are not wrapped at 24)."""
    if seconds is None:
        return ""
    if isinstance(seconds, dt.timedelta):
        seconds = seconds.total_seconds()
    total = round(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _is_formula_like(text: str) -> bool:
    if not text:
        return False
    first = text[0]
    if first in "=@\t\r":
        return True
    return first in "+-" and not _NUMBER.match(text)


def csv_cell(value: Any) -> str:
    """One cell as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = force_str(value)
    return "'" + text if _is_formula_like(text) else text


def header_rows(
    *, title: str, report_type: str, period: str, columns: Sequence[object]
) -> list[list[str]]:
    """The rows above the data (title, export date, report type, period, blank, columns)."""
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return [
        [force_str(title)],
        [_("Date"), exported],
        [_("Report type"), force_str(report_type)],
        [_("Period"), force_str(period)],
        [],
        [force_str(c) for c in columns],
    ]


def safe_filename(filename: str, extension: str) -> str:
    base = filename.rsplit(".", 1)[0] if filename.lower().endswith(f".{extension}") else filename
    base = slugify(base) or "export"
    return f"{base}.{extension}"


class _Echo:
    """A file-like object whose write returns the text, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def iter_csv(
    *,
    title: str,
    report_type: str,
    period: str,
    columns: Sequence[object],
    rows: Iterable[Sequence[object]],
) -> Iterator[bytes]:
    """The CSV file as a stream of UTF-8 chunks (with a BOM so that spreadsheets read it)."""
    writer = csv.writer(_Echo())
    buffer: list[str] = ["\ufeff"]
    for row in header_rows(title=title, report_type=report_type, period=period, columns=columns):
        buffer.append(writer.writerow([csv_cell(v) for v in row]))
    size = 0
    for row in rows:
        line = writer.writerow([csv_cell(v) for v in row])
        buffer.append(line)
        size += len(line)
        if size >= 64 * 1024:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
            size = 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    return _ILLEGAL_XML.sub("", force_str(value))


def write_xlsx(
    target: Any,
    *,
    title: str,
    report_type: str,
    period: str,
    columns: Sequence[object],
    rows: Iterable[Sequence[object]],
) -> None:
    """Write the workbook into ``target`` (a path or a binary file), row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet_title = re.sub(r"[\[\]:*?/\\]", " ", _ILLEGAL_XML.sub("", force_str(title)))
    sheet = workbook.create_sheet(title=sheet_title.strip()[:31] or "Report")
    bold = Font(bold=True)
    width = max(len(columns), 2)
    sheet.column_dimensions["A"].width = 22
    for index in range(1, width):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 16

    def cell(value: Any, *, strong: bool = False) -> Any:
        value = _xlsx_value(value)
        formula_like = isinstance(value, str) and value.startswith("=")
        if strong or formula_like:
            c = WriteOnlyCell(sheet, value=value)
            if formula_like:
                c.data_type = "s"  # text, never a formula
            if strong:
                c.font = bold
            return c
        return value

    plain = (int, float, Decimal)

    def data_cell(value: Any) -> Any:
        # The common cases first: a million rows pay this for every cell.
        kind = type(value)
        if kind is str:
            if value.isprintable() and not value.startswith("="):
                return value
            return cell(value)
        if kind in plain or value is None:
            return value
        return cell(value)

    header = header_rows(title=title, report_type=report_type, period=period, columns=columns)
    last = len(header) - 1
    for number, row in enumerate(header):
        # Bold: the title, the labels of the header lines and the column names.
        sheet.append([cell(v, strong=number in (0, last) or i == 0) for i, v in enumerate(row)])
    for row in rows:
        sheet.append([data_cell(v) for v in row])
    workbook.save(target)


def export_response(
    fmt: str,
    *,
    title: str,
    report_type: str,
    period: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    filename: str,
) -> HttpResponse:
    """A download of the report in ``fmt`` ("csv" or "xlsx"), header on top, memory flat."""
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(
            iter_csv(
                title=title, report_type=report_type, period=period, columns=columns, rows=rows
            ),
            content_type=CSV_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "csv")}"'
        return response
    if fmt == "xlsx":
        # Closed (and so deleted) by FileResponse once sent.
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        try:
            write_xlsx(
                handle,
                title=title,
                report_type=report_type,
                period=period,
                columns=columns,
                rows=rows,
            )
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return FileResponse(
            handle,
            as_attachment=True,
            filename=safe_filename(filename, "xlsx"),
            content_type=XLSX_TYPE,
        )
    raise ValueError(f"unknown export format {fmt!r}")
