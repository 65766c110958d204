# file: ensure a path is a file/directory/link/hard link, touched or absent, with attributes.
#
# ea_file PATH STATE MODE OWNER GROUP RECURSE FORCE SRC FOLLOW ATIME MTIME
#   STATE  file|directory|link|hard|touch|absent, or "" = keep the current kind (file if absent)
#   ATIME/MTIME  for touch: "" or now = update, preserve = keep, else a `touch -t` stamp
# Needs fileattrs.sh. Emits path, state, mode, owner, group, uid, gid, size (+ src for links)
# and bd_*/ad_* diff keys (before/after state, mode, owner, group).
#
# ea_file_peek PATH
#   Ansible's internal _diff_peek: appears_binary=1 when the first 8 KiB hold a NUL byte
#   (an unreadable or missing file counts as text, as in Ansible); changes nothing.

ea_file_peek() {
    __ea_p=$1
    ea_field path "$__ea_p"
    __ea_nul=$(head -c 8192 "$__ea_p" 2>/dev/null | tr -d -c '\000' | wc -c)
    if [ "${__ea_nul:-0}" -gt 0 ]; then ea_field appears_binary 1; else ea_field appears_binary 0; fi
}

ea__file_mkdirs() {
    # $1 directory to create with all missing parents; $2..$5 mode owner group follow
    if [ -d "$1" ]; then
        return 0
    fi
    __ea_parent=$(dirname "$1")
    if [ "$__ea_parent" != "$1" ]; then
        ea__file_mkdirs "$__ea_parent" "$2" "$3" "$4" "$5" || return 1
    fi
    if [ -e "$1" ] || [ -L "$1" ]; then
        ea_fail "$1 already exists and is not a directory"
        return 1
    fi
    ea_changed
    ea_is_check && return 0
    mkdir "$1" || {
        ea_fail "There was an issue creating $1 as requested"
        return 1
    }
    chmod "$(ea_default_mode directory)" "$1"
    ea_file_attrs "$1" "$2" "$3" "$4" "$5"
}

ea__file_recurse() {
    # $1 directory, $2..$5 mode owner group follow: attributes on everything below; with
    # follow, links to directories are walked into too, as Ansible's recursive_set_attributes
    __ea_walk=-P
    [ "$5" = 1 ] && __ea_walk=-L
    find "$__ea_walk" "$1" -mindepth 1 2>/dev/null | while IFS= read -r __ea_f; do
        ea_file_attrs "$__ea_f" "$2" "$3" "$4" "$5" || exit 1
    done
}

ea__file_ids_known() {
    # $1 owner, $2 group (names or numbers, "" = not given): in check mode, the warning
    # Ansible's file module gives for one that does not exist yet (an earlier task may create
    # it in the real run) -> field id_warnings, one per line
    __ea_iw=
    if [ -n "$1" ] && ! ea__file_id_known passwd "$1"; then
        case $1 in
            *[!0-9]*) __ea_iw="failed to look up user $1" ;;
            *) __ea_iw="failed to look up user with uid $1" ;;
        esac
        __ea_iw="$__ea_iw. Create user up to this point in real play
"
    fi
    if [ -n "$2" ] && ! ea__file_id_known group "$2"; then
        case $2 in
            *[!0-9]*) __ea_iw="${__ea_iw}failed to look up group $2" ;;
            *) __ea_iw="${__ea_iw}failed to look up group with gid $2" ;;
        esac
        __ea_iw="$__ea_iw. Create group up to this point in real play"
    fi
    [ -z "$__ea_iw" ] || ea_field id_warnings "$__ea_iw"
}

ea__file_id_known() {
    # $1 passwd|group, $2 name or number: whether the system knows it (NSS when getent exists)
    if command -v getent >/dev/null 2>&1; then
        getent "$1" "$2" >/dev/null 2>&1
        return
    fi
    awk -F: -v k="$2" '$1 == k || $3 == k { f = 1 } END { exit !f }' "/etc/$1"
}

