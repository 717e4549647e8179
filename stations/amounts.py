"""Amounts as people read them: stored in 元, shown in 万元 or 亿元 (the template filters `wan` and
`money`, and texts written once and kept, such as a score's explanation)."""

from decimal import Decimal

from django.utils.formats import number_format

WAN = Decimal("10000")
YI = Decimal("100000000")


def in_wan(amount) -> str:
    """元 → "1,234.50" (万元, two decimals); empty for no amount."""
    if amount in (None, ""):
        return ""
    return number_format(Decimal(amount) / WAN, decimal_pos=2, force_grouping=True)


def in_clearest_unit(amount) -> str:
    """元 → the clearest unit: "1.20亿元", "5,000.00万元" or "3,000.00元"; empty for no amount."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    if abs(amount) >= YI:
        return f"{number_format(amount / YI, decimal_pos=2, force_grouping=True)}亿元"
    if abs(amount) >= WAN:
        return f"{number_format(amount / WAN, decimal_pos=2, force_grouping=True)}万元"
    return f"{number_format(amount, decimal_pos=2, force_grouping=True)}元"
