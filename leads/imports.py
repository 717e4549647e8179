"""Importing a bureau's own lead ledger (招商线索台账) from Excel: all rows or none.

The flow, shared by the upload page and `manage.py import_leads`:

1. `check_upload(file_obj, name)` refuses a hostile or wrong file before anything parses it,
   reading only the zip directory (size, type, zip bombs, macros, corruption).
2. `read_ledger(file_obj, user=…, default_station=…)` reads the first worksheet — formulas are
   never evaluated — finds the header under any title rows (one or two header rows, columns in
   any order, synonyms), and validates every row into a `RowResult` whose `values` are ready
   for `services.lead_file`. Nothing is written. The `ImportReport` says, in Chinese, exactly
   which cell is wrong and why.
3. `import_commit(report, user=…)` files every row through `services.lead_file` inside one
   transaction, and only when the report is valid: every row is saved, or none.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl.utils import get_column_letter

from stations.models import Station
from stations.permissions import Role, has_role

from . import access, excel, services
from .models import Enterprise, Industry, Lead, Tag, normalise_enterprise_name, validate_credit_code

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 5 * MB
MAX_UNCOMPRESSED_BYTES = 50 * MB
MAX_ZIP_ENTRIES = 200
MAX_ROWS = 5000
MAX_COLUMNS = 60
HEADER_SCAN_ROWS = 15
MAX_LONG_TEXT = 5000  # for text fields without a max_length (project content, other requirements)
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK"
FILED_AT_TIME = datetime.time(9, 0)
FILED_AT_ZONE = ZoneInfo("Asia/Shanghai")

LEDGER_DATE_NOTE = "申报日期不作为备案时间：团队导入的信息以导入时间备案（首报以招商局备案记录为准）。"
FORMULA_ERROR = "单元格含公式，请填写数值或文字"
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
TOTAL_ROW = re.compile(r"^(本页|本月|本年|全年)?(合计|总计|小计)")

# Column headers as bureaus write them, normalised (full-width folded, no spaces, unit removed).
HEADER_SYNONYMS = {
    "_number": ("序号", "编号", "序"),
    "station": ("所属团队", "驻外站", "招商站", "团队", "所属驻外站", "所属招商站", "招商小组"),
    "title": ("项目名称", "项目"),
    "enterprise_name": ("企业名称", "投资方", "投资企业", "投资方名称", "投资主体"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "content": ("项目内容", "项目简介", "建设内容", "项目概况"),
    "source": ("信息来源", "来源", "线索来源"),
    "category": ("项目类别", "类别", "项目类型"),
    "industry": ("所属行业", "行业", "行业分类", "产业类别"),
    "origin": ("内外资",),
    "currency": ("币种",),
    "exchange_rate": ("汇率",),
    "exchange_rate_date": ("汇率日期",),
    "total_investment": ("总投资", "投资总额", "计划总投资", "总投资额", "计划投资"),
    "fixed_asset_investment": ("固定资产投资", "固投", "固定资产投资额"),
    "land_mu": ("用地需求", "用地", "用地面积", "需用地"),
    "factory_sqm": ("厂房需求", "厂房面积", "需厂房"),
    "utilities": ("水电气需求", "水电气"),
    "policy_needs": ("政策需求", "政策诉求"),
    "requirements_note": ("其他要求", "其他需求"),
    "investor_name": ("联系人", "投资方联系人", "企业联系人"),
    "investor_phone": ("联系电话", "电话", "联系方式"),
    "first_provider_name": ("首次提供人", "信息提供人", "提供人"),
    "first_provider_unit": ("提供人单位", "信息提供人单位", "首次提供人单位"),
    "filed_on": ("申报日期", "报送日期", "日期"),
    "tags": ("标签",),
}
SYNONYM_FIELD = {name: field_name for field_name, names in HEADER_SYNONYMS.items() for name in names}
FIELD_LABEL = {field_name: names[0] for field_name, names in HEADER_SYNONYMS.items()}
MONEY_FIELDS = ("total_investment", "fixed_asset_investment")
UNIT_WORDS = {"元": "元", "万元": "万元", "万": "万元", "亿元": "亿元", "亿": "亿元", "亩": "亩",
              "平方米": "平方米", "平米": "平方米", "m2": "平方米"}
FIELD_UNITS = {"total_investment": ("元", "万元", "亿元"), "fixed_asset_investment": ("元", "万元", "亿元"),
               "land_mu": ("亩",), "factory_sqm": ("平方米",)}
SHEET_UNIT = re.compile(r"单位[:：](万元|亿元|元)")
TEXT_FIELDS = ("title", "enterprise_name", "content", "utilities", "policy_needs", "requirements_note",
               "investor_name", "investor_phone", "first_provider_name", "first_provider_unit")
TAG_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class ImportRefused(Exception):
    """The file is refused as a whole before it is parsed; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowResult:
    """One data row of the ledger: `row_number` is the Excel row; `values` are the keyword
    arguments for `services.lead_file` (station, title, enterprise_name, credit_code, tags,
    filed_at and lead fields); each error and warning names its column."""

    row_number: int
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ledger_date_ignored: bool = False

    @property
    def title(self) -> str:
        return self.values.get("title", "")


