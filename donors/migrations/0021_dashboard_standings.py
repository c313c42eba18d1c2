"""The dashboard's donor standings (by fiscal year, with the primary address's state) and the
giving summary counted from them by triggers; the standings' state follows the addresses by
triggers too. The standings are filled from the gifts, which fills the summary.
"""

import django.db.models.deletion
from django.db import migrations, models

# The SQL is frozen here as donors.services.standings wrote it when this migration was made,

# so that replaying the migration gives the same triggers whatever the code says later.

TRIGGERS = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION donors_giving_summary() RETURNS trigger AS $$ BEGIN IF "
        "TG_OP = 'INSERT' THEN INSERT INTO donors_givingsummary (first_fiscal_year, "
        "last_fiscal_year, previous_key, state, donors, lifetime_cents, last_year_cents) "
        "SELECT f, l, p, st, SUM(n), SUM(lc), SUM(yc) FROM (SELECT s.first_fiscal_year AS "
        "f, s.last_fiscal_year AS l, COALESCE(s.previous_fiscal_year, 0) AS p, s.state AS "
        "st, 1 AS n, ROUND(s.lifetime_total * 100)::bigint AS lc, ROUND(s.last_year_total "
        "* 100)::bigint AS yc FROM new_rows AS s) AS changes GROUP BY f, l, p, st ON "
        "CONFLICT (first_fiscal_year, last_fiscal_year, previous_key, state) DO UPDATE SET "
        "donors = donors_givingsummary.donors + excluded.donors, lifetime_cents = "
        "donors_givingsummary.lifetime_cents + excluded.lifetime_cents, last_year_cents = "
        "donors_givingsummary.last_year_cents + excluded.last_year_cents; ELSIF TG_OP = "
        "'DELETE' THEN INSERT INTO donors_givingsummary (first_fiscal_year, "
        "last_fiscal_year, previous_key, state, donors, lifetime_cents, last_year_cents) "
        "SELECT f, l, p, st, SUM(n), SUM(lc), SUM(yc) FROM (SELECT s.first_fiscal_year AS "
        "f, s.last_fiscal_year AS l, COALESCE(s.previous_fiscal_year, 0) AS p, s.state AS "
        "st, -1 AS n, -ROUND(s.lifetime_total * 100)::bigint AS lc, "
        "-ROUND(s.last_year_total * 100)::bigint AS yc FROM old_rows AS s) AS changes "
        "GROUP BY f, l, p, st ON CONFLICT (first_fiscal_year, last_fiscal_year, "
        "previous_key, state) DO UPDATE SET donors = donors_givingsummary.donors + "
        "excluded.donors, lifetime_cents = donors_givingsummary.lifetime_cents + "
        "excluded.lifetime_cents, last_year_cents = donors_givingsummary.last_year_cents + "
        "excluded.last_year_cents; ELSE INSERT INTO donors_givingsummary "
        "(first_fiscal_year, last_fiscal_year, previous_key, state, donors, "
        "lifetime_cents, last_year_cents) SELECT f, l, p, st, SUM(n), SUM(lc), SUM(yc) "
        "FROM (SELECT s.first_fiscal_year AS f, s.last_fiscal_year AS l, "
        "COALESCE(s.previous_fiscal_year, 0) AS p, s.state AS st, -1 AS n, "
        "-ROUND(s.lifetime_total * 100)::bigint AS lc, -ROUND(s.last_year_total * "
        "100)::bigint AS yc FROM old_rows AS s UNION ALL SELECT s.first_fiscal_year AS f, "
        "s.last_fiscal_year AS l, COALESCE(s.previous_fiscal_year, 0) AS p, s.state AS st, "
        "1 AS n, ROUND(s.lifetime_total * 100)::bigint AS lc, ROUND(s.last_year_total * "
        "100)::bigint AS yc FROM new_rows AS s) AS changes GROUP BY f, l, p, st ON "
        "CONFLICT (first_fiscal_year, last_fiscal_year, previous_key, state) DO UPDATE SET "
        "donors = donors_givingsummary.donors + excluded.donors, lifetime_cents = "
        "donors_givingsummary.lifetime_cents + excluded.lifetime_cents, last_year_cents = "
        "donors_givingsummary.last_year_cents + excluded.last_year_cents; END IF; RETURN "
        "NULL; END $$ LANGUAGE plpgsql;",
        "CREATE OR REPLACE FUNCTION donors_standing_state() RETURNS trigger AS $$ BEGIN IF "
        "TG_OP = 'INSERT' THEN UPDATE donors_donorstanding SET state = COALESCE((SELECT "
        "CASE WHEN a.country <> 'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No "
        "address' ELSE a.region END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address') WHERE donor_id IN "
        "(SELECT donor_id FROM new_rows) AND state <> COALESCE((SELECT CASE WHEN a.country "
        "<> 'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region "
        "END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address'); ELSIF TG_OP = "
        "'DELETE' THEN UPDATE donors_donorstanding SET state = COALESCE((SELECT CASE WHEN "
        "a.country <> 'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE "
        "a.region END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address') WHERE donor_id IN "
        "(SELECT donor_id FROM old_rows) AND state <> COALESCE((SELECT CASE WHEN a.country "
        "<> 'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region "
        "END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address'); ELSE UPDATE "
        "donors_donorstanding SET state = COALESCE((SELECT CASE WHEN a.country <> 'US' "
        "THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END FROM "
        "donors_donoraddress AS a WHERE a.donor_id = donors_donorstanding.donor_id AND "
        "a.is_primary), 'No address') WHERE donor_id IN (SELECT donor_id FROM old_rows "
        "UNION SELECT donor_id FROM new_rows) AND state <> COALESCE((SELECT CASE WHEN "
        "a.country <> 'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE "
        "a.region END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address'); END IF; RETURN "
        "NULL; END $$ LANGUAGE plpgsql;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_ins ON donors_donorstanding;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_upd ON donors_donorstanding;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_del ON donors_donorstanding;",
        "CREATE TRIGGER donors_giving_summary_ins AFTER INSERT ON donors_donorstanding "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "donors_giving_summary();",
        "CREATE TRIGGER donors_giving_summary_upd AFTER UPDATE ON donors_donorstanding "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION donors_giving_summary();",
        "CREATE TRIGGER donors_giving_summary_del AFTER DELETE ON donors_donorstanding "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "donors_giving_summary();",
        "DROP TRIGGER IF EXISTS donors_standing_state_ins ON donors_donoraddress;",
        "DROP TRIGGER IF EXISTS donors_standing_state_upd ON donors_donoraddress;",
        "DROP TRIGGER IF EXISTS donors_standing_state_del ON donors_donoraddress;",
        "CREATE TRIGGER donors_standing_state_ins AFTER INSERT ON donors_donoraddress "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "donors_standing_state();",
        "CREATE TRIGGER donors_standing_state_upd AFTER UPDATE ON donors_donoraddress "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION donors_standing_state();",
        "CREATE TRIGGER donors_standing_state_del AFTER DELETE ON donors_donoraddress "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "
        "donors_standing_state();",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS donors_giving_summary_ins;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_del;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_upd_old;",
        "DROP TRIGGER IF EXISTS donors_giving_summary_upd_new;",
        "DROP TRIGGER IF EXISTS donors_standing_state_ins;",
        "DROP TRIGGER IF EXISTS donors_standing_state_del;",
        "DROP TRIGGER IF EXISTS donors_standing_state_upd;",
        "CREATE TRIGGER donors_giving_summary_ins AFTER INSERT ON donors_donorstanding BEGIN "
        "INSERT INTO donors_givingsummary (first_fiscal_year, last_fiscal_year, previous_key, "
        "state, donors, lifetime_cents, last_year_cents) VALUES (NEW.first_fiscal_year, "
        "NEW.last_fiscal_year, COALESCE(NEW.previous_fiscal_year, 0), NEW.state, 1, "
        "CAST(ROUND(NEW.lifetime_total * 100) AS INTEGER), CAST(ROUND(NEW.last_year_total * "
        "100) AS INTEGER)) ON CONFLICT (first_fiscal_year, last_fiscal_year, previous_key, "
        "state) DO UPDATE SET donors = donors_givingsummary.donors + excluded.donors, "
        "lifetime_cents = donors_givingsummary.lifetime_cents + excluded.lifetime_cents, "
        "last_year_cents = donors_givingsummary.last_year_cents + excluded.last_year_cents; "
        "END;",
        "CREATE TRIGGER donors_giving_summary_del AFTER DELETE ON donors_donorstanding BEGIN "
        "INSERT INTO donors_givingsummary (first_fiscal_year, last_fiscal_year, previous_key, "
        "state, donors, lifetime_cents, last_year_cents) VALUES (OLD.first_fiscal_year, "
        "OLD.last_fiscal_year, COALESCE(OLD.previous_fiscal_year, 0), OLD.state, -1, "
        "-CAST(ROUND(OLD.lifetime_total * 100) AS INTEGER), -CAST(ROUND(OLD.last_year_total * "
        "100) AS INTEGER)) ON CONFLICT (first_fiscal_year, last_fiscal_year, previous_key, "
        "state) DO UPDATE SET donors = donors_givingsummary.donors + excluded.donors, "
        "lifetime_cents = donors_givingsummary.lifetime_cents + excluded.lifetime_cents, "
        "last_year_cents = donors_givingsummary.last_year_cents + excluded.last_year_cents; "
        "END;",
        "CREATE TRIGGER donors_giving_summary_upd_old AFTER UPDATE ON donors_donorstanding "
        "BEGIN INSERT INTO donors_givingsummary (first_fiscal_year, last_fiscal_year, "
        "previous_key, state, donors, lifetime_cents, last_year_cents) VALUES "
        "(OLD.first_fiscal_year, OLD.last_fiscal_year, COALESCE(OLD.previous_fiscal_year, 0), "
        "OLD.state, -1, -CAST(ROUND(OLD.lifetime_total * 100) AS INTEGER), "
        "-CAST(ROUND(OLD.last_year_total * 100) AS INTEGER)) ON CONFLICT (first_fiscal_year, "
        "last_fiscal_year, previous_key, state) DO UPDATE SET donors = "
        "donors_givingsummary.donors + excluded.donors, lifetime_cents = "
        "donors_givingsummary.lifetime_cents + excluded.lifetime_cents, last_year_cents = "
        "donors_givingsummary.last_year_cents + excluded.last_year_cents; END;",
        "CREATE TRIGGER donors_giving_summary_upd_new AFTER UPDATE ON donors_donorstanding "
        "BEGIN INSERT INTO donors_givingsummary (first_fiscal_year, last_fiscal_year, "
        "previous_key, state, donors, lifetime_cents, last_year_cents) VALUES "
        "(NEW.first_fiscal_year, NEW.last_fiscal_year, COALESCE(NEW.previous_fiscal_year, 0), "
        "NEW.state, 1, CAST(ROUND(NEW.lifetime_total * 100) AS INTEGER), "
        "CAST(ROUND(NEW.last_year_total * 100) AS INTEGER)) ON CONFLICT (first_fiscal_year, "
        "last_fiscal_year, previous_key, state) DO UPDATE SET donors = "
        "donors_givingsummary.donors + excluded.donors, lifetime_cents = "
        "donors_givingsummary.lifetime_cents + excluded.lifetime_cents, last_year_cents = "
        "donors_givingsummary.last_year_cents + excluded.last_year_cents; END;",
        "CREATE TRIGGER donors_standing_state_ins AFTER INSERT ON donors_donoraddress BEGIN "
        "UPDATE donors_donorstanding SET state = COALESCE((SELECT CASE WHEN a.country <> 'US' "
        "THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END FROM "
        "donors_donoraddress AS a WHERE a.donor_id = donors_donorstanding.donor_id AND "
        "a.is_primary), 'No address') WHERE donor_id IN (NEW.donor_id) AND state <> "
        "COALESCE((SELECT CASE WHEN a.country <> 'US' THEN 'Outside the US' WHEN a.region = '' "
        "THEN 'No address' ELSE a.region END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address'); END;",
        "CREATE TRIGGER donors_standing_state_del AFTER DELETE ON donors_donoraddress BEGIN "
        "UPDATE donors_donorstanding SET state = COALESCE((SELECT CASE WHEN a.country <> 'US' "
        "THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END FROM "
        "donors_donoraddress AS a WHERE a.donor_id = donors_donorstanding.donor_id AND "
        "a.is_primary), 'No address') WHERE donor_id IN (OLD.donor_id) AND state <> "
        "COALESCE((SELECT CASE WHEN a.country <> 'US' THEN 'Outside the US' WHEN a.region = '' "
        "THEN 'No address' ELSE a.region END FROM donors_donoraddress AS a WHERE a.donor_id = "
        "donors_donorstanding.donor_id AND a.is_primary), 'No address'); END;",
        "CREATE TRIGGER donors_standing_state_upd AFTER UPDATE ON donors_donoraddress BEGIN "
        "UPDATE donors_donorstanding SET state = COALESCE((SELECT CASE WHEN a.country <> 'US' "
        "THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END FROM "
        "donors_donoraddress AS a WHERE a.donor_id = donors_donorstanding.donor_id AND "
        "a.is_primary), 'No address') WHERE donor_id IN (OLD.donor_id, NEW.donor_id) AND state "
        "<> COALESCE((SELECT CASE WHEN a.country <> 'US' THEN 'Outside the US' WHEN a.region = "
        "'' THEN 'No address' ELSE a.region END FROM donors_donoraddress AS a WHERE a.donor_id "
        "= donors_donorstanding.donor_id AND a.is_primary), 'No address'); END;",
    ],
}

