"""Small helpers every app's views use."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form


def paginate(request, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.KEHOACH_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the named field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def style_widgets(form: Form) -> Form:
    """Bootstrap classes on a form's widgets (filter forms are built by django-filter)."""
    from django import forms

    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
        widget.attrs.setdefault("aria-label", str(field.label))
    return form
