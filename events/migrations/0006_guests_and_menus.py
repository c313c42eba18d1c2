"""Guests as people (issue 15): each person of a party is a Guest row with a meal from the
event's menu (MenuChoice) and their own dietary needs, in place of RSVP.guest_names (free
text, one name a line).

Guest 1 is the person who answered; the names of RSVP.guest_names become guests 2, 3… in
their order (blank lines dropped; a line beyond the party's size is kept as a guest too, so no
name typed is lost: the organizers see it in the admin). Going back joins them into the text
again. Self-contained: no app code is imported.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def names_to_guests(apps, schema_editor):
    RSVP = apps.get_model("events", "RSVP")
    Guest = apps.get_model("events", "Guest")
    rows = []
    for rsvp_id, text in (
        RSVP.objects.exclude(guest_names="").values_list("pk", "guest_names").iterator()
    ):
        names = [line.strip() for line in text.splitlines() if line.strip()]
        for position, name in enumerate(names, start=2):
            rows.append(Guest(rsvp_id=rsvp_id, position=position, name=name[:200]))
        if len(rows) >= 1000:
            Guest.objects.bulk_create(rows)
            rows = []
    Guest.objects.bulk_create(rows)


def guests_to_names(apps, schema_editor):
    RSVP = apps.get_model("events", "RSVP")
    Guest = apps.get_model("events", "Guest")
    names: dict[int, list[str]] = {}
    for rsvp_id, name in (
        Guest.objects.filter(position__gt=1)
        .exclude(name="")
        .order_by("rsvp_id", "position")
        .values_list("rsvp_id", "name")
    ):
        names.setdefault(rsvp_id, []).append(name)
    for rsvp_id, listed in names.items():
        RSVP.objects.filter(pk=rsvp_id).update(guest_names="\n".join(listed))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_tickethold_client_address"),
    ]

    operations = [
        migrations.CreateModel(
            name="MenuChoice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Chicken, Vegetarian, Child's plate…", max_length=100
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Lower comes first."),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="menu_choices",
                        to="events.event",
                    ),
                ),
            ],
            options={
                "verbose_name": "menu choice",
                "ordering": ["event", "position", "name", "id"],
            },
        ),
        migrations.CreateModel(
            name="Guest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)]
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True,
                        help_text="Blank for guest 1: the name of who answered.",
                        max_length=200,
                    ),
                ),
                ("dietary_needs", models.CharField(blank=True, max_length=500)),
                (
                    "rsvp",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guests",
                        to="events.rsvp",
                    ),
                ),
                (
                    "meal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="guests",
                        to="events.menuchoice",
                    ),
                ),
            ],
            options={
                "ordering": ["rsvp", "position"],
            },
        ),
        migrations.AddConstraint(
            model_name="menuchoice",
            constraint=models.UniqueConstraint(
                fields=("event", "name"), name="menuchoice_unique_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="guest",
            constraint=models.UniqueConstraint(
                fields=("rsvp", "position"), name="guest_unique_position"
            ),
        ),
        migrations.AddConstraint(
            model_name="guest",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__gte", 1)), name="guest_position_positive"
            ),
        ),
        migrations.RunPython(names_to_guests, guests_to_names),
        migrations.RemoveField(model_name="rsvp", name="guest_names"),
    ]
