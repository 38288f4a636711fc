"""Every page a person reaches from the menu and the main lists reads as Vietnamese.

The demo (Hà Bắc's plan played up to today, two neighbouring communes, the operating scenarios' alerts
and one plan document waiting for review) is built once for the module; each role then walks every
page it can reach from its home page through links and htmx GETs, with Django's test client, and no
visible text may contain a setting's name, a Python repr, an ISO timestamp, a traceback, a code
identifier or an English interface word (tests/visible_text.py has the patterns).

`KNOWN` lists, precisely, what the owners of those pages are fixing; an entry no longer found fails
`test_known_findings_are_still_there`, so the list shrinks as the fixes land.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from .visible_text import shape, walk

# The demo is built once, outside the tests' transactions (see `demo`); the marker has pytest-django
# create the test database.
pytestmark = pytest.mark.django_db

ROLES = ["lanhdao", "daumoi", "vhxh", "captren", "quantri"]

# (role or "*", URL pattern, pattern name, text pattern, who fixes it). The text pattern is searched in
# the whole piece of visible text the finding is in.
KNOWN = []

# Findings that are right where they are: the administrator's pages name the settings to set (issue:
# "settings names go in the admin and the logs"). Same shape as KNOWN; never shrinks by itself.
ALLOWED = [
    ("quantri", r"^/quan-tri/exchange/delivery/$", "setting", r"KEHOACH_EXCHANGE_(URL|TOKEN)", "admin"),
    # The delivery's payload and source, folded under "thông tin kỹ thuật", shown to the administrator
    # only (a superuser); officials never see them.
    # (PostgreSQL's jsonb orders the keys its own way: match the schema anywhere in the payload.)
    ("quantri", r"^/trao-doi/\d+/$", "*", r'"schema": "kehoach\.', "admin"),
    ("quantri", r"^/trao-doi/\d+/$", "identifier", r"^reports\.report$", "admin"),
]


def _matches(entry, role: str, url: str, finding) -> bool:
    who, url_pattern, pattern, text = entry[:4]
    return (
        who in ("*", role)
        and re.search(url_pattern, url)
        and pattern in ("*", finding.pattern)
        and re.search(text, finding.text)
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """What `kehoach demo --communes 2` loads, plus a plan document uploaded for review by đầu mối.

    Built outside a test transaction (the demo commits and renders files in background threads, as
    in a real run) and flushed after the module.
    """
    from kehoach.demo.city import build_city
    from kehoach.demo.services import load_habac
    from kehoach.importer.tests.test_web import plan_file
    from kehoach.operations.services.alerts import alerts_evaluate
    from kehoach.units.models import User

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, KEHOACH_JOBS="sync"):
        try:
            today = timezone.localdate()
            plan, _ = load_habac()
            build_city(communes=2, seed=1, today=today)
            alerts_evaluate(today=today)
            coordinator = Client()
            coordinator.force_login(User.objects.get(username="daumoi"))
            response = coordinator.post(
                "/ke-hoach/nhap/", {"file": plan_file(), "lead_unit": plan.lead_unit_id, "field": "cds"}
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            yield {"review": response.headers["Location"]}
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def visits(demo, django_db_blocker):
    """Every role's walk, once for the module: {role: [Visit]}."""
    from kehoach.units.models import User

    walks = {}
    # The demo's settings (its media folder) stay overridden until the module ends.
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client(raise_request_exception=False)
            client.force_login(User.objects.get(username=role))
            starts = ["/", *{"quantri": ["/quan-tri/"], "daumoi": [demo["review"]]}.get(role, [])]
            walks[role] = walk(client, starts)
    return walks


@pytest.mark.parametrize("role", ROLES)
def test_pages_read_as_vietnamese(visits, role):
    seen, problems = set(), []
    for visit in visits[role]:
        if visit.status >= 500:
            problems.append(f"{visit.url}: lỗi máy chủ {visit.status}")
        for finding in visit.findings:
            if any(_matches(entry, role, visit.url, finding) for entry in [*KNOWN, *ALLOWED]):
                continue
            key = (shape(visit.url), finding.pattern, finding.excerpt)
            if key not in seen:
                seen.add(key)
                problems.append(f"{visit.url} [{finding.pattern}] {finding.excerpt!r}")
    assert not problems, f"{role}: {len(problems)} chỗ không phải tiếng Việt:\n" + "\n".join(problems)


def test_the_walk_reaches_the_main_pages(visits):
    """The walk is only as good as its reach: each role gets to the pages it works on."""
    reached = {role: {shape(v.url) for v in walked} for role, walked in visits.items()}
    everyone = {"/ke-hoach/", "/ke-hoach/N/", "/nhiem-vu/", "/nhiem-vu/N/", "/so-theo-doi/", "/don-vi/"}
    for role in ROLES:
        assert everyone <= reached[role], (role, everyone - reached[role])
    assert {"/dieu-hanh/ke-hoach/N/", "/canh-bao/N/", "/ke-hoach/N/ky/N/"} <= reached["lanhdao"]
    assert {"/ke-hoach/nhap/N/", "/ke-hoach/N/sua/", "/ke-hoach/N/nhiem-vu/N/sua/"} <= reached["daumoi"]
    assert {"/viec-cua-don-vi/", "/bao-cao-tien-do/N/"} <= reached["vhxh"]
    assert {"/dieu-hanh/thanh-pho/"} <= reached["captren"]
    assert {"/quan-tri/", "/quan-tri/plans/plan/", "/quan-tri/tracking/digestlog/"} <= reached["quantri"]


def test_known_findings_are_still_there(visits):
    """An entry of KNOWN whose text is gone was fixed: take it out of the list."""
    found = [(role, v.url, f) for role, walked in visits.items() for v in walked for f in v.findings]
    stale = [entry for entry in KNOWN if not any(_matches(entry, *item) for item in found)]
    assert not stale, "Đã sửa xong, bỏ khỏi KNOWN:\n" + "\n".join(map(repr, stale))
