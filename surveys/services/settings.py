"""School settings: name, the vertrouwenspersoon pupils are shown, k, retention, feedback access."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import School, SchoolSettings
from surveys.services import audit
from surveys.services.messages import N_, Refusal

RETENTION_MAX_YEARS = 20


class SettingsError(Refusal):
    """The settings cannot be saved as given; the message says why."""


@dataclass(frozen=True)
class SettingsIn:
    name: str
    vertrouwenspersoon_name: str
    vertrouwenspersoon_contact: str
    k: int
    retention_years: int
    director_sees_teacher_feedback: bool


def settings_of(school: School) -> SchoolSettings:
    if school.settings is None:
        school.settings = SchoolSettings(k=5, retention_years=5)
        db.session.flush()
    return school.settings


def minimum_k() -> int:
    return max(5, int(current_app.config.get("PRIVACY_K", 5)))


def _keep_k_of_answered_waves(school: School, k: int) -> None:
    """Before the school's k goes down, waves that already have responses keep the k they were
    analysed with (P7): their own k is raised to it, so lowering applies to new waves only."""
    from surveys.models import Response, SchoolYear, SurveyWave

    answered = select(Response.wave_id).distinct()
    years = select(SchoolYear.id).where(SchoolYear.school_id == school.id)
    for wave in db.session.scalars(select(SurveyWave).where(
            SurveyWave.school_year_id.in_(years), SurveyWave.id.in_(answered),
            SurveyWave.k < k)):
        wave.k = k


def update_settings(user, school: School, data: SettingsIn, *,  # type: ignore[no-untyped-def]
                    may_grant_feedback: bool) -> str:
    """Save the settings; returns the audit-log description of what changed."""
    if not data.name.strip() or len(data.name) > 200:
        raise SettingsError(N_("a school needs a name of at most 200 characters"))
    if len(data.vertrouwenspersoon_name) > 200 or len(data.vertrouwenspersoon_contact) > 500:
        raise SettingsError(N_("the vertrouwenspersoon's name or contact is too long"))
    low = minimum_k()
    if not low <= data.k <= 50:
        raise SettingsError(N_("k must lie between %(low)s and 50"), low=low)
    if not 1 <= data.retention_years <= RETENTION_MAX_YEARS:
        raise SettingsError(N_("keep data between 1 and %(max)s years"), max=RETENTION_MAX_YEARS)
    settings = settings_of(school)
    fields = ("k", "retention_years", "director_sees_teacher_feedback",
              "vertrouwenspersoon_name", "vertrouwenspersoon_contact")
    before = {"name": school.name, **{f: getattr(settings, f) for f in fields}}
    school.name = data.name.strip()
    settings.vertrouwenspersoon_name = data.vertrouwenspersoon_name.strip()
    settings.vertrouwenspersoon_contact = data.vertrouwenspersoon_contact.strip()
    if data.k < settings.k:
        _keep_k_of_answered_waves(school, settings.k)
    settings.k = data.k
    settings.retention_years = data.retention_years
    if may_grant_feedback:
        settings.director_sees_teacher_feedback = data.director_sees_teacher_feedback
    after = {"name": school.name, **{f: getattr(settings, f) for f in fields}}
    db.session.flush()
    detail = audit.changes(before, after)
    if detail:
        audit.record(user, "settings_changed", school, school_id=school.id, detail=detail)
    return detail
