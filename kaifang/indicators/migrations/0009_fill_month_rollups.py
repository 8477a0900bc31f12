"""Fill the monthly rollups from the figures already stored, and record the tree they were kept under."""

from django.db import migrations

FILL = """
INSERT INTO indicators_monthrollup (indicator_id, unit_id, period, month_sum, month_count, ytd_sum, ytd_count,
                                    reporting, version)
SELECT v.indicator_id, u.parent_id, v.period, COALESCE(SUM(v.month_value), 0), COUNT(v.month_value),
       COALESCE(SUM(v.ytd_value), 0), COUNT(v.ytd_value), COUNT(*), 1
FROM indicators_datavalue v JOIN orgs_orgunit u ON u.id = v.unit_id
WHERE v.reported IS NOT NULL AND u.parent_id IS NOT NULL AND u.kind IN ('city', 'county')
  AND (u.valid_from IS NULL OR u.valid_from <= v.period) AND (u.valid_to IS NULL OR u.valid_to >= v.period)
GROUP BY v.indicator_id, u.parent_id, v.period
"""

STATE = """
INSERT INTO indicators_rollupstate (id, tree_stamp, generation)
SELECT 1, COALESCE(SUM(version), 0) - COUNT(*), 1 FROM orgs_orgunit
"""


class Migration(migrations.Migration):
    dependencies = [("indicators", "0008_month_rollups")]

    operations = [
        migrations.RunSQL(FILL, reverse_sql="DELETE FROM indicators_monthrollup"),
        migrations.RunSQL(STATE, reverse_sql="DELETE FROM indicators_rollupstate"),
    ]
