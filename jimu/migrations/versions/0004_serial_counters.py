"""Serial number counters (流水号), one row per form, field and period.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:58:59.486079
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jimu.engines.sqltypes
import jimu.platform.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('serial_counters',
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('field_key', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_serial_counters_form_id_forms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('form_id', 'field_key', 'period', name=op.f('pk_serial_counters'))
    )


def downgrade() -> None:
    op.drop_table('serial_counters')
