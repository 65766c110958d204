# unarchive: unpack a tar (plain, gz, bz2, xz, zst) or zip archive into a directory, only
# when the directory does not hold the archive's members already (Ansible's rule).
#
# ea_unarchive SRC ORIGIN DEST CREATES REMOTE TIMEOUT VALIDATE EXCLUDE INCLUDE KEEP_NEWER
#              LIST MODE OWNER GROUP COMPARE_MODE EXTRA...
#   SRC          the archive: a payload file, a path on the target, or (REMOTE=1) a URL
#   ORIGIN       what the user named (reported as src)
#   CREATES      skip when this path exists
#   EXCLUDE      newline-separated globs of members to leave out; INCLUDE only these
#   KEEP_NEWER   1 = a dest file newer than its member is not replaced (for tar archives it
#                still is a difference, as Ansible's tar --diff reports it; for zip it is not)
#   LIST         1 = report the archive's member names (files)
#   COMPARE_MODE 1 = a member whose permissions differ in dest is a difference
#   EXTRA        extra options for the unpacking command (tar or unzip)
# The archive is unpacked into the private temp dir first and compared member by member
# (type, link target, content, mtime — not for zip —, mode); only a difference installs it (tar -c | tar -x,
# owners kept when root). Needs fileattrs.sh and http.sh. Check mode: compares, changes
# nothing. Fields: dest src handler files + file report of DEST.

ea__ua_magic() {
    head -c 6 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n'
}

ea__ua_kind() {
    # $1 archive: gz bz2 xz zst zip tar
    case $(ea__ua_magic "$1") in
        1f8b*) echo gz ;;
        425a68*) echo bz2 ;;
        fd377a585a00) echo xz ;;
        28b52ffd*) echo zst ;;
        504b0304* | 504b0506*) echo zip ;;
        *) echo tar ;;
    esac
}

ea__ua_cat() {
    # $1 archive, $2 kind: the uncompressed tar stream on stdout
    case $2 in
        gz) if command -v gzip >/dev/null 2>&1; then gzip -dc <"$1"; else zcat <"$1"; fi ;;
        bz2) if command -v bzip2 >/dev/null 2>&1; then bzip2 -dc <"$1"; else bzcat <"$1"; fi ;;
        xz) if command -v xz >/dev/null 2>&1; then xz -dc <"$1"; else xzcat <"$1"; fi ;;
        zst) zstd -dc <"$1" ;;
        *) cat "$1" ;;
    esac
}

ea__ua_tools() {
    # $1 kind: 0 if the target can unpack it
    case $1 in
        zip) command -v unzip >/dev/null 2>&1 ;;
        gz) command -v tar >/dev/null 2>&1 && { command -v gzip || command -v zcat; } >/dev/null 2>&1 ;;
        bz2) command -v tar >/dev/null 2>&1 && { command -v bzip2 || command -v bzcat; } >/dev/null 2>&1 ;;
        xz) command -v tar >/dev/null 2>&1 && { command -v xz || command -v xzcat; } >/dev/null 2>&1 ;;
        zst) command -v tar >/dev/null 2>&1 && command -v zstd >/dev/null 2>&1 ;;
        *) command -v tar >/dev/null 2>&1 ;;
    esac
}

ea__ua_list() {
    # $1 archive, $2 kind: member names, one a line, as the archive spells them
    if [ "$2" = zip ]; then
        if unzip -Z1 "$1" 2>/dev/null; then return 0; fi
        unzip -l "$1" | awk '
            /^ *Length/ { col = index($0, "Name"); next }
            /^ *-+ / || /^-+/ { n++; next }
            n == 1 && col { print substr($0, col) }'
        return 0
    fi
    ea__ua_cat "$1" "$2" | tar -tf -
}

ea__ua_match() {
    # $1 path, $2 newline-separated globs: 0 if any glob matches the path (or path/)
    __ea_m=$1
    __ea_old_ifs=$IFS
    IFS='
'
    set -f
    for __ea_g in $2; do
        # shellcheck disable=SC2254
        case $__ea_m in
            $__ea_g | ./$__ea_g) IFS=$__ea_old_ifs; set +f; return 0 ;;
        esac
        # shellcheck disable=SC2254
        case "$__ea_m/" in
            $__ea_g | ./$__ea_g) IFS=$__ea_old_ifs; set +f; return 0 ;;
        esac
    done
    IFS=$__ea_old_ifs
    set +f
    return 1
}