ea__file_walk() {
    # $1 directory about to be removed: what is below it, for the diff (Ansible's
    # path_content): pc_dirs (directories, also links to one, as os.walk lists them) and
    # pc_files (everything else), one path a line
    __ea_dl=$(ea_tmp pcd) && __ea_fl=$(ea_tmp pcf) || return 1
    find "$1" -mindepth 1 | while IFS= read -r __ea_f; do
        if [ -d "$__ea_f" ]; then printf '%s\n' "$__ea_f" >>"$__ea_dl"; else printf '%s\n' "$__ea_f" >>"$__ea_fl"; fi
    done
    ea_field_file pc_dirs "$__ea_dl"
    ea_field_file pc_files "$__ea_fl"
}

ea__file_epoch() {
    # $1 touch -t stamp: the epoch it means on this host (its time zone), via a probe file
    __ea_probe=$(ea_tmp stamp) || return 1
    touch -c -t "$1" "$__ea_probe" && stat -c %Y "$__ea_probe"
}

ea__file_touch_times() {
    # $1 path, $2 access_time, $3 modification_time ("" or now = now, preserve, or a stamp):
    # set them; changed only when a time really moves (a stamp equal to the current one is ok)
    __ea_moved=0
    # both now: one plain touch (utime(path, NULL), as Ansible's os.utime(path, None)), which
    # a user who may only write the file is allowed; touch -a/-m alone needs its owner
    __ea_both=0
    case "$2:$3" in :* | now:*) case $3 in '' | now) __ea_both=1 ;; esac ;; esac
    for __ea_which in a m; do
        if [ "$__ea_which" = a ]; then __ea_want=$2; __ea_fmt=%X; else __ea_want=$3; __ea_fmt=%Y; fi
        case $__ea_want in
            preserve) continue ;;
            '' | now)
                __ea_moved=1
                ea_field "bd_${__ea_which}time" "$(stat -c "$__ea_fmt" "$1")"
                ea_field "ad_${__ea_which}time" "$(date +%s)"
                ea_is_check && continue
                if [ "$__ea_both" = 1 ]; then
                    [ "$__ea_which" = m ] || touch -c "$1" || return 1
                else
                    touch -c "-$__ea_which" "$1" || return 1
                fi
                ;;
            *)
                __ea_epoch=$(ea__file_epoch "$__ea_want") || {
                    ea_fail "invalid time stamp $__ea_want"
                    return 1
                }
                if [ "$(stat -c "$__ea_fmt" "$1")" != "$__ea_epoch" ]; then
                    __ea_moved=1
                    ea_field "bd_${__ea_which}time" "$(stat -c "$__ea_fmt" "$1")"
                    ea_field "ad_${__ea_which}time" "$__ea_epoch"
                    ea_is_check || touch -c "-$__ea_which" -t "$__ea_want" "$1" || return 1
                fi
                ;;
        esac
    done
    [ "$__ea_moved" = 1 ] && ea_changed
    return 0
}

ea__file_given_times() {
    # $1 path, $2 access_time, $3 modification_time for state=file/directory: only times the
    # task gives are set (Ansible's default there is preserve, "now" only for touch)
    [ -n "$2$3" ] || return 0
    ea__file_touch_times "$1" "${2:-preserve}" "${3:-preserve}"
}

ea__file_replace_with_link() {
    # $1 path, $2 src, $3 kind (symbolic|hard): atomically replace PATH with a link. The link is
    # made inside a private mktemp -d directory next to PATH, so no other user can race us.
    __ea_lnkdir=$(mktemp -d "$(dirname "$1")/.edgeauto.XXXXXXXX") || {
        ea_fail "Error while linking: cannot create a temp directory next to $1"
        return 1
    }
    if [ "$3" = hard ]; then
        ln "$2" "$__ea_lnkdir/l"
    else
        ln -s "$2" "$__ea_lnkdir/l"
    fi || {
        rm -rf "$__ea_lnkdir"
        ea_fail "Error while linking: could not create a link to $2 next to $1"
        return 1
    }
    # mv onto a symlink to a directory would move INTO that directory: drop the old link first
    if [ -L "$1" ]; then
        rm -f "$1"
    fi
    mv -f "$__ea_lnkdir/l" "$1" || {
        rm -rf "$__ea_lnkdir"
        ea_fail "Error while replacing: unable to move the new link to $1"
        return 1
    }
    rmdir "$__ea_lnkdir"
}

