"""The city's comparison of its communes in the API: the same figures as the page "So sánh các xã, phường".

Only users who read a whole city (a city department, the city's people's committee, a superuser)
compare its communes. As elsewhere in the API: 401 without authentication; 404 for a city id that is
not a city, or an indicator not in the city's catalogue; 403 for a city that exists but is not the
user's, and for a user who follows no city (a commune's user). The figures come from
`kehoach.operations.city`, which the page and its XLSX export read too.
"""

import datetime
import math

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kehoach.operations import city as selectors
from kehoach.operations.city import CommuneRow, Comparison, SortKey
from kehoach.plans.choices import TaskStatus
from kehoach.plans.models import CityIndicator
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit, User

from .schemas import ErrorOut, UnitRef

router = Router()

READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CITY = ["So sánh các xã, phường"]
NO_CITY = (
    "Chỉ cán bộ cấp thành phố mới so sánh được các xã, phường;"
    " tài khoản của bạn không theo dõi thành phố nào."
)


def _user(request: HttpRequest) -> User:
    # TokenAuth and django_auth both return the user; request.user stays anonymous for token requests.
    return request.auth  # type: ignore[attr-defined]


# Schemas -----------------------------------------------------------------------------------------
class CityFilters(Schema):
    city: int | None = Field(
        None,
        description="Mã thành phố; bỏ trống khi người dùng chỉ theo dõi một thành phố (lấy thành phố đầu)",
    )


class CompareFilters(CityFilters):
    year: int | None = Field(None, description="Năm kế hoạch; bỏ trống: năm nay")
    indicator: str | None = Field(
        None,
        description=(
            "Chỉ tiêu dùng chung: mã số (id) hoặc mã chỉ tiêu (ví dụ TP-CDS-05);"
            " bỏ trống: chỉ tiêu đầu danh mục"
        ),
    )
    q: str | None = Field(None, description="Tìm tên xã, phường (không phân biệt dấu)")
    group: int | None = Field(None, description="Mã đơn vị trung gian (nhóm) khi cây đơn vị có cấp này")
    sort: SortKey | None = Field(None, description="Sắp xếp: ten, gia_tri, ty_le_qua_han, canh_bao_do")
    page: int = Field(1, ge=1, description="Trang, mỗi trang 50 xã, phường")


