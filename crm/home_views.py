"""The back office's first page (/admin/): the staff home's cards above the admin's own list
of apps (crm/staff_home.py computes them)."""

from __future__ import annotations

from django.contrib import admin

from crm.staff_home import staff_home_cards


def staff_home(request):
    """The admin's index with today's work on top; the admin site checks the sign-in."""
    return admin.site.index(request, extra_context={"cards": staff_home_cards(request.user)})
