"""Links to the city's shared indicator catalogue: proposals by name, the link service, the plan form.

The names are those of the Hà Bắc plan and of a city catalogue as the communes and the city write them.
"""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.core.audit import context_key
from kehoach.core.models import AuditEntry
from kehoach.plans.models import CityIndicator, Indicator, IndicatorGroup, Plan
from kehoach.plans.services.catalogue import (
    MIN_SCORE,
    STRONG_SCORE,
    city_of,
    indicator_link,
    name_similarity,
    name_words,
    propose_catalogue_link,
    strong_proposal,
)
from kehoach.plans.services.contract import plan_create_from_contract
from kehoach.plans.services.indicators import indicator_save
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

CITY = "Ủy ban nhân dân thành phố Hải Phòng"
WORK_ONLINE = "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng"
CATALOGUE = [
    ("TP-SHTT-01", "Số sáng kiến cấp xã được công nhận", "sáng kiến"),
    ("TP-SHTT-02", "Số sáng kiến cấp thành phố được công nhận", "sáng kiến"),
    ("TP-CDS-01", "Tỷ lệ cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số", "%"),
    ("TP-CDS-02", "Tỷ lệ phủ sóng 5G trên địa bàn", "%"),
    ("TP-CDS-03", WORK_ONLINE, "%"),
    ("TP-CDS-05", "Tỷ lệ kết quả giải quyết thủ tục hành chính được số hóa", "%"),
    ("TP-CDS-08", "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến toàn trình", "%"),
    ("TP-CCHC-01", "Tỷ lệ hồ sơ thủ tục hành chính giải quyết quá hạn", "%"),
]


def add_catalogue(city: Unit, entries=CATALOGUE) -> dict[str, CityIndicator]:
    return {
        code: CityIndicator.objects.create(
            city=city, code=code, name=name, unit_of_measure=unit, position=position
        )
        for position, (code, name, unit) in enumerate(entries, start=1)
    }


def codes(proposals) -> list[str]:
    return [entry.code for entry, _ in proposals]


@pytest.fixture
def city(db) -> Unit:
    return Unit.objects.create(name=CITY, short_name="UBND thành phố Hải Phòng", kind=UnitKind.PROVINCE)


@pytest.fixture
def catalogue(city) -> dict[str, CityIndicator]:
    return add_catalogue(city)


# Proposals by name ----------------------------------------------------------------------------------


def test_words_drop_fillers_brackets_and_accents():
    assert name_words("Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)") == [
        "ho",
        "so",
        "cong",
        "viec",
        "xu",
        "ly",
        "moi",
        "truong",
        "mang",
    ]
    # "số" is a filler, "sổ" (a register) is not; abbreviations are spelled out.
    assert name_words("Số sổ theo dõi TTHC") == ["so", "doi", "thu", "tuc", "hanh", "chinh"]


def test_the_same_indicator_with_a_qualifier_is_proposed_first(catalogue, city):
    proposals = propose_catalogue_link(city=city, name=f"{WORK_ONLINE} (trừ hồ sơ mật)", unit_of_measure="%")
    assert codes(proposals)[0] == "TP-CDS-03"
    assert proposals[0][1] == pytest.approx(1.0)
    assert strong_proposal(proposals) == catalogue["TP-CDS-03"]


def test_a_commune_wording_finds_its_catalogue_entry(catalogue, city):
    proposals = propose_catalogue_link(
        city=city,
        name="Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng xã",
        unit_of_measure="sáng kiến",
    )
    # "cấp xã" before "cấp thành phố": more of the entry's words are in the name.
    assert codes(proposals) == ["TP-SHTT-01", "TP-SHTT-02"]
    best, second = proposals[0][1], proposals[1][1]
    assert (round(best * 100), round(second * 100)) == (67, 56)  # "khớp 67%", "khớp 56%"
    assert MIN_SCORE <= best < STRONG_SCORE  # proposed, but too different to choose in advance
    assert strong_proposal(proposals) is None