BACKFILL = {
    "postgresql": "INSERT INTO donors_donorstanding (donor_id, first_fiscal_year, last_fiscal_year, "
    "previous_fiscal_year, last_year_total, lifetime_total, state) SELECT r.donor_id, "
    "MIN(r.fy), MAX(r.fy), MAX(CASE WHEN r.n = 2 THEN r.fy END), MAX(CASE WHEN r.n = 1 "
    "THEN r.total END), ROUND(SUM(r.total), 2), COALESCE((SELECT CASE WHEN a.country <> "
    "'US' THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END "
    "FROM donors_donoraddress AS a WHERE a.donor_id = r.donor_id AND a.is_primary), 'No "
    "address') FROM (SELECT y.donor_id, y.fy, y.total, ROW_NUMBER() OVER (PARTITION BY "
    "y.donor_id ORDER BY y.fy DESC) AS n FROM (SELECT g.donor_id, (EXTRACT(YEAR FROM "
    "g.tax_date)::int + CASE WHEN (SELECT COALESCE(MAX(fiscal_year_start_month), 1) "
    "FROM donors_organization) > 1 AND EXTRACT(MONTH FROM g.tax_date)::int >= (SELECT "
    "COALESCE(MAX(fiscal_year_start_month), 1) FROM donors_organization) THEN 1 ELSE 0 "
    "END) AS fy, ROUND(SUM((g.amount - g.amount_refunded)), 2) AS total FROM "
    "donors_gift AS g WHERE g.status IN ('succeeded', 'partially_refunded') GROUP BY "
    "g.donor_id, fy) AS y) AS r GROUP BY r.donor_id",
    "sqlite": "INSERT INTO donors_donorstanding (donor_id, first_fiscal_year, last_fiscal_year, "
    "previous_fiscal_year, last_year_total, lifetime_total, state) SELECT r.donor_id, "
    "MIN(r.fy), MAX(r.fy), MAX(CASE WHEN r.n = 2 THEN r.fy END), MAX(CASE WHEN r.n = 1 THEN "
    "r.total END), ROUND(SUM(r.total), 2), COALESCE((SELECT CASE WHEN a.country <> 'US' "
    "THEN 'Outside the US' WHEN a.region = '' THEN 'No address' ELSE a.region END FROM "
    "donors_donoraddress AS a WHERE a.donor_id = r.donor_id AND a.is_primary), 'No "
    "address') FROM (SELECT y.donor_id, y.fy, y.total, ROW_NUMBER() OVER (PARTITION BY "
    "y.donor_id ORDER BY y.fy DESC) AS n FROM (SELECT g.donor_id, (CAST(substr(g.tax_date, "
    "1, 4) AS INTEGER) + CASE WHEN (SELECT COALESCE(MAX(fiscal_year_start_month), 1) "
    "FROM donors_organization) > 1 AND CAST(substr(g.tax_date, 6, 2) AS INTEGER) >= "
    "(SELECT COALESCE(MAX(fiscal_year_start_month), 1) FROM donors_organization) THEN 1 "
    "ELSE 0 END) AS fy, ROUND(SUM((g.amount - g.amount_refunded)), 2) AS total FROM "
    "donors_gift AS g WHERE g.status IN ('succeeded', 'partially_refunded') GROUP BY "
    "g.donor_id, fy) AS y) AS r GROUP BY r.donor_id",
}


