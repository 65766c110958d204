# copy / template: put content at a destination file, atomically, then converge attributes.
#
# ea_copy SRC DEST CHECKSUM MODE OWNER GROUP BACKUP FORCE VALIDATE DIRMODE REMOTE_SRC
#         FOLLOW BASENAME HEADER
#   SRC        the new content (a private payload file) or, with REMOTE_SRC=1, a path on the
#              target; "" = content not sent because facts showed DEST already had CHECKSUM
#   CHECKSUM   sha1 of the wanted content ("" with REMOTE_SRC: computed here)
#   VALIDATE   command with %s, run on the new content before it replaces DEST
#   DIRMODE    mode for directories this call creates (DEST ending in /)
#   BASENAME   file name used when DEST is a directory
#   HEADER     diff header for the new content (the controller-side source)
# Needs fileattrs.sh. Emits dest, src, checksum, state/mode/owner/group/uid/gid/size,
# backup_file, diff fields; `resend=1` with a failure when the target changed since facts.

ea_copy() {
    __ea_src=$1
    __ea_dest=$2
    __ea_sum=$3
    __ea_mode=$4
    __ea_owner=$5
    __ea_group=$6
    __ea_backup=$7
    __ea_force=$8
    __ea_validate=$9
    __ea_dirmode=${10}
    __ea_remote=${11}
    __ea_follow=${12}
    __ea_base=${13}
    __ea_header=${14}
    if [ "$__ea_remote" = 1 ]; then
        [ -f "$__ea_src" ] || {
            ea_fail "Source $__ea_src not found"
            return 1
        }
        [ -r "$__ea_src" ] || {
            ea_fail "Source $__ea_src not readable"
            return 1
        }
        # mode=preserve: the source's own mode, read here on the target
        [ "$__ea_mode" = preserve ] && __ea_mode=$(printf '%04o' $((0$(stat -c %a "$__ea_src"))))
        __ea_sum=$(ea_sha1 "$__ea_src") || {
            ea_fail "no sha1 tool (sha1sum, busybox, openssl, shasum) on the target"
            return 1
        }
    fi
    case $__ea_dest in
        */)
            ea__copy_mkdir "$__ea_dest" "$__ea_dirmode" || return 1
            __ea_dest="$__ea_dest$__ea_base"
            ;;
        *)
            if [ -d "$__ea_dest" ] && [ -z "$__ea_base" ]; then
                # inline content has no file name to put in the directory (Ansible's words)
                ea_fail "can not use content with a dir as dest"
                return 1
            fi
            if [ -d "$__ea_dest" ]; then
                __ea_dest="$__ea_dest/$__ea_base"
            fi
            ;;
    esac
    ea_field dest "$__ea_dest"
    ea_field checksum "$__ea_sum"
    if [ "$__ea_follow" = 1 ] && [ -L "$__ea_dest" ]; then
        __ea_dest=$(readlink "$__ea_dest")
    fi
    __ea_dir=$(dirname "$__ea_dest")
    if [ ! -d "$__ea_dir" ] && ! ea_is_check; then
        ea_fail "Destination directory $__ea_dir does not exist"
        return 1
    fi
    __ea_cur=
    if [ -f "$__ea_dest" ]; then
        __ea_cur=$(ea_sha1 "$__ea_dest") || {
            ea_fail "no sha1 tool (sha1sum, busybox, openssl, shasum) on the target"
            return 1
        }
    elif [ -e "$__ea_dest" ]; then
        ea_fail "Destination $__ea_dest exists and is not a regular file"
        return 1
    fi
    if [ "$__ea_cur" != "$__ea_sum" ] && { [ -z "$__ea_cur" ] || [ "$__ea_force" = 1 ]; }; then
        if [ -z "$__ea_src" ]; then
            ea_field resend 1
            ea_fail "$__ea_dest changed since facts were gathered (expected sha1 $__ea_sum, found ${__ea_cur:-no file}); the content was not sent — re-run the task"
            return 1
        fi
        ea_changed
        ea__copy_md5 "$__ea_src"
        ea_diff_files "$__ea_dest" "$__ea_src" "$__ea_dest" "$__ea_header"
        if ! ea_is_check; then
            if [ -n "$__ea_validate" ]; then
                __ea_vt=$(ea_tmp validate) || return 1
                cat "$__ea_src" >"$__ea_vt"
                __ea_vcmd="${__ea_validate%%%s*}'$__ea_vt'${__ea_validate#*%s}"
                if ! ea_login_umask sh -c "$__ea_vcmd" >"$__ea_vt.out" 2>&1; then
                    ea_field_file validate_output "$__ea_vt.out"
                    ea_fail "failed to validate: $__ea_validate"
                    return 1
                fi
            fi
            if [ "$__ea_backup" = 1 ] && [ -f "$__ea_dest" ]; then
                ea_backup "$__ea_dest" || return 1
            fi
            ea_atomic_install "$__ea_src" "$__ea_dest" || return 1
        fi
    fi
    if [ ! -e "$__ea_dest" ]; then
        # check mode, new file: report what would be created
        ea_field state file
        return 0
    fi
    ea_file_attrs "$__ea_dest" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    ea_file_report "$__ea_dest" 1
}

ea__copy_md5() {
    # $1 the new content: its md5sum field, as Ansible's copy returns for a file it writes
    # (legacy; none in FIPS mode, where Python's md5 is refused, or without md5sum)
    [ "$(cat /proc/sys/crypto/fips_enabled 2>/dev/null)" = 1 ] && return 0
    command -v md5sum >/dev/null 2>&1 || return 0
    __ea_md5=$(md5sum <"$1") && ea_field md5sum "${__ea_md5%% *}"
}

# ea_copy_tree ROOT DIRMODE MODE OWNER GROUP BACKUP FORCE ENTRIES...
#   ENTRIES   groups of four:
#             d REL - -        a directory to ensure (ROOT/REL)
#             f REL SRC SUM    a file: like ea_copy (SRC "" = not sent, see ea_copy)
ea_copy_tree() {
    __ea_root_dir=$1
    __ea_tdirmode=$2
    __ea_tmode=$3
    __ea_towner=$4
    __ea_tgroup=$5
    __ea_tbackup=$6
    __ea_tforce=$7
    shift 7
    # directories of a tree get the login umask's mode unless DIRMODE says otherwise
    [ -n "$__ea_tdirmode" ] || __ea_tdirmode=$(ea_default_mode directory)
    while [ "$#" -ge 4 ]; do
        __ea_target="$__ea_root_dir/$2"
        [ -z "$2" ] && __ea_target=$__ea_root_dir
        if [ "$1" = d ]; then
            ea__copy_mkdir "$__ea_target" "$__ea_tdirmode" || return 1
        else
            (
                ea_copy "$3" "$__ea_target" "$4" "$__ea_tmode" "$__ea_towner" "$__ea_tgroup" \
                    "$__ea_tbackup" "$__ea_tforce" "" "" 0 0 "" "$2"
            ) || return 1
        fi
        shift 4
    done
    ea_field dest "$__ea_root_dir"
    ea_field state directory
}

ea__copy_mkdir() {
    # $1 directory, $2 its mode ("" = leave what mkdir gave it): create it (and parents under
    # the login umask) when missing; the one way ea_copy and ea_copy_tree make directories
    if [ ! -d "$1" ]; then
        ea_changed
        if ! ea_is_check; then
            ea_login_umask mkdir -p "$1" || {
                ea_fail "cannot create directory $1"
                return 1
            }
            if [ -n "$2" ]; then
                chmod "$2" "$1"
            fi
        fi
    fi
    return 0
}
