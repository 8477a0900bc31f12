"""Background generation of bulletins (通报) through Django's task framework."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task

from kaifang.assessment.models import AssessmentScheme, Bulletin, BulletinStatus
from kaifang.core import clock

logger = logging.getLogger(__name__)


def _progress(bulletin: Bulletin, percent: int, status: str = BulletinStatus.RUNNING) -> None:
    Bulletin.objects.filter(pk=bulletin.pk).update(progress=percent, status=status)


@task
def generate_bulletin(bulletin_id: int) -> str:
    """Gather the content, render the file, archive it (with its SHA-256) beside the snapshot."""
    from kaifang.assessment.bulletins import bulletin_content
    from kaifang.assessment.documents import RENDERERS

    bulletin = Bulletin.objects.get(pk=bulletin_id)
    try:
        _progress(bulletin, 10)
        scheme = AssessmentScheme.objects.current().get(code=bulletin.scheme_code)
        content = bulletin_content(scheme, bulletin.period, bulletin.kind)
        _progress(bulletin, 50)
        data = RENDERERS[bulletin.format](content)
        _progress(bulletin, 90)
        with transaction.atomic():
            bulletin.refresh_from_db()
            bulletin.title = content.title
            bulletin.doc_number = content.doc_number
            bulletin.snapshot_id = content.snapshot_id  # the snapshot the content was read from, if any
            name = f"{bulletin.period:%Y-%m}-{bulletin.kind}-{bulletin.pk}.{bulletin.format}"
            bulletin.file.save(name, ContentFile(data), save=False)
            bulletin.sha256 = hashlib.sha256(data).hexdigest()
            bulletin.status, bulletin.progress, bulletin.finished_at = BulletinStatus.DONE, 100, clock.now()
            bulletin.save()
    except Exception as exc:  # the page shows the failure instead of spinning forever
        logger.exception("bulletin %s failed", bulletin_id)
        Bulletin.objects.filter(pk=bulletin_id).update(status=BulletinStatus.FAILED, error=str(exc)[:500])
        return "failed"
    return "done"
