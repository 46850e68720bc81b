"""Record audit trail: field-level changes of form records.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:53:39.910472
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jimu.engines.sqltypes
import jimu.platform.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('record_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', jimu.engines.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_record_audit_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_record_audit_form_id_forms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_audit'))
    )
    with op.batch_alter_table('record_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_audit_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_audit_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_audit_record_id'))
        batch_op.drop_index(batch_op.f('ix_record_audit_form_id'))

    op.drop_table('record_audit')
