"""User, environment and clock facts (Ansible's ``user``, ``env`` and ``date_time``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from edgeauto.facts.collectors.base import Section, one

SUBSET = "min"

SECTIONS = (
    Section(
        "user",
        "min",
        'id -un; id -u; id -g; printf "%s\\n" "$HOME"; grep "^$(id -un):" /etc/passwd | head -n 1',
    ),
    Section("env", "min", "env"),
    Section("date", "min", "date '+%s %z %Z'"),
)


def derive(sections, facts) -> None:
    user = sections.get("user") or []
    if len(user) >= 4:
        facts["user_id"] = user[0]
        facts["user_uid"] = int(user[1]) if user[1].isdigit() else user[1]
        facts["user_gid"] = int(user[2]) if user[2].isdigit() else user[2]
        facts["user_dir"] = user[3]
        facts["effective_user_id"] = facts["user_uid"]
        facts["effective_group_id"] = facts["user_gid"]
        if len(user) >= 5 and user[4].count(":") >= 6:
            fields = user[4].split(":")
            facts["user_gecos"] = fields[4]
            facts["user_dir"] = fields[5]  # the passwd entry, like Ansible (not $HOME)
            facts["user_shell"] = fields[6]
    env: dict[str, str] = {}
    last = None
    for line in sections.get("env") or []:
        key, sep, value = line.partition("=")
        if sep and key and key.replace("_", "a").isalnum():
            env[key] = value
            last = key
        elif last is not None:
            env[last] += "\n" + line  # a multi-line value
    if "env" in sections:
        facts["env"] = env
    date = one(sections, "date").split()
    if date and date[0].isdigit():
        facts["date_time"] = date_time(
            int(date[0]), date[1] if len(date) > 1 else "+0000", date[2] if len(date) > 2 else "UTC"
        )


def date_time(epoch: int, offset: str, tz: str) -> dict:
    """Ansible's ``date_time`` dict from the target's clock and timezone."""
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-")
    minutes = int(digits[:2] or 0) * 60 + int(digits[2:4] or 0) if digits.isdigit() else 0
    local = datetime.fromtimestamp(epoch, timezone(timedelta(minutes=sign * minutes)))
    utc = datetime.fromtimestamp(epoch, UTC)
    return {
        "year": local.strftime("%Y"),
        "month": local.strftime("%m"),
        "weekday": local.strftime("%A"),
        "weekday_number": local.strftime("%w"),
        "weeknumber": local.strftime("%W"),
        "day": local.strftime("%d"),
        "hour": local.strftime("%H"),
        "minute": local.strftime("%M"),
        "second": local.strftime("%S"),
        "epoch": str(epoch),
        "epoch_int": str(epoch),
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M:%S"),
        "iso8601_micro": utc.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "iso8601": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iso8601_basic": local.strftime("%Y%m%dT%H%M%S000000"),
        "iso8601_basic_short": local.strftime("%Y%m%dT%H%M%S"),
        "tz": tz,
        "tz_dst": tz,
        "tz_offset": offset,
    }
