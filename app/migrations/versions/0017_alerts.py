"""Early-warning alerts (issue #31, part 2): what a publish changed significantly, and e-mail.

- `alert`: written by `indicators.releases.publish` in the publish's own transaction (a failed
  publish leaves none; withdrawing the release deletes its alerts). One row per area and
  indicator and kind: 'intervall' (a new value outside the 95 % interval of the value shown
  before), 'trend' (a trend becoming significant), 'status' / 'dynamik' (a Kommune's class of
  the Sozialindex changing), 'neu' (an indicator with real values for the first time).
- `alert_subscription`: an e-mail address for a Kommune and/or an indicator with its double
  opt-in token; only a confirmed one gets alerts.
- `alert_delivery`: the queue — per confirmed subscription the alerts it has not been sent
  yet; `sozmon alerts send` delivers them through the configured SMTP server.

The web app's role gets SELECT, INSERT, UPDATE, DELETE on them by 0013's default privileges.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KINDS = "('intervall', 'trend', 'status', 'dynamik', 'neu')"


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer(),
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ags", sa.String(8), sa.ForeignKey("area.ags"), nullable=False),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("ref_year", sa.Integer(), nullable=True),
        sa.Column("old_value", sa.Float(), nullable=True),
        sa.Column("new_value", sa.Float(), nullable=True),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("old_label", sa.String(20), nullable=True),
        sa.Column("new_label", sa.String(20), nullable=True),
        sa.Column("p", sa.Float(), nullable=True),
        sa.CheckConstraint(f"kind IN {KINDS}", name="alert_kind"),
    )
    op.create_index("ix_alert_release_id", "alert", ["release_id"])
    op.create_index("ix_alert_ags", "alert", ["ags"])
    op.create_index("ix_alert_indicator_id", "alert", ["indicator_id"])
    op.create_index("ix_alert_published_at", "alert", ["published_at"])
    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("ags", sa.String(8), sa.ForeignKey("area.ags"), nullable=True),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), nullable=True),
        sa.Column("lang", sa.String(5), nullable=False, server_default="de"),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("confirm_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "ags IS NOT NULL OR indicator_id IS NOT NULL", name="alert_subscription_topic"
        ),
    )
    op.create_table(
        "alert_delivery",
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("alert_subscription.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "alert_id",
            sa.Integer(),
            sa.ForeignKey("alert.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_alert_delivery_alert_id", "alert_delivery", ["alert_id"])


def downgrade() -> None:
    op.drop_table("alert_delivery")
    op.drop_table("alert_subscription")
    op.drop_table("alert")
