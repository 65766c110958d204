# Shared file helpers for file/copy/template/lineinfile: state, attributes, atomic writes.
# BusyBox-safe: stat -c, chmod, chown, mktemp, mv; no GNU-only flags.

ea_file_state() {
    # $1 path -> prints absent|link|directory|hard|file|other (lstat semantics)
    if [ -L "$1" ]; then
        printf link
    elif [ -d "$1" ]; then
        printf directory
    elif [ -f "$1" ]; then
        if [ "$(stat -c %h "$1")" -gt 1 ]; then printf hard; else printf file; fi
    elif [ -e "$1" ]; then
        printf other
    else
        printf absent
    fi
}

ea__stat() {
    # $1 path, $2 follow (1/0), $3 stat format
    if [ "$2" = 1 ]; then stat -L -c "$3" "$1"; else stat -c "$3" "$1"; fi
}

ea__mode4() {
    # $1 octal digits (e.g. 644 or 4755) -> 4-digit octal string
    printf '%04o' $((0$1))
}

ea__wanted_mode() {
    # $1 path, $2 wanted mode (octal digits or symbolic), $3 follow -> prints 4-digit octal
    case $2 in
        *[!0-7]*) ;;
        *) ea__mode4 "$2"; return 0 ;;
    esac
    __ea_cur=$(ea__stat "$1" "$3" %a) || return 1
    __ea_probe=$(ea_tmp) || return 1
    if [ -d "$1" ]; then
        rm -f "$__ea_probe"
        mkdir "$__ea_probe" || return 1
    fi
    chmod "$__ea_cur" "$__ea_probe" || return 1
    if ! chmod "$2" "$__ea_probe" 2>/dev/null; then
        ea_fail "bad symbolic permission for mode: $2"
        return 1
    fi
    ea__mode4 "$(stat -c %a "$__ea_probe")"
    rm -rf "$__ea_probe"
}

ea__converge_id() {
    # $1 path, $2 owner|group, $3 wanted name or number, $4 follow (1/0): the owner/group half
    # of ea_file_attrs. A wanted name matches the current name or number; a user name is looked
    # up first so a typo fails with Ansible's message instead of chown's.
    case $2 in
        owner) __ea_idfmt='%U %u' __ea_idcmd=chown ;;
        *) __ea_idfmt='%G %g' __ea_idcmd=chgrp ;;
    esac
    __ea_cur=$(ea__stat "$1" "$4" "$__ea_idfmt") || return 1
    if [ "$3" = "${__ea_cur% *}" ] || [ "$3" = "${__ea_cur#* }" ]; then
        return 0
    fi
    if [ "$2" = owner ]; then
        case $3 in
            *[!0-9]*)
                id -u "$3" >/dev/null 2>&1 || {
                    ea_fail "chown failed: failed to look up user $3"
                    return 1
                }
                ;;
        esac
    fi
    ea_field "bd_$2" "${__ea_cur% *}"
    ea_field "ad_$2" "$3"
    ea_changed
    if ! ea_is_check; then
        if [ "$4" = 1 ]; then $__ea_idcmd "$3" "$1"; else $__ea_idcmd -h "$3" "$1"; fi || {
            ea_fail "$__ea_idcmd failed: could not set $2 of $1 to $3"
            return 1
        }
    fi
}

ea_file_attrs() {
    # $1 path, $2 mode, $3 owner, $4 group, $5 follow (1/0): converge attributes.
    # In check mode only reports. Records diff keys bd_*/ad_* for the controller.
    if [ ! -e "$1" ] && [ ! -L "$1" ]; then
        return 0
    fi
    if [ -n "$3" ]; then
        ea__converge_id "$1" owner "$3" "$5" || return 1
    fi
    if [ -n "$4" ]; then
        ea__converge_id "$1" group "$4" "$5" || return 1
    fi
    if [ -n "$2" ]; then
        if [ -L "$1" ] && [ "$5" != 1 ]; then
            return 0
        fi
        if [ -L "$1" ] && [ ! -e "$1" ]; then
            return 0
        fi
        __ea_want=$(ea__wanted_mode "$1" "$2" "$5") || return 1
        __ea_cur=$(ea__mode4 "$(ea__stat "$1" "$5" %a)")
        if [ "$__ea_want" != "$__ea_cur" ]; then
            ea_field bd_mode "$__ea_cur"
            ea_field ad_mode "$__ea_want"
            ea_changed
            if ! ea_is_check; then
                chmod "$__ea_want" "$1" || {
                    ea_fail "chmod failed: could not set mode of $1 to $__ea_want"
                    return 1
                }
            fi
        fi
    fi
    return 0
}

