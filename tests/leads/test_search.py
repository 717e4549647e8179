"""The lead search (`leads.search`): what it finds, and, on PostgreSQL, that it reads the bigram
indexes rather than the tables."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from leads.models import Lead
from leads.search import matching
from leads.selectors import LeadFilters, lead_list


@pytest.fixture
def search(world):
    def run(words, **filters):
        leads = lead_list(user=world.users["bureau"], filters=LeadFilters(q=words, **filters))
        return sorted(lead.title for lead in leads)

    return run


def test_finds_the_words_in_title_investor_and_enterprise(search, file_lead):
    file_lead(title="长沙电池项目", enterprise_name="甲公司")
    file_lead(title="储能项目", investor_name="长沙投资人", enterprise_name="乙公司")
    file_lead(title="汽车项目", enterprise_name="长沙丙科技有限公司")
    file_lead(title="别的项目", enterprise_name="丁公司")
    assert search("长沙") == ["储能项目", "汽车项目", "长沙电池项目"]
    assert search("长沙丙") == ["汽车项目"]
    assert search("沙") == ["储能项目", "汽车项目", "长沙电池项目"]  # one character: no bigram, still found
    assert search("长沙", stage="filed") == ["储能项目", "汽车项目", "长沙电池项目"]
    assert search("西安") == []


def test_every_pair_is_not_enough(search, file_lead):
    """The bigrams find candidates; only a text that holds the words as typed matches."""
    file_lead(title="ABxBA", enterprise_name="BAxAB 公司")
    file_lead(title="终点长", investor_name="沙起点", enterprise_name="戊公司")  # 长 | 沙 across the two
    assert search("ABA") == []
    assert search("长沙") == []
    assert search("AB") == ["ABxBA"]


def test_any_case(search, file_lead):
    file_lead(title="Tesla Gigafactory", enterprise_name="SAIC Motor")
    assert search("gigaf") == ["Tesla Gigafactory"]
    assert search("saic m") == ["Tesla Gigafactory"]
    assert search("TESLA") == ["Tesla Gigafactory"]


def test_words_that_look_like_patterns_are_text(search, file_lead):
    file_lead(title="增长100%项目", enterprise_name="己公司")
    file_lead(title="增长1000项目", enterprise_name="庚公司")
    file_lead(title="A_B", enterprise_name="辛公司")
    file_lead(title="AXB A_ _B", enterprise_name="壬公司")  # every pair of a_b, never a_b itself
    assert search("0%项") == ["增长100%项目"]
    assert search("a_b") == ["A_B"]
    assert search("_") == ["AXB A_ _B", "A_B"]


def test_a_lead_without_an_enterprise_is_found_by_its_title(search, file_lead):
    lead = file_lead(title="长沙无企业项目")
    Lead.objects.filter(pk=lead.pk).update(enterprise=None)
    assert search("长沙") == ["长沙无企业项目"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram indexes are PostgreSQL's")
def test_the_search_reads_the_bigram_indexes(world, file_lead):
    file_lead(title="长沙电池项目")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A handful of rows would be read whole anyway, or along another index in the list's
            # order: leave the planner bitmap scans only, which need an index that answers a
            # condition, and ask whether the bigram indexes can.
            for method in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{method} = off")
        plan = matching(Lead.objects.all(), "长沙").explain()
    assert "lead_text_bigrams" in plan
    assert "enterprise_name_bigrams" in plan
    assert "Seq Scan on leads_lead" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram indexes are PostgreSQL's")
def test_words_most_leads_hold_read_the_table_and_find_the_same(world, file_lead):
    """Through the indexes, a pair in most rows costs more than reading the table (公司, 项目)."""
    for number in range(12):
        file_lead(title=f"新能源项目{number}", enterprise_name=f"企业{number}")
    file_lead(title="长沙电池项目", enterprise_name="长沙企业")
    with connection.cursor() as cursor:  # ANALYZE counts this transaction's own rows
        cursor.execute("ANALYZE leads_lead")
        cursor.execute("ANALYZE leads_enterprise")
    cache.clear()  # the statistics read before
    common, rare = matching(Lead.objects.all(), "项目"), matching(Lead.objects.all(), "长沙")
    assert "outpost_lead_bigrams" not in str(common.query)
    assert "outpost_lead_bigrams" in str(rare.query)
    assert (common.count(), rare.count()) == (13, 1)
