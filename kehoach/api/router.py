"""The JSON API under /api/v1/: units to read; plans, their indicators, tasks, responsibilities and
triggers (in `plans.py`), periods, progress reports, indicator figures and evidence (in `tracking.py`)
and registers (in `registers.py`) to read and write, with the same permissions as the pages.

Authentication: a personal token (`Authorization: Bearer kh_…` or `Authorization: Token kh_…`, created with
`kehoach token USERNAME` or from the user's page) or the browser's session (writes then need the CSRF token).
Endpoints stay thin: querying and scoping live in `selectors`, writes in the services, output in `schemas`.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ServiceValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from kehoach.tracking.services.workflow import ConflictError
from kehoach.units.models import Membership, Unit, User

from . import selectors
from .auth import TokenAuth
from .operations import router as operations_router
from .operations_city import router as operations_city_router
from .plans import router as plans_router
from .registers import router as registers_router
from .reports import router as reports_router
from .schemas import ErrorOut, MeOut, UnitFilters, UnitOut
from .tracking import conflict_body, validation_body
from .tracking import router as tracking_router


class UnicodeJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Vietnamese letters as they are, so responses read well in curl and logs."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="kehoach API",
    version="1",
    description=(
        "API của hệ thống theo dõi kế hoạch Khoa học, Công nghệ, Đổi mới sáng tạo và Chuyển đổi số: đọc đơn "
        "vị; đọc và ghi kế hoạch, chỉ tiêu, nhiệm vụ, trách nhiệm đơn vị, sự kiện điều kiện, kỳ báo cáo, báo "
        "cáo tiến độ, số liệu chỉ tiêu, minh chứng, sổ theo dõi. "
        "Xác thực bằng mã truy cập cá nhân (tiêu đề `Authorization: Bearer kh_…`) hoặc phiên đăng nhập. "
        "Quyền như trên giao diện: mỗi người chỉ đọc, ghi dữ liệu trong phạm vi đơn vị của mình."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    renderer=UnicodeJSONRenderer(),
)

api.add_router("", tracking_router)
api.add_router("", registers_router)
api.add_router("", reports_router)
api.add_router("", plans_router)
api.add_router("", operations_router)
api.add_router("", operations_city_router)

PAGE = {"page_size": settings.KEHOACH_PAGE_SIZE, "max_page_size": 200}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
UNAUTHENTICATED = (
    "Chưa xác thực: hãy đăng nhập, hoặc gửi mã truy cập cá nhân trong tiêu đề "
    "“Authorization: Bearer kh_…”. Mã đã thu hồi hoặc không đúng sẽ không được chấp nhận."
)
CSRF_FAILED = (
    "Yêu cầu ghi bằng phiên đăng nhập cần mã CSRF (cookie csrftoken và tiêu đề X-CSRFToken); "
    "hoặc dùng mã truy cập cá nhân trong tiêu đề “Authorization: Bearer kh_…”."
)


def _user(request: HttpRequest) -> User:
    # TokenAuth and django_auth both return the user; request.user stays anonymous for token requests.
    return request.auth  # type: ignore[attr-defined]


# Errors: every message the API returns is Vietnamese ----------------------------------------------
@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="kehoach"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Bạn không có quyền xem nội dung này."}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = "Tham số không hợp lệ; xem danh sách lỗi trong “errors”."
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)


@api.exception_handler(ServiceValidationError)
def rejected(request: HttpRequest, exc: ServiceValidationError) -> HttpResponse:
    # A service refused the input: Vietnamese messages per field, general ones under "__all__".
    return api.create_response(request, validation_body(exc), status=422)


@api.exception_handler(ConflictError)
def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    # Saved from an old version: nothing is written; the client gets the current version and the differences.
    return api.create_response(request, conflict_body(exc), status=409)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # As ninja's default, except that a session write without its CSRF token is explained in Vietnamese.
    detail = CSRF_FAILED if exc.status_code == 403 and "CSRF" in str(exc) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


# Me -------------------------------------------------------------------------------------------------
@api.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["Người dùng"], summary="Người dùng hiện tại")
def me(request: HttpRequest) -> dict:
    user = _user(request)
    memberships: list[Membership] = list(selectors.memberships_of(user))
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "position_title": user.position_title,
        "is_superuser": user.is_superuser,
        "memberships": memberships,
    }


# Units ----------------------------------------------------------------------------------------------
@api.get("/units", response={200: list[UnitOut], 401: ErrorOut}, tags=["Đơn vị"], summary="Danh sách đơn vị")
@paginate(PageNumberPagination, **PAGE)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> object:
    return selectors.unit_list(_user(request), **filters.model_dump())


@api.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["Đơn vị"], summary="Chi tiết đơn vị")
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    return selectors.unit_detail(_user(request), unit_id)