class CatalogueIndicatorOut(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(..., alias="unit_of_measure")
    direction: str
    direction_label: str

    @staticmethod
    def resolve_direction_label(obj: CityIndicator) -> str:
        return obj.get_direction_display()


class PlanRefOut(Schema):
    id: int
    number: str
    title: str


class StatusCountOut(Schema):
    status: str
    label: str
    count: int


class CommuneCompareOut(Schema):
    commune: UnitRef
    group: UnitRef | None
    plans: list[PlanRefOut]
    plan: PlanRefOut | None = Field(..., description="Kế hoạch mở khi xem trung tâm điều hành")
    indicator_code: str | None = Field(..., description="Mã chỉ tiêu trong kế hoạch của xã, phường")
    value: float | None
    unit: str
    period_label: str | None
    period_end: datetime.date | None
    target: float | None
    target_text: str
    achievement: float | None = Field(..., description="Tỷ lệ đạt (%) so với mục tiêu")
    assessment: str
    assessment_label: str
    missing_reason: str | None = Field(..., description="Lý do chưa có số liệu")
    rank: int | None
    task_total: int
    task_statuses: list[StatusCountOut]
    overdue: int
    overdue_rate: float | None
    late_reports: int
    red_alerts: int
    centre_url: str | None


class CompareOut(Schema):
    city: UnitRef
    year: int
    indicator: CatalogueIndicatorOut | None
    sort: str
    commune_count: int = Field(..., description="Số xã, phường của thành phố (xếp hạng trên tất cả)")
    count: int = Field(..., description="Số xã, phường khớp bộ lọc")
    page: int
    pages: int
    page_size: int
    groups: list[UnitRef]
    definitions: dict[str, str]
    items: list[CommuneCompareOut]


# Scope -------------------------------------------------------------------------------------------
def _city(user: User, city_id: int | None) -> Unit:
    """The city the user follows: 403 when they follow none or not this one, 404 when it is no city."""
    cities = selectors.city_for(user)
    if city_id is None:
        if not cities:
            raise PermissionDenied(NO_CITY)
        return cities[0]
    chosen = next((city for city in cities if city.pk == city_id), None)
    if chosen is not None:
        return chosen
    if not Unit.objects.filter(pk=city_id, kind=UnitKind.PROVINCE).exists():
        raise Http404(f"Không tìm thấy thành phố có mã {city_id}.")
    raise PermissionDenied("Bạn không theo dõi thành phố này.")


def _row(row: CommuneRow) -> dict:
    def number(value) -> float | None:
        return None if value is None else float(value)

    return {
        "commune": row.commune,
        "group": row.group,
        "plans": row.plans,
        "plan": row.plan,
        "indicator_code": row.indicator.code if row.indicator else None,
        "value": number(row.value),
        "unit": row.unit_of_measure,
        "period_label": row.period_label or None,
        "period_end": row.period_end,
        "target": number(row.target),
        "target_text": row.target_text,
        "achievement": number(row.achievement),
        "assessment": row.assessment.value,
        "assessment_label": row.assessment.label,
        "missing_reason": row.missing_reason or None,
        "rank": row.rank,
        "task_total": row.task_total,
        "task_statuses": [
            {"status": s.value, "label": s.label, "count": row.status_counts.get(s.value, 0)}
            for s in TaskStatus
        ],
        "overdue": row.overdue,
        "overdue_rate": number(row.overdue_rate),
        "late_reports": row.late_reports,
        "red_alerts": row.red_alerts,
        "centre_url": selectors.centre_url(row),
    }


def _page(comparison: Comparison, page: int) -> dict:
    size = selectors.PAGE_SIZE
    pages = max(1, math.ceil(len(comparison.rows) / size))
    if page > pages:
        raise Http404(f"Không có trang {page}; chỉ có {pages} trang.")
    return {
        "city": comparison.city,
        "year": comparison.year,
        "indicator": comparison.city_indicator,
        "sort": comparison.sort,
        "commune_count": comparison.commune_count,
        "count": len(comparison.rows),
        "page": page,
        "pages": pages,
        "page_size": size,
        "groups": comparison.groups,
        "definitions": comparison.definitions,
        "items": [_row(row) for row in comparison.rows[(page - 1) * size : page * size]],
    }


# Endpoints ---------------------------------------------------------------------------------------
@router.get(
    "/city/catalogue",
    response={200: list[CatalogueIndicatorOut], **READ},
    tags=CITY,
    summary="Danh mục chỉ tiêu dùng chung của thành phố",
)
def city_catalogue(request: HttpRequest, filters: Query[CityFilters]) -> list[CityIndicator]:
    return selectors.catalogue(_city(_user(request), filters.city))


@router.get(
    "/city/compare",
    response={200: CompareOut, **READ},
    tags=CITY,
    summary="So sánh các xã, phường theo một chỉ tiêu dùng chung",
)
def city_compare(request: HttpRequest, filters: Query[CompareFilters]) -> dict:
    city = _city(_user(request), filters.city)
    entries = selectors.catalogue(city)
    if filters.indicator:
        entry = selectors.catalogue_entry(entries, filters.indicator)
        if entry is None:
            raise Http404(
                f"Không có chỉ tiêu “{filters.indicator}” trong danh mục dùng chung của {city.name}."
            )
    else:
        entry = next(iter(entries), None)
    today = timezone.localdate()
    comparison = selectors.compare(
        city=city,
        year=filters.year or today.year,
        city_indicator=entry,
        today=today,
        sort=filters.sort or "",
        query=filters.q or "",
        group=filters.group,
    )
    return _page(comparison, filters.page)