ea_file_report() {
    # $1 path, $2 follow (1/0): emit state, mode, owner, group, uid, gid, size
    __ea_st=$(ea_file_state "$1")
    __ea_fl=$2
    [ "$__ea_st" = hard ] && __ea_st='file'
    if [ "$__ea_fl" = 1 ] && [ "$__ea_st" = link ]; then
        if [ -d "$1" ]; then
            __ea_st=directory
        elif [ -e "$1" ]; then
            __ea_st='file'
        else
            __ea_fl=0
        fi
    fi
    ea_field state "$__ea_st"
    [ "$__ea_st" = absent ] && return 0
    # shellcheck disable=SC2046
    set -- $(ea__stat "$1" "$__ea_fl" '%a %u %g %s %U %G')
    # as Ansible's add_path_info: '0%03o' (0644, 01444 with the sticky bit), not stat's %04o
    ea_field mode "$(printf '0%03o' $((0$1)))"
    ea_field uid "$2"
    ea_field gid "$3"
    ea_field size "$4"
    ea_field owner "$5"
    ea_field group "$6"
}

ea_atomic_install() {
    # $1 source file (private temp), $2 destination: copy into a temp file in the destination's
    # directory, give it the old file's mode/owner (or the login-umask default), then mv over.
    __ea_dir=$(dirname "$2")
    # the name is recorded as inflight BEFORE the file exists (a kill between the two must not
    # leave an unrecorded temp file), then created exclusively (noclobber) under umask 077
    __ea_new=$(mktemp -u "$__ea_dir/.edgeauto.XXXXXXXX") || {
        ea_fail "cannot create a temp file in $__ea_dir"
        return 1
    }
    ea_inflight "$__ea_new"
    (set -C && : >"$__ea_new") 2>/dev/null || {
        ea_fail "cannot create a temp file in $__ea_dir"
        return 1
    }
    # a signal before the rename removes the half copy (SIGKILL: the next sweep does)
    trap 'rm -f "$__ea_new"; exit 129' HUP
    trap 'rm -f "$__ea_new"; exit 130' INT
    trap 'rm -f "$__ea_new"; exit 143' TERM
    trap 'rm -f "$__ea_new"; exit 141' PIPE
    if ! cat "$1" >"$__ea_new"; then
        rm -f "$__ea_new"
        trap - HUP INT TERM PIPE
        ea_fail "cannot write $2: $(ea__why_not_written "$__ea_dir")"
        return 1
    fi
    if [ -f "$2" ]; then
        chmod "$(stat -L -c %a "$2")" "$__ea_new"
        chown "$(stat -L -c %u:%g "$2")" "$__ea_new" 2>/dev/null
        ea__copy_acl "$2" "$__ea_new"
    else
        chmod "$(ea_default_mode file)" "$__ea_new"
    fi
    mv -f "$__ea_new" "$2" || {
        rm -f "$__ea_new"
        trap - HUP INT TERM PIPE
        ea_fail "cannot move the new content into place at $2"
        return 1
    }
    trap - HUP INT TERM PIPE
}

ea__copy_acl() {
    # $1 old file, $2 its replacement: the old file's extended ACL entries (setfacl -m
    # user:nobody:rwx …) carried over, as Ansible's atomic_move keeps them (shutil.copystat
    # copies the xattrs); only where getfacl/setfacl exist and the file has such entries
    command -v getfacl >/dev/null 2>&1 || return 0
    __ea_acl=$(getfacl -s -p "$1" 2>/dev/null) || return 0
    [ -n "$__ea_acl" ] || return 0
    printf '%s\n' "$__ea_acl" | setfacl --set-file=- "$2" 2>/dev/null || true
}

ea__why_not_written() {
    # $1 directory: the likely reason a write there failed, for the task's message
    __ea_avail=$(df -P "$1" 2>/dev/null | awk 'NR==2 {print $4}')
    if [ "${__ea_avail:-1}" = 0 ]; then
        printf 'no space left on the device holding %s (the old file is unchanged)' "$1"
    else
        printf 'write error in %s (the old file is unchanged)' "$1"
    fi
}

ea_backup() {
    # $1 file: copy to FILE.PID.YYYY-MM-DD@HH:MM:SS~ like Ansible; emits backup_file
    __ea_b="$1.$$.$(date '+%Y-%m-%d@%H:%M:%S')~"
    cp -p "$1" "$__ea_b" || {
        ea_fail "could not make a backup of $1"
        return 1
    }
    ea_field backup_file "$__ea_b"
}

ea_diff_files() {
    # $1 before file (may be missing), $2 after file, $3/$4 before/after headers (if asked)
    ea_want_diff || return 0
    ea_field_file diff_before "$1"
    ea_field_file diff_after "$2"
    ea_field diff_before_header "$3"
    ea_field diff_after_header "$4"
}
