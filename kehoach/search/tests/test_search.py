"""The one search: accents, case and word order ignored; grouped, counted, paged, highlighted; only
what the person may open; a fixed number of queries whatever the number of matches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.core.text import excerpt, highlight, search_terms
from kehoach.plans.choices import DeadlineKind, PlanField, PlanStatus
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.registers.models import Initiative
from kehoach.registers.registry import REGISTRY
from kehoach.reports.models import Report, ReportState
from kehoach.search import selectors
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

SEARCH = reverse("search:results")


def groups(response) -> dict[str, int]:
    return {group.slug: group.count for group in response.context["groups"]}


def found(response) -> list[str]:
    return [hit.url for group in response.context["groups"] for hit in group.hits]


# Matching and marking -----------------------------------------------------------------------------


def test_highlight_marks_the_accented_original():
    terms = search_terms("CHUYEN doi so")
    assert str(highlight("Triển khai kế hoạch chuyển đổi số xã", terms)) == (
        "Triển khai kế hoạch <mark>chuyển đổi số</mark> xã"
    )
    # Words in any order, upper case, đ, decomposed (NFD) input, HTML escaped.
    assert str(highlight("ĐỔI mới <b>", search_terms("moi doi"))) == "<mark>ĐỔI mới</mark> &lt;b&gt;"
    nfd = "chuye\u0302\u0309n"
    assert str(highlight(nfd, ["chuyen"])) == f"<mark>{nfd}</mark>"
    assert str(highlight("Không có gì", ["xyz"])) == "Không có gì"


def test_excerpt_cuts_around_the_first_match():
    text = " ".join(["mở đầu"] * 60) + " phát triển chuyển đổi số " + " ".join(["kết thúc"] * 60)
    passage = excerpt(text, search_terms("chuyen doi so"), width=80)
    assert passage.startswith("…") and passage.endswith("…") and "chuyển đổi số" in passage
    assert len(passage) <= 82


# The plan list uses the same matching ----------------------------------------------------------


def test_plan_list_finds_title_words_without_accents_in_any_order(users, other_city, client_for):
    client = client_for(other_city["coordinator"])
    for query in ("chuyen doi so", "SO chuyển DOI", "soc son chuyen"):
        page = client.get(reverse("plans:list"), {"q": query})
        assert list(page.context["page"]) == [other_city["plan"]], query
    html = client.get(reverse("plans:list"), {"q": "chuyen doi so"}).content.decode()
    assert "Kế hoạch <mark>chuyển đổi số</mark> xã" in html
    assert not list(client.get(reverse("plans:list"), {"q": "chuyen doi so ha bac"}).context["page"])


def test_plan_found_by_its_goals_and_field(habac, users, client_for):
    # Hà Bắc's title says "Khoa học và Công nghệ"; its goals speak of chuyển đổi số.
    page = client_for(users["vhxh"]).get(reverse("plans:list"), {"q": "chuyen doi so"})
    assert list(page.context["page"]) == [habac]
    assert Plan.objects.filter(search_text__contains="doi moi sang tao").exists()


# The search page ----------------------------------------------------------------------------------


def test_navbar_sends_to_the_search_page(habac, users, client_for):
    html = client_for(users["vhxh"]).get(reverse("plans:list")).content.decode()
    assert f'action="{SEARCH}"' in html


def test_groups_counts_marks_and_links(habac, users, client_for):
    response = client_for(users["vhxh"]).get(SEARCH, {"q": "chuyen doi so"})
    counts = groups(response)
    assert list(counts) == ["ke-hoach", "nhiem-vu", "chi-tieu", "so-theo-doi", "bao-cao"]
    assert counts["ke-hoach"] == 1
    expected_tasks = Task.objects.filter(plan=habac, search_text__contains="chuyen doi so").count()
    assert counts["nhiem-vu"] == expected_tasks > 0
    html = response.content.decode()
    assert "<mark>chuyển đổi số</mark>" in html
    task = Task.objects.filter(plan=habac, search_text__contains="chuyen doi so").first()
    assert task.get_absolute_url() in found(response)
    assert habac.get_absolute_url() in found(response)
    assert f"Tìm thấy {sum(counts.values())} kết quả" in html


def test_indicators_and_register_entries_are_found(habac, users, units, client_for):
    indicator = habac.indicators.order_by("position").first()
    word = indicator.name.split()[-1]
    initiative = Initiative.objects.create(
        owner_unit=units["UBND xã Hà Bắc"], unit=units["Phòng VH-XH"], title="Ứng dụng bản đồ số", authors="A"
    )
    response = client_for(users["vhxh"]).get(SEARCH, {"q": f"{indicator.code} {word}"})
    assert indicator.get_absolute_url() in found(response)
    response = client_for(users["vhxh"]).get(SEARCH, {"q": "ban do so"})
    assert initiative.get_absolute_url() in found(response)
    hit = next(
        h for g in response.context["groups"] for h in g.hits if h.url == initiative.get_absolute_url()
    )
    assert hit.meta[0] == "Sáng kiến"


def test_empty_query_searches_nothing(habac, users, client_for):
    response = client_for(users["vhxh"]).get(SEARCH, {"q": " ,. "})
    assert response.status_code == 200 and response.context["groups"] == []
    assert "Hãy gõ ít nhất một từ" in response.content.decode()


# Only what the person may open ------------------------------------------------------------------


@pytest.fixture
def neighbour(habac, units):
    """Another commune of Hải Phòng with its own cán bộ, plan, task, indicator, register row, report."""
    city = Unit.objects.get(kind=UnitKind.PROVINCE, parent=None, name__contains="Hải Phòng")
    commune = Unit.objects.create(name="Ủy ban nhân dân xã Tân Lập", kind=UnitKind.COMMUNE, parent=city)
    office = Unit.objects.create(name="Phòng Văn hóa - Xã hội", kind=UnitKind.AGENCY, parent=commune)
    staff = User.objects.create_user("canbo_tanlap", password="x")
    Membership.objects.create(user=staff, unit=office, role=Role.STAFF)
    return make_rows(commune, office, staff)


def make_rows(commune: Unit, office: Unit, staff: User) -> dict:
    plan = Plan.objects.create(
        number="9/KH-UBND",
        title="Kế hoạch riêng Bíchngọc",
        year=2026,
        owner_unit=commune,
        lead_unit=office,
        field=PlanField.DIGITAL,
        status=PlanStatus.ISSUED,
    )
    task = Task.objects.create(
        plan=plan, title="Nhiệm vụ Bíchngọc", deadline_text="Cả năm", deadline_kind=DeadlineKind.CONTINUOUS
    )
    indicator = Indicator.objects.create(
        plan=plan, code="CT01", name="Chỉ tiêu Bíchngọc", target=1, unit_of_measure="%"
    )
    entry = Initiative.objects.create(
        owner_unit=commune, unit=office, title="Sáng kiến Bíchngọc", authors="B"
    )
    report = Report.objects.create(
        plan=plan, period_kind="quy", period_number=1, title="Báo cáo Bíchngọc", state=ReportState.ISSUED
    )
    return {"staff": staff, "objects": [plan, task, indicator, entry, report]}


def test_staff_of_another_commune_or_city_find_nothing_they_cannot_open(
    users, neighbour, other_city, client_for
):
    urls = [obj.get_absolute_url() for obj in neighbour["objects"]]
    # Their own people find every one of them...
    own = client_for(neighbour["staff"]).get(SEARCH, {"q": "bichngoc"})
    assert sorted(found(own)) == sorted(urls)
    assert all(count == 1 for count in groups(own).values())
    # ...the city above them too; a cán bộ of Hà Bắc (same city) and Hà Nội's people find nothing,
    # and could not open any of it.
    assert sorted(found(client_for(users["captren"]).get(SEARCH, {"q": "bichngoc"}))) == sorted(urls)
    for user in (users["vhxh"], users["daumoi"], other_city["supervisor"], other_city["coordinator"]):
        client = client_for(user)
        response = client.get(SEARCH, {"q": "bichngoc"})
        assert found(response) == [] and sum(groups(response).values()) == 0, user
        for url in urls:
            assert client.get(url).status_code in (403, 404), (user, url)


def test_draft_reports_found_only_by_who_may_open_them(habac, users, client_for):
    draft = Report.objects.create(
        plan=habac, period_kind="quy", period_number=2, title="Báo cáo nháp Bíchngọc", state=ReportState.DRAFT
    )
    for username in ("daumoi", "lanhdao"):
        client = client_for(users[username])
        assert found(client.get(SEARCH, {"q": "bichngoc"})) == [draft.get_absolute_url()]
        assert client.get(draft.get_absolute_url()).status_code == 200
    for username in ("vhxh", "captren", "kinhte"):
        client = client_for(users[username])
        assert found(client.get(SEARCH, {"q": "bichngoc"})) == []
        assert client.get(draft.get_absolute_url()).status_code == 404


def test_readable_reports_agrees_with_can_read(habac, users, neighbour):
    from kehoach.reports.permissions import can_read

    Report.objects.create(
        plan=habac, period_kind="quy", period_number=2, title="Nháp", state=ReportState.DRAFT
    )
    Report.objects.create(
        plan=habac, period_kind="quy", period_number=1, title="Đã ban hành", state="da_ban_hanh"
    )
    reports = list(Report.objects.select_related("plan__owner_unit", "plan__lead_unit"))
    for user in [*users.values(), neighbour["staff"]]:
        user = User.objects.get(pk=user.pk)
        expected = {r.pk for r in reports if can_read(user, r)}
        assert set(selectors.readable_reports(user).values_list("pk", flat=True)) == expected, user


# Paging and cost --------------------------------------------------------------------------------


def add_matches(habac, units, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        Task.objects.create(
            plan=habac,
            position=100 + n,
            title=f"Việc thử Kiểmđếm số {n}",
            deadline_text="Cả năm",
            deadline_kind=DeadlineKind.CONTINUOUS,
        )
        Indicator.objects.create(
            plan=habac, code=f"KD{n:02d}", name=f"Chỉ tiêu Kiểmđếm {n}", target=1, unit_of_measure="%"
        )
        Initiative.objects.create(
            owner_unit=units["UBND xã Hà Bắc"], unit=units["Phòng VH-XH"], title=f"Kiểmđếm {n}", authors="C"
        )
    Report.objects.create(
        plan=habac, period_kind="quy", period_number=3, title="Kiểmđếm", state="da_ban_hanh"
    )


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(SEARCH, {"q": "kiem dem", **params}).status_code == 200
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_matches(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    add_matches(habac, units, 3)
    few = queries(client)
    add_matches(habac, units, 30, start=3)
    assert groups(client.get(SEARCH, {"q": "kiem dem"}))["nhiem-vu"] == 33
    assert queries(client) == few
    assert queries(client, loai="so-theo-doi") <= few


def test_each_group_pages_on_its_own(habac, users, units, client_for):
    add_matches(habac, units, 23)
    client = client_for(users["vhxh"])
    first = client.get(SEARCH, {"q": "kiem dem"})
    tasks = next(g for g in first.context["groups"] if g.slug == "nhiem-vu")
    assert len(tasks.hits) == selectors.PAGE_SIZE and tasks.count == 23
    third = client.get(SEARCH, {"q": "kiem dem", "trang-nhiem-vu": 3})
    by_slug = {g.slug: g for g in third.context["groups"]}
    assert len(by_slug["nhiem-vu"].hits) == 3
    assert len(by_slug["chi-tieu"].hits) == selectors.PAGE_SIZE  # the other groups stay on their page 1
    assert "trang-nhiem-vu=2" in third.content.decode()
    only = client.get(SEARCH, {"q": "kiem dem", "loai": "chi-tieu"})
    by_slug = {g.slug: g for g in only.context["groups"]}
    assert len(by_slug["chi-tieu"].hits) == 23 and by_slug["chi-tieu"].count == 23
    assert by_slug["nhiem-vu"].hits == [] and by_slug["nhiem-vu"].count == 23


def test_whole_phrase_first(habac, users, client_for):
    scattered = Task.objects.create(
        plan=habac,
        position=0,
        title="Số liệu đổi mới, chuyển giao",
        deadline_text="x",
        deadline_kind="continuous",
    )
    phrase = Task.objects.create(
        plan=habac, position=201, title="Chuyển đổi số cơ sở", deadline_text="x", deadline_kind="continuous"
    )
    urls = found(client_for(users["vhxh"]).get(SEARCH, {"q": "chuyen doi so", "loai": "nhiem-vu"}))
    assert urls.index(phrase.get_absolute_url()) < urls.index(scattered.get_absolute_url())


# Indexes ------------------------------------------------------------------------------------------


def test_every_searched_table_has_its_trigram_index_on_postgresql(db):
    import importlib

    migration = importlib.import_module("kehoach.search.migrations.0001_search_text")
    listed = {name for _, name in migration.MODELS}
    assert {spec.model.__name__ for spec in REGISTRY.values()} <= listed
    assert {"Plan", "Task", "Indicator", "Report"} <= listed
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_indexes WHERE indexname LIKE '%%_search_trgm'")
        tables = {row[0] for row in cursor.fetchall()}
    assert Task._meta.db_table in tables and Initiative._meta.db_table in tables


def test_search_text_kept_by_save(habac):
    indicator = habac.indicators.first()
    indicator.name = "Tỷ lệ Đường truyền"
    indicator.save()
    assert "ty le duong truyen" in Indicator.objects.get(pk=indicator.pk).search_text
    report = Report.objects.create(plan=habac, period_kind="quy", period_number=1, title="Báo cáo Quý")
    assert report.search_text == "bao cao quy quy i/2026"