@dataclass
class ImportReport:
    """What `read_ledger` found. Valid when there is no file error, no row error and a row."""

    file_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    user_pk: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def error_row_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def warning_row_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings)

    @property
    def valid_row_count(self) -> int:
        return self.row_count - self.error_row_count

    def lines(self) -> list[str]:
        """The report in Chinese, file first and then row by row (for the page and the command)."""
        lines = [f"文件错误：{error}" for error in self.file_errors]
        lines += [f"说明：{note}" for note in self.notes]
        lines.append(f"共 {self.row_count} 行数据：无误 {self.valid_row_count} 行，有错误 {self.error_row_count} 行，"
                     f"有提示 {self.warning_row_count} 行。")
        for row in self.rows:
            label = f"第{row.row_number}行" + (f"（{row.title}）" if row.title else "")
            if row.errors:
                lines.append(f"{label} 错误：" + "；".join(row.errors))
            else:
                lines.append(f"{label} 可以导入")
            if row.warnings:
                lines.append(f"{label} 提示：" + "；".join(row.warnings))
        if not self.rows and not self.file_errors:
            lines.append("文件中没有可导入的数据行。")
        return lines


# --- Before parsing -------------------------------------------------------------------------------


def _size(file_obj) -> int:
    size = getattr(file_obj, "size", None)
    if size is None:
        file_obj.seek(0, 2)
        size = file_obj.tell()
    file_obj.seek(0)
    return size


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a character cut at the end of the sample
                return True
    return False


