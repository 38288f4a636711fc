"""The project's Vietnamese for Django (kehoach/locale) is compiled, loaded and used by the admin."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PO_FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) ((?:".*"\n?)+)', re.M)


def po_entries(path: Path) -> dict:
    """{msgid, or (msgctxt, msgid): msgstr} of a .po file (the subset of the format it uses)."""

    def unquote(lines: str) -> str:
        text = "".join(re.findall(r'"(.*)"', lines))
        return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")

    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields = dict(PO_FIELD.findall(block))
        msgid = unquote(fields.get("msgid", ""))
        if not msgid:
            continue
        key = (unquote(fields["msgctxt"]), msgid) if "msgctxt" in fields else msgid
        entries[key] = unquote(fields.get("msgstr") or fields["msgstr[0]"])
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogue_matches_its_source(domain):
    """Edit the .po, then `cd kehoach && ../.venv/bin/django-admin compilemessages -l vi`."""
    with (LOCALE / f"{domain}.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for key, text in po_entries(LOCALE / f"{domain}.po").items():
        if isinstance(key, tuple):
            assert compiled.pgettext(*key) == text, key
        else:
            assert compiled.gettext(key) == text, key


def test_django_strings_read_in_vietnamese():
    with translation.override("vi"):
        assert translation.gettext("Toggle theme (current theme: auto)").startswith("Đổi giao diện")
        assert translation.gettext("Skip to main content") == "Chuyển đến nội dung chính"
        assert translation.gettext("log entry") == "mục nhật ký quản trị"  # Django's own: "đăng nhập"
        assert translation.ngettext("%(num)d day", "%(num)d days", 3) % {"num": 3} == "3 ngày"


def test_admin_yes_no_icons_say_so_in_vietnamese():
    from django.contrib.admin.utils import display_for_value

    assert 'alt="Có"' in display_for_value(True, "", boolean=True)
    assert 'alt="Không"' in display_for_value(False, "", boolean=True)


@pytest.mark.django_db
def test_permissions_are_named_in_vietnamese(client):
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from kehoach.tracking.models import DigestLog
    from kehoach.units.models import User

    assert Permission.objects.get(codename="add_plan").name == "Thêm kế hoạch"
    assert Permission.objects.get(codename="view_logentry").name == "Xem mục nhật ký quản trị"
    assert Permission.objects.get(codename="change_group").name == "Sửa nhóm"
    assert not Permission.objects.filter(name__startswith="Can ").exists()

    admin = User.objects.create_superuser("quantri_thu", password="mat-khau-thu-nghiem-1")
    DigestLog.objects.create(user=admin, day=timezone.localdate(), count=3)
    client.force_login(admin)
    page = client.get("/quan-tri/").content.decode()
    assert "Toggle theme" not in page and "Model name" not in page
    assert "Đổi giao diện sáng/tối" in page
    digests = client.get("/quan-tri/tracking/digestlog/").content.decode()
    assert "thư tổng hợp đã gửi" in digests and "Người nhận" in digests and "Digest" not in digests


def test_every_field_of_the_product_has_a_vietnamese_label():
    """The admin, the forms and the change history show field labels: none may fall back to the
    English name Django derives from the code ("created by", "content type")."""
    from django.apps import apps

    english = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("kehoach.")
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not field.auto_created
        and str(field.verbose_name) == field.name.replace("_", " ")
    ]
    assert english == []
