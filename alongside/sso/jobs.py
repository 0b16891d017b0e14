from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.sso.models import SamlHandoff


@periodic("sso.forget_saml_handoffs", every=timedelta(hours=1))
def forget_saml_handoffs(now: datetime) -> int:
    """A posted SAML response is finished within seconds; drop any left behind."""
    deleted, _kinds = SamlHandoff.objects.filter(created_at__lt=now - timedelta(hours=1)).delete()
    return deleted
