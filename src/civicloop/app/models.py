"""Imports every model module so that ``Base.metadata`` knows all tables (migrations, tests), and the
platform registry, whose names the platform columns accept."""

from civicloop.access import models as access_models
from civicloop.accountability import models as accountability_models
from civicloop.agencies import models as agencies_models
from civicloop.analysis import models as analysis_models
from civicloop.audit import models as audit_models
from civicloop.auth import deputy_models as auth_deputy_models
from civicloop.auth import invitation_models as auth_invitation_models
from civicloop.auth import models as auth_models
from civicloop.auth import totp_models as auth_totp_models
from civicloop.channels import models as channels_models
from civicloop.channels import registry as channels_registry
from civicloop.channels.connect import models as channels_connect_models
from civicloop.channels.media import models as channels_media_models
from civicloop.channels.outbound import models as channels_outbound_models
from civicloop.channels.reconcile import models as channels_reconcile_models
from civicloop.channels.web import models as channels_web_models
from civicloop.consultations import models as consultations_models
from civicloop.db.base import Base
from civicloop.guidelines import models as guidelines_models
from civicloop.inbox import models as inbox_models
from civicloop.moderation import models as moderation_models
from civicloop.notifications import models as notifications_models
from civicloop.oversight import models as oversight_models
from civicloop.publishing import models as publishing_models
from civicloop.records import models as records_models
from civicloop.sla import models as sla_models

__all__ = [
    "Base",
    "access_models",
    "accountability_models",
    "agencies_models",
    "analysis_models",
    "audit_models",
    "auth_deputy_models",
    "auth_invitation_models",
    "auth_models",
    "auth_totp_models",
    "channels_connect_models",
    "channels_media_models",
    "channels_models",
    "channels_outbound_models",
    "channels_reconcile_models",
    "channels_registry",
    "channels_web_models",
    "consultations_models",
    "guidelines_models",
    "inbox_models",
    "moderation_models",
    "notifications_models",
    "oversight_models",
    "publishing_models",
    "records_models",
    "sla_models",
]
