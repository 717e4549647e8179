"""The shared Excel writer (`stations.sheets`): sheet names, read back with openpyxl."""

import io
from datetime import datetime

import openpyxl
import pytest

from stations.sheets import Exporter, SheetNames, Workbook, named_styles


def _workbook():
    return Workbook(named_styles("t-", {}), user=None, now=datetime(2026, 11, 23, 9, 30), exporter="test")


def _read(book):
    return openpyxl.load_workbook(io.BytesIO(book.save()))


def test_sheets_keep_their_names_and_order():
    book = _workbook()
    names = SheetNames()
    wanted = ["张三", "张三", "ZHANG", "zhang", "a/b", "x" * 40]
    for text in wanted:
        sheet = book.sheet(names(text))
        sheet.append([sheet.cell(text)])
        sheet.close()
    read = _read(book)
    assert read.sheetnames == ["张三", "张三 (2)", "ZHANG", "zhang (2)", "a_b", "x" * 31]
    assert [ws["A1"].value for ws in read.worksheets] == wanted


# "𠀀" is one character but two UTF-16 units, as Excel counts: sixteen of them are 32.
@pytest.mark.parametrize("name", ["", "Ledger", "LEDGER", "history", "a:b", "'quoted", "x" * 32, "长" * 32,
                                  "𠀀" * 16])
def test_a_name_excel_would_refuse_raises(name):
    book = _workbook()
    book.sheet("Ledger")
    with pytest.raises(ValueError):
        book.sheet(name)
    assert _read(book).sheetnames == ["Ledger"]


def test_a_thousand_sheets():
    """The names are checked with a set, not openpyxl's scan of every sheet so far: all arrive."""
    book = _workbook()
    names = SheetNames()
    for number in range(1000):
        book.sheet(names("王五")).close()
    read = _read(book)
    assert len(read.sheetnames) == 1000
    assert read.sheetnames[-1] == "王五 (1000)"


def test_exporter_stands_for_a_user_in_the_marking():
    book = _workbook()
    assert Exporter("test").get_username() in book.stamp


def test_the_marking_names_the_exporter_by_their_persons_name(world):
    from django.utils import translation

    from stations.models import Person
    from stations.sheets import marking

    from ..factories import UserFactory

    Person.objects.filter(user=world.users["bureau"]).update(name="李明")
    with translation.override("en"):
        bureau = world.users["bureau"].__class__.objects.get(pk=world.users["bureau"].pk)  # not the cached person
        stamp = marking(bureau, datetime(2026, 5, 1))
        assert stamp == "Internal material · exported by 李明 at 2026-05-01 00:00"
        # Someone with no person (an administrator) is named by the login.
        admin = UserFactory(username="root-admin")
        assert "exported by root-admin at" in marking(admin, datetime(2026, 5, 1))