def test_names_typed_without_accents_still_match(catalogue, city):
    proposals = propose_catalogue_link(
        city=city, name="ty le ho so cong viec duoc xu ly tren moi truong mang", unit_of_measure="%"
    )
    assert codes(proposals)[0] == "TP-CDS-03"
    assert proposals[0][1] >= STRONG_SCORE


def test_a_family_of_names_ranks_the_closest_first_and_at_most_three(catalogue, city):
    proposals = propose_catalogue_link(
        city=city,
        name="Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        unit_of_measure="%",
    )
    assert codes(proposals)[0] == "TP-CDS-08"
    assert len(proposals) <= 3
    assert [s for _, s in proposals] == sorted((s for _, s in proposals), reverse=True)


@pytest.mark.parametrize(
    "name, unit",
    [
        ("Số km đường giao thông nông thôn được bê tông hóa", "km"),
        ("Tỷ lệ hộ gia đình sử dụng nước sạch", "%"),
        ("Phấn đấu có ít nhất 5 mô hình chuyển đổi số tiêu biểu", "mô hình"),
        ("", "%"),
    ],
)
def test_an_unrelated_name_proposes_nothing(catalogue, city, name, unit):
    assert propose_catalogue_link(city=city, name=name, unit_of_measure=unit) == []


def test_the_same_unit_of_measure_adds_weight():
    name = "Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng xã"
    entry = "Số sáng kiến cấp xã được công nhận"
    same = name_similarity(name, entry, "sáng kiến", "Sáng kiến")
    other = name_similarity(name, entry, "%", "sáng kiến")
    assert same - other == pytest.approx(0.1)
    assert name_similarity(WORK_ONLINE, WORK_ONLINE, "%", "%") == pytest.approx(1.0)


def test_only_the_city_s_own_catalogue_is_proposed(catalogue, city, other_city):
    add_catalogue(other_city["city"], [("HN-CDS-03", WORK_ONLINE, "%")])
    assert codes(propose_catalogue_link(city=city, name=WORK_ONLINE, unit_of_measure="%")) == ["TP-CDS-03"]


def test_city_of_is_the_nearest_province_above_in_one_query(habac, units):
    commune, city = units["UBND xã Hà Bắc"], units["UBND thành phố Hải Phòng"]
    with CaptureQueriesContext(connection) as queries:
        found = city_of(units["Phòng VH-XH"])
    assert found == city and found.name == CITY and len(queries) == 1
    assert city_of(commune) == city
    assert city_of(city) is None  # a city has no city above it


# Linking an indicator ---------------------------------------------------------------------------------


@pytest.fixture
def habac_catalogue(habac) -> dict[str, CityIndicator]:
    return add_catalogue(Unit.objects.get(name=CITY))


@pytest.fixture
def foreign(other_city) -> CityIndicator:
    """The same indicator in Hà Nội's catalogue: never linkable from Hà Bắc."""
    return add_catalogue(other_city["city"], [("HN-CDS-03", WORK_ONLINE, "%")])["HN-CDS-03"]


