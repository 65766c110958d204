# ansible_module: run one of Ansible's own modules (packaged on the controller by ansible-core)
# and report what it printed; the controller maps that to the task result.
#
# ea_ansible_module NAME STYLE INTERPRETER MODULE ARGS NOPYTHON
#   NAME         the module name as the task wrote it (messages only)
#   STYLE        stdin: AnsiballZ wrapper, arguments JSON on stdin; embedded: arguments inside;
#                argfile: the interpreter runs the module with the arguments file as argv[1];
#                direct: the module is an executable, run with the arguments file
#   INTERPRETER  the interpreter; empty: find Python as Ansible's discovery would
#   MODULE       file: the packaged module
#   ARGS         file: the module arguments
#   NOPYTHON     the message for a host without the interpreter (nothing runs then)
#
# Fields: module_stdout, module_stderr, module_rc, interpreter. The status (failed, skipped,
# changed, ok) is read from the module's JSON by the interpreter that ran it, so that a failed
# module stops the script exactly where ansible-playbook would have stopped.

ea_ansible_module() {
    __ea_name=$1
    __ea_style=$2
    __ea_interp=$3
    __ea_mod=$4
    __ea_args=$5
    __ea_nopy=$6
    if [ "$__ea_style" = direct ]; then
        __ea_interp=
    elif [ -z "$__ea_interp" ]; then
        for __ea_p in python3 /usr/bin/python3 /usr/libexec/platform-python python; do
            if command -v "$__ea_p" >/dev/null 2>&1; then
                __ea_interp=$__ea_p
                break
            fi
        done
        if [ -z "$__ea_interp" ]; then
            ea_fail "$__ea_nopy"
            return 1
        fi
    else
        # shellcheck disable=SC2086 # an interpreter may carry arguments (#!/usr/bin/env python3)
        set -- $__ea_interp
        if ! command -v "$1" >/dev/null 2>&1; then
            case $1 in
                */python* | python*) ea_fail "$__ea_nopy ($1 not found)" ;;
                *) ea_fail "module $__ea_name: its interpreter $1 was not found on this host" ;;
            esac
            return 1
        fi
    fi
    __ea_out=$(ea_tmp mout)
    __ea_err=$(ea_tmp merr)
    __ea_mtmp=$(ea_tmp mtmp)
    rm -f "$__ea_mtmp"
    if ! mkdir "$__ea_mtmp"; then
        ea_fail "module $__ea_name: cannot create its temporary directory"
        return 1
    fi
    EA_ANSIBLE_REMOTE_TMP=$__ea_mtmp
    export EA_ANSIBLE_REMOTE_TMP
    __ea_rc=0
    # shellcheck disable=SC2086 # the interpreter is a command line (it may carry arguments)
    case $__ea_style in
        stdin)
            ea_login_umask $__ea_interp "$__ea_mod" <"$__ea_args" >"$__ea_out" 2>"$__ea_err" || __ea_rc=$?
            ;;
        embedded)
            ea_login_umask $__ea_interp "$__ea_mod" </dev/null >"$__ea_out" 2>"$__ea_err" || __ea_rc=$?
            ;;
        argfile)
            ea_login_umask $__ea_interp "$__ea_mod" "$__ea_args" </dev/null >"$__ea_out" 2>"$__ea_err" || __ea_rc=$?
            ;;
        *)
            chmod 0700 "$__ea_mod"
            ea_login_umask "$__ea_mod" "$__ea_args" </dev/null >"$__ea_out" 2>"$__ea_err" || __ea_rc=$?
            ;;
    esac
    ea_field_file module_stdout "$__ea_out"
    ea_field_file module_stderr "$__ea_err"
    ea_field module_rc "$__ea_rc"
    ea_field interpreter "$__ea_interp"
    __ea_verdict=$(ea__ansible_verdict "$__ea_out" "$__ea_rc" "$__ea_interp")
    case $__ea_verdict in
        failed)
            ea_fail "module $__ea_name failed"
            return 1
            ;;
        skipped) ea_skip "module $__ea_name skipped" ;;
        changed) ea_changed ;;
    esac
    return 0
}

ea__ansible_verdict() {
    # $1 module output, $2 exit code, $3 interpreter: print failed|skipped|changed|ok the way
    # ansible-playbook reads the JSON (no JSON object = failed; no "failed" key = rc != 0)
    __ea_py=
    case $3 in
        */python* | python*) __ea_py=$3 ;;
        *) command -v python3 >/dev/null 2>&1 && __ea_py=python3 ;;
    esac
    if [ -n "$__ea_py" ]; then
        # shellcheck disable=SC2086
        $__ea_py -c '
import json, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace").splitlines()
a = [i for i, l in enumerate(t) if l.lstrip().startswith("{")]
b = [i for i, l in enumerate(t) if l.rstrip().endswith("}")]
try: d = json.loads("\n".join(t[a[0]:b[-1] + 1]))
except Exception: d = None
if not isinstance(d, dict): d = {"failed": True}
f = d.get("failed") if "failed" in d else d.get("rc", 0) not in (0, "0")
print("failed" if f else "skipped" if d.get("skipped") else "changed" if d.get("changed") else "ok")
' "$1" 2>/dev/null && return 0
    fi
    # no Python to read JSON with (a shell module on a BusyBox host): the exit code and the
    # top-level flags as the module printed them
    if [ "$2" != 0 ] || grep -q '"failed": *true' "$1"; then
        echo failed
    elif grep -q '"skipped": *true' "$1"; then
        echo skipped
    elif grep -q '"changed": *true' "$1"; then
        echo changed
    else
        echo ok
    fi
}
