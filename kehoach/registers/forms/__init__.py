from .base import RegisterForm
from .coverage import Coverage5GForm, VillageForm  # noqa: F401
from .enterprises import EnterpriseForm, ProgrammeStepForm  # noqa: F401
from .initiatives import InitiativeForm
from .outreach import CommunityTechTeamForm, OutreachItemForm  # noqa: F401
from .people import (  # noqa: F401
    CourseAttendanceForm,
    DigitalLiteracyCompletionForm,
    DigitalSkillCourseForm,
    OfficialForm,
)
from .procedures import ProcedureMonthForm  # noqa: F401
from .products import TraceableProductForm  # noqa: F401
from .reporting import PeriodicReportDueForm  # noqa: F401

__all__ = ["InitiativeForm", "RegisterForm"]
