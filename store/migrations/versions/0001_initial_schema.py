"""Initial schema: survey invitations, ratings (with the agency-side indicators beside the citizen's),
alerts, and the unanswered-question log.

Databases made before migrations existed already hold `unanswered_questions` (created ad hoc by the
first version of the store); that table is adopted as it is instead of being created again.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=True),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('procedure_id', sa.String(length=128), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.String(length=128), nullable=True),
    sa.CheckConstraint("kind in ('dossier', 'desk')", name='ck_invitation_kind'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitations_dossier_code'), ['dossier_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitations_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitations_unit'), ['unit'], unique=False)

    if 'unanswered_questions' not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table('unanswered_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=64), nullable=True),
        sa.Column('unit', sa.String(length=64), nullable=True),
        sa.Column('desk', sa.String(length=64), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('conversation_id', sa.String(length=128), nullable=True),
        sa.Column('candidates', sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('unanswered_questions', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_unanswered_questions_asked_at'), ['asked_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_unanswered_questions_unit'), ['unit'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revisions', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('desk', sa.String(length=64), nullable=True),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('procedure_id', sa.String(length=128), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('citizen_contacts', sa.SmallInteger(), nullable=True),
    sa.Column('citizen_bodies', sa.SmallInteger(), nullable=True),
    sa.Column('citizen_publicity', sa.SmallInteger(), nullable=True),
    sa.Column('citizen_attitude', sa.SmallInteger(), nullable=True),
    sa.Column('agency_total_time', sa.SmallInteger(), nullable=True),
    sa.Column('agency_step_time', sa.SmallInteger(), nullable=True),
    sa.Column('agency_contacts', sa.SmallInteger(), nullable=True),
    sa.Column('agency_bodies', sa.SmallInteger(), nullable=True),
    sa.Column('agency_one_stop', sa.SmallInteger(), nullable=True),
    sa.Column('agency_publicity', sa.SmallInteger(), nullable=True),
    sa.Column('agency_attitude', sa.SmallInteger(), nullable=True),
    sa.Column('agency_feedback', sa.SmallInteger(), nullable=True),
    sa.Column('agency_online', sa.SmallInteger(), nullable=True),
    sa.Column('overall', sa.String(length=16), nullable=False),
    sa.Column('sipas_access', sa.SmallInteger(), nullable=True),
    sa.Column('sipas_procedure', sa.SmallInteger(), nullable=True),
    sa.Column('sipas_officials', sa.SmallInteger(), nullable=True),
    sa.Column('sipas_result', sa.SmallInteger(), nullable=True),
    sa.Column('sipas_feedback', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('callback_phone', sa.String(length=20), nullable=True),
    sa.CheckConstraint("overall in ('very_satisfied', 'satisfied', 'dissatisfied')", name='ck_rating_overall'),
    sa.CheckConstraint('agency_attitude between 0 and 2', name='ck_rating_agency_attitude'),
    sa.CheckConstraint('agency_bodies between 0 and 2', name='ck_rating_agency_bodies'),
    sa.CheckConstraint('agency_contacts between 0 and 2', name='ck_rating_agency_contacts'),
    sa.CheckConstraint('agency_feedback between 0 and 2', name='ck_rating_agency_feedback'),
    sa.CheckConstraint('agency_one_stop between 0 and 2', name='ck_rating_agency_one_stop'),
    sa.CheckConstraint('agency_online between 0 and 2', name='ck_rating_agency_online'),
    sa.CheckConstraint('agency_publicity between 0 and 2', name='ck_rating_agency_publicity'),
    sa.CheckConstraint('agency_step_time between 0 and 2', name='ck_rating_agency_step_time'),
    sa.CheckConstraint('agency_total_time between 0 and 2', name='ck_rating_agency_total_time'),
    sa.CheckConstraint('citizen_attitude between 0 and 2', name='ck_rating_citizen_attitude'),
    sa.CheckConstraint('citizen_bodies between 0 and 2', name='ck_rating_citizen_bodies'),
    sa.CheckConstraint('citizen_contacts between 0 and 2', name='ck_rating_citizen_contacts'),
    sa.CheckConstraint('citizen_publicity between 0 and 2', name='ck_rating_citizen_publicity'),
    sa.CheckConstraint('sipas_access between 1 and 5', name='ck_rating_sipas_access'),
    sa.CheckConstraint('sipas_feedback between 1 and 5', name='ck_rating_sipas_feedback'),
    sa.CheckConstraint('sipas_officials between 1 and 5', name='ck_rating_sipas_officials'),
    sa.CheckConstraint('sipas_procedure between 1 and 5', name='ck_rating_sipas_procedure'),
    sa.CheckConstraint('sipas_result between 1 and 5', name='ck_rating_sipas_result'),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_code', 'conversation_id', name='uq_ratings_dossier_sender')
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_unit'), ['unit'], unique=False)
        batch_op.create_index('ix_ratings_unit_created', ['unit', 'created_at'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('reasons', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('new', 'in_progress', 'handled')", name='ck_alert_status'),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_rating_id'), ['rating_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_unit'), ['unit'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_unit'))
        batch_op.drop_index(batch_op.f('ix_alerts_rating_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_created_at'))

    op.drop_table('alerts')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_unit_created')
        batch_op.drop_index(batch_op.f('ix_ratings_unit'))
        batch_op.drop_index(batch_op.f('ix_ratings_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_created_at'))

    op.drop_table('ratings')
    with op.batch_alter_table('unanswered_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_unit'))
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_asked_at'))

    op.drop_table('unanswered_questions')
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitations_unit'))
        batch_op.drop_index(batch_op.f('ix_survey_invitations_issued_at'))
        batch_op.drop_index(batch_op.f('ix_survey_invitations_dossier_code'))

    op.drop_table('survey_invitations')
