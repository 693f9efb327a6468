"""Imports every model module so that ``Base.metadata`` knows all tables (migrations, tests)."""

from civicloop.agencies import models as agencies_models
from civicloop.audit import models as audit_models
from civicloop.auth import models as auth_models
from civicloop.db.base import Base

__all__ = ["Base", "agencies_models", "audit_models", "auth_models"]
