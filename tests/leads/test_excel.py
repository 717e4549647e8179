"""Excel for leads: cell parsing, the template round trip, bureaus' messy ledgers, a corpus of bad
files and bad rows (each refused with its message and nothing saved), the export, the monthly
major-lead report and `manage.py import_leads`."""

import datetime
import functools
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.formula import ArrayFormula

from leads import excel, imports, services
from leads.imports import ImportRefused, check_upload, import_commit, read_ledger
from leads.models import Category, DuplicateStatus, Enterprise, Lead, Origin, Source, Stage, StageChange, Tag

from ..factories import UserFactory
from .conftest import VALID_CREDIT_CODE

TODAY = timezone.localdate()
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
HEADERS = excel.TEMPLATE_HEADERS


# --- Helpers ----------------------------------------------------------------------------------------


def xlsx(rows, *, merges=(), sheet_title="台账") -> bytes:
    """A workbook whose first sheet holds `rows` (lists of cell values) from A1."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROW = {
    "序号": 1, "所属团队": "SH", "项目名称": "年产5万吨高端铝材项目", "企业名称": "江苏示例铝业有限公司",
    "项目内容": "建设高端铝型材生产线", "信息来源": "驻外站", "项目类别": "工业", "所属行业": "C32", "内外资": "内资",
    "总投资（万元）": 50000, "固定资产投资（万元）": 30000, "用地需求（亩）": 150, "厂房需求（平方米）": 20000,
    "水电气需求": "双回路供电", "政策需求": "设备补贴", "投资方联系人": "李总", "联系电话": "13900000000",
    "申报日期": datetime.date(2025, 3, 5), "标签": "新材料",
}
OTHER_ROW = {**GOOD_ROW, "序号": 2, "项目名称": "智能仓储物流中心项目", "企业名称": "上海示例物流有限公司",
             "所属行业": "G59", "项目类别": "三产"}


def ledger(*rows: dict, headers=HEADERS) -> bytes:
    """A ledger with the template's headers (or `headers`) and one row per dict (header → value)."""
    return xlsx([list(headers)] + [[row.get(header) for header in headers] for row in rows])


def state():
    """What an import may change: it must be exactly the same after any refused file."""
    return (Lead.objects.count(), Enterprise.objects.count(), StageChange.objects.count(), Tag.objects.count(),
            list(Lead.objects.values_list("pk", "title")))


def read(data: bytes, user, *, name="台账.xlsx", default_station=None):
    """The upload path: check the file, then read it."""
    check_upload(io.BytesIO(data), name)
    return read_ledger(io.BytesIO(data), user=user, default_station=default_station)


def assert_nothing_saved(report, user, before):
    assert not report.is_valid
    with pytest.raises(ValueError, match="未导入任何数据"):
        import_commit(report, user=user)
    assert state() == before


