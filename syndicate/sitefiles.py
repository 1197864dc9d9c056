"""The one rule for every file syndicate reads from a site: it must resolve inside the site folder
(a link to a file elsewhere, say /etc/passwd or a checkout's secrets, is never read)."""

from __future__ import annotations

import os
from pathlib import Path


def outside_site(file: Path, root: Path) -> bool:
    """True if `file`, with every symbolic link followed, lies outside `root` (also followed)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(file)
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


def site_relative(file: Path, root: Path) -> str:
    """The file's path below the site root with POSIX separators (the absolute path if outside)."""
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()
