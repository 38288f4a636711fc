"""The commune's operations centre: who lands on it, what it shows, who may act, what it costs."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.operations.choices import AlertState, ScenarioKind
from kehoach.operations.facts import PlanFacts
from kehoach.operations.freshness import forget
from kehoach.operations.models import Alert, Reminder, Scenario
from kehoach.operations.services.alerts import alerts_evaluate
from kehoach.plans.services.tasks import task_save
from kehoach.tracking.choices import NotificationKind, ReportStatus
from kehoach.tracking.models import Notification

D = datetime.date
TODAY = D(2026, 12, 6)


@pytest.fixture
def today(monkeypatch):
    """Freeze the pages' "today" (views read timezone.localdate)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def shaped(plan, make_task, make_indicator, figure, report, period_of, today):
    """One overdue task, one at risk, one done, one indicator behind its target and one on track."""
    overdue = make_task("Số hóa hồ sơ lưu trữ", due=D(2026, 11, 20))
    risky = make_task("Triển khai Bình dân học vụ số", due=D(2026, 12, 31), start=D(2026, 1, 1))
    report(risky, period_of("quy", 3), 30)
    make_task("Ban hành kế hoạch", due=D(2026, 3, 31), completed_on=D(2026, 3, 20))
    behind = make_indicator("CT01", target=90)
    figure(behind, period_of("quy", 2), 40)
    figure(behind, period_of("quy", 3), 50)
    good = make_indicator("CT02", target=50)
    figure(good, period_of("quy", 3), 60)
    alerts_evaluate(today=today, plans=[plan])
    return {"overdue": overdue, "risky": risky, "behind": behind, "good": good}


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("lanhdao", "/dieu-hanh/"),
        ("daumoi", "/dieu-hanh/"),
        ("captren", "/dieu-hanh/"),
        ("vhxh", "/viec-cua-don-vi/"),
    ],
)
def test_who_lands_where(users, client_for, username, lands_on):
    response = client_for(users[username]).get("/")
    assert response.status_code == 302 and response["Location"] == lands_on


def test_leader_lands_on_the_centre_of_the_commune_plan(users, client_for, habac, today):
    response = client_for(users["lanhdao"]).get("/dieu-hanh/")
    assert response.status_code == 302
    assert response["Location"] == f"/dieu-hanh/ke-hoach/{habac.pk}/"


