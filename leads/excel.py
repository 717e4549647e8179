"""Excel for leads: the import template, the ledger reader, the lead export and the monthly
major-lead report (重大项目线索专报). The only module in `leads` that touches openpyxl.

Contracts:

* Money is `Decimal` in 元 everywhere in the app; workbooks show it in 万元.
* `parse_amount` and `parse_date` read one cell of a bureau's ledger and raise `ValueError` with a
  Chinese message saying exactly why a value cannot be read unambiguously; they never guess.
* Every exported cell that holds user text is written as text (`stations.exports.text_cell`), so
  a title such as `=HYPERLINK(…)` is never a formula, and every sheet carries the "内部资料" marking.
* `ledger_rows` opens an upload read-only with formulas unevaluated; callers must have run
  `leads.imports.check_upload` on it first (size, type and zip-bomb checks happen there).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from stations.exports import marking, text_cell
from stations.names import person_name

from .models import Category, Origin, Source, Stage

# --- Vocabulary of the ledgers ------------------------------------------------------------------
# The Chinese words below are the import format's contract (bureaus type them into spreadsheets),
# so they are fixed here rather than taken from translations; the export writes the first word.

SOURCE_WORDS = {
    Source.STATION: ("驻外站", "驻外招商站", "招商站"),
    Source.BUSINESS_REFERRAL: ("以商招商",),
    Source.AGENCY: ("委托招商", "中介招商"),
    Source.ALL_STAFF: ("全员招商",),
    Source.FAIR: ("展会", "展会招商", "活动"),
}
CATEGORY_WORDS = {
    Category.INDUSTRIAL: ("工业",),
    Category.TERTIARY: ("三产", "服务业", "第三产业"),
    Category.AGRICULTURAL: ("农业",),
    Category.REAL_ESTATE: ("房地产",),
    Category.FACTORY_LEASING: ("标准化厂房租赁", "厂房租赁"),
    Category.CAPITAL_INCREASE: ("增资扩股",),
    Category.OTHER: ("其他",),
}
ORIGIN_WORDS = {Origin.DOMESTIC: ("内资",), Origin.FOREIGN: ("外资",)}
CURRENCY_WORDS = {
    "CNY": ("人民币", "CNY", "RMB"), "USD": ("美元", "USD"), "EUR": ("欧元", "EUR"), "HKD": ("港元", "港币", "HKD"),
    "JPY": ("日元", "JPY"), "GBP": ("英镑", "GBP"), "TWD": ("新台币", "TWD"), "KRW": ("韩元", "KRW"),
    "SGD": ("新加坡元", "SGD"),
}
LEAD_CLASS_WORDS = {"raw": "原始项目信息", "complete": "完整招商信息", "qualified": "精准招商信息",
                    "duplicate": "重复信息"}


def word_for(words: dict, value: str) -> str:
    """The Chinese word written for a choice value (the first of its words)."""
    return words[value][0] if value in words else value


# --- Template columns -----------------------------------------------------------------------------
# (header, what it holds, accepted formats, example). The importer recognises these headers and
# their synonyms (see `leads.imports.HEADER_SYNONYMS`); the export uses the same columns.

EXAMPLE_MARK = "示例"
TEMPLATE_COLUMNS = [
    ("序号", "行号，可不填。", "填“示例”的行不会导入。", EXAMPLE_MARK),
    ("所属团队", "报送线索的驻外站或招商小组。", "团队代码（如 SH）或全称；从某一团队的页面上传时可不填此列。",
     "SH"),
    ("项目名称", "必填。", "最多200个字。", "年产10GWh锂电池项目"),
    ("企业名称", "投资方企业全称。", "最多200个字。", "宁德示例新能源科技有限公司"),
    ("统一社会信用代码", "投资方的18位统一社会信用代码，可不填。", "18位数字和大写字母。", "91350100M000100Y43"),
    ("项目内容", "建设内容、产品、规模等。", "文字。", "建设锂电池电芯及模组生产线"),
    ("信息来源", "线索从何而来。", "驻外站、以商招商、委托招商、全员招商、展会；不填按“驻外站”。", "驻外站"),
    ("项目类别", "项目的类别。", "工业、三产（服务业）、农业、房地产、标准化厂房租赁、增资扩股、其他；不填按“工业”。",
     "工业"),
    ("所属行业", "国民经济行业分类（GB/T 4754）。", "行业代码（如 C38）或名称（如 电气机械和器材制造业）。", "C38"),
    ("内外资", "内资或外资。", "内资、外资；不填按“内资”。", "内资"),
    ("币种", "外资项目的币种。", "人民币、美元、欧元、港元、日元、英镑等；不填按人民币。", "人民币"),
    ("汇率", "外币折合人民币的汇率。", "外币项目必填，如 7.1234。", ""),
    ("汇率日期", "汇率所取的日期。", "外币项目必填，日期格式同申报日期。", ""),
    ("总投资（万元）", "计划总投资。", "数字（单位见表头），或带单位的文字如 1.2亿、5000万元、3,000。", 120000),
    ("固定资产投资（万元）", "计划固定资产投资，不超过总投资。", "同总投资。", 100000),
    ("用地需求（亩）", "需要的土地面积。", "数字，最多两位小数。", 200),
    ("厂房需求（平方米）", "需要的厂房面积。", "数字，最多两位小数。", 50000),
    ("水电气需求", "用水、用电、用气的需求。", "最多200个字。", "双回路供电"),
    ("政策需求", "希望得到的政策支持。", "最多200个字。", "设备补贴"),
    ("其他要求", "投资方的其他要求。", "文字。", ""),
    ("投资方联系人", "投资方的联系人姓名。", "最多100个字。", "王经理"),
    ("联系电话", "投资方联系人的电话。", "最多100个字。", "13800000000"),
    ("首次提供人", "不是本人提供时，填写首次提供线索的人。", "最多100个字；不填则为导入人。", ""),
    ("提供人单位", "首次提供人的单位。", "最多100个字。", ""),
    ("申报日期", "申报备案的日期，决定首次提供的先后。", "2025-03-05、2025/3/5、2025.3.5、2025年3月5日或 Excel 日期；"
     "不能晚于今天；不填则为导入时间。", datetime.date(2025, 3, 5)),
    ("标签", "自定义标签。", "多个标签用顿号或逗号分隔，每个最多30个字。", "新能源、重点"),
]
TEMPLATE_HEADERS = [column[0] for column in TEMPLATE_COLUMNS]
EXPORT_EXTRA_HEADERS = ["本站首次提供人", "阶段", "线索分类", "申报时间", "线索编号"]
RATE_COLUMN = TEMPLATE_HEADERS.index("汇率") + 1

# --- Reading cells -------------------------------------------------------------------------------

UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
TEXT_UNITS = {"元": "元", "万": "万元", "万元": "万元", "亿": "亿元", "亿元": "亿元"}
MAX_MONEY = Decimal("99999999999999.99")  # 16 digits, 2 decimals (leads.models.leads.MONEY)
CENT = Decimal("0.01")

AMOUNT_TEXT = re.compile(r"^(?P<number>\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?P<unit>亿元|亿|万元|万|元)?$")
APPROXIMATE = re.compile(r"约|左右|以上|以下|多|余|近|超|不低于|不少于|不超过|至|到|~|～|\d\s*-\s*\d|/")
CHINESE_NUMERALS = re.compile(r"[零〇一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟]")
CURRENCY_TEXT = re.compile(r"美元|欧元|港元|港币|日元|英镑|韩元|台币|\$|USD|EUR|HKD|JPY|GBP", re.IGNORECASE)
UNIT_CHARS = re.compile(r"亿|万")

DATE_DASHED = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$")
DATE_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
EARLIEST_DATE = datetime.date(1990, 1, 1)
LAST_EXCEL_SERIAL = 2958465  # 9999-12-31


def normalise_text(value: str) -> str:
    """Full-width characters folded to their ASCII forms (１２３ → 123, （ → (), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def _cell_number(value) -> Decimal:
    """A number read from a cell as `Decimal`: Excel keeps 15 significant digits, so a float's
    binary noise (0.30000000000000004) is dropped rather than reported as extra decimals."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("不是数字")
        return Decimal(format(value, ".15g"))
    return Decimal(value)


def parse_amount(value, *, unit_hint: str | None = "元") -> Decimal:
    """An amount of money in 元 (two decimal places) from a ledger cell.

    Numbers (int, float, Decimal) are in `unit_hint` ("元", "万元" or "亿元", from the column
    header; None when the sheet does not say, in which case a bare number is refused). Text may
    carry its own unit — "1.2亿", "5000万元", "3,000", "3000元", full-width digits — which wins
    over the hint. Raises `ValueError` (Chinese message) for negatives, more than two decimals of
    元 after conversion, approximate or spelled-out amounts, mixed units and anything else.
    """
    if value is None or isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError("不是金额")
    if unit_hint is not None and unit_hint not in UNIT_FACTORS:
        raise ValueError(f"无法识别的金额单位：{unit_hint}")
    if isinstance(value, int | float | Decimal):
        try:
            number = _cell_number(value)
        except (ValueError, InvalidOperation):
            raise ValueError("不是金额") from None
        shown, unit, text_unit = format(number, "f"), unit_hint, None
    elif isinstance(value, str):
        shown = value.strip()
        text = normalise_text(value).replace("−", "-")
        if not text:
            raise ValueError("金额为空")
        if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
            raise ValueError(f"金额不能为负数：{shown}")
        if CHINESE_NUMERALS.search(text):
            raise ValueError(f"请用阿拉伯数字填写金额：{shown}")
        if APPROXIMATE.search(text):
            raise ValueError(f"不是确切金额（含“约”“以上”或范围等）：{shown}")
        if CURRENCY_TEXT.search(text):
            raise ValueError(f"金额中不要写币种，外币请在「币种」列注明：{shown}")
        if len(UNIT_CHARS.findall(text)) > 1:
            raise ValueError(f"金额含多个单位，无法确定：{shown}")
        match = AMOUNT_TEXT.match(text)
        if not match:
            if re.fullmatch(r"[\d,]+(\.\d+)?(亿元|亿|万元|万|元)?", text):
                raise ValueError(f"千分位逗号的位置不对，无法确定金额：{shown}")
            raise ValueError(f"不是金额：{shown}")
        number = Decimal(match["number"].replace(",", ""))
        text_unit = TEXT_UNITS[match["unit"]] if match["unit"] else None
        unit = text_unit or unit_hint
    else:
        raise ValueError("不是金额")
    if number < 0:
        raise ValueError(f"金额不能为负数：{shown}")
    if unit is None:
        raise ValueError(f"未注明金额单位：{shown}（请在表头写明“（万元）”，或在金额后写明单位，如 5000万元）")
    amount = number * UNIT_FACTORS[unit]
    if amount > MAX_MONEY:
        raise ValueError(f"金额过大：{shown}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"金额换算为元后超过两位小数：{shown}" + ("" if text_unit else f"（单位：{unit}）"))
    return amount.quantize(CENT)


def parse_number(value, *, decimal_places: int = 2, max_value: Decimal | None = None) -> Decimal:
    """A non-negative quantity (land in 亩, factory space in m², an exchange rate) from a cell."""
    if value is None or isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError("不是数字")
    if isinstance(value, int | float | Decimal):
        try:
            number = _cell_number(value)
        except (ValueError, InvalidOperation):
            raise ValueError("不是数字") from None
        shown = str(value)
    elif isinstance(value, str):
        shown = value.strip()
        text = normalise_text(value)
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(f"不是数字：{shown}")
        number = Decimal(text)
    else:
        raise ValueError("不是数字")
    if number < 0:
        raise ValueError(f"不能为负数：{shown}")
    if number > (max_value if max_value is not None else MAX_MONEY):
        raise ValueError(f"数值过大：{shown}")
    step = Decimal(1).scaleb(-decimal_places)
    if number != number.quantize(step):
        raise ValueError(f"最多{decimal_places}位小数：{shown}")
    return number.quantize(step)


def parse_date(value, *, today: datetime.date | None = None) -> datetime.date:
    """A date from a ledger cell: a date or datetime cell, an Excel serial number (1900 date
    system), or text "2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日". Raises `ValueError`
    (Chinese message) for anything else, impossible dates, dates before 1990 and future dates."""
    today = today or timezone.localdate()
    hint = "（请写作 2025-03-05、2025.3.5 或 2025年3月5日）"
    if value is None or isinstance(value, bool | datetime.time):
        raise ValueError(f"不是日期{hint}")
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    elif isinstance(value, int | float | Decimal):
        if not 1 <= value <= LAST_EXCEL_SERIAL:
            raise ValueError(f"不是日期：{value}{hint}")
        result = from_excel(float(value)).date()
    elif isinstance(value, str):
        text = normalise_text(value)
        match = DATE_DASHED.match(text)
        parts = (match[1], match[3], match[4]) if match else None
        if not parts:
            match = DATE_CHINESE.match(text)
            parts = (match[1], match[2], match[3]) if match else None
        if not parts:
            raise ValueError(f"不是日期：{value.strip()}{hint}")
        try:
            result = datetime.date(*(int(part) for part in parts))
        except ValueError:
            raise ValueError(f"日期不存在：{value.strip()}") from None
    else:
        raise ValueError(f"不是日期{hint}")
    if result < EARLIEST_DATE:
        raise ValueError(f"日期过早：{result:%Y-%m-%d}（是否填错了列？）")
    if result > today:
        raise ValueError(f"日期晚于今天：{result:%Y-%m-%d}")
    return result


def is_formula(value) -> bool:
    """A cell read with `data_only=False` that holds a formula (or text that looks like one)."""
    if isinstance(value, str):
        return value.strip().startswith("=")
    return isinstance(value, ArrayFormula | DataTableFormula)


class UnreadableWorkbook(Exception):
    """openpyxl could not read the file as a workbook (whatever it raised is the cause)."""


@contextlib.contextmanager
def ledger_rows(file_obj):
    """The first worksheet of an uploaded workbook as an iterator of row tuples (cell values).

    Opened read-only with `data_only=False`: formulas are never evaluated and come back as text
    starting with "=" (or as an array-formula object). The sheet's declared dimensions are ignored
    (a hostile file could declare a million empty rows); only rows actually present are read, and
    a gap of missing rows comes back as empty tuples. Any failure of openpyxl, on opening or while
    reading, is raised as `UnreadableWorkbook`.
    """
    try:
        workbook = load_workbook(file_obj, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise UnreadableWorkbook from exc
    try:
        yield _guarded(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _guarded(rows):
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise UnreadableWorkbook from exc
        yield tuple(row)


# --- Writing workbooks ---------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
MARKING_FONT = Font(bold=True, color="C00000")
WRAP = Alignment(wrap_text=True, vertical="top")
WAN = Decimal(10_000)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _headers(sheet, row, headers, widths=None):
    for column, header in enumerate(headers, start=1):
        text_cell(sheet, row, column, header).font = HEADER_FONT
        sheet.column_dimensions[get_column_letter(column)].width = (widths or {}).get(header, 16)


def _write_row(sheet, row, values):
    for column, value in enumerate(values, start=1):
        cell = text_cell(sheet, row, column, value)
        if isinstance(value, datetime.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, Decimal):
            cell.number_format = "#,##0.00"


def in_wan(amount: Decimal | None) -> Decimal | None:
    """元 → 万元, exact (a 元 amount has at most 6 decimals in 万元); shown with 2 decimals."""
    return None if amount is None else (amount / WAN).normalize() + Decimal("0.00")


def template_workbook() -> bytes:
    """The import template: one header row with an example row (marked 示例, never imported), and
    a second sheet "填写说明" explaining each column and the accepted formats."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "线索台账"
    _headers(sheet, 1, TEMPLATE_HEADERS, widths={"项目名称": 28, "企业名称": 28, "项目内容": 30,
                                                   "统一社会信用代码": 22})
    _write_row(sheet, 2, [column[3] if column[3] != "" else None for column in TEMPLATE_COLUMNS])
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("填写说明")
    _headers(guide, 1, ["列名", "填写内容", "可接受的格式"], widths={"填写内容": 40, "可接受的格式": 60})
    for row, (header, meaning, formats, _example) in enumerate(TEMPLATE_COLUMNS, start=2):
        for column, value in enumerate((header, meaning, formats), start=1):
            text_cell(guide, row, column, value).alignment = WRAP
    notes = [
        "只接受 .xlsx 文件（旧版 .xls 和 CSV 请先在 Excel 中另存为 .xlsx），不超过5MB、5000行。",
        "表头可以在前几行标题之下，可以是两行（如“投资额（万元）”下分“总投资”“固定资产投资”），列的顺序不限。",
        "金额的单位以表头括号中的单位为准，单元格中写明的单位（如 1.2亿、5000万元）优先；不接受“约5000万”“五千万”“待定”等。",
        "不要使用公式：含公式的单元格会被拒绝。空行和“合计”行会被跳过。",
        "导入前会逐行检查，全部无误才会保存；任何一行有错，整份文件都不会导入。",
        "疑似与已有线索重复的行仍会导入，标记为疑似重复，由招商局认定。",
    ]
    start = len(TEMPLATE_COLUMNS) + 3
    text_cell(guide, start, 1, "注意事项").font = HEADER_FONT
    for offset, note in enumerate(notes, start=1):
        text_cell(guide, start + offset, 1, note)
    return _save(workbook)


def _lead_values(lead) -> list:
    """One lead as the template's columns (without 序号)."""
    enterprise = lead.enterprise
    return [
        lead.station.name,
        lead.title,
        enterprise.name if enterprise else "",
        enterprise.credit_code if enterprise else "",
        lead.content,
        word_for(SOURCE_WORDS, lead.source),
        word_for(CATEGORY_WORDS, lead.category),
        str(lead.industry) if lead.industry_id else "",
        word_for(ORIGIN_WORDS, lead.origin),
        word_for(CURRENCY_WORDS, lead.currency),
        lead.exchange_rate,
        lead.exchange_rate_date,
        in_wan(lead.total_investment),
        in_wan(lead.fixed_asset_investment),
        lead.land_mu,
        lead.factory_sqm,
        lead.utilities,
        lead.policy_needs,
        lead.requirements_note,
        lead.investor_name,
        lead.investor_phone,
        # The outside person's name only: a station user who provided the lead has a column of its
        # own (`EXPORT_EXTRA_HEADERS`), so that reading an export back never turns them into one.
        lead.first_provider_name,
        lead.first_provider_unit,
        timezone.localtime(lead.filed_at).date(),
        "、".join(tag.name for tag in lead.tags.all()),
    ]


def leads_workbook(*, leads, user, now) -> bytes:
    """The export of `leads` (a `Lead` queryset the caller has already scoped and filtered).

    Row 1 is the "内部资料" marking, row 3 the headers: the template's columns (so an export can
    be read back by the importer) plus the station person who first provided the lead (the
    template's 首次提供人 names an outside provider only), stage, lead class, filing time and the
    lead's number.
    Amounts are numbers in 万元 shown with two decimals; user text is always text.
    """
    leads = (leads.select_related("station", "enterprise", "industry", "first_provider_user__person")
             .prefetch_related("tags", "investor_visits"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "线索"
    text_cell(sheet, 1, 1, marking(user, now)).font = MARKING_FONT
    _headers(sheet, 3, TEMPLATE_HEADERS + EXPORT_EXTRA_HEADERS, widths={"项目名称": 28, "企业名称": 28})
    row = 3
    for number, lead in enumerate(leads, start=1):
        row += 1
        lead_class, _reason = lead.lead_class()
        filed_at = timezone.localtime(lead.filed_at).replace(tzinfo=None, microsecond=0)
        provider = person_name(lead.first_provider_user) if lead.first_provider_user_id else ""
        _write_row(sheet, row, [number, *_lead_values(lead), provider, str(Stage(lead.stage).label),
                                LEAD_CLASS_WORDS[lead_class], filed_at, lead.pk])
        sheet.cell(row=row, column=RATE_COLUMN).number_format = "0.00####"
    sheet.freeze_panes = "A4"
    return _save(workbook)


def _progress(changes) -> str:
    lines = []
    for change in changes:
        when = timezone.localtime(change.at).strftime("%m-%d")
        step = str(Stage(change.to_stage).label)
        if change.from_stage:
            step = f"{Stage(change.from_stage).label} → {step}"
        lines.append(f"{when} {step}" + (f"：{change.note}" if change.note else ""))
    return "\n".join(lines)


def major_report_workbook(*, rows, user, now, year: int, month: int) -> bytes:
    """The monthly major-lead report (重大项目线索专报) for `year`-`month`.

    `rows` is a list of {"lead": Lead, "changes": [StageChange of this month]}, in the order to
    print. Columns: team, title, enterprise, total investment (万元), stage, this month's progress
    (the changes, one a line), follower and park.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年{month}月"
    text_cell(sheet, 1, 1, marking(user, now)).font = MARKING_FONT
    text_cell(sheet, 2, 1, f"重大项目线索专报（{year}年{month}月）").font = Font(bold=True, size=14)
    headers = ["序号", "所属团队", "项目名称", "企业名称", "总投资（万元）", "阶段", "本月进展", "跟进人/园区"]
    _headers(sheet, 3, headers, widths={"项目名称": 28, "企业名称": 28, "本月进展": 48, "跟进人/园区": 24})
    for number, item in enumerate(rows, start=1):
        lead = item["lead"]
        park = str(lead.transferred_to) if lead.transferred_to_id else ""
        follower = "／".join(part for part in (lead.follower, park) if part)
        values = [number, lead.station.name, lead.title, lead.enterprise.name if lead.enterprise_id else "",
                  in_wan(lead.total_investment), str(Stage(lead.stage).label), _progress(item["changes"]) or "本月无进展",
                  follower]
        _write_row(sheet, number + 3, values)
        sheet.cell(row=number + 3, column=7).alignment = WRAP
    sheet.freeze_panes = "A4"
    return _save(workbook)
