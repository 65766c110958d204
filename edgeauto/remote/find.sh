# find: list the entries below each path with their lstat data (one `stat` call per batch
# via find -exec +); the controller applies Ansible's filters and os.walk order. Never
# changes anything.
#
# ea_find MAXDEPTH FOLLOW CONTAINS WHOLE CHECKSUM PLCONTAINS PLWHY ENCODING PATHS...
#   MAXDEPTH  find -maxdepth ("" = unlimited)
#   FOLLOW    1: descend into symlinked directories (find -L)
#   CONTAINS  ERE a regular file must match ("" = no content test)
#   WHOLE     1: CONTAINS may match anywhere in a line (read_whole_file), 0: at a line start
#   CHECKSUM  digest algorithm for regular files, "" = none
#   PLCONTAINS  the pattern for perl: with WHOLE searched in each file's whole text as
#             Python's re.search does, else matched at each line's start where ERE cannot
#             say it (needs perlre.sh); without perl CONTAINS goes per line
#   PLWHY     "" or what ERE cannot say in CONTAINS: then a host without perl fails the task
#   ENCODING  "" or the encoding Python reads the files in: U records list those it cannot
#             decode (utf-8: perl or iconv; others: iconv), and for another encoding than
#             utf-8 CONTAINS is grepped in the iconv conversion (without iconv: the bytes)
# Record lines (tab-separated, path last): R root | E statline path | D path (a symlink to a
# directory) | C path (content matched) | S digest path | X path reason (skipped)
ea__find_walk_errors() {
    # $1 the walk's top; find's complaints on stdin (GNU: find: 'P': Permission denied;
    # BusyBox without quotes) -> W lines: the paths below $1 it could not read, with the
    # reason as Python's OSError words it (Ansible's find records os.walk's EPERM/EACCES/
    # ENOENT errors the same way); complaints about anything else are left out
    while IFS= read -r __ea_l; do
        __ea_l=${__ea_l#find: }
        case $__ea_l in
            *": Permission denied") __ea_no=13 __ea_why="Permission denied" ;;
            *": Operation not permitted") __ea_no=1 __ea_why="Operation not permitted" ;;
            *": No such file or directory") __ea_no=2 __ea_why="No such file or directory" ;;
            *) continue ;;
        esac
        __ea_l=${__ea_l%": $__ea_why"}
        case $__ea_l in "'"*"'") __ea_l=${__ea_l#"'"} __ea_l=${__ea_l%"'"} ;; esac
        case $__ea_l in "$1"*) ;; *) continue ;; esac
        printf 'W\t%s\t[Errno %s] %s: '"'"'%s'"'"'\n' "$__ea_l" "$__ea_no" "$__ea_why" "$__ea_l"
    done
}

