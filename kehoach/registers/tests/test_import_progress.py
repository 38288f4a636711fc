"""Register imports of large files: stored, checked and written in the background with a progress bar."""

import datetime
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.core import jobs
from kehoach.registers import io as register_io
from kehoach.registers.models import Initiative, RegisterImport

HEADER = "Tên sáng kiến,Tác giả,Trạng thái,Phạm vi ảnh hưởng,Số quyết định công nhận,Ngày quyết định\n"
BASE = "/so-theo-doi/sang-kien/nhap/"
Status = RegisterImport.Status


def initiatives_csv(count: int, *, bad_line: int | None = None) -> SimpleUploadedFile:
    """`count` initiatives; the one on spreadsheet line `bad_line` (the header is line 1) lacks its author."""
    lines = [HEADER]
    for line in range(2, count + 2):
        authors = "" if line == bad_line else f"Tác giả {line}"
        lines.append(f"Sáng kiến số {line},{authors},Được công nhận,Cấp xã,{line}/QĐ-UBND,12/05/2026\n")
    return SimpleUploadedFile("sang-kien.csv", "".join(lines).encode())


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sync_jobs(settings, media):
    settings.KEHOACH_JOBS = "sync"


@pytest.fixture
def recorded(monkeypatch):
    """What the jobs report as they go: the rows read (checking), and the rows written."""
    seen = {"read": [], "written": []}
    update, write = register_io._update, register_io._progress_write

    def spy_update(pk, **fields):
        if "processed" in fields and fields.get("status") is None:
            seen["read"].append((fields["processed"], fields["total"], fields["progress"]))
        return update(pk, **fields)

    def spy_write(record, done):
        seen["written"].append(done)
        return write(record, done)

    monkeypatch.setattr(register_io, "_update", spy_update)
    monkeypatch.setattr(register_io, "_progress_write", spy_write)
    return seen


def test_a_large_file_is_checked_with_progress_previewed_and_written(
    habac, users, client_for, sync_jobs, media, recorded
):
    client = client_for(users["vhxh"])
    page = client.post(BASE, {"file": initiatives_csv(1500)})
    assert page.status_code == 200
    record = RegisterImport.objects.get()
    assert (record.status, record.progress, record.processed, record.total) == (
        Status.CHECKED,
        100,
        1500,
        1500,
    )
    assert record.error_count == 0 and len(record.preview) == 100
    # The check reported its progress every 100 rows, below 100 % until it was done.
    assert [done for done, _, _ in recorded["read"]] == list(range(0, 1501, 100))
    assert all(total == 1500 and percent < 100 for _, total, percent in recorded["read"])
    text = page.content.decode()
    assert "sang-kien.csv: 1.500 dòng" in text
    assert "Xem trước 100 dòng đầu trong 1.500 dòng." in text
    assert "Sáng kiến số 101" in text and "Sáng kiến số 102" not in text
    assert "Ghi 1.500 dòng vào sổ" in text
    stored = media / record.file.name
    assert stored.exists() and record.file.name.startswith("register-imports/")
    assert "sang-kien" not in record.file.name  # a random name, the original kept apart
    # The detail page shows the same result to its author.
    assert "Ghi 1.500 dòng vào sổ" in client.get(record.get_absolute_url()).content.decode()

    recorded["read"].clear()
    response = client.post(f"{BASE}{record.pk}/ghi/")
    assert response.status_code == 302 and response["Location"] == "/so-theo-doi/sang-kien/"
    assert Initiative.objects.count() == 1500
    record.refresh_from_db()
    assert (record.status, record.progress, record.processed) == (Status.WRITTEN, 100, 1500)
    assert record.message == "Đã nhập 1500 dòng vào sổ sáng kiến."
    assert [done for done, _, _ in recorded["read"]] == list(range(0, 1501, 100))
    assert all(percent <= 50 for _, _, percent in recorded["read"])
    assert recorded["written"] == list(range(0, 1501, 100))
    # Written: the uploaded file (and the progress file) are not kept.
    assert not record.file and not stored.exists() and not list((media / "register-imports").iterdir())
    assert "Đã nhập 1500 dòng vào sổ sáng kiến." in client.get("/so-theo-doi/sang-kien/").content.decode()


