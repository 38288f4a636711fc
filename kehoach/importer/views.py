"""Import pages: upload, progress, review, publish, abandon. Đầu mối only; services do the writing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kehoach.core.views import apply_service_errors
from kehoach.plans.choices import PlanField
from kehoach.plans.services.catalogue import catalogue_of, city_of
from kehoach.units.access import access_for
from kehoach.units.models import Unit

from . import jobs
from .forms import ReviewForms, UploadForm
from .matching import match_names
from .models import ImportJob

RECENT_JOBS = 10


def _ensure_importer(request):
    access = access_for(request.user)
    if not access.coordinator_units:
        raise PermissionDenied("Chỉ cán bộ đầu mối mới được nhập kế hoạch từ văn bản.")
    return access


def _job(request, pk: int) -> ImportJob:
    _ensure_importer(request)
    job = get_object_or_404(
        ImportJob.objects.select_related("owner_unit", "lead_unit", "plan", "created_by"), pk=pk
    )
    if not jobs.can_see(request.user, job):
        raise PermissionDenied("Bạn không có quyền xem phiên nhập này.")
    return job


@login_required
def upload(request):
    access = _ensure_importer(request)
    lead_units = Unit.objects.filter(pk__in=[u.pk for u in access.coordinator_units]).order_by("path")
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        lead_units=lead_units,
        initial={"lead_unit": lead_units.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(
                actor=request.user,
                upload=form.cleaned_data["file"],
                lead_unit=form.cleaned_data["lead_unit"],
                field=form.cleaned_data["field"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(job)
    recent = ImportJob.objects.filter(created_by=request.user).select_related("lead_unit", "plan")[
        :RECENT_JOBS
    ]
    return render(request, "importer/upload.html", {"form": form, "recent": recent})


def _job_page(request, job: ImportJob):
    return render(
        request,
        "importer/job.html",
        {"job": job, "stale": jobs.is_stale(job), "field": PlanField(job.field).label if job.field else ""},
    )


def _review(request, job: ImportJob, *, publish: bool):
    units = list(Unit.objects.subtree_of(job.owner_unit))
    catalogue = catalogue_of(city_of(job.owner_unit))
    rows = match_names(job.result or {}, job.owner_unit, job.unit_choices)
    problems: list[str] = []
    refused_duplicate = False
    if request.method == "POST":
        review = ReviewForms(job.result or {}, rows=rows, units=units, post=request.POST, catalogue=catalogue)
        if review.is_valid():
            try:
                jobs.job_save_review(
                    actor=request.user, job=job, result=review.result(), unit_choices=review.unit_choices()
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(job)
            job.refresh_from_db()
            if not publish:
                messages.success(
                    request, "Đã lưu kết quả rà soát. Chưa có dữ liệu nào của kế hoạch được tạo."
                )
                return redirect(job)
            replace = request.POST.get("replace", "")
            try:
                plan = jobs.job_publish(
                    actor=request.user,
                    job=job,
                    issue=bool(request.POST.get("issue")),
                    replace=int(replace) if replace.isdigit() else None,
                    confirmed=bool(request.POST.get("confirm_duplicate")),
                )
            except ValidationError as error:
                problems = error.messages
                # A plan already there: said, with the choices, by the panel of the plans found (below).
                refused_duplicate = isinstance(error, jobs.DuplicatePlan)
            else:
                tasks, indicators = plan.tasks.count(), plan.indicators.count()
                replaced = " Bản dự thảo cũ đã được thay bằng kế hoạch này." if replace else ""
                messages.success(
                    request,
                    f"Đã tạo kế hoạch “{plan.title}” từ văn bản “{job.original_name}”: "
                    f"{indicators} chỉ tiêu, {tasks} nhiệm vụ.{replaced}",
                )
                return redirect(plan)
            # Publishing was refused: the edits are saved; show them again with the reasons.
            rows = match_names(job.result or {}, job.owner_unit, job.unit_choices)
            review = ReviewForms(job.result or {}, rows=rows, units=units, catalogue=catalogue)
        else:
            problems = review.problems()
    else:
        review = ReviewForms(job.result or {}, rows=rows, units=units, catalogue=catalogue)
    data = job.result or {}
    duplicates = jobs.job_duplicates(job)
    if refused_duplicate and duplicates:
        problems = []
    return render(
        request,
        "importer/review.html",
        {
            "job": job,
            "duplicates": duplicates,
            "refused_duplicate": refused_duplicate and bool(duplicates),
            "same_number": any(d.same_number for d in duplicates),
            "replaceable": any(d.replaceable for d in duplicates),
            "review": review,
            "rows": rows,
            "collective": [r for r in rows if r.collective],
            "undecided": [r for r in rows if not r.decided],
            "problems": problems,
            "publishing": publish,
            "issue": request.POST.get("issue") if request.method == "POST" else bool(data.get("number")),
            "field": PlanField(job.field).label if job.field else "",
        },
    )


@login_required
def job_detail(request, pk: int):
    job = _job(request, pk)
    if not job.is_reviewable:
        if request.method == "POST":
            return redirect(job)
        return _job_page(request, job)
    return _review(request, job, publish=False)


@login_required
@require_POST
def job_publish(request, pk: int):
    job = _job(request, pk)
    if job.status == ImportJob.Status.PUBLISHED and job.plan:
        messages.info(request, "Kế hoạch của phiên nhập này đã được công bố.")
        return redirect(job.plan)
    if not job.is_reviewable:
        return redirect(job)
    return _review(request, job, publish=True)


@login_required
def job_progress(request, pk: int):
    job = _job(request, pk)
    response = render(request, "importer/_progress.html", {"job": job, "stale": jobs.is_stale(job)})
    if getattr(request, "htmx", False) and not job.is_running:
        response["HX-Refresh"] = "true"  # open the review screen (or the error) in place of the bar
    return response


@login_required
@require_POST
def job_retry(request, pk: int):
    job = _job(request, pk)
    try:
        jobs.job_retry(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)


@login_required
@require_POST
def job_abandon(request, pk: int):
    job = _job(request, pk)
    name = job.original_name
    jobs.job_abandon(actor=request.user, job=job)
    messages.success(request, f"Đã bỏ phiên nhập “{name}”; tệp tải lên đã được xóa.")
    return redirect("importer:upload")
