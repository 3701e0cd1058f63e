"""The models of the supervision app, one module per context; Django finds them here (app label
``supervision``), and migration 0001 names ``supervision.models.answer_attachment_path``."""

from .campaigns.models import *  # noqa: F401,F403
from .enforcement.models import *  # noqa: F401,F403
from .enforcement.models import answer_attachment_path  # noqa: F401
from .legacy.models import *  # noqa: F401,F403
