# sysctl: one key in a sysctl.conf-style file (converged atomically) and, when asked, its live
# value in /proc/sys (sysctl -w) and a reload of the file (sysctl -p) — ansible.posix.sysctl's
# decisions: the file is rewritten with every line stripped, a key's first occurrence replaced
# and later duplicates dropped; live values compare word by word.
#
# ea_sysctl NAME VALUE STATE FLAGS FILE MODE OWNER GROUP
#   VALUE     the wanted value ('' with state=absent); booleans already 1/0
#   FLAGS     letters: r=reload after a change, s=sysctl_set (set the live value),
#             i=ignoreerrors (sysctl -e: unknown keys are not errors)
#   FILE      the sysctl file (/etc/sysctl.conf)

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__sysctl_awk='
function strip(s) { gsub(/^[ \t\r\n\f\v]+/, "", s); gsub(/[ \t\r\n\f\v]+$/, "", s); return s }
{
    line = strip($0)
    if (line == "" || line ~ /^[#;]/ || index(line, "=") == 0) { print line > out; next }
    eq = index(line, "=")
    k = strip(substr(line, 1, eq - 1)); v = strip(substr(line, eq + 1))
    if (k == name) { found = 1; fv = v }
    if (k in seen) next
    seen[k] = 1
    if (k == name) { if (state == "present") print k "=" value > out; next }
    print k "=" v > out
}
END {
    if (!(name in seen) && state == "present") print name "=" value > out
    printf "%d\n%s\n", found, fv > report
}'

ea__sysctl_words() {
    # $1 a value: its whitespace-separated words joined by single spaces (compare like Ansible)
    (
        set -f
        # shellcheck disable=SC2086 # splitting into words is the point
        set -- $1
        printf '%s' "$*"
    )
}

ea__sysctl_run() {
    # $1 what (for the message), then the sysctl command: run it in the C locale; fail with
    # its output when it exits non-zero or reports a key it could not set
    __ea_what=$1
    shift
    __ea_out=$(ea_tmp sysctl.out) || return 1
    __ea_rc=0
    LC_ALL=C LANG=C sysctl "$@" >"$__ea_out" 2>&1 || __ea_rc=$?
    if [ "$__ea_rc" = 0 ] && ! grep -E -q 'setting key .*(Invalid argument|Read-only file system)' "$__ea_out"; then
        return 0
    fi
    __ea_text=$(cat "$__ea_out")
    case $__ea_text in
        *"Read-only file system"* | *"ermission denied"*)
            if [ "$(id -u)" = 0 ]; then
                __ea_text="$__ea_text (root may not change this kernel parameter here: /proc/sys is read-only or the key belongs to the host kernel, as in a container; manage the file only with reload: false and sysctl_set: false)"
            else
                __ea_text="$__ea_text (setting kernel parameters needs root: use become)"
            fi
            ;;
    esac
    ea_fail "$__ea_what: $__ea_text"
}

ea_sysctl() {
    __ea_name=$1
    __ea_value=$2
    __ea_state=$3
    __ea_flags=$4
    __ea_file=$5
    __ea_mode=$6
    __ea_owner=$7
    __ea_group=$8
    __ea_reload=0 __ea_set=0 __ea_e=
    case $__ea_flags in *r*) __ea_reload=1 ;; esac
    case $__ea_flags in *s*) __ea_set=1 ;; esac
    case $__ea_flags in *i*) __ea_e=-e ;; esac
    command -v sysctl >/dev/null 2>&1 || {
        ea_fail "Failed to find required executable \"sysctl\" in paths: $PATH"
        return 1
    }
    __ea_live=1
    __ea_proc=$(LC_ALL=C sysctl -e -n "$__ea_name" 2>/dev/null) || __ea_live=0
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    __ea_rep=$(ea_tmp report) || return 1
    __ea_exists=0
    if [ -f "$__ea_file" ]; then
        __ea_exists=1
        cat "$__ea_file" >"$__ea_old" || {
            ea_fail "Failed to open $__ea_file: cannot read it"
            return 1
        }
    fi
    awk -v name="$__ea_name" -v value="$__ea_value" -v state="$__ea_state" \
        -v out="$__ea_new" -v report="$__ea_rep" "$ea__sysctl_awk" "$__ea_old" || {
        ea_fail "awk failed while reading $__ea_file"
        return 1
    }
    : >>"$__ea_new"
    {
        read -r __ea_found
        IFS= read -r __ea_fv
    } <"$__ea_rep"
    __ea_write=0 __ea_setp=0 __ea_chg=0
    __ea_want=$(ea__sysctl_words "$__ea_value")
    __ea_have=$(ea__sysctl_words "$__ea_proc")
    if [ "$__ea_found" = 0 ]; then
        [ "$__ea_state" = present ] && __ea_chg=1 __ea_write=1
    elif [ "$__ea_state" = absent ] && [ -n "$__ea_fv" ]; then
        __ea_chg=1 __ea_write=1
    elif [ "$__ea_fv" != "$__ea_value" ]; then
        __ea_chg=1 __ea_write=1
    elif [ "$__ea_reload" = 1 ]; then
        if [ "$__ea_live" = 0 ] || [ "$__ea_have" != "$__ea_want" ]; then __ea_chg=1; fi
    fi
    if [ "$__ea_set" = 1 ] && [ "$__ea_state" = present ]; then
        if [ "$__ea_live" = 0 ]; then
            __ea_chg=1
        elif [ "$__ea_have" != "$__ea_want" ]; then
            __ea_chg=1 __ea_setp=1
        fi
    fi
    [ "$__ea_chg" = 1 ] && ea_changed
    if [ "$__ea_write" = 1 ]; then
        ea_diff_files "$__ea_old" "$__ea_new" "$__ea_file (content)" "$__ea_file (content)"
    fi
    if ! ea_is_check; then
        if [ "$__ea_setp" = 1 ]; then
            ea__sysctl_run "setting $__ea_name failed" $__ea_e -w "$__ea_name=$__ea_value" || return 1
        fi
        if [ "$__ea_write" = 1 ]; then
            __ea_dir=$(dirname "$__ea_file")
            [ -d "$__ea_dir" ] || {
                ea_fail "cannot write $__ea_file: directory $__ea_dir does not exist"
                return 1
            }
            ea_atomic_install "$__ea_new" "$__ea_file" || return 1
        fi
        if [ "$__ea_chg" = 1 ] && [ "$__ea_reload" = 1 ]; then
            ea__sysctl_run "Failed to reload sysctl" $__ea_e -p "$__ea_file" || return 1
        fi
    fi
    if [ -e "$__ea_file" ]; then
        ea_file_attrs "$__ea_file" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    fi
    return 0
}