def test_one_bad_row_in_a_large_file_writes_nothing(habac, users, client_for, sync_jobs):
    client = client_for(users["vhxh"])
    text = client.post(BASE, {"file": initiatives_csv(1500, bad_line=1200)}).content.decode()
    assert "Dòng 1200, cột Tác giả: bắt buộc, không được để trống." in text
    assert "Ghi 1.500 dòng vào sổ" not in text
    record = RegisterImport.objects.get()
    assert (record.status, record.error_count, record.processed) == (Status.CHECKED, 1, 1500)
    assert record.errors == ["Dòng 1200, cột Tác giả: bắt buộc, không được để trống."]
    for url in (f"{BASE}{record.pk}/ghi/", BASE):
        response = client.post(url, {"confirm": "1"})
        assert response.status_code == 200
        assert "Tệp còn lỗi" in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_row_refused_while_writing_undoes_every_row(habac, users, units, client_for, sync_jobs):
    """Checked clean, then the register changes: row 1200 clashes when written, and nothing stays."""
    client = client_for(users["vhxh"])
    client.post(BASE, {"file": initiatives_csv(1500)})
    record = RegisterImport.objects.get()
    assert record.can_confirm
    Initiative.objects.create(
        title="Sáng kiến số 1200",
        authors="Người khác",
        unit=units["Phòng VH-XH"],
        owner_unit=units["UBND xã Hà Bắc"],
        status="cong_nhan",
        scope="xa",
        decision_number="1200/QĐ-UBND",
    )
    response = client.post(f"{BASE}{record.pk}/ghi/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Dòng 1200, cột Số quyết định công nhận: Đã có sáng kiến khác trùng" in text
    assert "Chưa ghi dòng nào." in text
    assert Initiative.objects.count() == 1
    record.refresh_from_db()
    assert record.status == Status.ERROR and record.file  # kept: check again or cancel


def test_only_the_uploader_and_the_units_coordinator_see_an_import(habac, users, client_for, sync_jobs):
    client_for(users["vhxh"]).post(BASE, {"file": initiatives_csv(250)})
    record = RegisterImport.objects.get()
    other = client_for(users["kinhte"])  # staff of another unit of the same commune
    assert other.get(record.get_absolute_url()).status_code == 403
    assert other.get(f"{BASE}{record.pk}/tien-do/").status_code == 403
    assert other.post(f"{BASE}{record.pk}/ghi/").status_code == 403
    assert other.post(f"{BASE}{record.pk}/huy/").status_code == 403
    assert other.post(f"{BASE}{record.pk}/kiem-tra-lai/").status_code == 403
    # The old confirm form confirms one's own latest import only.
    assert other.post(BASE, {"confirm": "1", "import": record.pk}).status_code == 302
    assert not Initiative.objects.exists()
    record.refresh_from_db()
    assert record.status == Status.CHECKED and record.file
    # Đầu mối of the unit may see and confirm it.
    coordinator = client_for(users["daumoi"])
    assert coordinator.get(record.get_absolute_url()).status_code == 200
    assert coordinator.post(f"{BASE}{record.pk}/ghi/").status_code == 302
    assert Initiative.objects.count() == 250
    assert set(Initiative.objects.values_list("created_by__username", flat=True)) == {"daumoi"}


def test_cancel_deletes_the_import_and_its_file(habac, users, client_for, sync_jobs, media):
    client = client_for(users["vhxh"])
    client.post(BASE, {"file": initiatives_csv(300, bad_line=5)})
    record = RegisterImport.objects.get()
    stored = media / record.file.name
    assert stored.exists()
    response = client.post(f"{BASE}{record.pk}/huy/")
    assert response.status_code == 302 and response["Location"] == BASE
    assert not RegisterImport.objects.exists() and not stored.exists()
    assert client.get(record.get_absolute_url()).status_code == 404


def test_a_new_upload_replaces_the_previous_one(habac, users, client_for, sync_jobs, media):
    client = client_for(users["vhxh"])
    client.post(BASE, {"file": initiatives_csv(3, bad_line=3)})
    first = RegisterImport.objects.get()
    client.post(BASE, {"file": initiatives_csv(3)})
    assert list(RegisterImport.objects.values_list("status", flat=True)) == [Status.CHECKED]
    assert not (media / first.file.name).exists()


class Gate:
    """Lets the background thread and the test take turns with the database.

    SQLite's in-memory test database is shared between connections in shared-cache mode, where a
    write fails at once ("database table is locked") while another connection reads the same table;
    a real SQLite file in WAL mode, or PostgreSQL, has no such limit. The thread stops when it starts
    and after each progress report until the test has looked at the page.
    """

    def __init__(self):
        self.reported = threading.Event()
        self.go = threading.Event()

    def pause(self) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        self.reported.set()
        assert self.go.wait(60), "the test stopped following the import"
        self.go.clear()

    def release(self) -> None:
        self.reported.clear()
        self.go.set()


@pytest.fixture
def gate(monkeypatch) -> Gate:
    gate = Gate()
    update, write = register_io._update, register_io._progress_write
    check, commit = register_io.import_check, register_io.import_write

    def gated_update(pk, **fields):
        done = update(pk, **fields)
        if "status" not in fields:
            gate.pause()
        return done

    def gated_write(record, done):
        write(record, done)
        gate.pause()

    def gated(target):
        def run(pk):
            gate.pause()
            return target(pk)

        return run

    monkeypatch.setattr(register_io, "_update", gated_update)
    monkeypatch.setattr(register_io, "_progress_write", gated_write)
    monkeypatch.setattr(register_io, "import_check", gated(check))
    monkeypatch.setattr(register_io, "import_write", gated(commit))
    return gate


@pytest.mark.django_db(transaction=True)
def test_thread_mode_shows_progress_while_checking_and_writing(
    settings, tmp_path, monkeypatch, client_for, gate
):
    from kehoach.demo.services import ensure_demo_accounts, load_habac
    from kehoach.units.models import User

    monkeypatch.setenv("KEHOACH_DEMO_PASSWORD", "mat-khau-thu-nghiem")
    load_habac(computed=False)
    ensure_demo_accounts()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_JOBS = "thread"
    client = client_for(User.objects.get(username="vhxh"))

    def running() -> bool:
        return jobs.threads_running()

    def follow(url: str) -> list[str]:
        """The progress fragment as the page polls it, each time the thread has reported, until done."""
        seen, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline:
            if gate.reported.wait(0.05):
                response = client.get(f"{url}tien-do/", headers={"HX-Request": "true"})
                assert response.status_code == 200 and "HX-Refresh" not in response
                seen.append(response.content.decode())
                gate.release()
            elif not running():
                response = client.get(f"{url}tien-do/", headers={"HX-Request": "true"})
                assert response["HX-Refresh"] == "true"  # the page reloads to show the result
                return [*seen, response.content.decode()]
        raise AssertionError("the import did not finish in time")

    response = client.post(BASE, {"file": initiatives_csv(1500)})
    url = response["Location"]
    assert response.status_code == 302
    assert gate.reported.wait(30)  # the thread waits to start
    record = RegisterImport.objects.get()
    assert url == record.get_absolute_url() == f"{BASE}{record.pk}/"
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Đang chờ xử lý…" in page
    gate.release()
    checking = follow(url)
    assert any("Đã kiểm tra 100/1.500 dòng" in f for f in checking)
    assert any("Đã kiểm tra 1.200/1.500 dòng" in f for f in checking)
    assert "Đã kiểm tra xong" in checking[-1] and 'hx-trigger="every 1s"' not in checking[-1]
    record.refresh_from_db()
    assert (record.status, record.processed, record.progress) == (Status.CHECKED, 1500, 100)
    page = client.get(url).content.decode()
    assert "Ghi 1.500 dòng vào sổ" in page and "Sáng kiến số 101" in page

    response = client.post(f"{url}ghi/")
    assert response.status_code == 302 and response["Location"] == url
    assert gate.reported.wait(30)
    assert "Đang đọc lại tệp trước khi ghi" in client.get(url).content.decode()
    gate.release()
    writing = follow(url)
    assert any("Đang đọc lại tệp trước khi ghi: 700/1.500 dòng" in f for f in writing)
    assert any("Đã ghi 1.200/1.500 dòng" in f and "width: 90%" in f for f in writing)
    assert "Đã nhập 1500 dòng vào sổ sáng kiến." in writing[-1]
    assert jobs.wait_for_threads(timeout=30)
    record.refresh_from_db()
    assert record.status == Status.WRITTEN, record.message
    assert Initiative.objects.count() == 1500
    assert not record.file and not list((tmp_path / "media" / "register-imports").iterdir())


def test_the_preview_shows_excel_dates_as_people_write_them(habac, users, client_for, sync_jobs):
    """An Excel date cell is a datetime: the preview reads 10/11/2026, not "2026-11-10 00:00:00"."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        [
            "Sáng kiến Excel",
            "Tác giả A",
            "Được công nhận",
            "Cấp xã",
            "7/QĐ-UBND",
            datetime.datetime(2026, 11, 10),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("sang-kien.xlsx", buffer.getvalue())
    text = client_for(users["vhxh"]).post(BASE, {"file": upload}).content.decode()
    record = RegisterImport.objects.get()
    assert record.status == Status.CHECKED and record.error_count == 0
    assert "10/11/2026" in record.preview[0]["cells"] and '<td class="small">10/11/2026</td>' in text
    assert "2026-11-10" not in text and "00:00:00" not in text


@pytest.mark.parametrize(
    "raw, text",
    [
        (None, ""),
        (datetime.datetime(2026, 11, 10), "10/11/2026"),
        (datetime.datetime(2026, 11, 10, 8, 30), "10/11/2026 08:30"),
        (datetime.date(2026, 2, 28), "28/02/2026"),
        (datetime.time(7, 5), "07:05"),
        (12.0, "12"),
        (True, "Có"),
        ("0201234567", "0201234567"),
    ],
)
def test_cell_text(raw, text):
    assert register_io.cell_text(raw) == text
