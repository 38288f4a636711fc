"""The quản trị pages of the catalogue and the operations records open in Vietnamese."""

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/quan-tri/plans/cityindicator/",
        "/quan-tri/plans/cityindicator/add/",
        "/quan-tri/operations/scenario/",
        "/quan-tri/operations/alert/",
        "/quan-tri/operations/reminder/",
        "/quan-tri/operations/dailyrun/",
    ],
)
def test_admin_pages_open(users, client_for, url):
    response = client_for(users["quantri"]).get(url)
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()


def test_admin_lists_the_catalogue_in_vietnamese(users, client_for):
    html = client_for(users["quantri"]).get("/quan-tri/").content.decode()
    assert "Danh mục chỉ tiêu dùng chung" in html and "Kịch bản điều hành" in html
