"""Date and time filters."""

from __future__ import annotations

from edgeauto.errors import TemplateError


def strftime(string_format, second=None, utc=False) -> str:
    import time

    timefn = time.gmtime if utc else time.localtime
    if second is not None:
        try:
            second = float(second)
        except (TypeError, ValueError):
            raise TemplateError(f"strftime: invalid epoch value {second!r}") from None
    return time.strftime(string_format, timefn(second))


def to_datetime(string, format="%Y-%m-%d %H:%M:%S"):
    import datetime

    return datetime.datetime.strptime(str(string), format)
