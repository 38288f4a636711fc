"""Entry points for the rest of kehoach (the upload and review screens, jobs, the command).

    plan_extract_file(path=…)            → contract dict, or DocumentError with a Vietnamese message
    plan_extract_bytes(data=…, name=…)   → the same for an uploaded file held in memory

Nothing here touches the database: the result is the import contract (design.md), which a person
reviews before anything is created.
"""

from os import PathLike

from .contract import PlanContract
from .errors import DocumentError
from .extract import extract_plan
from .readers import max_bytes, read_bytes, read_document


def plan_extract_file(*, path: str | PathLike) -> PlanContract:
    return extract_plan(read_document(path))


def plan_extract_bytes(*, data: bytes, name: str) -> PlanContract:
    if len(data) > max_bytes():
        raise DocumentError(f"Tệp “{name}” quá lớn; chỉ nhận tệp đến {max_bytes() // (1024 * 1024)} MB.")
    return extract_plan(read_bytes(data, name=name))


__all__ = ["DocumentError", "PlanContract", "plan_extract_bytes", "plan_extract_file"]
