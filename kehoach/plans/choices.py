from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "du_thao", "Dự thảo"
    ISSUED = "ban_hanh", "Đã ban hành"


class PlanField(models.TextChoices):
    SCIENCE = "khcn", "Khoa học, công nghệ và đổi mới sáng tạo"
    DIGITAL = "cds", "Chuyển đổi số"
    ADMIN_REFORM = "cchc", "Cải cách hành chính"
    DIGITAL_LITERACY = "bdhvs", "Bình dân học vụ số"
    PROJECT_06 = "da06", "Đề án 06"
    OTHER = "khac", "Khác"


class Comparator(models.TextChoices):
    AT_LEAST = ">=", "Tối thiểu (≥)"
    AT_MOST = "<=", "Tối đa (≤)"
    BETWEEN = "between", "Trong khoảng"


class Commitment(models.TextChoices):
    REQUIRED = "required", "Bắt buộc"
    ASPIRATION = "aspiration", "Phấn đấu"


class DeadlineKind(models.TextChoices):
    DATE = "date", "Ngày cụ thể"
    PERIOD = "period", "Theo kỳ"
    CONTINUOUS = "continuous", "Thường xuyên"
    CONDITIONAL = "conditional", "Theo điều kiện"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "chua_den_han", "Chưa đến hạn"
    WAITING = "cho_dieu_kien", "Chờ điều kiện"
    ON_TRACK = "dang_thuc_hien", "Đang thực hiện (trong hạn)"
    OVERDUE = "qua_han", "Đang thực hiện (quá hạn)"
    DONE_ON_TIME = "hoan_thanh", "Hoàn thành đúng hạn"
    DONE_LATE = "hoan_thanh_muon", "Hoàn thành quá hạn"


class TaskUnitRole(models.TextChoices):
    LEAD = "chu_tri", "Chủ trì"
    COORDINATE = "phoi_hop", "Phối hợp"


class BudgetSource(models.TextChoices):
    COMMUNE = "ns_xa", "Ngân sách xã"
    CITY = "ns_thanh_pho", "Ngân sách thành phố"
    CENTRAL = "ns_trung_uong", "Ngân sách trung ương"
    RECURRENT = "chi_thuong_xuyen", "Kinh phí chi thường xuyên của đơn vị"
    SOCIALISED = "xa_hoi_hoa", "Xã hội hóa"
    OTHER = "khac", "Nguồn hợp pháp khác"
    NONE = "khong", "Không phát sinh kinh phí"


class Direction(models.TextChoices):
    HIGHER = "tang", "Càng cao càng tốt"
    LOWER = "giam", "Càng thấp càng tốt"
