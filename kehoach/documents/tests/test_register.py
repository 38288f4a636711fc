"""The register of outgoing documents: yearly series per issuer, no duplicate under concurrency,
entries made by hand, permissions, and the register pages."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from kehoach.documents.document import OfficialDocument, Signature
from kehoach.documents.models import DocumentCounter, OutgoingDocument
from kehoach.documents.services.register import (
    document_filename,
    document_issue,
    document_register_manual,
    symbol_for,
    take_number,
)


def manual(user, issuer, on: datetime.date, **data) -> OutgoingDocument:
    return document_register_manual(
        actor=user, issuer=issuer, data={"issued_on": on, "kind": "bao_cao", "title": "Báo cáo thử", **data}
    )


@pytest.fixture
def commune(habac):
    return habac.owner_unit


def test_symbols(commune, units):
    assert symbol_for("bao_cao", commune) == "BC-UBND"
    assert symbol_for("ke_hoach", commune) == "KH-UBND"
    assert symbol_for("cong_van", commune) == "UBND"


def test_series_per_issuer_restarts_on_first_january(habac, users, commune, other_city):
    numbers = [manual(users["lanhdao"], commune, datetime.date(2026, 12, d)).number for d in (30, 31, 31)]
    assert numbers == [1, 2, 3]
    new_year = manual(users["lanhdao"], commune, datetime.date(2027, 1, 1))
    assert (new_year.number, new_year.year, new_year.number_symbol) == (1, 2027, "01/BC-UBND")
    # Another issuer has its own series.
    other = manual(other_city["coordinator"], other_city["commune"], datetime.date(2026, 12, 31))
    assert other.number == 1
    assert DocumentCounter.objects.get(issuer=commune, year=2026).last_number == 3


def test_number_given_by_hand_must_be_free_and_moves_the_series(habac, users, commune):
    manual(users["lanhdao"], commune, datetime.date(2026, 5, 1), number=40)
    with pytest.raises(ValidationError) as exc:
        manual(users["lanhdao"], commune, datetime.date(2026, 5, 2), number=40)
    assert exc.value.message_dict["number"] == ["Số 40 năm 2026 đã có trong sổ văn bản đi."]
    assert manual(users["daumoi"], commune, datetime.date(2026, 5, 3)).number == 41


def test_missing_date_is_named(habac, users, commune):
    with pytest.raises(ValidationError) as exc:
        document_register_manual(actor=users["lanhdao"], issuer=commune, data={"title": "x"})
    assert "issued_on" in exc.value.message_dict


@pytest.mark.parametrize("username", ["vhxh", "captren"])
def test_staff_and_supervisors_cannot_take_numbers(habac, users, commune, username):
    with pytest.raises(PermissionDenied):
        manual(users[username], commune, datetime.date(2026, 5, 1))
    assert not OutgoingDocument.objects.exists()


def test_failed_issue_gives_the_number_back(habac, users, commune):
    def broken(number, symbol):
        raise ValueError("render failed")

    with pytest.raises(ValueError):
        document_issue(
            actor=users["lanhdao"],
            issuer=commune,
            kind="bao_cao",
            title="Báo cáo",
            issued_on=datetime.date(2026, 4, 1),
            build=broken,
        )
    assert not OutgoingDocument.objects.exists()
    entry = manual(users["lanhdao"], commune, datetime.date(2026, 4, 2))
    assert entry.number == 1


def test_issue_freezes_the_built_document(habac, users, commune):
    def build(number, symbol):
        return OfficialDocument(
            issuer_lines=["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"],
            number=f"Số: {number:02d}/{symbol}",
            place_date="Hà Bắc, ngày 01 tháng 4 năm 2026",
            kind="BÁO CÁO",
            title="Thử",
            signature=Signature(lines=["TM. ỦY BAN NHÂN DÂN"], name="Nguyễn Anh Tuấn"),
        )

    entry = document_issue(
        actor=users["lanhdao"],
        issuer=commune,
        kind="bao_cao",
        title="Thử",
        issued_on=datetime.date(2026, 4, 1),
        build=build,
    )
    assert entry.content["number"] == "Số: 01/BC-UBND"
    assert OfficialDocument.from_dict(entry.content).title == "Thử"
    assert document_filename(entry, "pdf") == "01-BC-UBND-2026.pdf"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number(habac, users, commune):
    """Eight issuers at the same moment: eight different, consecutive numbers."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            manual(users["lanhdao"], commune, datetime.date(2026, 7, 1))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(OutgoingDocument.objects.filter(issuer=commune).values_list("number", flat=True))
    assert numbers == list(range(1, 9))


def test_series_continues_from_an_existing_counter(habac, commune):
    # A counter carried over (e.g. numbers taken before the system was used this year).
    with transaction.atomic():
        DocumentCounter.objects.create(issuer=commune, year=2030, last_number=5)
        assert take_number(commune, 2030) == 6
        assert take_number(commune, 2030) == 7


# Pages ---------------------------------------------------------------------------------------------


def test_register_page_lists_for_readers_only(habac, users, commune, client_for, other_city):
    entry = manual(users["lanhdao"], commune, datetime.date(2026, 5, 1), title="Báo cáo tình hình A")
    for username in ("lanhdao", "daumoi", "vhxh", "captren"):
        response = client_for(users[username]).get(reverse("documents:register"))
        assert response.status_code == 200
        assert "Báo cáo tình hình A" in response.content.decode()
    assert client_for(users["vhxh"]).get(entry.get_absolute_url()).status_code == 200
    outsider = client_for(other_city["supervisor"])
    assert "Báo cáo tình hình A" not in outsider.get(reverse("documents:register")).content.decode()
    assert outsider.get(entry.get_absolute_url()).status_code == 404


def test_register_filters_and_query_count(habac, users, commune, client_for, django_assert_max_num_queries):
    for day in range(1, 21):
        manual(users["lanhdao"], commune, datetime.date(2026, 5, day), title=f"Văn bản {day}")
    manual(users["lanhdao"], commune, datetime.date(2027, 1, 2), title="Năm sau")
    client = client_for(users["daumoi"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("documents:register"))
    assert response.status_code == 200
    page = client.get(reverse("documents:register"), {"year": 2027}).content.decode()
    assert "Năm sau" in page and "Văn bản 3<" not in page
    found = client.get(reverse("documents:register"), {"q": "07/BC"}).content.decode()
    assert "Văn bản 7" in found and "Văn bản 8" not in found


def test_manual_entry_page(habac, users, commune, client_for):
    client = client_for(users["lanhdao"])
    response = client.post(
        reverse("documents:create"),
        {"kind": "cong_van", "issued_on": "05/05/2026", "title": "Công văn đôn đốc", "copies": 1},
    )
    entry = OutgoingDocument.objects.get()
    assert response.status_code == 302 and entry.number_symbol == "01/UBND"
    assert client_for(users["vhxh"]).get(reverse("documents:create")).status_code == 403
    bad = client.post(reverse("documents:create"), {"kind": "cong_van", "title": "x", "copies": 1})
    assert bad.status_code == 200 and OutgoingDocument.objects.count() == 1
