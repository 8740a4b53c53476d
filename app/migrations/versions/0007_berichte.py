"""Fokusberichte: reports written by the office, each published version pinned to its data.

- `report`: one row per report (slug, topic) with the editors' working draft (title, summary,
  Markdown body with directives).
- `report_version`: every published version, never changed or deleted; `release_ids` are the
  releases that were published at that moment, so the version's numbers are the data as it
  stood, release by release.
- `shown_value_in(ids)`: the layered rule of view `shown_value` (migration 0004: per indicator,
  area and year real before synthetic, then the newest) restricted to the given releases. The
  ORDER BY is the view's; tests/test_berichte.py checks both agree on every published value.

Revision ID: 0007
Revises: 0006g
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006g"
branch_labels = None
depends_on = None

# An inlinable SQL function (one SELECT, STABLE): conditions on indicator, area and year are
# pushed into it like into the view.
SHOWN_VALUE_IN = """
CREATE FUNCTION shown_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE release_id = ANY(ids)
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
$$
"""


def upgrade() -> None:
    """Create report, report_version and shown_value_in()."""
    op.create_table(
        "report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("topic_id", sa.String(60), sa.ForeignKey("topic.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="report_slug_check"),
    )
    op.create_table(
        "report_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("topic_id", sa.String(60), sa.ForeignKey("topic.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("release_ids", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column(
            "published_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("published_by", sa.String(80), nullable=False),
        sa.UniqueConstraint("report_id", "version"),
    )
    op.execute(SHOWN_VALUE_IN)


def downgrade() -> None:
    """Back to revision 0005."""
    op.execute("DROP FUNCTION shown_value_in(int[])")
    op.drop_table("report_version")
    op.drop_table("report")
