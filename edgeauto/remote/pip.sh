# pip: Python packages with pip, ansible.builtin.pip's decisions. The target needs Python and
# pip for this module (they are what it manages); which installed versions satisfy a
# requirement is decided by packaging (pip's own copy) under the same interpreter.
#
# ea_pip STATE PIP VENV VENVCMD VENVPY VENVSITE CHDIR UMASK BREAKSYS REQS EXTRA NAMES...
#   STATE     present absent latest forcereinstall
#   PIP       the executable option ("" = python3 -m pip, else pip3; in a venv its bin/pip)
#   VENV      virtualenv directory ("" = none); created with VENVCMD when bin/activate is missing
#   VENVCMD   virtualenv_command (a venv module command such as "python3 -m venv" takes no -p)
#   VENVPY    virtualenv_python, VENVSITE 1 = --system-site-packages
#   CHDIR     working directory ("" = the temp directory)
#   UMASK     octal umask for pip ("" = the login umask)
#   BREAKSYS  1 = PIP_BREAK_SYSTEM_PACKAGES=1
#   REQS      requirements file, or ""
#   EXTRA     extra pip arguments, one a line (the controller split them like shlex)
#   NAMES     requirement strings (name, name==1.0, name>=1,<2, paths, URLs)
# Fields: cmd (words, one a line), pip_out, pip_err.

# The satisfaction check, one line (the script builder strips indentation): exec() of
# a program with \n escapes. packaging, else pip's vendored copy, as Ansible uses it.
# shellcheck disable=SC2016 # python program
ea__pip_check='exec("import re, sys\ntry:\n    from packaging.requirements import Requirement\nexcept ImportError:\n    from pip._vendor.packaging.requirements import Requirement\ndef canon(n):\n    return re.sub(r\"[-_.]+\", \"-\", n).lower()\ninstalled = {}\nfor line in sys.stdin:\n    line = line.strip()\n    if \"==\" in line:\n        n, v = line.split(\"==\", 1)\n        installed.setdefault(canon(n), []).append(v)\nfor spec in sys.argv[1:]:\n    try:\n        r = Requirement(spec)\n    except Exception:\n        print(0)\n        continue\n    ok = any(not r.specifier or r.specifier.contains(v, prereleases=True) for v in installed.get(canon(r.name), []))\n    print(1 if ok else 0)\n")'

ea__pip_run() {
    # $@ a command: run it in the chdir with the task's umask, output appended
    if [ -n "$__ea_pumask" ]; then
        (cd "$__ea_chdir" && umask "$__ea_pumask" && "$@") >>"$__ea_out" 2>>"$__ea_err"
    else
        (cd "$__ea_chdir" && ea_login_umask "$@") >>"$__ea_out" 2>>"$__ea_err"
    fi
}

ea__pip_fail() {
    # $1 what failed: Ansible's message (stdout: … :stderr: …)
    __ea_m=
    [ -s "$__ea_out" ] && __ea_m="stdout: $(cat "$__ea_out")"
    [ -s "$__ea_err" ] && __ea_m="$__ea_m
:stderr: $(cat "$__ea_err")"
    ea_field_file pip_out "$__ea_out"
    ea_field_file pip_err "$__ea_err"
    ea_fail "${__ea_m:-$1 failed}"
}

ea__pip_shebang() {
    # $1 a pip script: the interpreter of its #! line
    __ea_line=$(head -n 1 "$1" 2>/dev/null)
    case $__ea_line in
        "#!"*)
            __ea_line=${__ea_line#\#!}
            # shellcheck disable=SC2086 # interpreter and its argument
            set -- $__ea_line
            if [ "${1##*/}" = env ]; then echo "$2"; else echo "$1"; fi
            ;;
        *) echo python3 ;;
    esac
}

