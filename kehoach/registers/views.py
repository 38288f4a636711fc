"""Generic register pages driven by the specs: list, detail, create, edit, delete, import, export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from kehoach.core.audit import display_value, history_for
from kehoach.core.views import apply_service_errors, paginate, query_without_page
from kehoach.units.access import access_for
from kehoach.units.models import Unit

from . import io as register_io
from .models import RegisterImport
from .permissions import can_keep, keeping_units
from .registry import REGISTRY, RegisterSpec
from .services.rows import row_delete, row_save


def _spec(slug: str) -> RegisterSpec:
    try:
        return REGISTRY[slug]
    except KeyError as exc:
        raise Http404("Không có sổ theo dõi này.") from exc


def _queryset(spec: RegisterSpec, user):
    return (
        spec.model.objects.readable_by(user)
        .select_related(*spec.select_related)
        .prefetch_related(*spec.prefetch_related)
    )


def _object(spec: RegisterSpec, request, pk: int):
    obj = get_object_or_404(spec.model.objects.select_related("owner_unit", *spec.select_related), pk=pk)
    if not access_for(request.user).can_read_unit(obj.owner_unit):
        raise PermissionDenied(f"Bạn không có quyền xem {spec.verbose_name} này.")
    return obj


def _units(request):
    units = keeping_units(request.user)
    return Unit.objects.filter(pk__in=[u.pk for u in units])


@login_required
def index(request):
    entries = []
    for spec in REGISTRY.values():
        entries.append({"spec": spec, "count": spec.model.objects.readable_by(request.user).count()})
    return render(request, "registers/index.html", {"entries": entries})


@login_required
def row_list(request, slug: str):
    spec = _spec(slug)
    filterset = spec.filterset_class(request.GET, queryset=_queryset(spec, request.user), user=request.user)
    page = paginate(request, filterset.qs)
    rows = [(obj, [getter(obj) for _, getter in spec.list_columns]) for obj in page]
    return render(
        request,
        "registers/list.html",
        {
            "spec": spec,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "headers": [label for label, _ in spec.list_columns],
            "query": query_without_page(request),
            "can_add": bool(keeping_units(request.user)),
            # A register may show a small summary of the filtered rows: (request, queryset) → HTML.
            "summary": summary(request, filterset.qs) if (summary := spec.extra.get("list_summary")) else "",
        },
    )


@login_required
def row_detail(request, slug: str, pk: int):
    spec = _spec(slug)
    obj = _object(spec, request, pk)
    fields = []
    for field in obj._meta.get_fields():
        if (
            not getattr(field, "concrete", False)
            or field.auto_created
            or not getattr(field, "editable", True)
        ):
            continue
        if field.name in ("owner_unit",) or field.many_to_many:
            continue
        value = getattr(obj, field.name)
        if field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
        elif isinstance(value, bool):
            value = "Có" if value else "Không"
        elif isinstance(field, models.FileField):
            value = value.name.rsplit("/", 1)[-1] if value else ""
        fields.append(
            (capfirst(str(field.verbose_name)), display_value(value) if value not in (None, "") else "—")
        )
    panels = spec.extra.get("detail_panels", ())
    return render(
        request,
        "registers/detail.html",
        {
            "spec": spec,
            "object": obj,
            "fields": fields,
            "can_edit": can_keep(request.user, obj.unit),
            "history": history_for(obj)[:30],
            "panels": [panel(request, obj) for panel in panels],
        },
    )


@login_required
def row_form(request, slug: str, pk: int | None = None):
    spec = _spec(slug)
    instance = _object(spec, request, pk) if pk else None
    if instance is not None and not can_keep(request.user, instance.unit):
        raise PermissionDenied(f"Chỉ cán bộ của {instance.unit} mới được sửa {spec.verbose_name} này.")
    units = _units(request)
    if not units.exists():
        raise PermissionDenied("Bạn không thuộc đơn vị nào được cập nhật sổ theo dõi.")
    initial = {} if instance else {"unit": units.first()}
    form = spec.form_class(
        request.POST or None, request.FILES or None, instance=instance, units=units, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name in form._meta.fields}
        try:
            obj = row_save(actor=request.user, spec=spec, data=data, instance=instance)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu {spec.verbose_name} “{obj}”.")
            return redirect(obj)
    return render(request, "registers/form.html", {"spec": spec, "form": form, "object": instance})


@login_required
@require_POST
def row_remove(request, slug: str, pk: int):
    spec = _spec(slug)
    obj = _object(spec, request, pk)
    row_delete(actor=request.user, spec=spec, instance=obj)
    messages.success(request, f"Đã xóa {spec.verbose_name} “{obj}”.")
    return redirect("registers:list", slug)


@login_required
def export(request, slug: str, fmt: str):
    spec = _spec(slug)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filterset = spec.filterset_class(request.GET, queryset=_queryset(spec, request.user), user=request.user)
    content = register_io.export(spec, filterset.qs, fmt)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(content, f"{slug}-{stamp}.{fmt}", fmt)


@login_required
def template(request, slug: str):
    spec = _spec(slug)
    content = register_io.export(
        spec, spec.model.objects.none(), "xlsx", units=list(_writable_units(request))
    )
    return _download(content, f"mau-{slug}.xlsx", "xlsx")


def _writable_units(request):
    """The units the person may write register rows for: their own and the units under them."""
    keeping = keeping_units(request.user)
    if not keeping:
        return Unit.objects.none()
    within = models.Q()
    for unit in keeping:
        within |= models.Q(path__startswith=unit.path)
    return Unit.objects.filter(within).order_by("path")


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_units(request) -> list[Unit]:
    units = keeping_units(request.user)
    if not units:
        raise PermissionDenied("Bạn không thuộc đơn vị nào được cập nhật sổ theo dõi.")
    return units


def _import_record(request, spec: RegisterSpec, pk: int) -> RegisterImport:
    record = get_object_or_404(
        RegisterImport.objects.select_related("unit", "owner_unit", "created_by"), pk=pk, slug=spec.slug
    )
    register_io.ensure_can_handle(request.user, record)
    return record


def _import_page(request, spec: RegisterSpec, record: RegisterImport | None = None, *, error: str = ""):
    """The import page: the upload form, then the import being checked or written, if any."""
    open_imports = RegisterImport.objects.filter(created_by=request.user, slug=spec.slug).exclude(
        status=RegisterImport.Status.WRITTEN
    )
    if record is not None:
        open_imports = open_imports.exclude(pk=record.pk)
    return render(
        request,
        "registers/import.html",
        {
            "spec": spec,
            "record": record,
            "error": error,
            "columns": spec.columns,
            "open_imports": open_imports[:10],
            **(_progress_context(record) if record is not None else {}),
        },
    )


def _progress_context(record: RegisterImport) -> dict:
    written = register_io.written_so_far(record)
    progress = record.progress
    if written is not None and record.total:
        progress = 50 + 50 * written // record.total
    return {"written": written, "progress": min(progress, 100), "stale": register_io.is_stale(record)}


@login_required
def import_rows(request, slug: str):
    """Upload → check (in the background for large files) → preview with row errors → confirm → write.

    Nothing is written before confirmation, and then every row or none. A POST with "confirm" and no
    import confirms the person's latest import of the register (the form before imports had pages).
    """
    spec = _spec(slug)
    units = _import_units(request)
    if request.method == "POST" and "confirm" in request.POST:
        pk = request.POST.get("import") or ""
        records = RegisterImport.objects.filter(created_by=request.user, slug=slug)
        record = records.filter(pk=int(pk)).first() if pk.isdigit() else records.first()
        if record is None:
            messages.error(request, "Phiên nhập đã hết hạn; hãy tải tệp lên lại.")
            return redirect("registers:import", slug)
        return _confirm(request, spec, record)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            return _import_page(request, spec, error="Chưa chọn tệp.")
        try:
            record = register_io.import_upload(actor=request.user, spec=spec, upload=upload, unit=units[0])
        except ValidationError as exc:
            return _import_page(request, spec, error=" ".join(exc.messages))
        if record.is_running:
            return redirect(record)
        # Checked during the request (a small file): the result at once, as before.
        return _import_page(request, spec, record)
    return _import_page(request, spec)


def _confirm(request, spec: RegisterSpec, record: RegisterImport):
    try:
        record = register_io.import_confirm(actor=request.user, record=record)
    except ValidationError as exc:
        return _import_page(request, spec, record, error=" ".join(exc.messages))
    if record.status == RegisterImport.Status.WRITTEN:
        messages.success(request, record.message)
        return redirect("registers:list", spec.slug)
    if record.is_running:
        return redirect(record)
    return _import_page(request, spec, record)  # refused: nothing written, the reason on the page


@login_required
def import_detail(request, slug: str, pk: int):
    spec = _spec(slug)
    return _import_page(request, spec, _import_record(request, spec, pk))


@login_required
def import_progress(request, slug: str, pk: int):
    """The progress fragment the import page polls every second."""
    spec = _spec(slug)
    record = _import_record(request, spec, pk)
    context = {"spec": spec, "record": record, **_progress_context(record)}
    response = render(request, "registers/import_progress.html", context)
    if getattr(request, "htmx", False) and not (record.is_running and not context["stale"]):
        response["HX-Refresh"] = "true"  # show the result (errors, preview, confirm) in place of the bar
    return response


@login_required
@require_POST
def import_confirm(request, slug: str, pk: int):
    spec = _spec(slug)
    return _confirm(request, spec, _import_record(request, spec, pk))


@login_required
@require_POST
def import_recheck(request, slug: str, pk: int):
    spec = _spec(slug)
    record = _import_record(request, spec, pk)
    try:
        record = register_io.import_recheck(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(record)


@login_required
@require_POST
def import_cancel(request, slug: str, pk: int):
    spec = _spec(slug)
    record = _import_record(request, spec, pk)
    try:
        register_io.import_cancel(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(record)
    messages.success(request, f"Đã hủy phiên nhập “{record.original_name}”; tệp tải lên đã được xóa.")
    return redirect("registers:import", slug)


@login_required
@require_POST
def binding(request, indicator_pk: int):
    from kehoach.plans.models import Indicator
    from kehoach.plans.permissions import ensure_can_read

    from .services.computed import binding_set, refresh_plan

    indicator = get_object_or_404(
        Indicator.objects.select_related("plan__owner_unit", "plan__lead_unit"), pk=indicator_pk
    )
    ensure_can_read(request.user, indicator.plan)
    if "refresh" in request.POST:
        from kehoach.plans.permissions import ensure_can_manage

        ensure_can_manage(request.user, indicator.plan)
        count = refresh_plan(plan=indicator.plan)
        messages.success(request, f"Đã tính lại {count} số liệu từ sổ theo dõi.")
        return redirect(indicator)
    try:
        result = binding_set(
            actor=request.user, indicator=indicator, computation=request.POST.get("computation") or None
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Đã lưu nguồn số liệu: " + (result.spec.label if result else "đơn vị nhập tay") + "."
        )
    return redirect(indicator)