def _check_content(file_obj) -> None:
    """Size and kind of the file, then its zip directory (never its contents)."""
    size = _size(file_obj)
    if size == 0:
        raise ImportRefused("文件是空的。")
    if size > MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件有 {size / MB:.1f}MB，超过 {MAX_UPLOAD_BYTES // MB}MB 的上限，请拆分后再上传。")
    head = file_obj.read(4096)
    file_obj.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ImportRefused("这是旧版 Excel（.xls）文件：请另存为 .xlsx 后再上传。")
    if not head.startswith(ZIP_MAGIC):
        if _looks_like_text(head):
            raise ImportRefused("这是文本或 CSV 文件，不是 Excel 工作簿：请在 Excel 中打开，另存为 .xlsx 后再上传。")
        raise ImportRefused("这不是 Excel 工作簿（.xlsx）。")


def _check_archive(file_obj) -> None:
    """Refuse zip bombs, macro workbooks, non-workbooks and corrupt archives from the directory
    alone. The declared sizes are binding: Python's zip reader never inflates an entry beyond its
    declared `file_size` (it fails the CRC check instead), so their sum bounds the work."""
    try:
        with zipfile.ZipFile(file_obj) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportRefused("文件已损坏，无法打开：请在 Excel 中重新保存为 .xlsx 后再上传。") from None
    finally:
        file_obj.seek(0)
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportRefused(f"文件内部有 {len(entries)} 个部件，超过 {MAX_ZIP_ENTRIES} 个，不像正常的工作簿，已拒绝。")
    uncompressed = sum(entry.file_size for entry in entries)
    if uncompressed > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(f"文件解压后有 {uncompressed / MB:.0f}MB，超过 {MAX_UNCOMPRESSED_BYTES // MB}MB 的上限"
                            f"（疑似压缩炸弹），已拒绝。")
    names = {entry.filename for entry in entries}
    if any(name.lower().rsplit("/", 1)[-1].startswith("vbaproject") for name in names):
        raise ImportRefused("文件含宏（VBA 代码），已拒绝：请另存为不含宏的 .xlsx 后再上传。")
    if "xl/workbook.xml" not in names:
        raise ImportRefused("这不是 Excel 工作簿（缺少 xl/workbook.xml），可能是 WPS、Word 或其他压缩文件。")


def check_upload(file_obj, name: str) -> None:
    """Refuse, with `ImportRefused`, a file that must not be parsed: empty or over
    `MAX_UPLOAD_BYTES`; an old `.xls`, a CSV or any non-zip; a name not ending in `.xlsx`; a zip
    over `MAX_UNCOMPRESSED_BYTES` uncompressed or with more than `MAX_ZIP_ENTRIES` entries; a
    macro project; no `xl/workbook.xml`; a corrupt zip. Leaves `file_obj` at its start."""
    _check_content(file_obj)
    lower = (name or "").lower()
    if lower.endswith(".xlsm"):
        raise ImportRefused("不接受含宏的工作簿（.xlsm）：请另存为 .xlsx 后再上传。")
    if not lower.endswith(".xlsx"):
        raise ImportRefused("只接受 .xlsx 文件。")
    _check_archive(file_obj)


# --- Headers ---------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_parts(value) -> tuple[str, str | None, str | None]:
    """(base name, unit, field) of a header cell: "总投资（万元）" → ("总投资", "万元", "total_investment")."""
    if _blank(value) or not isinstance(value, str | int | float):
        return "", None, None
    text = excel.normalise_text(str(value)).strip("*※")
    unit = None
    match = re.search(r"\(([^()]*)\)$", text)
    if match:
        unit_text = re.sub(r"^单位[:：]?", "", match[1])
        text = text[: match.start()]
        unit = UNIT_WORDS.get(unit_text, unit_text)
    return text, unit, SYNONYM_FIELD.get(text)


@dataclass
class Column:
    index: int  # 0-based
    header: str  # as written (the lower header cell when there are two)
    field: str | None
    unit: str | None

    @property
    def label(self) -> str:
        return f"{get_column_letter(self.index + 1)}列「{self.header}」"


def _find_header(rows: list[tuple]) -> int | None:
    for index, row in enumerate(rows):
        if any(_header_parts(value)[2] == "title" for value in row):
            return index
    return None


def _is_sub_header(row: tuple, title_index: int) -> bool:
    """A second header row: nothing under the title, and at least one known header name."""
    title_cell = row[title_index] if title_index < len(row) else None
    return _blank(title_cell) and any(_header_parts(value)[2] for value in row)


def _is_group_header(row: tuple) -> bool:
    """A row of group headers above the header row ("投资额（万元）" over "总投资 | 固定资产投资"):
    two cells or more, one a known header or a named amount with its unit (not a title with a
    bare "（单位：万元）" next to it)."""
    parts = [_header_parts(value) for value in row if not _blank(value)]
    return len(parts) >= 2 and any(base and (unit or field_name) for base, unit, field_name in parts)


def _columns(top: tuple | None, bottom: tuple) -> list[Column]:
    """Combine one or two header rows into columns. A merged top cell reads as None beyond its
    first column, so an empty top cell over a filled lower cell inherits the previous top cell."""
    width = max(len(bottom), len(top or ()))
    columns, inherited = [], None
    for index in range(width):
        lower = bottom[index] if index < len(bottom) else None
        upper = top[index] if top is not None and index < len(top) else None
        if not _blank(upper):
            inherited = upper
        elif not _blank(lower):
            upper = inherited
        lower_parts, upper_parts = _header_parts(lower), _header_parts(upper)
        if lower_parts[2] or (not upper_parts[2] and lower_parts[0]):
            chosen, other, written = lower_parts, upper_parts, lower
        elif upper_parts[0]:
            chosen, other, written = upper_parts, lower_parts, upper
        else:
            continue
        header = re.sub(r"\s+", "", str(written))
        columns.append(Column(index=index, header=header, field=chosen[2], unit=chosen[1] or other[1]))
    return columns


# --- Cells -----------------------------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, str):
        return value.replace("\u3000", " ").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _max_length(field_name: str) -> int:
    if field_name == "enterprise_name":
        return Enterprise._meta.get_field("name").max_length
    return Lead._meta.get_field(field_name).max_length or MAX_LONG_TEXT


def _choice(words: dict, value) -> str:
    text = excel.normalise_text(_text(value)).upper()
    for choice, names in words.items():
        if text in (excel.normalise_text(name).upper() for name in names):
            return choice
    accepted = "、".join(name for names in words.values() for name in names)
    raise ValueError(f"无法识别“{_text(value)}”，可填：{accepted}")


class _Lookups:
    """The teams and industries, loaded once per file."""

    def __init__(self):
        self.stations = {}
        for station in Station.objects.all():
            self.stations[station.code.upper()] = station
            self.stations[station.name] = station
        self.industries = {}
        for industry in Industry.objects.all():
            self.industries[industry.code.upper()] = industry
            self.industries[industry.name] = industry

    def station(self, value) -> Station:
        text = _text(value)
        station = self.stations.get(text.upper()) or self.stations.get(text)
        if station is None:
            raise ValueError(f"没有这个团队：{text}（请填写团队代码或全称）")
        if not station.is_active:
            raise ValueError(f"团队“{station.name}”已撤销")
        return station

    def industry(self, value) -> Industry:
        text = _fold(_text(value))
        found = self.industries.get(text.upper()) or self.industries.get(text)
        if found is None and " " in text:  # "C38 电气机械和器材制造业", as exported
            code, name = text.split(" ", 1)
            candidate = self.industries.get(code.upper())
            if candidate is not None and candidate.name == name:
                found = candidate
        if found is None:
            raise ValueError(f"无法识别“{_text(value)}”：请填写国民经济行业分类代码（如 C38）"
                             f"或名称（如 电气机械和器材制造业）")
        return found


def _fold(text: str) -> str:
    """Full-width folded and spaces collapsed (not removed: "C38 电气机械…" keeps its space)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


# --- Reading --------------------------------------------------------------------------------------


def read_ledger(file_obj, *, user, default_station: Station | None = None) -> ImportReport:
    """Read and validate a ledger without writing anything.

    Re-checks the file as `check_upload` does (except its name) and raises `ImportRefused` for
    a file that must not be parsed. Everything else — a missing column, an unreadable cell, a
    team the user may not file for, a duplicate — is reported in the returned `ImportReport`.
    Rows without a team take `default_station`; without one, the 所属团队 column is required.
    """
    _check_content(file_obj)
    _check_archive(file_obj)
    report = ImportReport(user_pk=user.pk)
    try:
        with excel.ledger_rows(file_obj) as rows:
            _read(rows, report, user=user, default_station=default_station)
    except excel.UnreadableWorkbook:
        report.file_errors.append("无法读取该文件：它可能已损坏，或不是 Excel 工作簿（.xlsx）。")
        report.rows = []
    return report


def _too_wide(row: tuple) -> bool:
    return len(row) > MAX_COLUMNS and any(not _blank(value) for value in row[MAX_COLUMNS:])


def _read(rows, report: ImportReport, *, user, default_station) -> None:
    head = []
    for row in rows:
        if _too_wide(row):
            report.file_errors.append(f"表格超过 {MAX_COLUMNS} 列，已停止读取：请删除多余的列后再上传。")
            return
        head.append(row)
        if len(head) == HEADER_SCAN_ROWS + 1:  # one more, for a second header row under the 15th
            break
    header_index = _find_header(head[:HEADER_SCAN_ROWS])
    if header_index is None:
        report.file_errors.append(f"找不到「项目名称」列：前 {HEADER_SCAN_ROWS} 行中没有含“项目名称”的表头行。")
        return
    title_index = next(i for i, value in enumerate(head[header_index]) if _header_parts(value)[2] == "title")
    top, bottom, first_header, last_header = None, head[header_index], header_index, header_index
    if header_index + 1 < len(head) and _is_sub_header(head[header_index + 1], title_index):
        top, bottom, last_header = head[header_index], head[header_index + 1], header_index + 1
    elif header_index > 0 and _is_group_header(head[header_index - 1]):
        top, first_header = head[header_index - 1], header_index - 1
    columns = _columns(top, bottom)
    if len(columns) > MAX_COLUMNS:
        report.file_errors.append(f"表格超过 {MAX_COLUMNS} 列，已停止读取：请删除多余的列后再上传。")
        return
    sheet_unit = None
    for row in head[:first_header]:
        for value in row:
            match = SHEET_UNIT.search(excel.normalise_text(value)) if isinstance(value, str) else None
            sheet_unit = sheet_unit or (match[1] if match else None)
    if not _check_columns(columns, report, default_station=default_station, sheet_unit=sheet_unit):
        return
    if top is not None:
        report.notes.append(f"表头在第 {first_header + 1}–{last_header + 1} 行，两行表头已合并读取。")

    lookups = _Lookups()
    data_rows = 0
    earlier: list[tuple[int, str, str, str]] = []  # (row number, credit code, normalised name, title)

    def data(start):
        yield from ((number, row) for number, row in enumerate(head[start:], start=start + 1))
        yield from ((number, row) for number, row in enumerate(rows, start=len(head) + 1))

    row_limit = HEADER_SCAN_ROWS + 2 * MAX_ROWS
    for number, row in data(last_header + 1):
        if number > row_limit:
            report.file_errors.append(f"表格行数（含空行）超过 {row_limit} 行，已停止读取。")
            return
        if _too_wide(row):
            report.file_errors.append(f"第{number}行超过 {MAX_COLUMNS} 列，已停止读取：请删除多余的列后再上传。")
            return
        skip = _skip_reason(row, columns)
        if skip is not None:
            if skip:
                report.notes.append(f"第{number}行{skip}，已跳过。")
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            report.file_errors.append(f"数据超过 {MAX_ROWS} 行，已停止读取：请拆分成多个文件后再导入。")
            return
        result = _row(number, row, columns, lookups, user=user, default_station=default_station,
                      sheet_unit=sheet_unit)
        _check_within_file(result, earlier)
        if result.title and not result.errors:
            _check_database(result)
        report.rows.append(result)
        if result.ledger_date_ignored and LEDGER_DATE_NOTE not in report.notes:
            report.notes.append(LEDGER_DATE_NOTE)


def _check_columns(columns: list[Column], report: ImportReport, *, default_station, sheet_unit) -> bool:
    fields: dict[str, Column] = {}
    unknown = []
    for column in columns:
        if column.field is None:
            unknown.append(column.header)
            continue
        if column.field == "_number":
            continue
        if column.field in fields:
            report.file_errors.append(f"{fields[column.field].label}和{column.label}都表示“{FIELD_LABEL[column.field]}”，"
                                      f"请只保留一列。")
        fields[column.field] = column
        allowed = FIELD_UNITS.get(column.field)
        if allowed and column.unit and column.unit not in allowed:
            report.file_errors.append(f"{column.label}的单位“{column.unit}”无法识别，可用：{'、'.join(allowed)}。")
    if "station" not in fields and default_station is None:
        report.file_errors.append("缺少「所属团队」列：请增加这一列，填写团队代码或全称（或从团队页面上传）。")
    if unknown:
        report.notes.append("以下列无法识别，已忽略：" + "、".join(unknown) + "。")
    if sheet_unit:
        report.notes.append(f"表头未注明单位的金额按表格标注的“单位：{sheet_unit}”读取。")
    return not report.file_errors


def _skip_reason(row: tuple, columns: list[Column]) -> str | None:
    """None for a data row; "" for a blank row; otherwise why the row is skipped."""
    filled = [value for value in row if not _blank(value)]
    if not filled:
        return ""
    first = [excel.normalise_text(value) for value in filled[:2] if isinstance(value, str)]
    if any(TOTAL_ROW.match(text) for text in first):
        return "是合计行"
    by_field = {column.field: row[column.index] for column in columns if column.index < len(row)}
    if isinstance(by_field.get("_number"), str) and by_field["_number"].strip() == excel.EXAMPLE_MARK:
        return "是示例行"
    if all(_blank(value) for name, value in by_field.items() if name not in (None, "_number")):
        return "没有项目信息"
    return None


def _row(number, row, columns, lookups: _Lookups, *, user, default_station, sheet_unit) -> RowResult:
    result = RowResult(row_number=number)
    values, errors = result.values, result.errors
    cells = {column.field: (column, row[column.index] if column.index < len(row) else None)
             for column in columns if column.field not in (None, "_number")}
    parsed = {}
    for name, (column, value) in cells.items():
        if _blank(value):
            continue
        if excel.is_formula(value):
            errors.append(f"{column.label}{FORMULA_ERROR}")
            continue
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            errors.append(f"{column.label}是错误值 {value.strip()}，请填写数值或文字")
            continue
        try:
            parsed[name] = _parse(name, value, column, lookups, sheet_unit=sheet_unit)
        except ValueError as exc:
            errors.append(f"{column.label}{exc}")

    def label(name):
        return cells[name][0].label if name in cells else f"「{FIELD_LABEL[name]}」"

    if "title" not in parsed and not any(label("title") in error for error in errors):
        errors.append(f"{label('title')}为空：项目名称必填")
    station = parsed.pop("station", None) or default_station
    if station is None:
        if not any(label("station") in error for error in errors):
            errors.append(f"{label('station')}为空：请填写团队代码或全称")
    elif not (access.can_file(user, station) or has_role(user, Role.BUREAU)):
        errors.append(f"{label('station')}“{station.name}”：不能为其他团队导入")
    else:
        values["station"] = station
    if parsed.get("credit_code") and not parsed.get("enterprise_name"):
        errors.append(f"{label('enterprise_name')}为空：填写了统一社会信用代码，请同时填写企业名称")
    currency = parsed.get("currency", "CNY")
    if parsed.get("origin") == "foreign" and currency == "CNY":
        errors.append(f"{label('currency')}：外资项目请填写外币币种")
    if currency != "CNY":
        for name in ("exchange_rate", "exchange_rate_date"):
            if name not in parsed and not any(label(name) in error for error in errors):
                errors.append(f"{label(name)}为空：外币金额需填写汇率和汇率日期")
    total, fixed = parsed.get("total_investment"), parsed.get("fixed_asset_investment")
    if total is not None and fixed is not None and fixed > total:
        errors.append(f"{label('fixed_asset_investment')}不能大于总投资")
    filed_on = parsed.pop("filed_on", None)
    # The filing time establishes first-provider priority: only the bureau, which keeps the filing
    # record, may carry a ledger's earlier 申报日期 over; a team's import is filed now.
    if filed_on and has_role(user, Role.BUREAU):
        values["filed_at"] = datetime.datetime.combine(filed_on, FILED_AT_TIME, tzinfo=FILED_AT_ZONE)
    else:
        values["filed_at"] = None
        result.ledger_date_ignored = bool(filed_on)
    # A bureau import credits nobody by default: the first provider is whoever the ledger names.
    values["credit_filer"] = not has_role(user, Role.BUREAU)
    values.update(parsed)
    if not errors:
        _model_check(result, cells)
    if values.get("credit_code"):
        existing = Enterprise.objects.filter(credit_code=values["credit_code"]).first()
        if existing and normalise_enterprise_name(existing.name) != normalise_enterprise_name(
                values.get("enterprise_name", "")):
            result.warnings.append(f"{label('credit_code')}属于已有企业“{existing.name}”，导入后将关联到该企业")
    return result


def _parse(name, value, column: Column, lookups: _Lookups, *, sheet_unit):
    """One cell's value for field `name`, or `ValueError` with the reason (without the column)."""
    if name in TEXT_FIELDS:
        text = _text(value)
        limit = _max_length(name)
        if len(text) > limit:
            raise ValueError(f"超过{limit}个字（现有{len(text)}个字）")
        return text
    if name == "station":
        return lookups.station(value)
    if name == "credit_code":
        code = excel.normalise_text(_text(value)).upper()
        try:
            validate_credit_code(code)
        except ValidationError:
            if len(code) != 18:
                raise ValueError(f"应为18位（现有{len(code)}位）：{code}") from None
            raise ValueError(f"无效（应为18位数字和大写字母，不含I、O、Z、S、V，且校验位正确）：{code}") from None
        return code
    if name == "source":
        return _choice(excel.SOURCE_WORDS, value)
    if name == "category":
        return _choice(excel.CATEGORY_WORDS, value)
    if name == "origin":
        return _choice(excel.ORIGIN_WORDS, value)
    if name == "currency":
        return _choice(excel.CURRENCY_WORDS, value)
    if name == "industry":
        return lookups.industry(value)
    if name in MONEY_FIELDS:
        return excel.parse_amount(value, unit_hint=column.unit or sheet_unit)
    if name == "exchange_rate":
        return excel.parse_number(value, decimal_places=6, max_value=Decimal("999999.999999"))
    if name == "land_mu":
        return excel.parse_number(value, max_value=Decimal("99999999.99"))
    if name == "factory_sqm":
        return excel.parse_number(value, max_value=Decimal("9999999999.99"))
    if name in ("filed_on", "exchange_rate_date"):
        return excel.parse_date(value)
    if name == "tags":
        tags = [tag for tag in TAG_SEPARATORS.split(_text(value)) if tag]
        limit = Tag._meta.get_field("name").max_length
        too_long = [tag for tag in tags if len(tag) > limit]
        if too_long:
            raise ValueError(f"标签“{too_long[0]}”超过{limit}个字")
        return list(dict.fromkeys(tags))
    raise AssertionError(name)


def _model_check(result: RowResult, cells) -> None:
    """The model's own field validation as a last guard, so a valid report commits cleanly."""
    fields = {name: value for name, value in result.values.items() if name in services.LEAD_FIELDS
              and name not in ("enterprise", "investor_contact", "industry", "previous_phase")}
    lead = Lead(**fields)
    exclude = [f.name for f in Lead._meta.get_fields() if f.name not in fields]
    try:
        lead.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            where = cells[name][0].label if name in cells else name
            result.errors.append(f"{where}" + "；".join(messages))


def _check_within_file(result: RowResult, earlier: list) -> None:
    """The same project twice in one file: the later row is an error naming the earlier one."""
    title = result.values.get("title", "")
    code = result.values.get("credit_code", "")
    name = normalise_enterprise_name(result.values.get("enterprise_name", ""))
    for number, other_code, other_name, other_title in earlier:
        if code and code == other_code:
            result.errors.append(f"与第{number}行重复（统一社会信用代码相同）")
            break
        if name and name == other_name and title and (
                difflib.SequenceMatcher(None, other_title, title).ratio() >= services.TITLE_SIMILARITY):
            result.errors.append(f"与第{number}行疑似同一项目（企业名称相同、项目名称相近）")
            break
    if title:
        earlier.append((result.row_number, code, name, title))


def _check_database(result: RowResult) -> None:
    found = services.possible_duplicates(title=result.values["title"],
                                         enterprise_name=result.values.get("enterprise_name", ""),
                                         credit_code=result.values.get("credit_code", ""))
    if found:
        ids = "、".join(f"#{lead.pk}" for lead in found)
        result.warnings.append(f"疑似与已有线索 {ids} 重复，导入后标记为疑似重复，由招商局认定")


# --- Saving ---------------------------------------------------------------------------------------


def import_commit(report: ImportReport, *, user) -> list[Lead]:
    """File every row of a valid report as `user`, in one transaction: all rows or none.

    Raises `ValueError` (nothing saved) if the report is not valid, was read for another user,
    or if a row fails when saved (the database changed since the report was read).
    """
    if not report.is_valid:
        raise ValueError("导入报告中有错误，未导入任何数据。")
    if report.user_pk != user.pk:
        raise ValueError("导入报告是为其他用户生成的，请重新上传。")
    leads = []
    with transaction.atomic():
        for row in report.rows:
            try:
                leads.append(services.lead_file(user=user, **row.values))
            except ValidationError as exc:
                raise ValueError(f"第{row.row_number}行无法保存：{'；'.join(exc.messages)}。未导入任何数据。") from exc
            except PermissionDenied as exc:
                raise ValueError(f"第{row.row_number}行：不能为其他团队导入。未导入任何数据。") from exc
    return leads