ea_pip() {
    __ea_state=$1
    __ea_exe=$2
    __ea_venv=$3
    __ea_vcmd=$4
    __ea_vpy=$5
    __ea_vsite=$6
    __ea_chdir=$7
    __ea_pumask=$8
    __ea_break=$9
    __ea_reqs=${10}
    __ea_extra=${11}
    shift 11
    __ea_out=$(ea_tmp pip.out)
    __ea_err=$(ea_tmp pip.err)
    [ -n "$__ea_chdir" ] || __ea_chdir=${TMPDIR:-/tmp}
    [ "$__ea_break" = 1 ] && export PIP_BREAK_SYSTEM_PACKAGES=1
    __ea_created=0
    if [ -n "$__ea_venv" ]; then
        case $__ea_venv in /*) ;; *) __ea_venv=$__ea_chdir/$__ea_venv ;; esac
        if [ ! -e "$__ea_venv/bin/activate" ]; then
            ea_changed
            ea_is_check && return 0
            __ea_isvenv=0
            case " $__ea_vcmd " in *" -m venv "* | " pyvenv "*) __ea_isvenv=1 ;; esac
            __ea_vargs=
            [ "$__ea_vsite" = 1 ] && __ea_vargs=--system-site-packages
            if [ "$__ea_isvenv" = 0 ]; then
                __ea_vargs="$__ea_vargs -p${__ea_vpy:-python3}"
            fi
            # shellcheck disable=SC2086 # virtualenv_command is a command line
            if ! ea__pip_run $__ea_vcmd $__ea_vargs "$__ea_venv"; then
                ea__pip_fail "virtualenv"
                return 1
            fi
            __ea_created=1
        fi
        __ea_py=$__ea_venv/bin/python
        if [ -x "$__ea_venv/bin/pip3" ]; then
            set -- "$__ea_venv/bin/pip3" -- "$@"
        elif [ -x "$__ea_venv/bin/pip" ]; then
            set -- "$__ea_venv/bin/pip" -- "$@"
        else
            ea_fail "Unable to find pip in the virtualenv, $__ea_venv, under any of these names: pip3, pip. Make sure pip is present in the virtualenv."
            return 1
        fi
    elif [ -n "$__ea_exe" ]; then
        __ea_p=$(command -v "$__ea_exe") || {
            ea_fail "Unable to find any of $__ea_exe to use.  pip needs to be installed."
            return 1
        }
        __ea_py=$(ea__pip_shebang "$__ea_p")
        set -- "$__ea_p" -- "$@"
    elif command -v python3 >/dev/null 2>&1 && python3 -c 'import pip' >/dev/null 2>&1; then
        __ea_py=python3
        set -- python3 -m pip -- "$@"
    elif command -v pip3 >/dev/null 2>&1; then
        __ea_py=$(ea__pip_shebang "$(command -v pip3)")
        set -- pip3 -- "$@"
    else
        ea_fail "Unable to find any of pip3 to use.  pip needs to be installed."
        return 1
    fi
    # "$@" is now: PIP WORDS... -- NAMES...
    __ea_pipw=
    while [ "$1" != -- ]; do
        __ea_pipw="$__ea_pipw
$1"
        shift
    done
    shift
    __ea_pipw=${__ea_pipw#?}

    if ea_is_check; then
        if [ -n "$__ea_extra" ] || [ -n "$__ea_reqs" ] || [ "$__ea_state" = latest ] || [ "$#" = 0 ]; then
            ea_changed
            return 0
        fi
        __ea_list=$(ea_tmp pip.list)
        ea__pip_list "$__ea_list" || return 1
        __ea_cerr=$(ea_tmp pip.check)
        __ea_sat=$(LC_ALL=C "$__ea_py" -c "$ea__pip_check" "$@" <"$__ea_list" 2>"$__ea_cerr") || {
            ea_fail "could not check the installed versions with $__ea_py: $(tail -n 1 "$__ea_cerr")"
            return 1
        }
        for __ea_s in $__ea_sat; do
            if { [ "$__ea_state" = absent ] && [ "$__ea_s" = 1 ]; } ||
                { [ "$__ea_state" != absent ] && [ "$__ea_s" = 0 ]; }; then
                ea_changed
                break
            fi
        done
        ea_field cmd "$__ea_listcmd"
        ea_field_file pip_out "$__ea_list"
        ea_field_file pip_err "$__ea_err"
        return 0
    fi

    __ea_before=
    if [ -n "$__ea_reqs" ] || printf '%s\n' "$@" | grep -Eq '^(svn|git|hg|bzr)\+'; then
        __ea_before=$(ea_tmp pip.before)
        ea__pip_list "$__ea_before" || return 1
    fi
    # the pip command: PIP WORDS, the state's words, extra args, then names or -r file
    __ea_cmdf=$(ea_tmp pip.cmd)
    printf '%s\n' "$__ea_pipw" >"$__ea_cmdf"
    case $__ea_state in
        present) echo install ;;
        absent) printf '%s\n' uninstall -y ;;
        latest) printf '%s\n' install -U ;;
        forcereinstall) printf '%s\n' install -U --force-reinstall ;;
    esac >>"$__ea_cmdf"
    [ -n "$__ea_extra" ] && printf '%s\n' "$__ea_extra" >>"$__ea_cmdf"
    if [ "$#" -gt 0 ]; then
        printf '%s\n' "$@" >>"$__ea_cmdf"
    else
        printf '%s\n' -r "$__ea_reqs" >>"$__ea_cmdf"
    fi
    ea_field cmd "$(cat "$__ea_cmdf")"
    set --
    while IFS= read -r __ea_w; do set -- "$@" "$__ea_w"; done <"$__ea_cmdf"
    __ea_mark=$(wc -c <"$__ea_out")
    __ea_emark=$(wc -c <"$__ea_err")
    ea__pip_run "$@"
    __ea_rc=$?
    __ea_new=$(ea_tmp pip.new)
    tail -c +"$((__ea_mark + 1))" "$__ea_out" >"$__ea_new"
    tail -c +"$((__ea_emark + 1))" "$__ea_err" >>"$__ea_new"
    if [ "$__ea_rc" = 1 ] && [ "$__ea_state" = absent ] && grep -q 'not installed' "$__ea_new"; then
        :
    elif [ "$__ea_rc" != 0 ]; then
        ea__pip_fail pip
        return 1
    fi
    if [ "$__ea_state" = absent ]; then
        grep -q 'Successfully uninstalled' "$__ea_new" && ea_changed
    elif [ -z "$__ea_before" ]; then
        grep -q 'Successfully installed' "$__ea_new" && ea_changed
    else
        __ea_after=$(ea_tmp pip.after)
        ea__pip_list "$__ea_after" || return 1
        cmp -s "$__ea_before" "$__ea_after" || ea_changed
    fi
    [ "$__ea_created" = 1 ] && ea_changed
    ea_field_file pip_out "$__ea_out"
    ea_field_file pip_err "$__ea_err"
    return 0
}

ea__pip_list() {
    # $1 output file: `pip list --format=freeze` (else `pip freeze`), Ansible's package list
    __ea_lf=$1
    set --
    __ea_ifs=$IFS
    IFS='
'
    # shellcheck disable=SC2086 # the pip words, one a line
    set -- $__ea_pipw
    IFS=$__ea_ifs
    if (cd "$__ea_chdir" && LC_ALL=C LANG=C "$@" list --format=freeze) >"$__ea_lf" 2>>"$__ea_err"; then
        __ea_listcmd="$* list --format=freeze"
        return 0
    fi
    if (cd "$__ea_chdir" && "$@" freeze) >"$__ea_lf" 2>>"$__ea_err"; then
        __ea_listcmd="$* freeze"
        return 0
    fi
    ea__pip_fail "$* freeze"
}
