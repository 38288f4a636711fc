"""The Django admin in Vietnamese where a translation catalogue cannot reach.

- Yes/no icons: Django writes the Python value into their alt text ("True", "False", "None").
- Permission names: Django stores them in English when it creates them ("Can add kế hoạch"); after
  every migrate the default ones are renamed "Thêm kế hoạch", "Sửa kế hoạch"… Custom permissions keep
  the name their model gives them.
"""

from django.utils.html import format_html
from django.utils.translation import override

YES_NO = {True: ("yes", "Có"), False: ("no", "Không"), None: ("unknown", "Không rõ")}
ACTIONS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}


def boolean_icon(value):
    from django.templatetags.static import static

    icon, text = YES_NO[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def install_boolean_icon() -> None:
    # Django's own helpers import the function from admin_list each time they draw an icon.
    from django.contrib.admin.templatetags import admin_list

    admin_list._boolean_icon = boolean_icon


def permission_name(action: str, verbose_name: str) -> str:
    # "Thêm nhóm", not "Thêm Nhóm" (Django's catalogue capitalises some names); "API" stays.
    if verbose_name[1:2].islower():
        verbose_name = verbose_name[0].lower() + verbose_name[1:]
    return f"{ACTIONS[action]} {verbose_name}"[:255]


def rename_permissions(sender=None, using="default", **kwargs) -> None:
    """post_migrate: the default permissions of every installed model named in Vietnamese."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    with override("vi"):
        renamed = []
        types = ContentType.objects.db_manager(using).all()
        permissions = Permission.objects.using(using).filter(content_type__in=types)
        for permission in permissions.select_related("content_type"):
            model = permission.content_type.model_class()
            action, _, model_name = permission.codename.partition("_")
            if model is None or action not in ACTIONS or model_name != model._meta.model_name:
                continue
            name = permission_name(action, str(model._meta.verbose_name))
            if permission.name != name:
                permission.name = name
                renamed.append(permission)
        Permission.objects.using(using).bulk_update(renamed, ["name"], batch_size=500)
