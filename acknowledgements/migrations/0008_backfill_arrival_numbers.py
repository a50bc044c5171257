"""Deliveries made before each unit kept its own incoming register get their arrival
numbers now: per unit and year of arrival, in the order they arrived; each unit's register
then continues from the last one."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations


def backfill(apps, schema_editor):
    Delivery = apps.get_model("acknowledgements", "Delivery")
    NumberingRegister = apps.get_model("circulars", "NumberingRegister")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    last: dict[tuple[int, int], int] = {}
    batch = []
    rows = (
        Delivery.objects.filter(arrival_number__isnull=True)
        .order_by("unit_id", "sent_at", "id")
        .only("id", "unit_id", "sent_at")
    )
    for delivery in rows.iterator(chunk_size=5000):
        year = delivery.sent_at.astimezone(tz).year if isinstance(delivery.sent_at, datetime.datetime) else 0
        key = (delivery.unit_id, year)
        last[key] = last.get(key, 0) + 1
        delivery.arrival_year, delivery.arrival_number = year, last[key]
        batch.append(delivery)
        if len(batch) >= 5000:
            Delivery.objects.bulk_update(batch, ["arrival_year", "arrival_number"])
            batch = []
    if batch:
        Delivery.objects.bulk_update(batch, ["arrival_year", "arrival_number"])
    NumberingRegister.objects.bulk_create(
        [
            NumberingRegister(kind="unit_in", unit_id=unit_id, year=year, last_number=number)
            for (unit_id, year), number in last.items()
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0007_assignments_and_arrival_numbers"),
        ("circulars", "0011_assignments"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
