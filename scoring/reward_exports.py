"""The year's rewards sheet and penalties sheet (奖励表, 处罚表) as Excel, with the marking.

Money stays a number in 元 (a 元 number format), user text is written as text, and the last row
holds the totals, computed here from the same Decimals as the rows (to the fen)."""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from stations.exports import marking, text_cell

from .reward_models import RewardStatus

YUAN = '#,##0.00"元"'
HEADER_ROW = 4


def _sheet(workbook, title: str, heading: str, headers, user, now):
    sheet = workbook.active
    sheet.title = title[:31]
    text_cell(sheet, 1, 1, heading).font = Font(bold=True, size=14)
    text_cell(sheet, 2, 1, marking(user, now))
    for column, header in enumerate(headers, start=1):
        text_cell(sheet, HEADER_ROW, column, str(header)).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    return sheet


def _money(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column, value=value)
    if value is not None:
        cell.number_format = YUAN
    return cell


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewards_workbook(*, rewards, year: int, user, now) -> bytes:
    """Every reward of the year except rejected proposals. A clawed-back reward's amount stands in
    its own column, so that "amount" adds up what is owed or paid and "clawed back" what is not."""
    workbook = Workbook()
    headers = [_("Kind"), _("Recipient"), _("Recipient's unit"), _("Project"), _("Settlement"),
               _("Computed on (元)"), _("Currency"), _("Received in the currency"), _("Exchange rate"),
               _("Rate date"), _("Status"), _("Amount (元)"), _("Clawed back (元)"), _("How")]
    sheet = _sheet(workbook, _("Rewards %(year)s") % {"year": year},
                   _("Rewards %(year)s") % {"year": year}, headers, user, now)
    amount_column = headers.index(_("Amount (元)")) + 1
    total, clawed = Decimal("0"), Decimal("0")
    row = HEADER_ROW
    for reward in rewards:
        if reward.status == RewardStatus.REJECTED:
            continue
        row += 1
        text_cell(sheet, row, 1, str(reward.get_kind_display()))
        text_cell(sheet, row, 2, reward.recipient_name)
        text_cell(sheet, row, 3, reward.recipient_org or (str(reward.recipient_unit) if reward.recipient_unit else ""))
        text_cell(sheet, row, 4, reward.lead.title if reward.lead_id else "")
        text_cell(sheet, row, 5, str(reward.get_settlement_display()) if reward.settlement else "")
        _money(sheet, row, 6, reward.basis)
        text_cell(sheet, row, 7, reward.currency)
        sheet.cell(row=row, column=8, value=reward.foreign_amount)
        sheet.cell(row=row, column=9, value=reward.exchange_rate)
        date = sheet.cell(row=row, column=10, value=reward.exchange_rate_date)
        date.number_format = "yyyy-mm-dd"
        text_cell(sheet, row, 11, str(reward.get_status_display()))
        if reward.status == RewardStatus.CLAWED_BACK:
            _money(sheet, row, amount_column + 1, reward.amount)
            clawed += reward.amount
        else:
            _money(sheet, row, amount_column, reward.amount)
            total += reward.amount
        text_cell(sheet, row, 14, reward.explanation)
    row += 1
    text_cell(sheet, row, 1, _("Total")).font = Font(bold=True)
    _money(sheet, row, amount_column, total).font = Font(bold=True)
    _money(sheet, row, amount_column + 1, clawed).font = Font(bold=True)
    sheet.column_dimensions[get_column_letter(14)].width = 60
    return _save(workbook)


def penalties_workbook(*, lines, year: int, user, now) -> bytes:
    """Every money penalty of the year's evaluations (`scoring.rewards.penalty_lines`)."""
    workbook = Workbook()
    headers = [_("Scheme"), _("Subject"), _("Group"), _("Item"), _("Share of the target missed"), _("Base (元)"),
               _("Head count"), _("Amount (元)"), _("Stage"), _("How")]
    sheet = _sheet(workbook, _("Penalties %(year)s") % {"year": year},
                   _("Penalties %(year)s") % {"year": year}, headers, user, now)
    total = Decimal("0")
    row = HEADER_ROW
    for line in lines:
        row += 1
        evaluation = line.evaluation
        text_cell(sheet, row, 1, evaluation.scheme.name)
        text_cell(sheet, row, 2, str(evaluation.subject))
        text_cell(sheet, row, 3, line.group or "")
        text_cell(sheet, row, 4, line.item.label)
        share = sheet.cell(row=row, column=5, value=line.missed)
        share.number_format = "0.00%"
        _money(sheet, row, 6, line.base)
        sheet.cell(row=row, column=7, value=line.heads)
        _money(sheet, row, 8, line.money)
        text_cell(sheet, row, 9, str(evaluation.get_stage_display()))
        text_cell(sheet, row, 10, line.explanation)
        total += line.money
    row += 1
    text_cell(sheet, row, 1, _("Total")).font = Font(bold=True)
    _money(sheet, row, 8, total).font = Font(bold=True)
    return _save(workbook)
