"""Celery tasks of the chase: thin wrappers that call the sweep. Each is safe to run twice
at once (the reminder rows are the claim)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from chasing import sweep


@shared_task(ignore_result=True)
def chase_sweep() -> int:
    return sweep.sweep().total


@shared_task(ignore_result=True)
def send_digests() -> int:
    """Runs every quarter hour; acts only in the configured local hour. The key
    digest:<user>:<date> keeps it to one email per person per day."""
    if timezone.localtime().hour != settings.REMINDERS["digest_hour"]:
        return 0
    return sweep.send_digests()


# The names these tasks had before the chase moved out of acknowledgements (until the
# release after next): messages a broker still holds, queued by an older beat or web
# process, must still find a task to run.
@shared_task(ignore_result=True, name="acknowledgements.tasks.chase_sweep")
def chase_sweep_old_name() -> int:
    return chase_sweep()


@shared_task(ignore_result=True, name="acknowledgements.tasks.send_digests")
def send_digests_old_name() -> int:
    return send_digests()