ea_unarchive() {
    __ea_src=$1
    __ea_origin=$2
    __ea_dest=$3
    __ea_creates=$4
    __ea_remote=$5
    __ea_timeout=$6
    __ea_validate=$7
    __ea_excl=$8
    __ea_incl=$9
    __ea_newer=${10}
    __ea_list=${11}
    __ea_mode=${12}
    __ea_owner=${13}
    __ea_group=${14}
    __ea_cmpmode=${15}
    shift 15
    if [ -n "$__ea_creates" ] && [ -e "$__ea_creates" ]; then
        ea_skip "skipped, since $__ea_creates exists"
        return 0
    fi
    ea_field dest "$__ea_dest"
    ea_field src "$__ea_origin"
    case $__ea_src in
        *://*)
            __ea_dl=$(ea_tmp archive) || return 1
            if ! ea__http_fetch GET "$__ea_src" "" "$__ea_dl" "$__ea_dl.h" "$__ea_timeout" \
                "$__ea_validate" safe; then
                ea_fail "Failure downloading $__ea_src, $(ea__http_why "$?" "$__ea_dl.h")"
                return 1
            fi
            case $(ea__http_status "$__ea_dl.h") in
                2??) ;;
                *)
                    ea_fail "Failure downloading $__ea_src, status $(ea__http_status "$__ea_dl.h")"
                    return 1
                    ;;
            esac
            __ea_src=$__ea_dl
            ;;
    esac
    if [ ! -e "$__ea_src" ]; then
        ea_fail "Source '$__ea_origin' does not exist"
        return 1
    fi
    if [ ! -r "$__ea_src" ]; then
        ea_fail "Source '$__ea_origin' not readable"
        return 1
    fi
    if [ ! -s "$__ea_src" ]; then
        ea_fail "Invalid archive '$__ea_origin', the file is 0 bytes"
        return 1
    fi
    if [ ! -d "$__ea_dest" ]; then
        ea_fail "Destination '$__ea_dest' is not a directory"
        return 1
    fi
    __ea_kind=$(ea__ua_kind "$__ea_src")
    case $__ea_kind in
        zip) ea_field handler ZipArchive ;;
        gz) ea_field handler TgzArchive ;;
        bz2) ea_field handler TarBzipArchive ;;
        xz) ea_field handler TarXzArchive ;;
        zst) ea_field handler TarZstdArchive ;;
        *) ea_field handler TarArchive ;;
    esac
    if ! ea__ua_tools "$__ea_kind"; then
        case $__ea_kind in
            zip) __ea_need="'unzip' or 'zipinfo'" ;;
            *) __ea_need="'gtar' or 'tar'" ;;
        esac
        # Ansible's words, its handler's reason on the second line
        ea_fail "Failed to find handler for \"$__ea_origin\". Make sure the required command to extract the file is installed.