def zip_bytes(entries: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_with_extra_entries(entries: dict) -> bytes:
    """A real workbook with extra zip entries added (a macro project, padding …)."""
    source = zipfile.ZipFile(io.BytesIO(ledger(GOOD_ROW)))
    content = {info.filename: source.read(info.filename) for info in source.infolist()}
    return zip_bytes({**content, **entries})


@functools.lru_cache(maxsize=1)
def zip_bomb() -> bytes:
    """About 60 KB on disk, 51 MB of zeros when inflated, next to a real workbook.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(51):
                entry.write(chunk)
    return buffer.getvalue()


# --- Cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "hint", "expected"), [
    ("1.2亿", "万元", "120000000.00"),
    ("1.2亿元", "元", "120000000.00"),
    ("5000万", "元", "50000000.00"),
    ("5000万元", "亿元", "50000000.00"),
    ("3,000", "万元", "30000000.00"),
    ("3,000", "元", "3000.00"),
    ("3000元", "万元", "3000.00"),
    ("１２３", "元", "123.00"),
    ("  ５０００万元 ", "元", "50000000.00"),
    ("1.2345万元", "元", "12345.00"),
    (1.2345, "万元", "12345.00"),
    (0.3, "亿元", "30000000.00"),
    (5000, "万元", "50000000.00"),
    (Decimal("12.34"), "元", "12.34"),
    (0, "万元", "0.00"),
])
def test_parse_amount_reads_what_is_unambiguous(value, hint, expected):
    assert excel.parse_amount(value, unit_hint=hint) == Decimal(expected)


@pytest.mark.parametrize(("value", "hint", "message"), [
    ("-5000", "万元", "金额不能为负数：-5000"),
    (-1, "元", "金额不能为负数"),
    ("1.234", "元", "金额换算为元后超过两位小数：1.234"),
    (1.234, "元", "超过两位小数"),
    ("1.2345678万", "元", "超过两位小数"),
    ("约5000万", "元", "不是确切金额"),
    ("5000万以上", "元", "不是确切金额"),
    ("3000-5000万", "元", "不是确切金额"),
    ("五千万", "元", "请用阿拉伯数字填写金额：五千万"),
    ("待定", "元", "不是金额：待定"),
    ("1亿2000万", "元", "金额含多个单位"),
    ("500万美元", "元", "不要写币种"),
    ("3,00", "元", "千分位逗号的位置不对"),
    ("9" * 40, "元", "金额过大"),
    (1e300, "亿元", "金额过大"),
    (5000, None, "未注明金额单位"),
    (True, "元", "不是金额"),
    (datetime.date(2025, 3, 5), "元", "不是金额"),
])
def test_parse_amount_refuses_with_a_chinese_reason(value, hint, message):
    with pytest.raises(ValueError, match=message):
        excel.parse_amount(value, unit_hint=hint)


@pytest.mark.parametrize(("value", "expected"), [
    ("2025.3.5", datetime.date(2025, 3, 5)),
    ("2025年3月5日", datetime.date(2025, 3, 5)),
    ("2025-03-05", datetime.date(2025, 3, 5)),
    ("2025/3/5", datetime.date(2025, 3, 5)),
    (" ２０２５年３月５日 ", datetime.date(2025, 3, 5)),
    (45721, datetime.date(2025, 3, 5)),
    (45721.75, datetime.date(2025, 3, 5)),
    (datetime.datetime(2025, 3, 5, 14, 30), datetime.date(2025, 3, 5)),
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5)),
])
def test_parse_date_reads_ledger_dates(value, expected):
    assert excel.parse_date(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("三月五日", "不是日期：三月五日"),
    ("2025-3", "不是日期"),
    ("2025.3.5-3.8", "不是日期"),
    ("2025-03/05", "不是日期"),
    ("2025-02-30", "日期不存在：2025-02-30"),
    ("2025年13月1日", "日期不存在"),
    (5000, "日期过早"),
    # Two days ahead: still in the future if the run crosses midnight in Asia/Shanghai.
    ((TODAY + datetime.timedelta(days=2)).isoformat(), "日期晚于今天"),
    (TODAY + datetime.timedelta(days=30), "日期晚于今天"),
    (datetime.time(9, 0), "不是日期"),
])
def test_parse_date_refuses_with_a_chinese_reason(value, message):
    with pytest.raises(ValueError, match=message):
        excel.parse_date(value)


# --- Template and round trip ----------------------------------------------------------------------


def test_template_has_one_header_row_an_example_and_a_guide():
    workbook = load_workbook(io.BytesIO(excel.template_workbook()))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADERS
    example = {header: cell.value for header, cell in zip(HEADERS, sheet[2], strict=True)}
    assert example["序号"] == "示例"
    assert example["项目名称"] == "年产10GWh锂电池项目"
    assert sheet.max_row == 2
    guide = workbook["填写说明"]
    explained = {row[0].value: row[2].value for row in guide.iter_rows(min_row=2) if row[0].value in HEADERS}
    assert set(explained) == set(HEADERS)
    assert "1.2亿" in explained["总投资（万元）"]
    assert "2025年3月5日" in explained["申报日期"]


def test_round_trip_template_fill_import_export_read_back(world):
    user = world.users["chief_a"]
    workbook = load_workbook(io.BytesIO(excel.template_workbook()))
    sheet = workbook.worksheets[0]
    filled = [
        {**GOOD_ROW, "统一社会信用代码": VALID_CREDIT_CODE, "标签": "新材料、重点", "首次提供人": "张三",
         "提供人单位": "温州商会", "其他要求": "希望三个月内供地", "币种": "人民币", "总投资（万元）": 1.2345,
         "固定资产投资（万元）": 1},
        {**OTHER_ROW, "信息来源": "展会", "内外资": "外资", "币种": "美元", "汇率": 7.1234,
         "汇率日期": datetime.date(2025, 3, 1), "总投资（万元）": "2亿", "固定资产投资（万元）": "5000万元",
         "用地需求（亩）": None, "厂房需求（平方米）": None, "标签": None},
    ]
    for row in filled:
        sheet.append([row.get(header) for header in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = read(buffer.getvalue(), user)
    assert report.is_valid, report.lines()
    assert "第2行是示例行，已跳过。" in report.notes
    assert [row.row_number for row in report.rows] == [3, 4]
    leads = import_commit(report, user=user)

    first, second = (Lead.objects.get(pk=lead.pk) for lead in leads)
    assert first.total_investment == Decimal("12345.00")
    assert first.fixed_asset_investment == Decimal("10000.00")
    assert first.enterprise.credit_code == VALID_CREDIT_CODE
    assert first.first_provider_user is None and first.first_provider_name == "张三"
    assert sorted(first.tags.values_list("name", flat=True)) == ["新材料", "重点"]
    # A team's import is filed now: a ledger date cannot buy first-provider priority.
    assert timezone.now() - first.filed_at < datetime.timedelta(minutes=5)
    assert any("不作为备案时间" in note for note in report.notes)
    assert (first.source, first.category, first.industry.code) == (Source.STATION, Category.INDUSTRIAL, "C32")
    assert (second.origin, second.currency, second.exchange_rate) == (Origin.FOREIGN, "USD", Decimal("7.123400"))
    assert second.source == Source.FAIR and second.category == Category.TERTIARY
    assert second.total_investment == Decimal("200000000.00")

    exported = load_workbook(io.BytesIO(excel.leads_workbook(
        leads=Lead.objects.order_by("pk"), user=user, now=timezone.now())))
    out = exported.worksheets[0]
    assert out["A1"].value.startswith("内部资料")
    header = [cell.value for cell in out[3]]
    assert header == HEADERS + ["本站首次提供人", "阶段", "线索分类", "申报时间", "线索编号"]
    for row_index, (row, lead) in enumerate(zip(filled, leads, strict=True), start=4):
        got = {name: cell.value for name, cell in zip(header, out[row_index], strict=True)}
        expected = {**{key: value for key, value in row.items() if value is not None}}
        expected.update({
            "序号": row_index - 3, "所属团队": "驻上海招商站",
            "所属行业": str(lead.industry),
            "总投资（万元）": float(lead.total_investment / 10000),
            "固定资产投资（万元）": float(lead.fixed_asset_investment / 10000),
            "阶段": str(Stage.FILED.label), "线索编号": lead.pk,
        })
        # Without a first provider in the file the importing user is credited, named by their person
        # in a column of its own: 首次提供人 is for outside providers, which the importer reads back.
        if "首次提供人" not in expected:
            expected["本站首次提供人"] = world.person("chief_a").name
        # The filing time is the import's (a team import): compare it with the lead itself.
        filed = timezone.localtime(Lead.objects.get(pk=lead.pk).filed_at)
        assert got.pop("申报日期") == datetime.datetime.combine(filed.date(), datetime.time())
        assert abs(got.pop("申报时间") - filed.replace(tzinfo=None, microsecond=0)) < datetime.timedelta(seconds=1)
        expected.pop("申报日期", None)
        if "汇率日期" in expected:
            expected["汇率日期"] = datetime.datetime(2025, 3, 1)
        got = {key: value for key, value in got.items() if value not in (None, "")}
        assert got.pop("线索分类") in excel.LEAD_CLASS_WORDS.values()
        assert got == expected
        assert out.cell(row=row_index, column=HEADERS.index("总投资（万元）") + 1).number_format == "#,##0.00"

    # The export reads back through the importer: the same projects, each flagged as a duplicate.
    again = read_ledger(io.BytesIO(excel.leads_workbook(leads=Lead.objects.order_by("pk"), user=user,
                                                        now=timezone.now())), user=user)
    assert [row.warnings for row in again.rows] == [
        [f"疑似与已有线索 #{lead.pk} 重复，导入后标记为疑似重复，由招商局认定"] for lead in leads]
    assert [row.values["total_investment"] for row in again.rows] == [lead.total_investment for lead in leads]
    # A station user's lead reads back as theirs (no outside provider), an outside provider's as theirs.
    assert [row.values.get("first_provider_name", "") for row in again.rows] == [
        lead.first_provider_name for lead in leads]


# --- Messy real-world ledgers -------------------------------------------------------------------------


def test_a_messy_real_world_ledger_imports_correctly(world):
    user = world.users["bureau"]  # the bureau imports its district ledger, filing dates and all
    data = xlsx([
        ["2025年驻外招商站项目线索台账"],
        ["填报单位：驻上海招商站", None, None, None, None, None, "填报日期：2025年6月"],
        ["序号", "所属团队", "项目名称", "投资方", "投资额（万元）", None, "申报日期", "信息来源", "备注"],
        [None, None, None, None, "总投资", "固投", None, None, None],
        [1, "SH", "年产10GWh锂电池项目", "宁德示例新能源科技有限公司", "1.2亿", "8000万元", "2025.3.5", "以商招商", "重点"],
        [],
        [2, "驻上海招商站", "高端装备产业园项目", "苏州示例装备股份有限公司", "3,000", 2000, "2025年3月5日", "驻外站"],
        [3, "sh", "冷链物流中心项目", "示例冷链物流（上海）有限公司", 5000.5, "4000万元", int(to_excel(datetime.date(2025, 4, 1))),
         " 委托招商 "],
        [None, None, None, None, None, None, None, None, None],
        [4],
        ["合 计", None, None, None, "=SUM(E5:E8)", "=SUM(F5:F8)"],
        ["填表人：王五"],
    ], merges=["A1:I1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:G4", "H3:H4", "I3:I4"])
    before = state()

    report = read(data, user)

    assert report.is_valid, report.lines()
    assert [row.row_number for row in report.rows] == [5, 7, 8]
    assert "第11行是合计行，已跳过。" in report.notes
    assert "以下列无法识别，已忽略：备注。" in report.notes
    assert "表头在第 3–4 行，两行表头已合并读取。" in report.notes
    assert [(row.values["total_investment"], row.values["fixed_asset_investment"]) for row in report.rows] == [
        (Decimal("120000000.00"), Decimal("80000000.00")),
        (Decimal("30000000.00"), Decimal("20000000.00")),
        (Decimal("50005000.00"), Decimal("40000000.00")),
    ]
    assert state() == before  # reading writes nothing

    leads = import_commit(report, user=user)

    assert [lead.title for lead in leads] == ["年产10GWh锂电池项目", "高端装备产业园项目", "冷链物流中心项目"]
    assert [lead.station for lead in leads] == [world.station_a] * 3
    assert [lead.source for lead in leads] == [Source.BUSINESS_REFERRAL, Source.STATION, Source.AGENCY]
    assert [timezone.localtime(lead.filed_at).date() for lead in leads] == [
        datetime.date(2025, 3, 5), datetime.date(2025, 3, 5), datetime.date(2025, 4, 1)]
    assert Lead.objects.get(title="冷链物流中心项目").total_investment == Decimal("50005000.00")
    assert Enterprise.objects.filter(name="示例冷链物流（上海）有限公司").count() == 1


def test_a_group_header_above_the_title_row_and_a_sheet_unit(world):
    user = world.users["chief_a"]
    data = xlsx([
        ["招商线索台账", None, None, None, "（单位：万元）"],
        ["项目信息", None, "投资方", "计划投资", None],
        ["项目名称", "所属团队", "企业名称", "总投资", "固定资产投资（亿元）"],
        ["年产10GWh锂电池项目", "SH", "宁德示例新能源科技有限公司", 12000, 1.1],
    ])
    report = read(data, user)
    assert report.is_valid, report.lines()
    values = report.rows[0].values
    assert values["total_investment"] == Decimal("120000000.00")  # 单位：万元
    assert values["fixed_asset_investment"] == Decimal("110000000.00")  # its own header says 亿元


def test_a_title_row_with_the_sheet_unit_above_a_single_header_row(world):
    data = xlsx([
        ["2025年线索台账", None, "（单位：万元）"],
        ["所属团队", "项目名称", "总投资", "固定资产投资（元）"],
        ["SH", "锂电池项目", 5000, 1000],
    ])
    report = read(data, world.users["chief_a"])
    assert report.is_valid, report.lines()
    assert report.notes == ["表头未注明单位的金额按表格标注的“单位：万元”读取。"]
    assert report.rows[0].values["total_investment"] == Decimal("50000000.00")
    assert report.rows[0].values["fixed_asset_investment"] == Decimal("1000.00")


def test_reordered_columns_with_synonyms_and_a_default_team_are_valid(world):
    user = world.users["chief_a"]
    data = xlsx([
        ["日期", "投资总额（亿元）", "行业", "类别", "投资企业", "项目", "来源", "电话", "联系人"],
        ["2025/3/5", 1.5, "电气机械和器材制造业", "增资扩股", "示例电气有限公司", "二期扩产项目", "全员招商",
         13700000000, "赵总"],
    ])
    report = read(data, user, default_station=world.station_a)
    assert report.is_valid, report.lines()
    values = report.rows[0].values
    assert values["station"] == world.station_a
    assert values["total_investment"] == Decimal("150000000.00")
    assert values["industry"].code == "C38"
    assert values["category"] == Category.CAPITAL_INCREASE
    assert values["source"] == Source.ALL_STAFF
    assert values["investor_phone"] == "13700000000"
    [lead] = import_commit(report, user=user)
    assert lead.station == world.station_a and lead.investor_name == "赵总"


def test_a_duplicate_of_a_lead_in_the_database_warns_and_still_imports(world, file_lead):
    user = world.users["chief_a"]
    existing = file_lead("chief_b", title="年产10GWh锂电池项目", minutes_ago=60)
    data = ledger({**GOOD_ROW, "项目名称": "年产10GWh锂电池生产项目", "企业名称": "宁德示例新能源科技 有限公司"})
    report = read(data, user)
    assert report.is_valid
    assert report.rows[0].warnings == [f"疑似与已有线索 #{existing.pk} 重复，导入后标记为疑似重复，由招商局认定"]
    assert f"第2行（年产10GWh锂电池生产项目） 提示：疑似与已有线索 #{existing.pk} 重复" in "\n".join(report.lines())
    [lead] = import_commit(report, user=user)
    assert lead.duplicate_status == DuplicateStatus.SUSPECTED
    assert lead.enterprise == existing.enterprise


def test_the_bureau_imports_for_any_team(world):
    bureau = world.users["bureau"]
    report = read(ledger({**GOOD_ROW, "所属团队": "BJ"}, {**OTHER_ROW, "所属团队": "驻上海招商站"}), bureau)
    assert report.is_valid, report.lines()
    leads = import_commit(report, user=bureau)
    assert [lead.station for lead in leads] == [world.station_b, world.station_a]


def test_commit_is_all_or_none_when_a_row_fails_at_save(world):
    user = world.users["chief_a"]
    report = read(ledger(GOOD_ROW, OTHER_ROW), user)
    assert report.is_valid
    before = state()
    report.rows[1].values["title"] = ""  # the database or the rules changed since the report was read
    with pytest.raises(ValueError, match="第3行无法保存"):
        import_commit(report, user=user)
    assert state() == before


def test_commit_refuses_a_report_read_for_another_user(world):
    report = read(ledger(GOOD_ROW), world.users["chief_a"])
    with pytest.raises(ValueError, match="其他用户"):
        import_commit(report, user=world.users["staff_a"])
    assert not Lead.objects.exists()


def test_a_credit_code_of_a_known_enterprise_is_linked_with_a_warning(world):
    known = Enterprise.objects.create(name="福建示例能源集团有限公司", normalised_name="福建示例能源",
                                      credit_code=VALID_CREDIT_CODE)
    report = read(ledger({**GOOD_ROW, "统一社会信用代码": VALID_CREDIT_CODE}), world.users["chief_a"])
    assert report.is_valid
    assert report.rows[0].warnings == ["E列「统一社会信用代码」属于已有企业“福建示例能源集团有限公司”，导入后将关联到该企业"]
    [lead] = import_commit(report, user=world.users["chief_a"])
    assert lead.enterprise == known


# --- The corpus of bad files: refused before parsing -------------------------------------------------


def _valid():
    return ledger(GOOD_ROW)


REFUSED_FILES = [
    ("xls_renamed_xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "台账.xlsx",
     "这是旧版 Excel（.xls）文件：请另存为 .xlsx 后再上传。"),
    ("xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "台账.xls", "请另存为 .xlsx 后再上传"),
    ("csv_renamed_xlsx", lambda: "项目名称,总投资\n锂电池项目,5000\n".encode(), "台账.xlsx",
     "这是文本或 CSV 文件，不是 Excel 工作簿"),
    ("csv_gbk", lambda: "项目名称,总投资\n锂电池项目,5000\n".encode("gbk"), "台账.csv", "CSV"),
    ("png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "台账.xlsx", "这不是 Excel 工作簿（.xlsx）。"),
    ("empty", lambda: b"", "台账.xlsx", "文件是空的。"),
    ("too_big", lambda: b"PK\x03\x04" + b"\0" * imports.MAX_UPLOAD_BYTES, "台账.xlsx", "超过 5MB 的上限"),
    ("zip_bomb", zip_bomb, "台账.xlsx", "超过 50MB 的上限（疑似压缩炸弹）"),
    ("macro_in_xlsx", lambda: xlsx_with_extra_entries({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "台账.xlsx",
     "文件含宏（VBA 代码），已拒绝"),
    ("xlsm_name", _valid, "台账.xlsm", "不接受含宏的工作簿（.xlsm）"),
    ("wrong_extension", _valid, "台账.txt", "只接受 .xlsx 文件。"),
    ("too_many_entries", lambda: xlsx_with_extra_entries({f"xl/media/image{n}.png": b"x" for n in range(200)}),
     "台账.xlsx", "超过 200 个"),
    ("corrupt_zip", lambda: _valid()[: len(_valid()) // 2], "台账.xlsx", "文件已损坏，无法打开"),
    ("zip_without_workbook", lambda: zip_bytes({"word/document.xml": "<document/>"}), "台账.xlsx",
     "缺少 xl/workbook.xml"),
]


@pytest.mark.parametrize(("build", "name", "message"), [case[1:] for case in REFUSED_FILES],
                         ids=[case[0] for case in REFUSED_FILES])
def test_bad_files_are_refused_before_parsing(world, build, name, message):
    user = world.users["chief_a"]
    before = state()
    data = build()
    with pytest.raises(ImportRefused) as refused:
        check_upload(io.BytesIO(data), name)
    assert message in refused.value.message
    if not name.endswith((".xlsm", ".txt")):  # read_ledger re-checks everything but the name
        with pytest.raises(ImportRefused) as again:
            read_ledger(io.BytesIO(data), user=user)
        assert again.value.message == refused.value.message
    assert state() == before


def test_the_zip_bomb_test_file_is_small():
    assert len(zip_bomb()) < 200_000
    assert sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(zip_bomb())).infolist()) > 50 * 1024 * 1024


# --- The corpus: files that parse but cannot be imported -------------------------------------------


def _too_wide():
    headers = ["所属团队", "项目名称"] + [f"备注{n}" for n in range(60)]
    return xlsx([headers, ["SH", "锂电池项目"] + ["x"] * 60])


def _garbage_workbook():
    return zip_bytes({"[Content_Types].xml": "<Types>", "xl/workbook.xml": "<workbook><sheets>broken"})


BAD_FILES = [
    ("missing_title_column", lambda: xlsx([["所属团队", "企业名称", "总投资（万元）"], ["SH", "示例有限公司", 100]]),
     {}, "找不到「项目名称」列"),
    ("missing_team_column_without_station", lambda: xlsx([["项目名称", "总投资（万元）"], ["锂电池项目", 100]]),
     {}, "缺少「所属团队」列"),
    ("too_many_columns", _too_wide, {}, "表格超过 60 列，已停止读取"),
    ("dollar_amount_column", lambda: xlsx([["所属团队", "项目名称", "总投资（美元）"], ["SH", "锂电池项目", 100]]),
     {}, "C列「总投资（美元）」的单位“美元”无法识别，可用：元、万元、亿元。"),
    ("two_title_columns", lambda: xlsx([["所属团队", "项目名称", "项目"], ["SH", "锂电池项目", "锂电池"]]),
     {}, "B列「项目名称」和C列「项目」都表示“项目名称”，请只保留一列。"),
    ("unreadable_workbook", _garbage_workbook, {}, "无法读取该文件"),
    ("header_only", lambda: ledger(), {}, None),
]


@pytest.mark.parametrize(("build", "kwargs", "message"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_files_are_reported_and_nothing_is_saved(world, build, kwargs, message):
    user = world.users["chief_a"]
    before = state()
    report = read(build(), user, **kwargs)
    if message is None:
        assert report.rows == [] and report.file_errors == []
        assert "文件中没有可导入的数据行。" in report.lines()
    else:
        assert any(message in error for error in report.file_errors), report.file_errors
    assert_nothing_saved(report, user, before)


def _patched_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    content = {info.filename: source.read(info.filename) for info in source.infolist()}
    assert old in content["xl/worksheets/sheet1.xml"]
    content["xl/worksheets/sheet1.xml"] = content["xl/worksheets/sheet1.xml"].replace(old, new)
    return zip_bytes(content)


def test_a_sheet_declaring_a_huge_size_is_read_by_its_real_rows(world):
    data = xlsx([["所属团队", "项目名称"], ["SH", "锂电池项目"]])
    hostile = _patched_sheet(data, b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />')
    with excel.ledger_rows(io.BytesIO(hostile)) as rows:
        assert [len(row) for row in rows] == [2, 2]  # not padded to the declared 16384 columns
    report = read(hostile, world.users["chief_a"])
    assert report.is_valid and [row.row_number for row in report.rows] == [2]


def test_a_stray_cell_a_million_rows_down_stops_the_reading(world):
    user = world.users["chief_a"]
    before = state()
    workbook = Workbook()
    workbook.active.append(["所属团队", "项目名称"])
    workbook.active.append(["SH", "锂电池项目"])
    workbook.active.cell(row=1_048_576, column=1, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = read(buffer.getvalue(), user)
    assert report.file_errors == [f"表格行数（含空行）超过 {15 + 2 * imports.MAX_ROWS} 行，已停止读取。"]
    assert_nothing_saved(report, user, before)


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    user = world.users["chief_a"]
    before = state()
    rows = [{**GOOD_ROW, "序号": n, "项目名称": f"第{n}个不同的项目", "企业名称": f"示例{n}号有限公司"} for n in range(4)]
    report = read(ledger(*rows), user)
    assert report.file_errors == ["数据超过 3 行，已停止读取：请拆分成多个文件后再导入。"]
    assert_nothing_saved(report, user, before)


# --- The corpus: bad rows (a good row first, then the bad one; nothing is saved) -------------------------


BAD_ROWS = [
    ("text_in_amount", {"总投资（万元）": "待定"}, "N列「总投资（万元）」不是金额：待定"),
    ("approximate_amount", {"总投资（万元）": "约5000万"}, "N列「总投资（万元）」不是确切金额"),
    ("amount_in_words", {"总投资（万元）": "五千万"}, "请用阿拉伯数字填写金额：五千万"),
    ("negative_money", {"固定资产投资（万元）": -100}, "O列「固定资产投资（万元）」金额不能为负数"),
    ("negative_money_text", {"总投资（万元）": "－5000万"}, "金额不能为负数"),
    ("three_decimal_money", {"总投资（万元）": "3000.125元"}, "N列「总投资（万元）」金额换算为元后超过两位小数：3000.125元"),
    ("mixed_units", {"总投资（万元）": "1亿2000万"}, "金额含多个单位"),
    ("fixed_above_total", {"总投资（万元）": 100, "固定资产投资（万元）": 200}, "O列「固定资产投资（万元）」不能大于总投资"),
    ("date_as_text", {"申报日期": "三月初"}, "Y列「申报日期」不是日期：三月初"),
    ("impossible_date", {"申报日期": "2025-02-30"}, "Y列「申报日期」日期不存在：2025-02-30"),
    ("future_date", {"申报日期": TODAY + datetime.timedelta(days=3)}, "Y列「申报日期」日期晚于今天"),
    ("unknown_team", {"所属团队": "GZ"}, "B列「所属团队」没有这个团队：GZ"),
    ("another_teams_row", {"所属团队": "BJ"}, "B列「所属团队」“驻北京招商站”：不能为其他团队导入"),
    ("blank_team", {"所属团队": None}, "B列「所属团队」为空"),
    ("over_long_title", {"项目名称": "项" * 201}, "C列「项目名称」超过200个字（现有201个字）"),
    ("over_long_phone", {"联系电话": "1" * 101}, "V列「联系电话」超过100个字"),
    ("over_long_tag", {"标签": "标" * 31}, "超过30个字"),
    ("hyperlink_formula_in_name", {"企业名称": '=HYPERLINK("http://x","y")'}, "D列「企业名称」单元格含公式，请填写数值或文字"),
    ("formula_in_amount", {"总投资（万元）": "=N2*2"}, "N列「总投资（万元）」单元格含公式"),
    ("array_formula", {"项目内容": ArrayFormula("F3", "=UPPER(C3)")}, "F列「项目内容」单元格含公式"),
    ("excel_error_value", {"总投资（万元）": "#N/A"}, "N列「总投资（万元）」是错误值 #N/A"),
    ("unknown_category", {"项目类别": "高科技"},
     "H列「项目类别」无法识别“高科技”，可填：工业、三产、服务业、第三产业、农业、房地产、标准化厂房租赁、厂房租赁、增资扩股、其他"),
    ("unknown_source", {"信息来源": "朋友介绍"}, "G列「信息来源」无法识别“朋友介绍”，可填：驻外站"),
    ("unknown_origin", {"内外资": "合资"}, "J列「内外资」无法识别“合资”"),
    ("unknown_industry_code", {"所属行业": "C99"}, "I列「所属行业」无法识别“C99”：请填写国民经济行业分类代码（如 C38）"),
    ("blank_title", {"项目名称": None}, "C列「项目名称」为空：项目名称必填"),
    ("invalid_credit_code", {"统一社会信用代码": "91350100M000100Y44"}, "E列「统一社会信用代码」无效"),
    ("short_credit_code", {"统一社会信用代码": "12345"}, "应为18位（现有5位）"),
    ("credit_code_without_enterprise", {"统一社会信用代码": VALID_CREDIT_CODE, "企业名称": None}, "填写了统一社会信用代码"),
    ("foreign_currency_without_rate", {"币种": "美元", "内外资": "外资"}, "L列「汇率」为空：外币金额需填写汇率和汇率日期"),
    ("foreign_project_in_rmb", {"内外资": "外资"}, "K列「币种」：外资项目请填写外币币种"),
    ("negative_land", {"用地需求（亩）": -5}, "P列「用地需求（亩）」不能为负数"),
    ("land_as_text", {"用地需求（亩）": "约100亩"}, "P列「用地需求（亩）」不是数字"),
]


@pytest.mark.parametrize(("overrides", "message"), [case[1:] for case in BAD_ROWS], ids=[case[0] for case in BAD_ROWS])
def test_bad_rows_are_reported_by_cell_and_nothing_is_saved(world, overrides, message):
    user = world.users["chief_a"]
    before = state()
    bad = {**OTHER_ROW, **overrides}
    report = read(ledger(GOOD_ROW, bad), user)
    good_row, bad_row = report.rows
    assert good_row.errors == []
    assert bad_row.row_number == 3
    assert any(message in error for error in bad_row.errors), bad_row.errors
    assert any(line.startswith("第3行") and "错误：" in line and message in line for line in report.lines())
    assert_nothing_saved(report, user, before)


def test_an_amount_without_any_unit_is_refused(world):
    user = world.users["chief_a"]
    before = state()
    report = read(xlsx([["所属团队", "项目名称", "总投资"], ["SH", "锂电池项目", 5000]]), user)
    assert report.rows[0].errors == ["C列「总投资」未注明金额单位：5000（请在表头写明“（万元）”，或在金额后写明单位，如 5000万元）"]
    assert_nothing_saved(report, user, before)


def test_a_merged_two_row_header_without_a_title_under_it_keeps_the_columns(world):
    """Merged header cells read as None in read-only mode; the lower row inherits the group."""
    data = xlsx([
        ["所属团队", "项目名称", "投资额（亿元）", None],
        [None, None, "总投资", "固定资产投资"],
        ["SH", "锂电池项目", "待定", 0.5],
    ], merges=["A1:A2", "B1:B2", "C1:D1"])
    report = read(data, world.users["chief_a"])
    assert report.rows[0].errors == ["C列「总投资」不是金额：待定"]
    assert "fixed_asset_investment" in report.rows[0].values
    assert report.rows[0].values["fixed_asset_investment"] == Decimal("50000000.00")


@pytest.mark.parametrize(("first", "second", "message"), [
    ({"统一社会信用代码": VALID_CREDIT_CODE}, {"统一社会信用代码": VALID_CREDIT_CODE, "企业名称": "另一家示例有限公司",
                                           "项目名称": "完全不同的项目"}, "与第2行重复（统一社会信用代码相同）"),
    ({}, {"项目名称": "年产5万吨高端铝材生产项目", "企业名称": "江苏示例铝业 有限公司"},
     "与第2行疑似同一项目（企业名称相同、项目名称相近）"),
])
def test_duplicates_within_the_file_are_errors_on_the_later_row(world, first, second, message):
    user = world.users["chief_a"]
    before = state()
    report = read(ledger({**GOOD_ROW, **first}, {**GOOD_ROW, "序号": 2, **second}), user)
    assert report.rows[0].errors == []
    assert report.rows[1].errors == [message]
    assert_nothing_saved(report, user, before)


def test_the_same_enterprise_with_a_different_project_is_not_a_duplicate(world):
    report = read(ledger(GOOD_ROW, {**GOOD_ROW, "序号": 2, "项目名称": "再生铝回收利用"}), world.users["chief_a"])
    assert report.is_valid, report.lines()
    leads = import_commit(report, user=world.users["chief_a"])
    assert leads[0].enterprise == leads[1].enterprise
    assert Enterprise.objects.count() == 1


def test_a_formula_in_the_number_column_or_a_totals_row_is_not_an_error(world):
    headers = ["序号", "所属团队", "项目名称", "总投资（万元）"]
    data = xlsx([headers, ["=ROW()-1", "SH", "锂电池项目", 100], ["总计", None, None, "=SUM(D2:D2)"]])
    report = read(data, world.users["chief_a"])
    assert report.is_valid, report.lines()
    assert report.notes[-1] == "第3行是合计行，已跳过。"


def test_the_title_column_must_be_found_in_the_first_fifteen_rows(world):
    data = xlsx([["说明"]] * 15 + [["所属团队", "项目名称"], ["SH", "锂电池项目"]])
    report = read(data, world.users["chief_a"])
    assert report.file_errors == ["找不到「项目名称」列：前 15 行中没有含“项目名称”的表头行。"]


def test_a_second_header_row_under_the_fifteenth_row_is_still_a_header(world):
    data = xlsx([["说明"]] * 14 + [
        ["所属团队", "项目名称", "投资额（万元）", None],
        [None, None, "总投资", "固投"],
        ["SH", "锂电池项目", 100, 50],
    ])
    report = read(data, world.users["chief_a"])
    assert report.is_valid, report.lines()
    assert report.rows[0].row_number == 17
    assert report.rows[0].values["fixed_asset_investment"] == Decimal("500000.00")


# --- Exports ---------------------------------------------------------------------------------------------


def test_an_exported_formula_like_title_is_text_never_a_formula(world, file_lead):
    user = world.users["chief_a"]
    hostile = '=HYPERLINK("http://x","y")'
    file_lead(title=hostile, enterprise_name='=cmd|" /C calc"!A0', total_investment=Decimal("12345.67"))
    sheet = load_workbook(io.BytesIO(excel.leads_workbook(leads=Lead.objects.all(), user=user,
                                                          now=timezone.now()))).worksheets[0]
    title = sheet.cell(row=4, column=HEADERS.index("项目名称") + 1)
    enterprise = sheet.cell(row=4, column=HEADERS.index("企业名称") + 1)
    assert (title.value, title.data_type) == (hostile, "s")
    assert (enterprise.value, enterprise.data_type) == ('=cmd|" /C calc"!A0', "s")
    amount = sheet.cell(row=4, column=HEADERS.index("总投资（万元）") + 1)
    assert (amount.value, amount.data_type, amount.number_format) == (1.234567, "n", "#,##0.00")
    assert sheet["A1"].value.startswith("内部资料") and "chief_a" in sheet["A1"].value


def test_the_export_names_the_lead_class_and_stage(world, file_lead):
    complete = file_lead(title="完整项目", content="生产线", total_investment=Decimal("1000000"),
                         investor_name="王总", investor_phone="13800000000", utilities="双回路")
    raw = file_lead(title="原始项目", enterprise_name="另一家示例公司")
    sheet = load_workbook(io.BytesIO(excel.leads_workbook(leads=Lead.objects.order_by("pk"),
                                                          user=world.users["chief_a"], now=timezone.now()))).active
    header = [cell.value for cell in sheet[3]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=4)]
    assert [(row["线索编号"], row["线索分类"], row["阶段"]) for row in rows] == [
        (complete.pk, "完整招商信息", str(Stage.FILED.label)), (raw.pk, "原始项目信息", str(Stage.FILED.label))]


def test_the_monthly_major_lead_report(world, file_lead):
    lead = file_lead(title='=HYPERLINK("http://x","大项目")', total_investment=Decimal("1500000000"))
    services.lead_move(lead=lead, user=world.users["bureau"], to_stage=Stage.SCREENING, note="提交研判会")
    lead = Lead.objects.select_related("station", "enterprise", "transferred_to").get(pk=lead.pk)
    changes = list(lead.stage_changes.order_by("at", "pk"))
    data = excel.major_report_workbook(rows=[{"lead": lead, "changes": changes}], user=world.users["bureau"],
                                       now=timezone.now(), year=TODAY.year, month=TODAY.month)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value.startswith("内部资料")
    assert sheet["A2"].value == f"重大项目线索专报（{TODAY.year}年{TODAY.month}月）"
    assert [cell.value for cell in sheet[3]] == ["序号", "所属团队", "项目名称", "企业名称", "总投资（万元）", "阶段",
                                                 "本月进展", "跟进人/园区"]
    row = [cell.value for cell in sheet[4]]
    assert row[:6] == [1, "驻上海招商站", '=HYPERLINK("http://x","大项目")', "宁德示例新能源科技有限公司", 150000,
                       str(Stage.SCREENING.label)]
    assert sheet["C4"].data_type == "s"
    assert row[6].splitlines()[1].endswith(f"{Stage.FILED.label} → {Stage.SCREENING.label}：提交研判会")
    assert row[7] is None


# --- The management command ------------------------------------------------------------------------------


@pytest.fixture
def ledger_file(tmp_path):
    def make(data: bytes, name="台账.xlsx"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return make


@pytest.fixture
def superuser(world):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def test_command_dry_run_on_a_valid_file_saves_nothing(world, superuser, ledger_file):
    before = state()
    out = io.StringIO()
    call_command("import_leads", ledger_file(ledger(GOOD_ROW, OTHER_ROW)), "--station", "SH", "--dry-run", stdout=out)
    assert "第2行（年产5万吨高端铝材项目） 可以导入" in out.getvalue()
    assert "试运行：2 行均可导入，未保存任何数据。" in out.getvalue()
    assert state() == before


def test_command_on_an_invalid_file_exits_with_status_1_and_saves_nothing(world, superuser, ledger_file):
    before = state()
    out = io.StringIO()
    with pytest.raises(CommandError, match="有错误，未导入任何数据") as failed:
        call_command("import_leads", ledger_file(ledger(GOOD_ROW, {**OTHER_ROW, "总投资（万元）": "待定"})),
                     "--station", "SH", stdout=out)
    assert failed.value.returncode == 1
    assert "第3行（智能仓储物流中心项目） 错误：N列「总投资（万元）」不是金额：待定" in out.getvalue()
    assert state() == before


def test_command_refuses_a_hostile_file_with_status_1(world, superuser, ledger_file):
    before = state()
    with pytest.raises(CommandError, match="文件被拒绝：这是旧版 Excel") as failed:
        call_command("import_leads", ledger_file(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "--station", "SH")
    assert failed.value.returncode == 1
    assert state() == before


def test_command_saves_every_row_of_a_valid_file_as_the_first_superuser(world, superuser, ledger_file):
    out = io.StringIO()
    headers = [header for header in HEADERS if header != "所属团队"]
    call_command("import_leads", ledger_file(ledger(GOOD_ROW, OTHER_ROW, headers=headers)), "--station", "SH",
                 stdout=out)
    assert "已导入 2 条线索。" in out.getvalue()
    assert list(Lead.objects.order_by("pk").values_list("title", "station__code", "filed_by__username")) == [
        ("年产5万吨高端铝材项目", "SH", "admin"), ("智能仓储物流中心项目", "SH", "admin")]


def test_command_acts_as_the_named_user_with_their_limits(world, ledger_file):
    before = state()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_leads", ledger_file(ledger({**GOOD_ROW, "所属团队": "BJ"})), "--user", "chief_a",
                     stdout=out)
    assert "不能为其他团队导入" in out.getvalue()
    assert state() == before
    with pytest.raises(CommandError, match="没有代码为 GZ 的团队"):
        call_command("import_leads", ledger_file(ledger(GOOD_ROW)), "--station", "GZ", "--user", "chief_a")


def test_a_bureau_import_keeps_the_ledgers_filing_dates_and_credits_nobody_by_default(world):
    """The bureau keeps the filing record: its import carries the ledger's 申报日期 over, and a row
    without a named first provider is credited to nobody rather than to the importing clerk."""
    user = world.users["bureau"]
    workbook = load_workbook(io.BytesIO(excel.template_workbook()))
    sheet = workbook.worksheets[0]
    sheet.append([{**GOOD_ROW, "首次提供人": None, "提供人单位": None}.get(header) for header in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = read(buffer.getvalue(), user)
    assert report.is_valid, report.lines()
    (lead,) = import_commit(report, user=user)
    lead.refresh_from_db()
    assert lead.filed_at == datetime.datetime(2025, 3, 5, 9, 0, tzinfo=SHANGHAI)
    assert lead.first_provider_user is None and lead.first_provider_name == ""
