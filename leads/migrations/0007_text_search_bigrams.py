"""Bigram indexes for the lead search (`leads.search`), on PostgreSQL only: SQLite reads the table."""

from django.db import migrations

# IMMUTABLE, as index expressions must be (PostgreSQL marks upper() so too). A lead's title and
# investor's name are joined by a line break, which a search box does not send inside its words:
# no pair that matters spans the two. Neither function calls the other: pg_restore builds indexes
# with an empty search_path, where an unqualified call inside a body would not be found.
FUNCTIONS = """
CREATE FUNCTION outpost_bigrams(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
          FROM generate_series(1, char_length($1) - 1) AS i $$;
CREATE FUNCTION outpost_lead_bigrams(title text, investor_name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
          FROM (SELECT upper(title || chr(10) || investor_name) AS t) AS lead,
               generate_series(1, char_length(t) - 1) AS i $$;
CREATE INDEX lead_text_bigrams ON leads_lead USING gin (outpost_lead_bigrams(title, investor_name));
CREATE INDEX enterprise_name_bigrams ON leads_enterprise USING gin (outpost_bigrams(upper(name)));
"""
DROP = """
DROP INDEX lead_text_bigrams;
DROP INDEX enterprise_name_bigrams;
DROP FUNCTION outpost_lead_bigrams(text, text);
DROP FUNCTION outpost_bigrams(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0006_leads_version"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
