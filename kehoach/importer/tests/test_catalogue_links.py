"""The review screen proposes each indicator's entry of the city catalogue; publishing links it."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kehoach.importer import jobs
from kehoach.importer.models import ImportJob
from kehoach.plans.models import CityIndicator, Plan
from kehoach.units.models import Unit

from .test_web import NEW_UNIT, review_data, unit_index, upload

CITY = "Ủy ban nhân dân thành phố Hải Phòng"
ONLINE = "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến toàn trình"
MODELS = "Số mô hình điểm về chuyển đổi số được nhân rộng"


@pytest.fixture
def catalogue(habac) -> dict[str, CityIndicator]:
    city = Unit.objects.get(name=CITY)
    entries = [
        ("TP-CDS-03", "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", "%"),
        ("TP-CDS-08", ONLINE, "%"),
        ("TP-CCHC-01", "Tỷ lệ hồ sơ thủ tục hành chính giải quyết quá hạn", "%"),
        ("TP-CDS-10", MODELS, "mô hình"),
    ]
    return {
        code: CityIndicator.objects.create(city=city, code=code, name=name, unit_of_measure=unit, position=i)
        for i, (code, name, unit) in enumerate(entries, start=1)
    }


def text_of(response) -> str:
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


@pytest.fixture
def job(habac, users, units, client_for, media, catalogue) -> ImportJob:
    upload(client_for(users["daumoi"]), units)
    return ImportJob.objects.get()


def test_review_shows_the_proposal_and_chooses_a_strong_one(users, client_for, job, catalogue):
    client = client_for(users["daumoi"])
    names = [i["name"] for i in job.result["indicators"]]
    assert names[0] == "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình"
    response = client.get(job.get_absolute_url())
    page = text_of(response)
    assert f"Đề xuất theo tên: TP-CDS-08 {ONLINE} (khớp 91%)" in page
    forms = response.context["review"].ind.forms
    first, second = forms[0], forms[1]
    # Strong: chosen in advance; the proposals come first in the select.
    assert first["city_indicator"].value() == str(catalogue["TP-CDS-08"].pk)
    groups = dict(first.fields["city_indicator"].choices[1:])
    assert groups["Đề xuất theo tên"][0] == (str(catalogue["TP-CDS-08"].pk), f"TP-CDS-08 {ONLINE} (khớp 91%)")
    assert str(catalogue["TP-CDS-08"].pk) not in dict(groups["Các chỉ tiêu khác của danh mục"])
    # "Mô hình chuyển đổi số tiêu biểu": proposed, but too different to choose in advance.
    assert second["name"].value() == "Mô hình chuyển đổi số tiêu biểu"
    assert second["city_indicator"].value() == ""
    assert second.catalogue_hint == f"Đề xuất theo tên: TP-CDS-10 {MODELS} (khớp 65%)"


def test_publish_links_the_indicators_as_reviewed(users, client_for, job, catalogue):
    client = client_for(users["daumoi"])
    data, review = review_data(client, job)
    assert data["ind-0-city_indicator"] == str(catalogue["TP-CDS-08"].pk)
    data["ind-1-city_indicator"] = str(catalogue["TP-CDS-10"].pk)
    data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 302, response.context and response.context["problems"]
    job.refresh_from_db()
    assert [i["city_indicator"] for i in job.result["indicators"]] == [
        catalogue["TP-CDS-08"].pk,
        catalogue["TP-CDS-10"].pk,
    ]
    linked = [i.city_indicator for i in job.plan.indicators.order_by("position")]
    assert linked == [catalogue["TP-CDS-08"], catalogue["TP-CDS-10"]]


def test_no_link_chosen_stays_no_link(users, client_for, job, catalogue):
    client = client_for(users["daumoi"])
    data, _ = review_data(client, job)
    data["ind-0-city_indicator"] = ""
    assert client.post(job.get_absolute_url(), data).status_code == 302
    job.refresh_from_db()
    assert job.result["indicators"][0]["city_indicator"] is None
    # Shown again, the saved decision wins over the proposal.
    data, _ = review_data(client, job)
    assert data["ind-0-city_indicator"] == ""


def test_another_city_s_entry_is_refused_naming_the_row(users, client_for, job, other_city):
    foreign = CityIndicator.objects.create(
        city=other_city["city"], code="HN-CDS-08", name=ONLINE, unit_of_measure="%"
    )
    client = client_for(users["daumoi"])
    data, review = review_data(client, job)
    data["ind-0-city_indicator"] = str(foreign.pk)
    data[f"unit-{unit_index(review, NEW_UNIT)}-new"] = "on"
    plans = Plan.objects.count()
    response = client.post(reverse("importer:publish", args=[job.pk]), data)
    assert response.status_code == 200
    assert (
        "Chỉ tiêu 1: Chỉ tiêu dùng chung của thành phố: "
        "Chỉ tiêu dùng chung đã chọn không thuộc danh mục của UBND thành phố Hải Phòng."
    ) in response.context["problems"]
    assert Plan.objects.count() == plans


def test_a_stale_entry_in_the_saved_review_stops_publishing(users, units, client_for, job, catalogue):
    """The entry chosen at review was removed from the catalogue before publishing."""
    client = client_for(users["daumoi"])
    job.result["indicators"][0]["city_indicator"] = 999_999
    job.unit_choices = {NEW_UNIT: {"new": True}}
    job.save()
    plans = Plan.objects.count()
    with pytest.raises(ValidationError) as error:
        jobs.job_publish(actor=users["daumoi"], job=job, issue=False)
    assert "Chỉ tiêu 1: chỉ tiêu dùng chung đã chọn không thuộc danh mục" in " ".join(error.value.messages)
    assert Plan.objects.count() == plans
    assert client.get(job.get_absolute_url()).status_code == 200
