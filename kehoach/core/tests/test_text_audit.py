"""Vietnamese text helpers, the audit log and the vn display filters."""

import datetime
import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from kehoach.core.audit import audit_change, context_key, diff, display_value, history_for, snapshot
from kehoach.core.models import AuditEntry
from kehoach.core.templatetags.vn import format_number, vn_date, vn_money, vn_number
from kehoach.core.text import fold, nfc, search_terms
from kehoach.plans.models import Indicator, Plan, Task

# text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kế hoạch chuyển đổi số", "ke hoach chuyen doi so"),
        ("Đường", "duong"),
        ("đường", "duong"),
        ("Hà Bắc", "ha bac"),
        ("  Ủy   ban\tnhân\ndân  ", "uy ban nhan dan"),
        ("Phòng Văn hoá - Xã hội", "phong van hoa - xa hoi"),
        ("97/KH-UBND", "97/kh-ubnd"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_ignores_unicode_normalisation_form():
    composed = "Khoa học và Công nghệ"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "khoa hoc va cong nghe"


def test_search_terms_split_folded_words_without_punctuation():
    assert search_terms("Hà Bắc, chuyển-đổi số!") == ["ha", "bac", "chuyen", "doi", "so"]
    assert search_terms("  Kế hoạch  97/KH-UBND ") == ["ke", "hoach", "97", "kh", "ubnd"]
    assert search_terms("") == []
    assert search_terms(None) == []
    assert search_terms("…, - /") == []


def test_nfc():
    assert nfc(unicodedata.normalize("NFD", " Hà Bắc ")) == "Hà Bắc"
    assert nfc(None) == ""


def test_search_text_finds_plan_without_diacritics(habac):
    assert Plan.objects.filter(search_text__contains="ha bac").get() == habac
    assert Plan.objects.filter(search_text__contains="khoa hoc va cong nghe").exists()


# audit: diff / snapshot -------------------------------------------------------------------------


def test_diff_keeps_only_changed_keys_in_order():
    before = {"a": 1, "b": "x", "c": None}
    after = {"a": 1, "b": "y", "d": [1]}
    assert diff(before, after) == {"b": ["x", "y"], "d": [None, [1]]}
    assert list(diff({"z": 1, "a": 1}, {"z": 2, "a": 2})) == ["z", "a"]


def test_diff_of_create_and_delete():
    assert diff(None, {"a": 1, "b": None}) == {"a": [None, 1]}
    assert diff({"a": 1}, None) == {"a": [1, None]}
    assert diff(None, None) == {}
    assert diff({"a": [1, 2]}, {"a": [1, 2]}) == {}


def test_snapshot_of_a_task_uses_labels_and_display_values(habac):
    task = Task.objects.get(plan=habac, position=4)
    data = snapshot(task, extra={"Ghi chú": datetime.date(2026, 3, 1), "Số": Decimal("1.50")})
    assert data["nhiệm vụ"] == "Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU"
    assert data["thời hạn (như ghi trong kế hoạch)"] == "Năm 2026"
    assert data["loại thời hạn"] == "Theo kỳ"  # choice label, not the stored value
    assert data["ngày hạn"] == "31/12/2026"
    assert data["kế hoạch"] == str(habac)
    assert data["chờ sự kiện"] is None
    assert data["nguồn kinh phí"] is None  # blank choice
    assert data["mọi phòng, cơ quan, đơn vị phối hợp"] is True
    assert data["đơn vị"] == sorted(["Phòng Văn hóa - Xã hội", "Trung tâm Dịch vụ sự nghiệp công"])
    assert data["Ghi chú"] == "01/03/2026"
    assert data["Số"] == "1,5"
    # Derived, non-editable and bookkeeping fields are left out.
    for hidden in (
        "search_text",
        "hạn hoàn thành",
        "bắt đầu từ",
        "ngày hoàn thành",
        "tạo lúc",
        "cập nhật lúc",
        "ID",
    ):
        assert hidden not in data


def test_snapshot_of_unsaved_object_skips_many_to_many(habac):
    data = snapshot(Indicator(plan=habac, name="x", target=Decimal(1), unit_of_measure="%"))
    assert "đơn vị phối hợp" not in data
    assert data["giá trị mục tiêu"] == "1"
    assert data["so sánh"] == "Tối thiểu (≥)"


def test_audit_change_stores_diff_actor_and_context(habac, users):
    task = Task.objects.get(plan=habac, position=4)
    before = snapshot(task)
    task.title = "Tên mới"
    entry = audit_change(
        actor=users["daumoi"],
        obj=task,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(task),
        context=habac,
        summary="Sửa tên",
    )
    assert entry.changes == {"nhiệm vụ": ["Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU", "Tên mới"]}
    assert entry.actor == users["daumoi"]
    assert entry.context == context_key(habac) == f"plans.plan:{habac.pk}"
    assert entry.object_repr == "Tên mới"
    assert list(history_for(task)) == [entry]
    assert entry in history_for(habac, include_children=True)
    assert entry not in history_for(habac)


def test_audit_change_skips_empty_updates_but_keeps_events(habac, users):
    snap = snapshot(habac)
    assert (
        audit_change(
            actor=users["daumoi"], obj=habac, action=AuditEntry.Action.UPDATE, before=snap, after=snap
        )
        is None
    )
    event = audit_change(actor=users["daumoi"], obj=habac, action=AuditEntry.Action.EVENT, summary="Đã gửi")
    assert event is not None and event.changes == {}


def test_audit_change_without_authenticated_actor_has_no_actor(habac):
    from django.contrib.auth.models import AnonymousUser

    entry = audit_change(actor=AnonymousUser(), obj=habac, action=AuditEntry.Action.EVENT, summary="x")
    assert entry.actor is None
    assert audit_change(actor=None, obj=habac, action=AuditEntry.Action.EVENT, summary="y").actor is None


def test_seed_import_is_audited_as_a_create(habac):
    [entry] = history_for(habac).filter(action=AuditEntry.Action.CREATE)
    assert entry.changes["số, ký hiệu"] == [None, "97/KH-UBND"]
    assert entry.changes["ngày ban hành"] == [None, "28/02/2026"]
    assert entry.actor is None


def test_history_is_newest_first(habac, users):
    first = audit_change(actor=users["daumoi"], obj=habac, action=AuditEntry.Action.EVENT, summary="1")
    second = audit_change(actor=users["daumoi"], obj=habac, action=AuditEntry.Action.EVENT, summary="2")
    ordered = list(history_for(habac).filter(action=AuditEntry.Action.EVENT))
    assert ordered[:2] == [second, first]


EXPLANATION = {
    "computation": "Sáng kiến được công nhận",
    "method": "Đếm 3 sáng kiến được công nhận trong năm.",
    "rows": [{"label": "Sáng kiến A", "url": "/so-theo-doi/sang-kien/1/"}],
    "count": 3,
    "computed_at": "2026-11-10T08:05:00",
}
READABLE = (
    "Sáng kiến được công nhận; Đếm 3 sáng kiến được công nhận trong năm; "
    "số dòng: 3; tính lúc: 10/11/2026 08:05"
)


def test_structured_values_read_as_vietnamese():
    assert display_value(EXPLANATION) == READABLE
    assert display_value({}) is None
    assert display_value({"ngay": datetime.date(2026, 2, 28), "ds": ["a", "b"], "ok": True}) == (
        "ngay: 28/02/2026; ds: a, b; ok: có"
    )


def test_history_shows_structured_values_in_words_also_in_old_entries(habac, users):
    # A figure computed from a register, audited now; and an entry written before, kept as Python's repr.
    audit_change(
        actor=None,
        obj=habac,
        action=AuditEntry.Action.UPDATE,
        before={"Cách tính": None},
        after={"Cách tính": EXPLANATION},
        summary="Tính lại từ sổ theo dõi",
    )
    AuditEntry.objects.create(
        content_type=AuditEntry.objects.first().content_type,
        object_id=str(habac.pk),
        object_repr=str(habac),
        context=context_key(habac),
        action=AuditEntry.Action.UPDATE,
        summary="Tính lại từ sổ theo dõi",
        changes={"cách tính": [None, str(EXPLANATION)]},
    )
    html = Template('{% include "includes/history.html" %}').render(Context({"entries": history_for(habac)}))
    assert html.count(READABLE) == 2
    for technical in ("{", "computation", "'rows'", "2026-11-10T", "/so-theo-doi/"):
        assert technical not in html


def test_history_page_of_a_plan_with_computed_figures_has_no_program_notation(
    habac_computed, users, client_for
):
    from django.urls import reverse

    html = (
        client_for(users["lanhdao"]).get(reverse("plans:history", args=[habac_computed.pk])).content.decode()
    )
    assert "Cách tính: <ins>Sản phẩm truy xuất nguồn gốc kết nối Cổng" in html
    assert "{&#x27;" not in html and "&#x27;computation&#x27;" not in html


# vn template filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.5, "1.234,5"),
        (1234567, "1.234.567"),
        (Decimal("10.00"), "10"),
        (0, "0"),
        (-1234.5, "-1.234,5"),
        (Decimal("0.25"), "0,25"),
        ("1500", "1.500"),
        (None, ""),
        ("", ""),
        ("không phải số", "không phải số"),
    ],
)
def test_vn_number(value, text):
    assert vn_number(value) == text


