from django.urls import path

from events import views

urlpatterns = [
    # Not under events/: an event's slug could be "mine".
    path("my-events/", views.my_events, name="my_events"),
    path("events/<slug:slug>/", views.event_public, name="event_public"),
    path(
        "events/<slug:slug>/confirm/<str:link_id>/",
        views.event_rsvp_confirm,
        name="event_rsvp_confirm",
    ),
    path("events/<slug:slug>/calendar.ics", views.event_calendar, name="event_calendar"),
    path("events/<slug:slug>/tickets/", views.event_tickets_buy, name="event_tickets_buy"),
    path(
        "events/<slug:slug>/tickets/thanks/",
        views.event_tickets_thanks,
        name="event_tickets_thanks",
    ),
    path("rsvp/<str:token>/", views.rsvp_invitation, name="rsvp_invitation"),
    path("events/<slug:slug>/check-in/", views.event_check_in, name="event_check_in"),
    path(
        "events/<slug:slug>/check-in/search/",
        views.event_check_in_search,
        name="event_check_in_search",
    ),
    path(
        "events/<slug:slug>/check-in/<int:rsvp_id>/",
        views.event_check_in_party,
        name="event_check_in_party",
    ),
    path(
        "events/<slug:slug>/check-in/scan/", views.event_check_in_scan, name="event_check_in_scan"
    ),
    path("events/<slug:slug>/check-in/walk-in/", views.event_walk_in, name="event_walk_in"),
    path("events/<slug:slug>/invite/", views.event_invite, name="event_invite"),
    path("events/<slug:slug>/summary/", views.event_summary, name="event_summary"),
    path("events/<slug:slug>/attendees.csv", views.event_attendees_csv, name="event_attendees_csv"),
    path(
        "events/<slug:slug>/attendees.xlsx",
        views.event_attendees_xlsx,
        name="event_attendees_xlsx",
    ),
    path("events/<slug:slug>/door-list.pdf", views.event_door_list_pdf, name="event_door_list_pdf"),
]
