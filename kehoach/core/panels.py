"""Extension points on pages: a context that depends on another registers a panel for its pages.

Plans know nothing of tracking, yet the task page shows its progress reports: tracking registers a
panel for "task_detail" and the task template renders `{% panels "task_detail" task %}`.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

Panel = Callable[..., str]
_registry: dict[str, list[Panel]] = {}


def register(slot: str) -> Callable[[Panel], Panel]:
    def decorator(func: Panel) -> Panel:
        _registry.setdefault(slot, []).append(func)
        return func

    return decorator


def render(slot: str, request, obj) -> SafeString:
    return mark_safe("".join(func(request, obj) for func in _registry.get(slot, [])))