ea_find() {
    __ea_maxd=$1
    __ea_follow=$2
    __ea_re=$3
    __ea_whole=$4
    __ea_alg=$5
    __ea_plre=$6
    __ea_plwhy=$7
    __ea_enc=$8
    shift 8
    if [ -n "$__ea_plre" ] && ! command -v perl >/dev/null 2>&1; then
        if [ -n "$__ea_plwhy" ]; then
            ea__pl_need "$__ea_plwhy"
            return 1
        fi
        __ea_plre=
    fi
    __ea_out=$(ea_tmp out) || return 1
    __ea_st=$(ea_tmp st) || return 1
    __ea_err=$(ea_tmp err) || return 1
    __ea_tab=$(printf '\t')
    ea_field now "$(date +%s)"
    for __ea_top in "$@"; do
        __ea_top=$(ea__fs_home "$__ea_top")
        if [ ! -d "$__ea_top" ]; then
            printf 'X\t%s\t%s\n' "$__ea_top" "'$__ea_top' is not a directory" >>"$__ea_out"
            continue
        fi
        printf 'R\t%s\n' "$__ea_top" >>"$__ea_out"
        set -- -mindepth 1
        [ -n "$__ea_maxd" ] && set -- "$@" -maxdepth "$__ea_maxd"
        __ea_L=-P
        [ "$__ea_follow" = 1 ] && __ea_L=-L
        # find -exec must return to the working directory: one this user cannot read (become
        # to another user in /root) makes it fail, so an absolute walk starts from /
        case $__ea_top in /*) { [ -r . ] && [ -x . ]; } || cd / ;; esac
        # LC_ALL=C: find's complaints quote paths with ASCII quotes for the parser below
        # shellcheck disable=SC2154 # ea__fs_format comes from filestat.sh
        LC_ALL=C find "$__ea_L" "$__ea_top" "$@" -exec stat -c "$ea__fs_format$__ea_tab%n" {} + \
            >"$__ea_st" 2>"$__ea_err"
        ea__find_walk_errors "$__ea_top" <"$__ea_err" >>"$__ea_out"
        while IFS= read -r __ea_line; do
            printf 'E\t%s\n' "$__ea_line" >>"$__ea_out"
            case $__ea_line in
                a*)
                    __ea_e=${__ea_line#*"$__ea_tab"}
                    [ -d "$__ea_e" ] && printf 'D\t%s\n' "$__ea_e" >>"$__ea_out"
                    ;;
            esac
        done <"$__ea_st"
        __ea_pat=$__ea_re
        [ "$__ea_whole" = 1 ] || __ea_pat="^($__ea_re)"
        if [ -n "$__ea_enc" ] && [ "$__ea_enc" != utf-8 ] && [ -n "$__ea_re" ] &&
            command -v iconv >/dev/null 2>&1; then
            find "$__ea_L" "$__ea_top" "$@" -type f 2>/dev/null | while IFS= read -r __ea_f; do
                if iconv -f "$__ea_enc" -t UTF-8 "$__ea_f" 2>/dev/null |
                    LC_ALL=C grep -q -E -e "$__ea_pat"; then
                    printf 'C\t%s\n' "$__ea_f"
                fi
            done >>"$__ea_out"
        elif [ -n "$__ea_plre" ]; then
            find "$__ea_L" "$__ea_top" "$@" -type f -print0 2>/dev/null |
                ea__pl_whole_files "$__ea_plre" "$__ea_whole" | sed "s/^/C${__ea_tab}/" >>"$__ea_out"
        elif [ -n "$__ea_re" ]; then
            find "$__ea_L" "$__ea_top" "$@" -type f -exec env LC_ALL=C grep -l -E -e "$__ea_pat" {} + \
                2>/dev/null | sed "s/^/C${__ea_tab}/" >>"$__ea_out"
        fi
        if [ "$__ea_enc" = utf-8 ]; then
            find "$__ea_L" "$__ea_top" "$@" -type f -print0 2>/dev/null |
                ea__pl_undecodable_files | sed "s/^/U${__ea_tab}/" >>"$__ea_out"
        elif [ -n "$__ea_enc" ] && command -v iconv >/dev/null 2>&1; then
            find "$__ea_L" "$__ea_top" "$@" -type f 2>/dev/null | while IFS= read -r __ea_f; do
                iconv -f "$__ea_enc" -t UTF-8 "$__ea_f" >/dev/null 2>&1 ||
                    printf 'U\t%s\n' "$__ea_f"
            done >>"$__ea_out"
        fi
        if [ -n "$__ea_alg" ]; then
            if command -v "${__ea_alg}sum" >/dev/null 2>&1; then
                find "$__ea_L" "$__ea_top" "$@" -type f -exec "${__ea_alg}sum" {} + 2>/dev/null |
                    sed "s/^\([0-9a-f]*\)  */S${__ea_tab}\1${__ea_tab}/" >>"$__ea_out"
            else
                find "$__ea_L" "$__ea_top" "$@" -type f 2>/dev/null | while IFS= read -r __ea_e; do
                    if __ea_h=$(ea__fs_digest "$__ea_e" "$__ea_alg"); then
                        printf 'S\t%s\t%s\n' "$__ea_h" "$__ea_e"
                    fi
                done >>"$__ea_out"
            fi
        fi
    done
    ea_field_file entries "$__ea_out"
}