def ct(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


def test_indicator_link_links_unlinks_and_audits(habac, users, habac_catalogue):
    indicator = ct(habac, "CT05")
    entry = habac_catalogue["TP-CDS-03"]
    linked = indicator_link(actor=users["daumoi"], indicator=indicator, city_indicator=entry)
    assert linked.city_indicator == entry
    assert ct(habac, "CT05").city_indicator == entry
    audit = AuditEntry.objects.latest("id")
    assert audit.context == context_key(habac) and audit.actor == users["daumoi"]
    assert audit.summary == "Liên kết chỉ tiêu CT05 với chỉ tiêu dùng chung TP-CDS-03"
    assert audit.changes == {"chỉ tiêu dùng chung của thành phố": [None, f"TP-CDS-03 – {WORK_ONLINE}"]}

    indicator_link(actor=users["daumoi"], indicator=indicator, city_indicator=None)
    assert ct(habac, "CT05").city_indicator is None
    assert AuditEntry.objects.latest("id").summary.startswith("Bỏ liên kết chỉ tiêu CT05")


def test_indicator_link_refuses_another_city_s_entry_and_other_units(habac, users, habac_catalogue, foreign):
    indicator = ct(habac, "CT05")
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        indicator_link(actor=users["daumoi"], indicator=indicator, city_indicator=foreign)
    assert error.value.message_dict == {
        "city_indicator": ["Chỉ tiêu dùng chung đã chọn không thuộc danh mục của UBND thành phố Hải Phòng."]
    }
    with pytest.raises(PermissionDenied):
        indicator_link(actor=users["vhxh"], indicator=indicator, city_indicator=habac_catalogue["TP-CDS-03"])
    assert ct(habac, "CT05").city_indicator is None and AuditEntry.objects.count() == audits


def test_indicator_save_checks_the_link_like_the_other_fields(habac, users, habac_catalogue, foreign):
    indicator = ct(habac, "CT05")
    with pytest.raises(ValidationError) as error:
        indicator_save(
            actor=users["daumoi"], plan=habac, data={"city_indicator": foreign}, indicator=indicator
        )
    assert "city_indicator" in error.value.message_dict
    saved = indicator_save(
        actor=users["daumoi"],
        plan=habac,
        data={"city_indicator": habac_catalogue["TP-CDS-03"]},
        indicator=indicator,
    )
    assert saved.city_indicator == habac_catalogue["TP-CDS-03"]
    assert AuditEntry.objects.latest("id").changes == {
        "chỉ tiêu dùng chung của thành phố": [None, f"TP-CDS-03 – {WORK_ONLINE}"]
    }


def contract(**indicator) -> dict:
    return {
        "title": "Kế hoạch chuyển đổi số năm 2026",
        "year": 2026,
        "indicators": [{"name": WORK_ONLINE, "target": 90, "unit": "%", **indicator}],
    }


def test_plan_from_contract_links_the_indicators_it_is_given(habac, users, units, habac_catalogue):
    entry = habac_catalogue["TP-CDS-03"]
    plan = plan_create_from_contract(
        actor=users["daumoi"],
        data=contract(city_indicator=entry.pk),
        owner_unit=units["UBND xã Hà Bắc"],
        lead_unit=units["Phòng VH-XH"],
        field="cds",
    )
    assert plan.indicators.get().city_indicator == entry
    # Without the key (the seed, older contracts) nothing is linked.
    plain = plan_create_from_contract(
        actor=users["daumoi"],
        data=contract(),
        owner_unit=units["UBND xã Hà Bắc"],
        lead_unit=units["Phòng VH-XH"],
        field="cds",
    )
    assert plain.indicators.get().city_indicator is None


def test_plan_from_contract_refuses_an_entry_of_another_city(habac, users, units, habac_catalogue, foreign):
    plans = Plan.objects.count()
    with pytest.raises(ValidationError) as error:
        plan_create_from_contract(
            actor=users["daumoi"],
            data=contract(city_indicator=foreign.pk),
            owner_unit=units["UBND xã Hà Bắc"],
            lead_unit=units["Phòng VH-XH"],
            field="cds",
        )
    assert error.value.messages == [
        "Chỉ tiêu 1: chỉ tiêu dùng chung đã chọn không thuộc danh mục của UBND thành phố Hải Phòng."
    ]
    assert Plan.objects.count() == plans


# The plan's indicator form ----------------------------------------------------------------------------


def text_of(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def selected_value(response, name: str = "city_indicator") -> str:
    return str(response.context["form"][name].value() or "")


def new_indicator(plan: Plan, units, **overrides) -> dict:
    data = {
        "group": IndicatorGroup.objects.filter(plan=plan).first().pk,
        "code": "",
        "name": f"{WORK_ONLINE} của các phòng chuyên môn",
        "comparator": ">=",
        "target": "95",
        "target_max": "",
        "unit_of_measure": "%",
        "commitment": "required",
        "baseline": "",
        "lead_unit": units["Phòng VH-XH"].pk,
        "coordinating_units": [],
        "method": "",
        "city_indicator": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def daumoi(users, client_for):
    return client_for(users["daumoi"])


def test_without_a_city_catalogue_the_form_has_no_link_field(habac, daumoi):
    response = daumoi.get(f"/ke-hoach/{habac.pk}/chi-tieu/{ct(habac, 'CT05').pk}/sua/")
    assert response.status_code == 200
    assert "city_indicator" not in response.context["form"].fields
    assert "Chỉ tiêu dùng chung của thành phố" not in text_of(response)


def test_the_edit_form_proposes_the_entry_by_name(habac, daumoi, habac_catalogue):
    response = daumoi.get(f"/ke-hoach/{habac.pk}/chi-tieu/{ct(habac, 'CT05').pk}/sua/")
    page = text_of(response)
    assert "Chỉ tiêu dùng chung của thành phố" in page and "— Không liên kết —" in page
    assert f"Đề xuất theo tên: TP-CDS-03 {WORK_ONLINE} (khớp 100%)" in page
    # Only the city's catalogue is offered.
    choices = [label for _, label in response.context["form"].fields["city_indicator"].choices]
    assert choices == ["— Không liên kết —", *(f"{c} – {n}" for c, n, _ in CATALOGUE)]
    # An existing indicator left unlinked stays unlinked until someone chooses.
    assert selected_value(response) == ""


def test_a_new_indicator_gets_the_strong_proposal_chosen_in_advance(habac, daumoi, habac_catalogue):
    url = f"/ke-hoach/{habac.pk}/chi-tieu/them/"
    blank = daumoi.get(url)
    assert selected_value(blank) == ""
    assert "Nhập tên chỉ tiêu để hệ thống đề xuất" in text_of(blank)
    # What the block asks for when the name is typed (htmx): the proposal, chosen.
    typed = daumoi.get(
        url,
        {"name": f"{WORK_ONLINE} (trừ hồ sơ mật)", "unit_of_measure": "%", "city_indicator": ""},
        headers={"HX-Request": "true"},
    )
    assert selected_value(typed) == str(habac_catalogue["TP-CDS-03"].pk)
    assert f'<option value="{habac_catalogue["TP-CDS-03"].pk}" selected>' in typed.content.decode()
    assert 'id="catalogue-link"' in typed.content.decode()
    # A weak proposal is shown but not chosen; a choice already made is kept.
    weak = daumoi.get(
        url,
        {"name": "Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng xã", "unit_of_measure": ""},
    )
    assert selected_value(weak) == ""
    assert "Đề xuất theo tên: TP-SHTT-01 Số sáng kiến cấp xã được công nhận (khớp 57%)" in text_of(weak)
    kept = daumoi.get(url, {"name": WORK_ONLINE, "city_indicator": str(habac_catalogue["TP-CDS-05"].pk)})
    assert selected_value(kept) == str(habac_catalogue["TP-CDS-05"].pk)


def test_saving_the_form_links_and_audits(habac, units, daumoi, habac_catalogue):
    entry = habac_catalogue["TP-CDS-03"]
    response = daumoi.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/them/", new_indicator(habac, units, city_indicator=entry.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Indicator.objects.get(plan=habac, name=f"{WORK_ONLINE} của các phòng chuyên môn")
    assert created.city_indicator == entry and created.target == Decimal(95)
    audit = AuditEntry.objects.filter(object_id=str(created.pk), action=AuditEntry.Action.CREATE).get()
    assert audit.changes["chỉ tiêu dùng chung của thành phố"] == [None, f"TP-CDS-03 – {WORK_ONLINE}"]

    # Editing: choose "— Không liên kết —" to unlink.
    edit = new_indicator(habac, units, code=created.code, city_indicator="")
    response = daumoi.post(f"/ke-hoach/{habac.pk}/chi-tieu/{created.pk}/sua/", edit)
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.city_indicator is None


def test_another_city_s_entry_is_refused_with_the_field_named(habac, units, daumoi, habac_catalogue, foreign):
    indicators = Indicator.objects.count()
    response = daumoi.post(
        f"/ke-hoach/{habac.pk}/chi-tieu/them/", new_indicator(habac, units, city_indicator=foreign.pk)
    )
    assert response.status_code == 200
    message = "Chỉ tiêu dùng chung đã chọn không thuộc danh mục của UBND thành phố Hải Phòng."
    assert response.context["form"].errors["city_indicator"] == [message]
    assert message in text_of(response)
    assert Indicator.objects.count() == indicators