def test_centre_shows_what_is_late_at_risk_and_off_track(plan, shaped, users, client_for):
    response = client_for(users["lanhdao"]).get(f"/dieu-hanh/ke-hoach/{plan.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1/3" in html and "nhiệm vụ đã hoàn thành" in html
    assert "Số hóa hồ sơ lưu trữ" in html and "trễ 16 ngày" in html
    assert "Triển khai Bình dân học vụ số" in html and "còn 25 ngày" in html
    assert "CT01" in html and "tile-danger" in html and "tile-success" in html
    assert 'data-kh-chart="' in html  # the status-by-unit chart with its table
    assert "<table" in html and "Phòng VH-XH" in html
    assert "Cảnh báo đang mở" in html and Alert.objects.filter(plan=plan).active().exists()
    assert "Đôn đốc" in html  # the leader may chase units


def test_tiles_trend_and_forecast(plan, shaped, today):
    tiles = {t.indicator.code: t for t in PlanFacts(plan, today).tiles}
    behind, good = tiles["CT01"], tiles["CT02"]
    assert behind.trend[:3] == [None, 40, 50] and behind.value == 50 and behind.achievement == 56
    assert behind.colour == "danger" and good.colour == "success"
    assert good.period.label == "Quý III/2026" and not behind.computed


def test_htmx_refresh_returns_only_the_body(plan, shaped, users, client_for):
    response = client_for(users["daumoi"]).get(
        f"/dieu-hanh/ke-hoach/{plan.pk}/?phan=noi-dung", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="centre-body"')
    assert "<html" not in html


def test_staff_may_open_the_centre_but_not_chase_units(plan, shaped, users, client_for):
    response = client_for(users["congan"]).get(f"/dieu-hanh/ke-hoach/{plan.pk}/")
    assert response.status_code == 200 and "Đôn đốc</button>" not in response.content.decode()


def test_other_city_and_anonymous_are_refused(plan, shaped, other_city, client, client_for):
    assert client_for(other_city["supervisor"]).get(f"/dieu-hanh/ke-hoach/{plan.pk}/").status_code == 403
    assert (
        client_for(other_city["coordinator"]).get(f"/dieu-hanh/ke-hoach/{plan.pk}/canh-bao/").status_code
        == 403
    )
    response = client.get(f"/dieu-hanh/ke-hoach/{plan.pk}/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_nudge_notifies_the_unit_and_is_recorded(plan, shaped, users, units, client_for, period_of, today):
    q4 = period_of("quy", 4)
    client = client_for(users["daumoi"])
    url = f"/dieu-hanh/ke-hoach/{plan.pk}/ky/{q4.pk}/don-doc/{units['Phòng VH-XH'].pk}/"
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Đã đôn đốc" in response.content.decode()
    reminder = Reminder.objects.get()
    assert reminder.unit == units["Phòng VH-XH"] and reminder.sent_by == users["daumoi"]
    nudges = Notification.objects.filter(kind=NotificationKind.NUDGE)
    assert set(nudges.values_list("user__username", flat=True)) == {"vhxh", "daumoi"}
    assert "Số hóa hồ sơ lưu trữ" in nudges.first().body
    # A unit that owes nothing is not chased.
    response = client.post(
        f"/dieu-hanh/ke-hoach/{plan.pk}/ky/{q4.pk}/don-doc/{units['Công an xã'].pk}/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "đã gửi đủ" in response.content.decode()


def test_nudge_refused_to_staff(plan, shaped, users, units, client_for, period_of):
    q4 = period_of("quy", 4)
    response = client_for(users["vhxh"]).post(
        f"/dieu-hanh/ke-hoach/{plan.pk}/ky/{q4.pk}/don-doc/{units['Phòng VH-XH'].pk}/"
    )
    assert response.status_code == 403 and not Reminder.objects.exists()


def test_alert_page_acknowledge_and_resolve(plan, shaped, users, client_for):
    alert = Alert.objects.get(plan=plan, task=shaped["overdue"], scenario__kind=ScenarioKind.TASK_OVERDUE)
    client = client_for(users["lanhdao"])
    assert client.get(f"/canh-bao/{alert.pk}/").status_code == 200
    response = client.post(f"/canh-bao/{alert.pk}/xu-ly/", {"note": ""})
    assert response.status_code == 422 and "Cần ghi đã xử lý thế nào" in response.content.decode()
    assert client.post(f"/canh-bao/{alert.pk}/tiep-nhan/", {"note": "Đã giao"}).status_code == 302
    assert client.post(f"/canh-bao/{alert.pk}/xu-ly/", {"note": "Đã hoàn thành"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by == users["lanhdao"]
    assert client_for(users["congan"]).post(f"/canh-bao/{alert.pk}/tiep-nhan/").status_code == 403


def test_alert_list_filters(plan, shaped, users, client_for):
    client = client_for(users["congan"])
    html = client.get(f"/dieu-hanh/ke-hoach/{plan.pk}/canh-bao/?severity=do").content.decode()
    assert "Số hóa hồ sơ lưu trữ" in html and "Triển khai Bình dân học vụ số" not in html


def test_scenarios_edited_by_coordinator_only(plan, shaped, users, client_for):
    scenario = Scenario.objects.get(plan=plan, kind=ScenarioKind.TASK_AT_RISK)
    url = f"/dieu-hanh/ke-hoach/{plan.pk}/kich-ban/{scenario.pk}/"
    data = {
        "name": scenario.name,
        "severity": "do",
        "days": "45",
        "threshold": "",
        "use_forecast": "on",
        "notify_units": "on",
        "notify_coordinators": "on",
        "escalate_after_days": "3",
        "enabled": "on",
    }
    assert client_for(users["lanhdao"]).post(url, data).status_code == 403
    response = client_for(users["daumoi"]).post(url, {**data, "days": "500"})
    assert response.status_code == 422 and "366" in response.content.decode()
    assert client_for(users["daumoi"]).post(url, data).status_code == 302
    scenario.refresh_from_db()
    assert scenario.days == 45 and scenario.severity == "do" and not scenario.notify_leaders
    page = client_for(users["vhxh"]).get(f"/dieu-hanh/ke-hoach/{plan.pk}/kich-ban/").content.decode()
    assert scenario.name in page


def test_centre_queries_do_not_grow_with_tasks_periods_or_indicators(
    plan, make_task, make_indicator, figure, report, period_of, users, client_for, today
):
    client = client_for(users["daumoi"])
    url = f"/dieu-hanh/ke-hoach/{plan.pk}/"

    def grow(n):
        for i in range(n):
            task = make_task(f"Nhiệm vụ {i}", due=D(2026, 11, 1 + i), leads=("Phòng VH-XH", "TT PVHCC"))
            report(task, period_of("quy", 2), 20)
            report(task, period_of("quy", 3), 40, unit="TT PVHCC", status=ReportStatus.SUBMITTED)
            indicator = make_indicator(f"X{len(plan.indicators.all())}", target=10, unit="lượt")
            figure(indicator, period_of("quy", 1), 3)
            figure(indicator, period_of("quy", 3), 5)
        alerts_evaluate(today=today, plans=[plan])

    def queries() -> tuple[int, int, list[str]]:
        """Queries of the page computed afresh, then of the same page served from the cache."""
        cache.clear()  # rendered fragments
        forget()  # computed figures
        with CaptureQueriesContext(connection) as cold:
            client.get(url)
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        return len(cold), len(warm), [q["sql"][:120] for q in cold.captured_queries]

    grow(2)
    client.get(url)  # the session and the user's memberships are read once per client
    small = queries()
    grow(6)
    large = queries()
    assert large[:2] == small[:2], large[2]
    assert small[1] < small[0]  # the plan's figures come from the cache until its data changes


def test_api_centre_and_alerts(plan, shaped, users, client_for, other_city):
    client = client_for(users["lanhdao"])
    data = client.get(f"/api/v1/plans/{plan.pk}/centre").json()
    assert (
        data["headline"]["done"] == 1 and data["headline"]["total"] == 3 and data["headline"]["overdue"] == 1
    )
    assert {t["code"] for t in data["tiles"]} == {"CT01", "CT02"}
    assert data["overdue"][0]["days"] == 16 and data["at_risk"][0]["title"] == "Triển khai Bình dân học vụ số"
    alerts = client.get(f"/api/v1/plans/{plan.pk}/alerts").json()
    assert alerts["count"] >= 2
    alert = next(
        a for a in alerts["items"] if a["task_id"] == shaped["overdue"].pk and a["scenario_kind"] == "qua_han"
    )
    response = client.post(
        f"/api/v1/alerts/{alert['id']}/resolve", data={"note": ""}, content_type="application/json"
    )
    assert response.status_code == 422 and "note" in response.json()["errors"]
    response = client_for(users["congan"]).post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", data={}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", data={"note": "Nhận"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "da_nhan"
    outsider = client_for(other_city["supervisor"])
    assert outsider.get(f"/api/v1/plans/{plan.pk}/centre").status_code == 404
    assert outsider.get(f"/api/v1/alerts/{alert['id']}").status_code == 404


def test_owing_on_the_centre_agrees_with_the_desk(plan, shaped, make_task, report, period_of, units, today):
    """The centre asks for both periods at once (`missing_many`); the desk's per-period view must agree."""
    from kehoach.tracking import selectors as tracking

    shared = make_task("Phối hợp hai đơn vị", due=D(2026, 12, 31), leads=("Phòng VH-XH", "TT PVHCC"))
    report(shared, period_of("quy", 3), 50, unit="TT PVHCC", status=ReportStatus.SUBMITTED)
    report(shared, period_of("quy", 4), 60, unit="Công an xã", status=ReportStatus.DRAFT)
    facts = PlanFacts(plan, today)
    assert facts.owing_periods
    together = tracking.missing_many(plan, facts.owing_periods, today=today)
    for period in facts.owing_periods:
        desk = {
            r["unit"].pk: (len(r["tasks"]), len(r["indicators"]))
            for r in tracking.missing(plan, period, today=today)
        }
        ours = {r["unit"].pk: (len(r["tasks"]), len(r["indicators"])) for r in together[period.pk]}
        assert ours == desk, period.label


def test_alert_and_scenario_pages_refused_to_another_city(plan, shaped, other_city, client_for):
    alert = Alert.objects.filter(plan=plan).first()
    scenario = Scenario.objects.filter(plan=plan).first()
    outsider = client_for(other_city["coordinator"])
    assert outsider.get(f"/canh-bao/{alert.pk}/").status_code == 403
    assert outsider.post(f"/canh-bao/{alert.pk}/xu-ly/", {"note": "x"}).status_code == 403
    assert outsider.get(f"/dieu-hanh/ke-hoach/{plan.pk}/kich-ban/").status_code == 403
    assert outsider.post(f"/dieu-hanh/ke-hoach/{plan.pk}/kich-ban/{scenario.pk}/", {}).status_code == 403
    alert.refresh_from_db()
    assert alert.is_active


def test_unknown_alert_action_is_not_found(plan, shaped, users, client_for):
    alert = Alert.objects.filter(plan=plan).first()
    assert client_for(users["daumoi"]).post(f"/canh-bao/{alert.pk}/xoa/").status_code == 404


def test_a_change_to_the_plan_shows_on_the_next_request_despite_the_cache(
    plan, shaped, users, client_for, django_capture_on_commit_callbacks
):
    client = client_for(users["lanhdao"])
    url = f"/dieu-hanh/ke-hoach/{plan.pk}/"
    assert "trễ 16 ngày" in client.get(url).content.decode()
    assert "trễ 16 ngày" in client.get(url).content.decode()  # now served from the cache
    task = shaped["overdue"]
    with django_capture_on_commit_callbacks(execute=True):
        task_save(
            actor=users["daumoi"],
            plan=plan,
            data={"deadline_text": "Trước ngày 31/12/2026"},  # the deadline moved: no longer overdue
            lead_units=list(task.lead_units),
            task=task,
        )
    html = client.get(url).content.decode()
    assert "trễ 16 ngày" not in html and "Số hóa hồ sơ lưu trữ" in html