Unable to find required $__ea_need binary in the path ($__ea_kind archive)."
        return 1
    fi
    __ea_stage=$(ea_tmp stage) || return 1
    rm -f "$__ea_stage"
    mkdir "$__ea_stage" || return 1
    __ea_err=$(ea_tmp unpack) || return 1
    if [ "$__ea_kind" = zip ]; then
        ea_login_umask unzip -q -o "$@" "$__ea_src" -d "$__ea_stage" >"$__ea_err" 2>&1
    else
        # unpacked under the login umask, as Ansible's tar/unzip would create the files
        ea__ua_cat "$__ea_src" "$__ea_kind" |
            ea_login_umask tar -C "$__ea_stage" -xf - "$@" >"$__ea_err" 2>&1
    fi
    __ea_rc=$?
    if [ "$__ea_rc" != 0 ]; then
        ea_field_file unpack_err "$__ea_err"
        ea_fail "failed to unpack $__ea_origin to $__ea_dest"
        return 1
    fi
    if [ "$__ea_list" = 1 ]; then
        __ea_names=$(ea_tmp names) || return 1
        ea__ua_list "$__ea_src" "$__ea_kind" >"$__ea_names" 2>/dev/null
        if [ -n "$__ea_excl$__ea_incl" ]; then
            while IFS= read -r __ea_n; do
                if [ -n "$__ea_excl" ] && ea__ua_match "$__ea_n" "$__ea_excl"; then continue; fi
                if [ -n "$__ea_incl" ] && ! ea__ua_match "$__ea_n" "$__ea_incl"; then continue; fi
                printf '%s\n' "$__ea_n"
            done <"$__ea_names" >"$__ea_names.f"
            mv "$__ea_names.f" "$__ea_names"
        fi
        ea_field_file files "$__ea_names"
    fi
    __ea_paths=$(ea_tmp paths) || return 1
    (cd "$__ea_stage" && find . ! -name . | sed 's|^\./||') >"$__ea_paths"
    # leave out what exclude/include leave out (deepest first, so directories empty out)
    if [ -n "$__ea_excl$__ea_incl" ]; then
        sort -r "$__ea_paths" | while IFS= read -r __ea_p; do
            __ea_s=$__ea_stage/$__ea_p
            [ -e "$__ea_s" ] || [ -L "$__ea_s" ] || continue
            if [ -n "$__ea_excl" ] && ea__ua_match "$__ea_p" "$__ea_excl"; then
                rm -rf "$__ea_s"
            elif [ -n "$__ea_incl" ] && ! ea__ua_match "$__ea_p" "$__ea_incl"; then
                if [ -d "$__ea_s" ] && [ ! -L "$__ea_s" ]; then
                    rmdir "$__ea_s" 2>/dev/null
                else
                    rm -f "$__ea_s"
                fi
            fi
        done
        (cd "$__ea_stage" && find . ! -name . | sed 's|^\./||') >"$__ea_paths"
    fi
    __ea_ndiff=0
    __ea_dlist=$(ea_tmp differs) || return 1
    while IFS= read -r __ea_p; do
        __ea_s=$__ea_stage/$__ea_p
        __ea_d=$__ea_dest/$__ea_p
        if [ -L "$__ea_s" ]; then
            [ -L "$__ea_d" ] && [ "$(readlink "$__ea_s")" = "$(readlink "$__ea_d")" ] && continue
        elif [ -d "$__ea_s" ]; then
            [ -d "$__ea_d" ] && [ ! -L "$__ea_d" ] && continue
        elif [ -f "$__ea_d" ] && [ ! -L "$__ea_d" ]; then
            __ea_sm=$(stat -c %Y "$__ea_s")
            __ea_dm=$(stat -c %Y "$__ea_d")
            if [ "$__ea_newer" = 1 ] && [ "$__ea_dm" -gt "$__ea_sm" ]; then
                rm -f "$__ea_s" # kept, never replaced
                # zip: not a difference (Ansible excludes it); tar: Ansible's tar --diff
                # still reports its mod time, so the task is changed, run after run
                [ "$__ea_kind" = zip ] && continue
                __ea_ndiff=$((__ea_ndiff + 1))
                printf '%s\n' "$__ea_p" >>"$__ea_dlist"
                continue
            fi
            # BusyBox unzip does not restore mtimes: for zip only content and mode count
            [ "$__ea_kind" = zip ] && __ea_sm=$__ea_dm
            if [ "$__ea_sm" = "$__ea_dm" ] && cmp -s "$__ea_s" "$__ea_d"; then
                if [ "$__ea_cmpmode" != 1 ] ||
                    [ "$(stat -c %a "$__ea_s")" = "$(stat -c %a "$__ea_d")" ]; then
                    continue
                fi
            fi
        fi
        __ea_ndiff=$((__ea_ndiff + 1))
        printf '%s\n' "$__ea_p" >>"$__ea_dlist"
    done <"$__ea_paths"
    if [ "$__ea_ndiff" -gt 0 ]; then
        head -n 100 "$__ea_dlist" >"$__ea_dlist.h"
        ea_field_file differs "$__ea_dlist.h"
        ea_changed
        if ! ea_is_check; then
            # the stream's "." entry carries the staging dir's metadata: make it dest's own
            chmod "$(stat -c %a "$__ea_dest")" "$__ea_stage"
            chown "$(stat -c %u:%g "$__ea_dest")" "$__ea_stage" 2>/dev/null
            if ! (cd "$__ea_stage" && tar -cf - .) |
                ea_login_umask tar -C "$__ea_dest" -xf - 2>"$__ea_err"; then
                ea_field_file unpack_err "$__ea_err"
                ea_fail "failed to unpack $__ea_origin to $__ea_dest"
                return 1
            fi
        fi
    fi
    if [ -n "$__ea_mode$__ea_owner$__ea_group" ]; then
        while IFS= read -r __ea_p; do
            ea_file_attrs "$__ea_dest/$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" 0 || return 1
        done <"$__ea_paths"
    fi
    ea_file_report "$__ea_dest" 1
}
