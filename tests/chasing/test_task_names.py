"""The chase's Celery tasks under their names, old and new: beat queues the new ones, and a
message queued before the move (under acknowledgements.tasks.*) still runs the sweep."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from acknowledgements.models import Reminder
from portal.celery import app

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
OLD_NAMES = ["acknowledgements.tasks.chase_sweep", "acknowledgements.tasks.send_digests"]
NEW_NAMES = ["chasing.tasks.chase_sweep", "chasing.tasks.send_digests"]


@pytest.mark.parametrize("name", OLD_NAMES + NEW_NAMES + ["acknowledgements.tasks.send_outbox"])
def test_task_is_registered(name):
    app.loader.import_default_modules()
    assert name in app.tasks


def test_beat_queues_the_tasks_by_their_new_names():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {"acknowledgements.tasks.send_outbox", *NEW_NAMES}
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)


@pytest.mark.django_db
def test_a_message_under_the_old_name_runs_the_sweep(circular):
    app.loader.import_default_modules()
    # Friday 18/10/2024: the acknowledgement (due 17/10) is overdue for every commune.
    with time_machine.travel(datetime.datetime(2024, 10, 18, 8, 0, tzinfo=VN), tick=False):
        queued = app.tasks["acknowledgements.tasks.chase_sweep"].apply().get()
    assert queued > 0
    assert Reminder.objects.filter(kind=Reminder.Kind.ACK_OVERDUE).count() == queued
