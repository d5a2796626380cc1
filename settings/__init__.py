"""The bottom layer: the settings object (`VSH_...` environment variables) and the error root.

It imports nothing of the project, so every other package may import it.
"""

from settings.config import REPO_ROOT, Settings, get_settings
from settings.errors import VshError

__all__ = ["REPO_ROOT", "Settings", "VshError", "get_settings"]
