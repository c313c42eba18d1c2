"""The event admin's change form, filled in as the page shows it, for tests that post it."""


def event_change_data(event, *, money: bool = False, organizers=None, **overrides) -> dict:
    """``money``: the form of someone who sees giving (Staff), with the goal and costs;
    ``organizers``: the users ticked in the Organizers box (Staff's form only)."""
    start, end, deadline = event.local_start, event.local_end, event.local_deadline
    data = {
        "name": event.name,
        "slug": event.slug,
        "status": event.status,
        "description": event.description,
        "time_zone": event.time_zone,
        "starts_at_0": start.date().isoformat(),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.date().isoformat(),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "state": event.state,
        "capacity": str(event.capacity),
        "party_size_limit": str(event.party_size_limit),
        "rsvp_deadline_0": deadline.date().isoformat() if deadline else "",
        "rsvp_deadline_1": deadline.strftime("%H:%M:%S") if deadline else "",
    }
    for prefix in ("ticket_types", "tables", "menu_choices"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    if money:
        data.update(
            campaign=event.campaign_id or "",
            revenue_goal=str(event.revenue_goal),
            costs=str(event.costs),
        )
    if organizers is not None:
        data["organizers"] = [user.pk for user in organizers]
    data.update(overrides)
    return data
