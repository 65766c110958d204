"""``--tags`` / ``--skip-tags`` with Ansible's special tags.

Rules (ansible-core ``Taggable.evaluate_tags``):

* ``always`` tasks run unless ``always`` itself (or one of their other tags) is skipped;
* ``never`` tasks run only when one of their tags is asked for explicitly (``never`` included);
* ``--tags all`` (the default) runs everything but ``never``; ``tagged`` = tasks with any tag;
  ``untagged`` = tasks with none;
* ``--skip-tags`` wins over ``--tags``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def _split(values: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        for part in str(value).split(","):
            if part.strip():
                out.add(part.strip())
    return frozenset(out)


@dataclass(frozen=True)
class TagSelection:
    only: frozenset[str] = frozenset({"all"})
    skip: frozenset[str] = frozenset()

    @classmethod
    def from_lists(cls, tags: Iterable[str], skip_tags: Iterable[str]) -> TagSelection:
        only = _split(tags) or frozenset({"all"})
        return cls(only, _split(skip_tags))

    @property
    def is_default(self) -> bool:
        return self.only == frozenset({"all"}) and not self.skip

    def selects(self, task_tags: Iterable[str]) -> bool:
        """True if a task (with its inherited tags) runs under this selection."""
        tags = frozenset(str(t) for t in task_tags)
        run = False
        if "always" in tags and "always" not in self.skip:
            run = True
        elif tags & self.only:
            run = True
        elif "all" in self.only and "never" not in tags:
            run = True
        elif "tagged" in self.only and tags and "never" not in tags:
            run = True
        elif "untagged" in self.only and not tags:
            run = True
        if run and self.skip:
            if tags & self.skip:
                run = False
            elif "all" in self.skip:
                run = "always" in tags and "always" not in self.skip
            elif "tagged" in self.skip and tags:
                run = False
            elif "untagged" in self.skip and not tags:
                run = False
        return run