ea_file() {
    __ea_p=$1
    __ea_state=$2
    __ea_mode=$3
    __ea_owner=$4
    __ea_group=$5
    __ea_recurse=$6
    __ea_force=$7
    __ea_src=$8
    __ea_follow=$9
    __ea_atime=${10}
    __ea_mtime=${11}
    ea_field path "$__ea_p"
    if ea_is_check && [ "$__ea_state" != absent ]; then
        ea__file_ids_known "$__ea_owner" "$__ea_group"
    fi
    __ea_prev=$(ea_file_state "$__ea_p")
    if [ -z "$__ea_state" ] && [ -n "$__ea_src" ]; then
        case $__ea_prev in
            link | hard) __ea_state=$__ea_prev ;;
            *)
                ea_fail "src option requires state to be 'link' or 'hard'"
                return 1
                ;;
        esac
    fi
    if [ -z "$__ea_state" ]; then
        case $__ea_prev in
            absent) if [ "$__ea_recurse" = 1 ]; then __ea_state=directory; else __ea_state='file'; fi ;;
            hard | other) __ea_state='file' ;;
            link)
                if [ -d "$__ea_p" ]; then
                    __ea_state=directory
                elif [ -e "$__ea_p" ]; then
                    __ea_state='file'
                else
                    ea_file_report "$__ea_p" 0
                    return 0
                fi
                ;;
            *) __ea_state=$__ea_prev ;;
        esac
    fi
    if [ "$__ea_follow" = 1 ] && [ "$__ea_prev" = link ] && [ "$__ea_state" != link ] &&
        [ "$__ea_state" != absent ] && [ -e "$__ea_p" ]; then
        if [ -d "$__ea_p" ]; then __ea_prev=directory; else __ea_prev='file'; fi
    fi
    [ "$__ea_prev" = hard ] && [ "$__ea_state" != hard ] && __ea_prev='file'
    ea_field bd_state "$__ea_prev"
    ea_field ad_state "$__ea_state"
    case $__ea_state in
        absent)
            if [ "$__ea_prev" = directory ] && ea_want_diff; then
                ea__file_walk "$__ea_p"
            fi
            if [ "$__ea_prev" != absent ]; then
                ea_changed
                if ! ea_is_check; then
                    rm -rf "$__ea_p" || {
                        ea_fail "rmtree failed: could not remove $__ea_p"
                        return 1
                    }
                fi
            fi
            ea_field state absent
            return 0
            ;;
        file)
            if [ "$__ea_prev" = absent ]; then
                ea_field state absent
                ea_fail "file ($__ea_p) is absent, cannot continue"
                return 1
            fi
            if [ "$__ea_prev" != file ]; then
                ea_file_report "$__ea_p" "$__ea_follow"
                ea_fail "file ($__ea_p) is $__ea_prev, cannot continue"
                return 1
            fi
            ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
            ea__file_given_times "$__ea_p" "$__ea_atime" "$__ea_mtime" || return 1
            ;;
        directory)
            if [ "$__ea_prev" = absent ]; then
                ea__file_mkdirs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
            elif [ "$__ea_prev" != directory ]; then
                ea_file_report "$__ea_p" "$__ea_follow"
                ea_fail "$__ea_p already exists as a $__ea_prev"
                return 1
            fi
            ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
            if [ -e "$__ea_p" ]; then
                ea__file_given_times "$__ea_p" "$__ea_atime" "$__ea_mtime" || return 1
            fi
            if [ "$__ea_recurse" = 1 ] && [ -d "$__ea_p" ]; then
                ea__file_recurse "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
            fi
            ;;
        touch)
            if [ "$__ea_prev" = absent ]; then
                ea_changed
                if ! ea_is_check; then
                    __ea_dir=$(dirname "$__ea_p")
                    [ -d "$__ea_dir" ] || {
                        ea_fail "Error, could not touch target: parent directory $__ea_dir does not exist"
                        return 1
                    }
                    : >>"$__ea_p" || {
                        ea_fail "Error, could not touch target $__ea_p"
                        return 1
                    }
                    chmod "$(ea_default_mode file)" "$__ea_p"
                fi
            else
                ea__file_touch_times "$__ea_p" "$__ea_atime" "$__ea_mtime" || return 1
            fi
            if [ "$__ea_prev" = absent ] && ! ea_is_check; then
                ea__file_touch_times "$__ea_p" "$__ea_atime" "$__ea_mtime" || return 1
            fi
            if ! ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow"; then
                # as Ansible's touch: a file it just created goes again when its attributes fail
                [ "$__ea_prev" = absent ] && ! ea_is_check && rm -f "$__ea_p"
                return 1
            fi
            if ea_is_check && [ "$__ea_prev" = absent ]; then
                ea_field state file
                return 0
            fi
            ;;
        link | hard)
            if [ "$__ea_state" = link ] && [ -z "$__ea_src" ] && [ "$__ea_follow" = 1 ] &&
                [ "$__ea_prev" = link ] && [ -e "$__ea_p" ]; then
                __ea_src=$(readlink "$__ea_p") # no src: keep the link's own target
            fi
            ea_field src "$__ea_src"
            case $__ea_src in
                /*) __ea_abs=$__ea_src ;;
                *) __ea_abs="$(dirname "$__ea_p")/$__ea_src" ;;
            esac
            if [ "$__ea_state" = hard ]; then
                if [ -z "$__ea_src" ] && [ "$__ea_prev" = hard ]; then
                    __ea_src=$__ea_p # no src: an existing hard link stays what it is
                elif [ -z "$__ea_src" ]; then
                    ea_fail "src is required for creating new hardlinks"
                    return 1
                fi
                if [ ! -e "$__ea_src" ]; then
                    ea_fail "src does not exist"
                    return 1
                fi
                __ea_abs=$__ea_src
            elif [ -n "$__ea_src" ] && [ "$__ea_force" != 1 ] && [ ! -e "$__ea_abs" ] &&
                [ ! -L "$__ea_abs" ]; then
                ea_fail "src file does not exist, use \"force=yes\" if you really want to create the link: $__ea_abs"
                return 1
            fi
            __ea_do=0
            case $__ea_prev in
                absent) __ea_do=1 ;;
                link)
                    if [ "$__ea_state" = hard ] ||
                        { [ -n "$__ea_src" ] && [ "$(readlink "$__ea_p")" != "$__ea_src" ]; }; then
                        __ea_do=1
                    fi
                    if [ "$__ea_state" = link ] && [ "$__ea_do" = 1 ]; then
                        ea_field bd_src "$(readlink "$__ea_p")" # the diff shows the old target
                        ea_field ad_src "$__ea_src"
                    fi
                    ;;
                hard | file)
                    if [ "$__ea_state" = hard ] &&
                        [ "$(stat -c '%d:%i' "$__ea_p")" = "$(stat -c '%d:%i' "$__ea_src")" ]; then
                        __ea_do=0
                    elif [ "$__ea_force" = 1 ]; then
                        __ea_do=1
                    elif [ "$__ea_state" = hard ]; then
                        ea_fail "Cannot link: file exists at destination: $__ea_p (use force=yes)"
                        return 1
                    else
                        ea_file_report "$__ea_p" 0
                        ea_fail "refusing to convert from $__ea_prev to symlink for $__ea_p"
                        return 1
                    fi
                    ;;
                directory)
                    if [ "$__ea_force" = 1 ] && rmdir "$__ea_p" 2>/dev/null; then
                        __ea_do=1
                    elif [ "$__ea_force" = 1 ]; then
                        ea_fail "the directory $__ea_p is not empty, refusing to convert it"
                        return 1
                    else
                        ea_file_report "$__ea_p" 0
                        ea_fail "refusing to convert from directory to symlink for $__ea_p"
                        return 1
                    fi
                    ;;
                *)
                    ea_fail "refusing to replace $__ea_p ($__ea_prev)"
                    return 1
                    ;;
            esac
            if [ "$__ea_do" = 1 ] && [ -z "$__ea_src" ]; then
                ea_fail "src is required for creating new symlinks"
                return 1
            fi
            if [ "$__ea_do" = 1 ]; then
                ea_changed
                if ea_is_check; then
                    ea_field state "$__ea_state"
                    return 0
                fi
                ea__file_replace_with_link "$__ea_p" "$__ea_src" "$__ea_state" || return 1
            fi
            ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
            ea_file_report "$__ea_p" 0
            [ "$__ea_state" = hard ] && ea_field state hard
            return 0
            ;;
    esac
    if ea_is_check && [ ! -e "$__ea_p" ] && [ ! -L "$__ea_p" ]; then
        ea_field state "$__ea_state"
        return 0
    fi
    ea_file_report "$__ea_p" "$__ea_follow"
    return 0
}
