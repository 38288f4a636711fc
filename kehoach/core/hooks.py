"""Work that must follow a change to a plan's data, run once per transaction after it commits.

Consumers above the core contexts (the operations centre re-evaluating its scenarios) register a
callback in `PLAN_CHANGED`; `audit_change` reports every change filed under a plan here. The core
stays unaware of who listens, and a transaction touching a plan fifty times runs them once for it.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

PLAN_CHANGED: list[Callable[[set[int]], None]] = []


class _Pending:
    """The on-commit callback of the current transaction for one changed plan."""

    def __init__(self, plan_id: int) -> None:
        self.plan_id = plan_id

    def __call__(self) -> None:
        for callback in PLAN_CHANGED:
            try:
                callback({self.plan_id})
            except Exception:
                logger.exception("Việc chạy sau khi kế hoạch thay đổi bị lỗi (kế hoạch %s).", self.plan_id)


def plan_changed(plan_id: int) -> None:
    if not PLAN_CHANGED:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Already queued for this plan in this transaction (a rolled-back savepoint drops the callback
        # with the others registered in it, so a stale one is never relied on).
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _Pending) and func.plan_id == plan_id:
                return
    transaction.on_commit(_Pending(plan_id), robust=True)
