# assemble: concatenate the fragment files of a directory (sorted by name, bytewise) into
# dest — Ansible's rules: a newline after a fragment that lacks one, the delimiter between
# fragments (with a newline after it) — then install it atomically if its sha1 differs.
#
# ea_assemble SRC DEST CONTENT DELIM REGEXP FLAGS VALIDATE MODE OWNER GROUP
#   SRC      fragments directory on the target ("" when CONTENT is given)
#   CONTENT  file: the whole assembled content, built by the controller (remote_src=false)
#   DELIM    file: the decoded delimiter bytes, newline included ("" = none)
#   REGEXP   ERE a fragment's name must contain ("" = every file)
#   FLAGS    letters: h=ignore_hidden, b=backup
ea_assemble() {
    __ea_src=$1
    __ea_dest=$2
    __ea_content=$3
    __ea_delim=$4
    __ea_re=$5
    __ea_flags=$6
    __ea_validate=$7
    __ea_mode=$8
    __ea_owner=$9
    __ea_group=${10}
    __ea_hidden=0 __ea_backup=0
    case $__ea_flags in *h*) __ea_hidden=1 ;; esac
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    __ea_dest=$(ea__fs_home "$__ea_dest")
    ea_field dest "$__ea_dest"
    __ea_new=$(ea_tmp new) || return 1
    if [ -n "$__ea_content" ]; then
        cat "$__ea_content" >"$__ea_new"
    else
        __ea_src=$(ea__fs_home "$__ea_src")
        ea_field src "$__ea_src"
        if [ ! -e "$__ea_src" ]; then
            ea_fail "Source ($__ea_src) does not exist"
            return 1
        fi
        if [ ! -d "$__ea_src" ]; then
            ea_fail "Source ($__ea_src) is not a directory"
            return 1
        fi
        __ea_names=$(ea_tmp names) || return 1
        for __ea_f in "${__ea_src%/}"/* "${__ea_src%/}"/.*; do
            [ -e "$__ea_f" ] || [ -L "$__ea_f" ] || continue
            printf '%s\n' "${__ea_f##*/}"
        done | LC_ALL=C sort >"$__ea_names"
        if [ -n "$__ea_re" ]; then
            LC_ALL=C grep -E -e "$__ea_re" "$__ea_names" >"$__ea_names.re"
            [ "$?" -le 1 ] || {
                ea_fail "Invalid Regexp in \"$__ea_re\""
                return 1
            }
            mv "$__ea_names.re" "$__ea_names"
        fi
        __ea_first=1 __ea_addnl=0
        while IFS= read -r __ea_f; do
            __ea_frag=${__ea_src%/}/$__ea_f
            [ -f "$__ea_frag" ] || continue
            case $__ea_f in .*) [ "$__ea_hidden" = 1 ] && continue ;; esac
            [ "$__ea_addnl" = 1 ] && printf '\n' >>"$__ea_new"
            if [ "$__ea_first" = 0 ] && [ -n "$__ea_delim" ]; then
                cat "$__ea_delim" >>"$__ea_new"
            fi
            cat "$__ea_frag" >>"$__ea_new" || {
                ea_fail "cannot read $__ea_frag"
                return 1
            }
            __ea_first=0
            __ea_addnl=$((1 - $(ea__fe_lastnl "$__ea_frag")))
        done <"$__ea_names"
    fi
    __ea_sum=$(ea_sha1 "$__ea_new") || {
        ea_fail "no sha1 tool on the target"
        return 1
    }
    ea_field checksum "$__ea_sum"
    __ea_md5=$(ea__fs_digest "$__ea_new" md5) && ea_field md5sum "$__ea_md5"
    __ea_old=
    if [ -f "$__ea_dest" ]; then
        __ea_old=$(ea_sha1 "$__ea_dest") || __ea_old=
    fi
    if [ "$__ea_sum" != "$__ea_old" ]; then
        ea__fe_validate "$__ea_validate" "$__ea_new" || return 1
        ea_changed
        ea_diff_files "$__ea_dest" "$__ea_new" "$__ea_dest" "$__ea_dest"
        if ! ea_is_check; then
            if [ "$__ea_backup" = 1 ] && [ -n "$__ea_old" ]; then
                ea_backup "$__ea_dest" || return 1
            fi
            if [ -d "$__ea_dest" ]; then
                ea_fail "Destination $__ea_dest is a directory"
                return 1
            fi
            ea_atomic_install "$__ea_new" "$__ea_dest" || return 1
        fi
    fi
    ea_file_attrs "$__ea_dest" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    ea_field msg OK
    if [ -e "$__ea_dest" ]; then
        ea_file_report "$__ea_dest" 0
    fi
}
