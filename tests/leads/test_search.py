"""The lead search (`leads.search`): what it finds, and, on PostgreSQL, that it reads the bigram
indexes rather than the tables."""

import pytest
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
    assert search("0%项") == ["增长100%项目"]
    assert search("_") == []


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
