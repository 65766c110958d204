"""standard_result: the Ansible-shaped keys every remote module starts from."""

from edgeauto.modules.base import standard_result


def test_changed_record_with_module_keys_and_diff():
    out = standard_result(
        {
            "status": "changed",
            "rc": 0,
            "fields": {
                "stdout": "",
                "dest": "/x",
                "diff_before": "a\n",
                "diff_after": "b\n",
                "diff_before_header": "/x",
            },
        }
    )
    assert out == {
        "changed": True,
        "failed": False,
        "dest": "/x",
        "diff": {"before": "a\n", "after": "b\n", "before_header": "/x", "after_header": ""},
    }


def test_module_reported_rc_is_an_int_and_no_rc_otherwise():
    assert (
        standard_result({"status": "failed", "rc": 1, "fields": {"rc": "257", "msg": "m"}})["rc"]
        == 257
    )
    assert "rc" not in standard_result({"status": "failed", "rc": 1, "fields": {"msg": "m"}})


def test_a_function_that_died_silently_gets_an_explaining_message():
    out = standard_result(
        {"status": "failed", "rc": 127, "fields": {"stderr": "sh: stat: not found\n"}}
    )
    assert out["failed"] and out["rc"] == 127
    assert "exit 127" in out["msg"] and "stat: not found" in out["msg"]


def test_not_run_and_skipped_records():
    assert standard_result({"status": "not_run", "fields": {}})["not_run"] is True
    skipped = standard_result({"status": "skipped", "rc": 0, "fields": {"msg": "why"}})
    assert skipped["skipped"] is True and not skipped["failed"] and skipped["msg"] == "why"
