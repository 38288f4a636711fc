from django.db import models


class ScenarioKind(models.TextChoices):
    INDICATOR_BELOW = "chi_tieu_thap", "Chỉ tiêu thấp hơn mục tiêu (hiện tại hoặc dự báo cuối năm)"
    FIGURE_MISSING = "thieu_so_lieu", "Chưa có số liệu sau ngày chốt"
    TASK_OVERDUE = "qua_han", "Nhiệm vụ quá hạn"
    TASK_AT_RISK = "nguy_co", "Nhiệm vụ có nguy cơ chậm"
    TRIGGER_LATE = "cho_dieu_kien", "Sự kiện điều kiện chưa xảy ra sau ngày dự kiến"
    NO_PROGRESS = "khong_bao_cao", "Không có báo cáo tiến độ nhiều kỳ liên tiếp"
    REPORT_NOT_ISSUED = "chua_ban_hanh", "Báo cáo định kỳ chưa ban hành đúng hạn"


class Severity(models.TextChoices):
    YELLOW = "vang", "Vàng"
    ORANGE = "cam", "Cam"
    RED = "do", "Đỏ"


SEVERITY_RANK = {Severity.YELLOW: 1, Severity.ORANGE: 2, Severity.RED: 3}
SEVERITY_BADGES = {Severity.YELLOW: "warning", Severity.ORANGE: "orange", Severity.RED: "danger"}


def escalated(severity: str) -> str:
    """One step up: vàng → cam → đỏ; đỏ stays đỏ."""
    order = [Severity.YELLOW, Severity.ORANGE, Severity.RED]
    return order[min(order.index(Severity(severity)) + 1, len(order) - 1)]


class AlertState(models.TextChoices):
    OPEN = "mo", "Đang mở"
    ACKNOWLEDGED = "da_nhan", "Đã tiếp nhận"
    RESOLVED = "da_xu_ly", "Đã xử lý"


class AlertAction(models.TextChoices):
    RAISED = "phat_sinh", "Phát sinh"
    ACKNOWLEDGED = "tiep_nhan", "Tiếp nhận"
    ESCALATED = "chuyen_cap", "Chuyển cấp"
    RESOLVED = "xu_ly", "Xử lý xong"
    CLEARED = "tu_dong_dong", "Tự đóng khi điều kiện hết"
