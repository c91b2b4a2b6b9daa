"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-30 05:33:55.100788
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boards")),
    )
    op.create_table(
        "instrument_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_versions")),
        sa.UniqueConstraint(
            "instrument_id", "version", name=op.f("uq_instrument_versions_instrument_id_version")
        ),
    )
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=True),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_schools_board_id_boards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("slug", name=op.f("uq_schools_slug")),
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schools_board_id"), ["board_id"], unique=False)

    op.create_table(
        "school_settings",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("vertrouwenspersoon_name", sa.String(length=200), nullable=False),
        sa.Column("vertrouwenspersoon_contact", sa.String(length=500), nullable=False),
        sa.Column("k", sa.SmallInteger(), nullable=False),
        sa.Column("retention_years", sa.SmallInteger(), nullable=False),
        sa.Column("director_sees_teacher_feedback", sa.Boolean(), nullable=False),
        sa.Column("default_language", sa.String(length=2), nullable=False),
        sa.Column("school_day_ends", sa.Time(), nullable=False),
        sa.CheckConstraint("k >= 5", name=op.f("ck_school_settings_k_at_least_5")),
        sa.CheckConstraint(
            "retention_years >= 1", name=op.f("ck_school_settings_retention_positive")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_school_settings_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_school_settings")),
    )
    op.create_table(
        "school_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=9), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_school_years_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_years")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_school_years_school_id_name")),
    )
    with op.batch_alter_table("school_years", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_years_school_id"), ["school_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("board_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'director', 'teacher', 'coordinator')",
            name=op.f("ck_users_role_known"),
        ),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_users_board_id_boards")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_users_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_school_id"), ["school_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_audit_events_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("previous_group_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("size >= 0", name=op.f("ck_groups_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["previous_group_id"], ["groups.id"], name=op.f("fk_groups_previous_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_groups_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("school_year_id", "name", name=op.f("uq_groups_school_year_id_name")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_groups_previous_group_id"), ["previous_group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_groups_school_year_id"), ["school_year_id"], unique=False
        )

    op.create_table(
        "set_password_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_set_password_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_password_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_set_password_tokens_token_hash")),
    )
    with op.batch_alter_table("set_password_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_set_password_tokens_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "survey_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("k", sa.SmallInteger(), nullable=False),
        sa.Column("one_time_codes", sa.Boolean(), nullable=False),
        sa.Column("teacher_feedback", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed')", name=op.f("ck_survey_waves_status_known")
        ),
        sa.CheckConstraint("k >= 5", name=op.f("ck_survey_waves_k_at_least_5")),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_survey_waves_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_waves")),
        sa.UniqueConstraint(
            "school_year_id", "name", name=op.f("uq_survey_waves_school_year_id_name")
        ),
    )
    with op.batch_alter_table("survey_waves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_waves_school_year_id"), ["school_year_id"], unique=False
        )

    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_class_sessions_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_class_sessions_started_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_class_sessions_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_sessions")),
    )
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_sessions_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_sessions_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_sessions_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "conversation_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("group_label", sa.String(length=60), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_conversation_requests_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_conversation_requests_handled_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_conversation_requests_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_requests")),
        sqlite_with_rowid=False,  # no hidden arrival order (P2)
    )
    with op.batch_alter_table("conversation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_requests_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "group_grades",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 8", name=op.f("ck_group_grades_grade_range")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_grades_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("group_id", "grade", name=op.f("pk_group_grades")),
    )
    op.create_table(
        "group_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("construct", sa.String(length=64), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=True),
        sa.Column("sd", sa.Float(), nullable=True),
        sa.Column("n_positive", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_summaries_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_group_summaries_teacher_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_group_summaries_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_summaries")),
    )
    with op.batch_alter_table("group_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_summaries_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_summaries_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "group_teachers",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_teachers_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_teachers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_teachers")),
    )
    with op.batch_alter_table("group_teachers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_teachers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "improvement_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("construct", sa.String(length=64), nullable=True),
        sa.Column("flag_rule", sa.String(length=30), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('gepland', 'lopend', 'afgerond', 'vervallen')",
            name=op.f("ck_improvement_points_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_improvement_points_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_improvement_points_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_points")),
    )
    with op.batch_alter_table("improvement_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_improvement_points_school_year_id"), ["school_year_id"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=True),
        sa.Column("handled_by", sa.String(length=20), nullable=False),
        sa.Column("parents_informed", sa.Boolean(), nullable=True),
        sa.Column("follow_up", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('fysiek_geweld', 'bedreiging', 'online_intimidatie', 'pesten', 'seksueel_misbruik', 'seksuele_intimidatie', 'discriminatie', 'vernieling', 'diefstal', 'heling', 'extremisme')",
            name=op.f("ck_incidents_category_known"),
        ),
        sa.CheckConstraint(
            "handled_by IN ('leraar', 'directeur', 'bestuur', 'politie')",
            name=op.f("ck_incidents_handled_by_known"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_incidents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_incidents_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_years.id"],
            name=op.f("fk_incidents_school_year_id_school_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_year_group", ["school_year_id", "group_id"], unique=False
        )

    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_one_time_codes_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_one_time_codes_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_one_time_codes_code_hash")),
    )
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_codes_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_one_time_codes_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 8", name=op.f("ck_responses_grade_range")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_responses_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_responses_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sqlite_with_rowid=False,  # no hidden arrival order (P2)
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responses_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_responses_wave_group", ["wave_id", "group_id"], unique=False)

    op.create_table(
        "submission_receipts",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_waves.id"],
            name=op.f("fk_submission_receipts_wave_id_survey_waves"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_submission_receipts")),
        sqlite_with_rowid=False,  # no hidden arrival order (P2)
    )
    with op.batch_alter_table("submission_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_receipts_wave_id"), ["wave_id"], unique=False
        )

    op.create_table(
        "wave_instruments",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 8", name=op.f("ck_wave_instruments_grade_range")),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_wave_instruments_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint(
            "wave_id", "grade", "instrument_id", name=op.f("pk_wave_instruments")
        ),
    )
    op.create_table(
        "answers",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("part", sa.SmallInteger(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["instrument_versions.id"],
            name=op.f("fk_answers_instrument_version_id_instrument_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_answers_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_answers_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "instrument_version_id", "item_key", "part", name=op.f("pk_answers")
        ),
        sqlite_with_rowid=False,  # no hidden arrival order (P2)
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answers_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "construct_scores",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("construct", sa.String(length=64), nullable=False),
        sa.Column("part", sa.SmallInteger(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("common", sa.Float(), nullable=True),
        sa.Column("n_items", sa.SmallInteger(), nullable=False),
        sa.Column("n_answered", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["instrument_versions.id"],
            name=op.f("fk_construct_scores_instrument_version_id_instrument_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_construct_scores_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_construct_scores_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "construct", "part", name=op.f("pk_construct_scores")
        ),
        sqlite_with_rowid=False,  # no hidden arrival order (P2)
    )
    with op.batch_alter_table("construct_scores", schema=None) as batch_op:
        batch_op.create_index("ix_construct_scores_construct", ["construct"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_construct_scores_teacher_id"), ["teacher_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("construct_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_construct_scores_teacher_id"))
        batch_op.drop_index("ix_construct_scores_construct")

    op.drop_table("construct_scores")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_teacher_id"))

    op.drop_table("answers")
    op.drop_table("wave_instruments")
    with op.batch_alter_table("submission_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_receipts_wave_id"))

    op.drop_table("submission_receipts")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_wave_group")
        batch_op.drop_index(batch_op.f("ix_responses_group_id"))

    op.drop_table("responses")
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_codes_wave_id"))
        batch_op.drop_index(batch_op.f("ix_one_time_codes_group_id"))

    op.drop_table("one_time_codes")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_year_group")

    op.drop_table("incidents")
    with op.batch_alter_table("improvement_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_points_school_year_id"))

    op.drop_table("improvement_points")
    with op.batch_alter_table("group_teachers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_teachers_user_id"))

    op.drop_table("group_teachers")
    with op.batch_alter_table("group_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_summaries_wave_id"))
        batch_op.drop_index(batch_op.f("ix_group_summaries_group_id"))

    op.drop_table("group_summaries")
    op.drop_table("group_grades")
    with op.batch_alter_table("conversation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_requests_school_id"))

    op.drop_table("conversation_requests")
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_sessions_wave_id"))
        batch_op.drop_index(batch_op.f("ix_class_sessions_group_id"))
        batch_op.drop_index(batch_op.f("ix_class_sessions_code"))

    op.drop_table("class_sessions")
    with op.batch_alter_table("survey_waves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_waves_school_year_id"))

    op.drop_table("survey_waves")
    with op.batch_alter_table("set_password_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_password_tokens_user_id"))

    op.drop_table("set_password_tokens")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_school_year_id"))
        batch_op.drop_index(batch_op.f("ix_groups_previous_group_id"))

    op.drop_table("groups")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_school_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_school_id"))
        batch_op.drop_index(batch_op.f("ix_users_board_id"))

    op.drop_table("users")
    with op.batch_alter_table("school_years", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_years_school_id"))

    op.drop_table("school_years")
    op.drop_table("school_settings")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_board_id"))

    op.drop_table("schools")
    op.drop_table("instrument_versions")
    op.drop_table("boards")
