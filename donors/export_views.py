"""The page of a background export (progress, then the download link) and the download: for
the person who asked for it and for Administrators; anyone else finds nothing (404)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from donors.models import ExportJob
from donors.services.exports import export_job_visible_to, export_jobs_all_visible


def _job(request, job_id: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("requested_by"), pk=job_id)
    if not export_job_visible_to(job, request.user):
        raise Http404("No such export.")
    return job


@login_required
def export_job_page(request, job_id: int):
    job = _job(request, job_id)
    context = {
        **admin.site.each_context(request),
        "title": f"{job.get_kind_display()} export",
        "job": job,
    }
    return render(request, "donors/export_job.html", context)


@login_required
def export_jobs_page(request):
    """The exports a user asked for (an Administrator sees everyone's): who exported what."""
    jobs = ExportJob.objects.select_related("requested_by")
    if not export_jobs_all_visible(request.user):
        jobs = jobs.filter(requested_by=request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Exports",
        "jobs": jobs[:100],
    }
    return render(request, "donors/export_jobs.html", context)


@login_required
def export_job_download(request, job_id: int):
    job = _job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("This export has no file (not ready yet, failed or expired).")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
