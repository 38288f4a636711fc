from django.db import models


class UnitKind(models.TextChoices):
    PROVINCE = "tinh", "Tỉnh, thành phố"
    COMMUNE = "xa", "Xã, phường, đặc khu"
    AGENCY = "co_quan", "Phòng, ban, trung tâm, cơ quan"
    ORGANISATION = "to_chuc", "Tổ chức chính trị - xã hội"


# Levels of government: a unit's plans belong to the nearest one of these above it.
ADMINISTRATIVE_KINDS = (UnitKind.PROVINCE, UnitKind.COMMUNE)


class Role(models.TextChoices):
    LEADER = "lanh_dao", "Lãnh đạo"
    COORDINATOR = "dau_moi", "Đầu mối"
    STAFF = "can_bo", "Cán bộ đơn vị"
    SUPERVISOR = "cap_tren", "Cấp trên"
    ADMIN = "quan_tri", "Quản trị"
