"""Each post's entry written once per format, and every document put together from them.

A post is in its language's site feed and in the feed of each of its terms, in three formats:
10,000 posts with their full bodies make 2 GB of feed documents, 40,000 entries per format. An
entry's bytes are the same in every document it is in (the same element at the same depth under
the same namespace declarations, or the same JSON object), so each is written once — by feedgen
and lxml, as a whole document would be, in batches that are cut into entries — into a scratch
file, and a document is its shell (the document rendered without entries) around its entries'
bytes. Worker processes write the entries of their share of the posts, each into a file of its
own; only where each entry lies travels back. tests/test_feeds.py compares the documents with
feedgen's own, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..bodies import running_elsewhere
from ..diagnostics import Diagnostic
from ..safety import PostFailed, post_failure
from ..workers import process_pool
from .archives import Document
from .feeditem import Item

EntryKey = tuple[str, str, str]  # (post source, format name, the feed's language)
SCRATCH_PREFIX = "feed-entries-"
BATCH = 64                       # entries rendered by feedgen in one document, then cut apart
# Below this many entries to write, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 600


@dataclass(frozen=True)
class Place:
    file: str
    offset: int
    length: int


@dataclass(frozen=True)
class Shell:
    """A document without its entries: `head` + the entries joined by `separator` + `tail`."""
    head: bytes
    tail: bytes
    separator: bytes = b""


class Entries:
    """Each entry's bytes, or where they lie in the scratch files under `folder` (removed by `close`)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.places: dict[EntryKey, Place | bytes] = {}
        self._descriptors: dict[str, int] = {}

    def read(self, key: EntryKey) -> bytes:
        place = self.places[key]
        if isinstance(place, bytes):
            return place
        descriptor = self._descriptors.get(place.file)
        if descriptor is None:
            descriptor = self._descriptors[place.file] = os.open(place.file, os.O_RDONLY | os.O_CLOEXEC)
        return os.pread(descriptor, place.length, place.offset)

    def document(self, document: Document) -> bytes:
        return b"".join(self.pieces(document))

    def pieces(self, document: Document) -> list[bytes]:
        """The document's bytes in the pieces it is put together from (never joined by the
        build: it hashes and writes them one after the other; joining 2 GB cost a second)."""
        shell = document_shell(document)
        language = document.head.language
        pieces = [shell.head]
        for number, item in enumerate(document.items):
            if number and shell.separator:
                pieces.append(shell.separator)
            pieces.append(self.read((item.source, document.format.name, language)))
        pieces.append(shell.tail)
        return pieces

    def close(self) -> None:
        for descriptor in self._descriptors.values():
            os.close(descriptor)
        self._descriptors.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def entries_written(documents: list[Document], scratch: Path | None, jobs: int) -> Iterator[Callable[[], Entries]]:
    """Every entry the documents hold, written once: when there are many, into scratch files under
    `scratch` by `jobs` worker processes, which start at once and write while the caller does other
    work; else in memory. Yields the function that waits for them; the block's end removes them."""
    tasks = _tasks(documents)
    if scratch is None or sum(len(batch) for _, batch in tasks) < PARALLEL_THRESHOLD or not _usable(scratch):
        entries = Entries()
        for models, batch in tasks:
            entries.places.update(_entry_bytes_or_culprit(models, batch))
        yield lambda: entries
        return
    remove_stale_scratch(scratch)
    entries = Entries(Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=scratch)))
    folder = entries.folder
    pool = process_pool(jobs) if jobs > 1 else None
    try:
        if pool is None:
            results: Iterable[list[tuple[EntryKey, Place]] | Diagnostic] = [_write_task(task, folder) for task in tasks]
        else:
            futures = [pool.submit(_write_tasks, tasks[start::jobs * 4], folder) for start in range(jobs * 4)]
            results = (found for future in futures for found in future.result())

        def wait() -> Entries:
            for found in results:
                if isinstance(found, Diagnostic):  # one post's entry could not be written
                    raise PostFailed(found)
                entries.places.update(found)
            if pool is not None:  # ended now: its threads would keep the next stage from forking
                pool.shutdown()
            return entries

        yield wait
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        entries.close()


def _usable(scratch: Path) -> bool:
    """Whether the scratch folder can be made (else the entries stay in memory)."""
    try:
        scratch.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return True


def _tasks(documents: list[Document]) -> list[tuple[dict[str, Document], Batch]]:
    """The entries to write, in batches of one language, each with a document of every format."""
    wanted: dict[str, dict[str, tuple[Item, set[str]]]] = {}  # language → source → (item, its formats)
    models: dict[tuple[str, str], Document] = {}               # (language, format) → a document of them
    for document in documents:
        language = document.head.language
        models.setdefault((language, document.format.name), document)
        group = wanted.setdefault(language, {})
        for item in document.items:
            group.setdefault(item.source, (item, set()))[1].add(document.format.name)
    return [({name: model for (lang, name), model in models.items() if lang == language}, batch)
            for language, items in wanted.items() for batch in _batches(list(items.values()))]


