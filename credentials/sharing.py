"""Links a holder uses to share a credential: plain URLs, no third-party script.

- LinkedIn "Add to profile" for certifications:
  ``https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME`` with
  ``name``, ``organizationName`` (or ``organizationId`` when the institution
  has a LinkedIn page id), ``issueYear``, ``issueMonth`` (1–12),
  ``expirationYear``, ``expirationMonth``, ``certUrl`` and ``certId``. The
  learner's own name is never part of it.
- X: ``https://twitter.com/intent/tweet?text=…&url=…``.
- Facebook: ``https://www.facebook.com/sharer/sharer.php?u=…`` (the preview
  comes from the public page's Open Graph tags).

No ORM, no settings, no clock: dates arrive already in the institution's zone.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
X_INTENT = "https://twitter.com/intent/tweet"
FACEBOOK_SHARER = "https://www.facebook.com/sharer/sharer.php"


def _query(params: dict[str, str | int]) -> str:
    return urlencode(params, quote_via=quote)


def linkedin_add_url(
    *,
    name: str,
    organization_name: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
    cert_url: str,
    cert_id: str,
    organization_id: str = "",
) -> str:
    """LinkedIn's "Add to profile" link with the certification fields filled."""
    params: dict[str, str | int] = {"startTask": "CERTIFICATION_NAME", "name": name}
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = organization_name
    params["issueYear"] = issued_on.year
    params["issueMonth"] = issued_on.month
    if expires_on is not None:
        params["expirationYear"] = expires_on.year
        params["expirationMonth"] = expires_on.month
    params["certUrl"] = cert_url
    params["certId"] = cert_id
    return f"{LINKEDIN_ADD_TO_PROFILE}?{_query(params)}"


def x_share_url(*, text: str, url: str) -> str:
    return f"{X_INTENT}?{_query({'text': text, 'url': url})}"


def facebook_share_url(*, url: str) -> str:
    return f"{FACEBOOK_SHARER}?{_query({'u': url})}"
