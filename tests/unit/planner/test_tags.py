from edgeauto.planner.tags import TagSelection


def sel(tags=(), skip=()):
    return TagSelection.from_lists(list(tags), list(skip))


def test_default_selection_runs_everything_but_never():
    s = sel()
    assert s.selects([]) and s.selects(["web"]) and s.selects(["always"])
    assert not s.selects(["never"])


def test_explicit_tag_runs_tagged_tasks_and_always_ones():
    s = sel(["web"])
    assert s.selects(["web", "x"])
    assert s.selects(["always"])
    assert not s.selects(["db"]) and not s.selects([])


def test_never_task_runs_only_when_one_of_its_tags_is_asked_for():
    assert sel(["debug"]).selects(["never", "debug"])
    assert not sel(["web"]).selects(["never", "debug"])
    assert sel(["never"]).selects(["never"])


def test_tagged_and_untagged_special_tags():
    assert sel(["tagged"]).selects(["a"]) and not sel(["tagged"]).selects([])
    assert sel(["untagged"]).selects([]) and not sel(["untagged"]).selects(["a"])


def test_skip_tags_win_over_tags_and_can_skip_always():
    assert not sel(["web"], ["web"]).selects(["web"])
    assert not sel([], ["always"]).selects(["always"])
    assert sel([], ["web"]).selects(["always", "web"]) is False
    assert sel([], ["db"]).selects(["always"])


def test_comma_separated_tags_are_split():
    s = sel(["a,b"], ["c, d"])
    assert s.selects(["b"]) and not s.selects(["d", "a"])