def _write_tasks(tasks: list[tuple[dict[str, Document], Batch]],
                 folder: Path) -> list[list[tuple[EntryKey, Place]] | Diagnostic]:
    return [_write_task(task, folder) for task in tasks]


Batch = list[tuple[Item, set[str]]]  # items of one language, each with the formats it is wanted in


def _batches(items: Batch) -> Iterator[Batch]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _write_task(task: tuple[dict[str, Document], Batch], folder: Path) -> list[tuple[EntryKey, Place]] | Diagnostic:
    """One batch of entries in every format they are wanted in, appended to this process's scratch
    file; or the error of the post whose entry cannot be written (a value: it leaves a worker)."""
    try:
        found = _entry_bytes_or_culprit(*task)
    except PostFailed as failure:
        return failure.diagnostic
    file = str(folder / f"{os.getpid()}.entries")
    places = []
    with open(file, "ab") as handle:
        offset = handle.tell()
        for key, data in found.items():
            handle.write(data)
            places.append((key, Place(file, offset, len(data))))
            offset += len(data)
    return places


def _entry_bytes_or_culprit(models: dict[str, Document], batch: Batch) -> dict[EntryKey, bytes]:
    """entry_bytes, or PostFailed for the first post whose entry alone cannot be written (safety.py)."""
    try:
        return entry_bytes(models, batch)
    except Exception:
        for pair in batch:
            try:
                entry_bytes(models, [pair])
            except Exception as exc:  # reported as that post's error by the build
                raise PostFailed(post_failure(pair[0].source, None, "writing its feed entry", exc)) from None
        raise  # not one post's fault: an internal error of the build


def culprit_of(document: Document, render: Callable[[Document], object], stage: str) -> PostFailed | None:
    """The first post whose entry alone breaks a document of this kind (safety.py); none when the
    document breaks without any entry, which is no post's fault (found by the fuzzer: a site
    title of control characters only)."""
    try:
        render(replace(document, items=()))
    except Exception:  # the caller re-raises the original failure
        return None
    for item in document.items:
        try:
            render(replace(document, items=(item,)))
        except Exception as exc:  # reported as that post's error by the caller
            return PostFailed(post_failure(item.source, None, stage, exc))
    return None


def entry_bytes(models: dict[str, Document], batch: Batch) -> dict[EntryKey, bytes]:
    """The batch's entries as they appear in every document of their format and language (each
    body read once for all its formats)."""
    found: dict[EntryKey, bytes] = {}
    read = [(replace(item, body=item.body.in_memory()), formats) for item, formats in batch]
    feedgen_entries: dict[str, Any] = {}  # source → its feedgen entry, shared by Atom and RSS
    for name, model in models.items():
        items = [item for item, formats in read if name in formats]
        if items:
            keys = [(item.source, name, model.head.language) for item in items]
            found.update(zip(keys, _format_entries(model, items, feedgen_entries)))
    return found


def _format_entries(model: Document, items: list[Item], feedgen_entries: dict[str, Any]) -> list[bytes]:
    if model.format.name == "json":
        from .jsonfeed import item_bytes

        return [item_bytes(item) for item in items]
    from .feedxml import atom_entries, feed_entry, rss_entries

    for item in items:
        if item.source not in feedgen_entries:
            feedgen_entries[item.source] = feed_entry(item, model.head.language)
    entries = [feedgen_entries[item.source] for item in items]
    # Rendered inside a document like the model (same language, same namespaces), as they will stand.
    carrier = replace(model, items=tuple(items), archive=None, prev_archive_url=None, next_archive_url=None)
    return atom_entries(carrier, entries) if model.format.name == "atom" else rss_entries(carrier, entries)


def document_shell(document: Document) -> Shell:
    """The document rendered without entries, cut where they go."""
    if document.format.name == "json":
        from .jsonfeed import json_shell

        head, tail = json_shell(document)
        return Shell(head, tail, b",")
    from .feedxml import atom_bytes, rss_bytes

    if document.format.name == "atom":
        data, tail = atom_bytes(document, []), b"</feed>\n"
    else:
        data, tail = rss_bytes(document, []), b"  </channel>\n</rss>\n"
    if not data.endswith(tail):  # lxml's pretty printing always ends a document so
        raise ValueError(f"unexpected end of an empty {document.format.name} document: {data[-40:]!r}")
    return Shell(data[:-len(tail)], tail)


def remove_stale_scratch(state: Path) -> None:
    """Scratch folders left by a build that was killed (never those of a build still running)."""
    if not state.is_dir():
        return
    for folder in state.glob(f"{SCRATCH_PREFIX}*"):
        if not running_elsewhere(folder.name.removeprefix(SCRATCH_PREFIX)):
            shutil.rmtree(folder, ignore_errors=True)
