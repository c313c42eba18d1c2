"""RSVPs as a django-import-export resource: the admin's import (upload, preview with row
errors, confirm) runs events.imports.rsvps_import, and the export writes the same columns."""

from __future__ import annotations

from donors.imports.resources import _EngineResource
from events.imports import RSVP_COLUMNS, rsvps_import
from events.models import RSVP


class RSVPResource(_EngineResource):
    columns = RSVP_COLUMNS
    engine = rsvps_import

    class Meta:
        model = RSVP
        fields = ()