DROP = {
    "postgresql": [
        *(
            f"DROP TRIGGER IF EXISTS donors_giving_summary_{e} ON donors_donorstanding;"
            for e in ("ins", "upd", "del")
        ),
        *(
            f"DROP TRIGGER IF EXISTS donors_standing_state_{e} ON donors_donoraddress;"
            for e in ("ins", "upd", "del")
        ),
        "DROP FUNCTION IF EXISTS donors_giving_summary();",
        "DROP FUNCTION IF EXISTS donors_standing_state();",
    ],
    "sqlite": [
        *(
            f"DROP TRIGGER IF EXISTS donors_giving_summary_{e};"
            for e in ("ins", "del", "upd_old", "upd_new")
        ),
        *(f"DROP TRIGGER IF EXISTS donors_standing_state_{e};" for e in ("ins", "del", "upd")),
    ],
}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in TRIGGERS[vendor]:
        schema_editor.execute(statement, params=None)
    schema_editor.execute(BACKFILL[vendor], params=None)


def uninstall(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0020_asks_and_tasks"),
    ]

    operations = [
        migrations.CreateModel(
            name="DonorStanding",
            fields=[
                (
                    "donor",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="standing",
                        serialize=False,
                        to="donors.donor",
                    ),
                ),
                ("first_fiscal_year", models.PositiveSmallIntegerField()),
                ("last_fiscal_year", models.PositiveSmallIntegerField()),
                (
                    "previous_fiscal_year",
                    models.PositiveSmallIntegerField(
                        help_text="The latest fiscal year with giving before the last one.",
                        null=True,
                    ),
                ),
                (
                    "last_year_total",
                    models.DecimalField(
                        decimal_places=2, help_text="Given in the last fiscal year.", max_digits=14
                    ),
                ),
                ("lifetime_total", models.DecimalField(decimal_places=2, max_digits=14)),
                ("state", models.CharField(max_length=100)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["last_fiscal_year", "-lifetime_total", "donor"],
                        name="donorstanding_lapsed_idx",
                    ),
                    models.Index(
                        fields=["-lifetime_total", "donor"], name="donorstanding_lifetime_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="GivingSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_fiscal_year", models.PositiveSmallIntegerField()),
                ("last_fiscal_year", models.PositiveSmallIntegerField()),
                (
                    "previous_key",
                    models.PositiveSmallIntegerField(
                        help_text="The previous fiscal year; 0 for none."
                    ),
                ),
                ("state", models.CharField(max_length=100)),
                ("donors", models.IntegerField(default=0)),
                ("lifetime_cents", models.BigIntegerField(default=0)),
                ("last_year_cents", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("first_fiscal_year", "last_fiscal_year", "previous_key", "state"),
                        name="givingsummary_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
