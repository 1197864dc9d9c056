"""Which folders hold the posts: `[content] posts` if given; else Hugo's main sections
(`params.mainSections`); else the first conventional blog folder that exists."""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

from ..diagnostics import Diagnostic, Level, SyndicateError
from ..hugoconfig import HugoConfig
from .schema import Settings

# Where a blog keeps its posts when the config names no main section: the first that exists.
CONVENTIONAL_SECTIONS = ("blog", "posts", "post", "news", "articles")
NAME_MAX = 255  # bytes in a file or folder name on ext4, XFS, btrfs, APFS


def with_posts_folders(settings: Settings, hugo: HugoConfig | None) -> Settings:
    """[content] posts if given; else Hugo's main sections (params.mainSections); else the first
    conventional blog folder that exists. Each is said in the build summary."""
    content_dir = settings.content.content_dir.strip("/")
    if settings.content.posts:
        posts, how = settings.content.posts, "[content] posts"
    elif settings.hugo.main_sections:
        posts = [f"{content_dir}/{section}" for section in settings.hugo.main_sections]
        how = "the Hugo config's params.mainSections"
    else:
        found = [name for name in CONVENTIONAL_SECTIONS
                 if any((settings.root / language.content_dir / name).is_dir() for language in settings.languages)]
        posts = [f"{content_dir}/{found[0] if found else 'blog'}"]
        how = (f"the first usual blog folder there is of {', '.join(CONVENTIONAL_SECTIONS)}"
               if found else "the default")
    posts = [PurePosixPath(p.strip("/")).as_posix() for p in posts]
    content = dataclasses.replace(settings.content, posts=posts)
    settings = dataclasses.replace(settings, content=content, posts_from=how)
    for folder in settings.posts_dirs:  # found by the fuzzer: a name no file system holds crashed the build
        rel = folder.relative_to(settings.root).as_posix()
        if "\0" in rel or any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in folder.parts):
            origin = hugo.files[0].relative_to(settings.root).as_posix() if hugo else "syndicate.toml"
            raise SyndicateError(Diagnostic(origin, None, Level.ERROR, f"the posts folder {rel[:80]!r} (from {how}, "
                                            "and the languages' contentDir) is no name a file system can hold; "
                                            "set [content] posts"))
    return settings

