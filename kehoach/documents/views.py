"""The register of outgoing documents (sổ văn bản đi): list, detail, files, entries made by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from kehoach.core.views import apply_service_errors, paginate, query_without_page, style_widgets
from kehoach.units.access import access_for
from kehoach.units.choices import ADMINISTRATIVE_KINDS
from kehoach.units.models import Unit

from .forms import ManualEntryForm, RegisterFilterForm
from .http import document_response, ensure_format
from .models import OutgoingDocument
from .services.register import can_register, document_file, document_filename, document_register_manual


def _issuers(user):
    return Unit.objects.filter(access_for(user).read_q("path"), kind__in=ADMINISTRATIVE_KINDS).order_by(
        "path"
    )


@login_required
def register(request):
    issuers = _issuers(request.user)
    form = RegisterFilterForm(request.GET or None, issuers=issuers)
    documents = OutgoingDocument.objects.readable_by(request.user).select_related("issuer")
    if form.is_valid():
        data = form.cleaned_data
        if data["issuer"]:
            documents = documents.filter(issuer=data["issuer"])
        if data["year"]:
            documents = documents.filter(year=data["year"])
        if data["kind"]:
            documents = documents.filter(kind=data["kind"])
        if data["q"]:
            q = data["q"].strip()
            number = q.split("/")[0]
            match = Q(title__icontains=q) | Q(symbol__icontains=q)
            if number.isdigit():
                match |= Q(number=int(number))
            documents = documents.filter(match)
    page = paginate(request, documents.order_by("-year", "issuer__path", "-number"))
    own = [u for u in issuers if can_register(request.user, u)]
    return render(
        request,
        "documents/register.html",
        {
            "form": style_widgets(form),
            "page": page,
            "query": query_without_page(request),
            "can_add": bool(own),
        },
    )


def _document(request, pk: int) -> OutgoingDocument:
    entry = get_object_or_404(OutgoingDocument.objects.select_related("issuer", "issued_by"), pk=pk)
    if not access_for(request.user).can_read_unit(entry.issuer):
        raise Http404
    return entry


@login_required
def detail(request, pk: int):
    entry = _document(request, pk)
    report = getattr(entry, "report", None) if entry.source_type == "reports.report" else None
    return render(request, "documents/detail.html", {"entry": entry, "report": report})


@login_required
def download(request, pk: int, ext: str):
    ensure_format(ext)
    entry = _document(request, pk)
    try:
        content = document_file(entry, ext)
    except FileNotFoundError:
        raise Http404("Văn bản này được vào sổ bằng tay, không có tệp trên hệ thống.") from None
    return document_response(content, ext, document_filename(entry, ext))


@login_required
def create(request):
    issuers = [u for u in _issuers(request.user) if can_register(request.user, u)]
    if not issuers:
        raise PermissionDenied("Chỉ lãnh đạo, đầu mối hoặc quản trị của cơ quan mới được vào sổ văn bản đi.")
    issuer = issuers[0]
    if len(issuers) > 1 and request.POST.get("issuer"):
        issuer = next((u for u in issuers if str(u.pk) == request.POST["issuer"]), issuer)
    form = ManualEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = document_register_manual(actor=request.user, issuer=issuer, data=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã vào sổ văn bản đi số {entry.number_symbol}.")
            return redirect(entry)
    return render(
        request, "documents/create.html", {"form": style_widgets(form), "issuer": issuer, "issuers": issuers}
    )
