"""List and dictionary filters: combine, flatten, subelements, set theory, random, itertools.

Ansible keeps these in ``plugins/filter/core.py`` and ``mathstuff.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from random import Random, SystemRandom

from jinja2 import Undefined, pass_environment
from jinja2.exceptions import UndefinedError
from jinja2.filters import do_unique

from edgeauto.errors import TemplateError, describe


def _merge(a: dict, b: dict, recursive: bool, list_merge: str) -> dict:
    out = dict(a)
    for key, bval in b.items():
        aval = out.get(key)
        if recursive and isinstance(aval, Mapping) and isinstance(bval, Mapping):
            out[key] = _merge(dict(aval), dict(bval), True, list_merge)
        elif (
            key in out
            and isinstance(aval, list)
            and isinstance(bval, list)
            and list_merge != "replace"
        ):
            if list_merge == "keep":
                out[key] = aval
            elif list_merge == "append":
                out[key] = aval + bval
            elif list_merge == "prepend":
                out[key] = bval + aval
            elif list_merge == "append_rp":
                out[key] = [x for x in aval if x not in bval] + bval
            elif list_merge == "prepend_rp":
                out[key] = bval + [x for x in aval if x not in bval]
        else:
            out[key] = bval
    return out


_LIST_MERGE = ("replace", "keep", "append", "prepend", "append_rp", "prepend_rp")


def combine(*terms, recursive=False, list_merge="replace"):
    if list_merge not in _LIST_MERGE:
        raise TemplateError(
            f"combine: list_merge must be one of {', '.join(_LIST_MERGE)}, found '{list_merge}'"
        )
    dicts: list = []
    for t in terms:
        if isinstance(t, Mapping):
            dicts.append(t)
        elif isinstance(t, list | tuple):
            dicts.extend(t)
        else:
            raise TemplateError(f"combine: expected dictionaries, found {describe(t)}")
    for d in dicts:
        if not isinstance(d, Mapping):
            raise TemplateError(f"combine: expected dictionaries, found {describe(d)}")
    if not dicts:
        return {}
    result = dict(dicts[0])
    for d in dicts[1:]:
        result = _merge(result, dict(d), recursive, list_merge)
    return result


@pass_environment
def extract(environment, item, container, morekeys=None):
    value = environment.getitem(container, item)
    if morekeys is not None:
        keys = morekeys if isinstance(morekeys, list) else [morekeys]
        for key in keys:
            value = environment.getitem(value, key)
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _is_sequence(v) -> bool:
    return isinstance(v, Sequence) and not isinstance(v, str | bytes)


def flatten(mylist, levels=None, skip_nulls=True):
    ret: list = []
    for element in mylist:
        if skip_nulls and element in (None, "None", "null"):
            continue
        if _is_sequence(element):
            if levels is None:
                ret.extend(flatten(element, skip_nulls=skip_nulls))
            elif levels >= 1:
                ret.extend(flatten(element, levels=int(levels) - 1, skip_nulls=skip_nulls))
            else:
                ret.append(element)
        else:
            ret.append(element)
    return ret


def subelements(obj, subelements, skip_missing=False):
    if isinstance(obj, Mapping):
        elements = list(obj.values())
    elif _is_sequence(obj):
        elements = list(obj)
    else:
        raise TemplateError("subelements: obj must be a list of dicts or a nested dict")
    if isinstance(subelements, str):
        keys = subelements.split(".")
    elif _is_sequence(subelements):
        keys = list(subelements)
    else:
        raise TemplateError("subelements: subelements must be a list or a string")
    results = []
    for element in elements:
        values = element
        for key in keys:
            try:
                values = values[key]
            except KeyError:
                if skip_missing:
                    values = []
                    break
                raise TemplateError(
                    f"subelements: could not find '{key}' key in iterated item {element!r}"
                ) from None
            except TypeError:
                raise TemplateError(f"subelements: the key '{key}' must be in a dict") from None
        if not _is_sequence(values):
            raise TemplateError(
                f"subelements: the key '{keys[-1]}' should point to a list, found {describe(values)}"
            )
        for value in values:
            results.append((element, value))
    return results


def dict2items(mydict, key_name="key", value_name="value"):
    if not isinstance(mydict, Mapping):
        raise TemplateError(f"dict2items requires a dictionary, found {describe(mydict)}")
    return [{key_name: k, value_name: v} for k, v in mydict.items()]


def items2dict(mylist, key_name="key", value_name="value"):
    if not _is_sequence(mylist):
        raise TemplateError(f"items2dict requires a list, found {describe(mylist)}")
    try:
        return {item[key_name]: item[value_name] for item in mylist}
    except KeyError as exc:
        raise TemplateError(f"items2dict: an item has no key {exc}") from None
    except TypeError:
        raise TemplateError("items2dict requires a list of dictionaries") from None


@pass_environment
def rand(environment, end, start=None, step=None, seed=None):
    r = SystemRandom() if seed is None else Random(seed)
    if isinstance(end, int) and not isinstance(end, bool):
        return r.randrange(start or 0, end, step or 1)
    if hasattr(end, "__iter__"):
        if start or step:
            raise TemplateError("random: start and step can only be used with integer values")
        return r.choice(end)
    raise TemplateError("random can only be used on sequences and integers")


def shuffle(mylist, seed=None):
    try:
        mylist = list(mylist)
        (SystemRandom() if seed is None else Random(seed)).shuffle(mylist)
    except (TypeError, ValueError, UndefinedError):  # not a list, or a bad seed: as it came
        pass
    return mylist


@pass_environment
def unique(environment, a, case_sensitive=None, attribute=None):
    try:
        return list(
            do_unique(environment, a, case_sensitive=bool(case_sensitive), attribute=attribute)
        )
    except TypeError:  # unhashable items (dicts, lists): keep first occurrences, in order
        if case_sensitive is False or attribute:
            raise
        return _uniq(a)


def _uniq(seq) -> list:
    out: list = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


@pass_environment
def intersect(environment, a, b):
    return _uniq([x for x in a if x in b])


@pass_environment
def difference(environment, a, b):
    return _uniq([x for x in a if x not in b])


@pass_environment
def symmetric_difference(environment, a, b):
    isect = intersect(environment, a, b)
    return [x for x in union(environment, a, b) if x not in isect]


@pass_environment
def union(environment, a, b):
    return _uniq(list(a) + list(b))


def zip_filter(*args):
    return [list(t) for t in zip(*args, strict=False)]


def zip_longest(*args, fillvalue=None):
    return [list(t) for t in itertools.zip_longest(*args, fillvalue=fillvalue)]


def product(*args, repeat=1):
    return [list(t) for t in itertools.product(*args, repeat=repeat)]


def permutations(a, r=None):
    return [list(t) for t in itertools.permutations(a, r)]


def combinations(a, r):
    return [list(t) for t in itertools.combinations(a, r)]
