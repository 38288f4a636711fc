from .base import RegisterModel, RegisterQuerySet
from .bindings import IndicatorBinding
from .coverage import Coverage5G, Operator, Village  # noqa: F401
from .enterprises import Enterprise, ProgrammeStep, ProgrammeStepKind  # noqa: F401
from .imports import RegisterImport  # noqa: F401
from .initiatives import Initiative, InitiativeScope, InitiativeStatus
from .outreach import CommunityTechTeam, OutreachItem, OutreachKind, TeamActivity, TeamMember  # noqa: F401
from .people import CourseAttendance, DigitalLiteracyCompletion, DigitalSkillCourse, Official  # noqa: F401
from .procedures import ProcedureMonth  # noqa: F401
from .products import ProductImage, TraceableProduct  # noqa: F401
from .reporting import PeriodicReportDue  # noqa: F401

__all__ = [
    "IndicatorBinding",
    "Initiative",
    "InitiativeScope",
    "InitiativeStatus",
    "RegisterModel",
    "RegisterQuerySet",
]
