from django.db import models


class PeriodKind(models.TextChoices):
    MONTH = "thang", "Tháng"
    QUARTER = "quy", "Quý"
    HALF = "6thang", "6 tháng"
    NINE = "9thang", "9 tháng"
    YEAR = "nam", "Năm"


class ReportStatus(models.TextChoices):
    DRAFT = "nhap", "Nháp"
    SUBMITTED = "da_gui", "Đã gửi"
    RETURNED = "tra_lai", "Trả lại"
    ACCEPTED = "chap_nhan", "Đã chấp nhận"


class ReporterRole(models.TextChoices):
    LEAD = "chu_tri", "Chủ trì"
    COORDINATE = "phoi_hop", "Phối hợp"


class Assessment(models.TextChoices):
    EXCEEDED = "vuot", "Vượt"
    MET = "dat", "Đạt"
    NOT_MET = "chua_dat", "Chưa đạt"
    ON_TRACK = "dung_tien_do", "Đúng tiến độ"
    AT_RISK = "co_nguy_co", "Có nguy cơ"
    BEHIND = "cham", "Chậm"
    NO_DATA = "chua_co_so_lieu", "Chưa có số liệu"


class NotificationKind(models.TextChoices):
    DUE_SOON = "sap_den_han", "Sắp đến hạn"
    OVERDUE = "qua_han", "Quá hạn"
    MISSING = "thieu_bao_cao", "Chưa gửi báo cáo"
    RETURNED = "tra_lai", "Báo cáo bị trả lại"
    SUBMITTED = "cho_duyet", "Báo cáo chờ duyệt"
    ALERT = "canh_bao", "Cảnh báo điều hành"
    NUDGE = "don_doc", "Đôn đốc của đầu mối"
    SIGN = "cho_ky", "Báo cáo chờ ký"
