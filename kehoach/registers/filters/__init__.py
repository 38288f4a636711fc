from .base import RegisterFilter
from .coverage import Coverage5GFilter, VillageFilter  # noqa: F401
from .enterprises import EnterpriseFilter, ProgrammeStepFilter  # noqa: F401
from .initiatives import InitiativeFilter
from .outreach import CommunityTechTeamFilter, OutreachItemFilter  # noqa: F401
from .people import (  # noqa: F401
    CourseAttendanceFilter,
    DigitalLiteracyCompletionFilter,
    DigitalSkillCourseFilter,
    OfficialFilter,
)
from .procedures import ProcedureMonthFilter  # noqa: F401
from .products import TraceableProductFilter  # noqa: F401
from .reporting import PeriodicReportDueFilter  # noqa: F401

__all__ = ["InitiativeFilter", "RegisterFilter"]
