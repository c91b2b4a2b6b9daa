"""The data model of the whole product, grouped by feature.

Importing this package registers every table on ``db.metadata`` (Alembic and the schema tests
rely on that).
"""

from surveys.models.accounts import ROLES, AuditEvent, SetPasswordToken, User
from surveys.models.incidents import (
    FOLLOW_UP_STATUSES,
    HANDLED_BY,
    IMPROVEMENT_STATUSES,
    INCIDENT_CATEGORIES,
    INCIDENT_LOCATIONS,
    ImprovementPoint,
    Incident,
)
from surveys.models.organisation import (
    Board,
    Group,
    GroupGrade,
    GroupTeacher,
    School,
    SchoolSettings,
    SchoolYear,
)
from surveys.models.responses import (
    Answer,
    ConstructScore,
    ConversationRequest,
    GroupSummary,
    Response,
    SubmissionReceipt,
)
from surveys.models.waves import (
    WAVE_STATUSES,
    ClassSession,
    InstrumentVersion,
    OneTimeCode,
    SurveyWave,
    WaveInstrument,
)

__all__ = [
    "FOLLOW_UP_STATUSES",
    "HANDLED_BY",
    "IMPROVEMENT_STATUSES",
    "INCIDENT_CATEGORIES",
    "INCIDENT_LOCATIONS",
    "ROLES",
    "WAVE_STATUSES",
    "Answer",
    "AuditEvent",
    "Board",
    "ClassSession",
    "ConstructScore",
    "ConversationRequest",
    "Group",
    "GroupGrade",
    "GroupSummary",
    "GroupTeacher",
    "ImprovementPoint",
    "Incident",
    "InstrumentVersion",
    "OneTimeCode",
    "Response",
    "School",
    "SchoolSettings",
    "SchoolYear",
    "SetPasswordToken",
    "SubmissionReceipt",
    "SurveyWave",
    "User",
    "WaveInstrument",
]