def test_vn_number_drops_trailing_zeros_of_database_decimals():
    assert vn_number(Decimal("1234.50")) == "1.234,5"
    assert vn_number(Decimal("62.50")) == vn_number(62.5) == "62,5"


def test_vn_number_with_fixed_decimals():
    assert vn_number(1234.5, 2) == "1.234,50"
    assert vn_number(1234.5, "0") == "1.234"  # as written in a template argument
    assert format_number(Decimal("12.345"), 1) == "12,3"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1500000, "1.500.000 đồng"),
        (0, "0 đồng"),
        (Decimal("2500000.4"), "2.500.000 đồng"),
        (None, ""),
        ("", ""),
    ],
)
def test_vn_money(value, text):
    assert vn_money(value) == text


def test_vn_date():
    assert vn_date(datetime.date(2026, 2, 28)) == "28/02/2026"
    assert vn_date(datetime.date(2026, 12, 1)) == "01/12/2026"
    # Aware datetimes are shown in Vietnam time (UTC+7).
    moment = datetime.datetime(2026, 2, 28, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert vn_date(moment) == "01/03/2026 03:30"
    assert vn_date(datetime.datetime(2026, 2, 28, 9, 5)) == "28/02/2026 09:05"
    assert vn_date(None) == ""
    assert vn_date("") == ""
    assert vn_date("Quý I/2026") == "Quý I/2026"


def test_filters_are_template_builtins():
    rendered = Template("{{ n|vn_number }} | {{ m|vn_money }} | {{ d|vn_date }}").render(
        Context({"n": 1234.5, "m": 1500000, "d": datetime.date(2026, 2, 28)})
    )
    assert rendered == "1.234,5 | 1.500.000 đồng | 28/02/2026"
