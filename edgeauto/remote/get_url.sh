# get_url: download a URL to a file on the target, atomically, idempotent by checksum.
#
# ea_get_url URL DEST ALGO CHECKSUM SUMURL FORCE MODE OWNER GROUP BACKUP TMPDEST TIMEOUT
#            VALIDATE HEADERS...
#   DEST       a file, or a directory (the name then comes from Content-Disposition or URL)
#   ALGO       checksum algorithm ("" = no checksum); CHECKSUM its hex digest, or SUMURL a
#              URL of a checksum file (lines "<digest>  <name>") to find it in
#   FORCE      1 = download even when DEST exists (replaced only when the content differs)
#   TMPDEST    directory for the download ("" = the run's private temp directory)
#   HEADERS    request headers, one "Name: value" each
# Needs fileattrs.sh and http.sh. Check mode downloads into the private temp directory to
# predict exactly, and changes nothing. Fields: dest url msg status_code checksum_src
# checksum_dest md5sum elapsed backup_file + file report.

ea_get_url() {
    __ea_url=$1
    __ea_dest=$2
    __ea_algo=$3
    __ea_sum=$4
    __ea_sumurl=$5
    __ea_force=$6
    __ea_mode=$7
    __ea_owner=$8
    __ea_group=$9
    __ea_backup=${10}
    __ea_tmpdest=${11}
    __ea_timeout=${12}
    __ea_validate=${13}
    shift 13
    __ea_t0=$(date +%s)
    ea_field url "$__ea_url"
    __ea_isdir=0
    [ -d "$__ea_dest" ] && __ea_isdir=1
    ea_field dest "$__ea_dest"
    if [ -n "$__ea_sumurl" ]; then
        __ea_sf=$(ea_tmp sums) || return 1
        if ! ea__http_fetch GET "$__ea_sumurl" "" "$__ea_sf" "$__ea_sf.h" "$__ea_timeout" \
            "$__ea_validate" safe "$@"; then
            ea_fail "$(ea__http_why "$?" "$__ea_sf.h")"
            return 1
        fi
        __ea_name=$(ea__gu_basename "$__ea_url")
        __ea_sum=$(awk -v n="$__ea_name" '
            { f = $2; sub(/^\*/, "", f); sub(/^\.\//, "", f) }
            NF == 1 && !one { one = $1 }
            NF >= 2 && f == n { print $1; found = 1; exit }
            END { if (!found && NR == 1 && one) print one }' "$__ea_sf")
        if [ -z "$__ea_sum" ]; then
            ea_fail "Unable to find a checksum for file '$__ea_name' in '$__ea_sumurl'"
            return 1
        fi
        __ea_sum=$(printf '%s' "$__ea_sum" | tr 'A-F' 'a-f')
    fi
    if [ "$__ea_isdir" = 0 ] && [ -e "$__ea_dest" ]; then
        __ea_mismatch=0
        if [ "$__ea_force" != 1 ] && [ -n "$__ea_sum" ]; then
            __ea_have=$(ea__digest "$__ea_algo" "$__ea_dest") || {
                ea_fail "no $__ea_algo tool on the target (${__ea_algo}sum or openssl)"
                return 1
            }
            [ "$__ea_have" = "$__ea_sum" ] || __ea_mismatch=1
        fi
        if [ "$__ea_force" != 1 ] && [ "$__ea_mismatch" = 0 ]; then
            ea_file_attrs "$__ea_dest" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
            ea_field msg "file already exists"
            ea_field elapsed 0
            ea_file_report "$__ea_dest" 1
            return 0
        fi
    fi
    if [ -n "$__ea_tmpdest" ]; then
        [ -d "$__ea_tmpdest" ] || {
            ea_fail "$__ea_tmpdest directory does not exist."
            return 1
        }
        __ea_tmp=$(mktemp "$__ea_tmpdest/.edgeauto.get_url.XXXXXXXX") || return 1
        ea_inflight "$__ea_tmp"
    else
        __ea_tmp=$(ea_tmp download) || return 1
    fi
    ea__http_fetch GET "$__ea_url" "" "$__ea_tmp" "$__ea_tmp.h" "$__ea_timeout" \
        "$__ea_validate" safe "$@"
    __ea_r=$?
    ea_field elapsed $(($(date +%s) - __ea_t0))
    ea_field_file http_head "$__ea_tmp.h"
    if [ "$__ea_r" != 0 ]; then
        rm -f "$__ea_tmp"
        ea_fail "$(ea__http_why "$__ea_r" "$__ea_tmp.h")"
        return 1
    fi
    __ea_status=$(ea__http_status "$__ea_tmp.h")
    ea_field status_code "$__ea_status"
    case $__ea_status in
        2??) ;;
        *)
            rm -f "$__ea_tmp"
            ea_fail "Request failed"
            return 1
            ;;
    esac
    if [ "$__ea_isdir" = 1 ]; then
        __ea_name=$(awk 'BEGIN { IGNORECASE = 1 }
            tolower($0) ~ /^content-disposition:/ && match($0, /filename="?[^";\r]+/) {
                v = substr($0, RSTART + 9, RLENGTH - 9); sub(/^"/, "", v); n = v }
            END { print n }' "$__ea_tmp.h")
        __ea_name=${__ea_name##*/}
        [ -n "$__ea_name" ] || __ea_name=$(ea__gu_basename "$(cat "$__ea_tmp.h.url" 2>/dev/null)")
        [ -n "$__ea_name" ] || __ea_name=$(ea__gu_basename "$__ea_url")
        __ea_dest=${__ea_dest%/}/$__ea_name
        ea_field dest "$__ea_dest"
    fi
    __ea_src_sum=$(ea_sha1 "$__ea_tmp") || {
        ea_fail "no sha1 tool on the target"
        return 1
    }
    ea_field checksum_src "$__ea_src_sum"
    __ea_dest_sum=
    if [ -e "$__ea_dest" ]; then
        __ea_dest_sum=$(ea_sha1 "$__ea_dest")
        ea_field checksum_dest "$__ea_dest_sum"
    elif [ ! -d "$(dirname "$__ea_dest")" ]; then
        ea_fail "Destination $(dirname "$__ea_dest") does not exist"
        return 1
    fi
    __ea_size=$(wc -c <"$__ea_tmp")
    ea_field msg "OK ($((__ea_size + 0)) bytes)"
    if [ -n "$__ea_sum" ]; then
        __ea_got=$(ea__digest "$__ea_algo" "$__ea_tmp")
        if [ "$__ea_got" != "$__ea_sum" ]; then
            rm -f "$__ea_tmp"
            ea_fail "The checksum for $__ea_dest did not match $__ea_sum; it was $__ea_got."
            return 1
        fi
    fi
    if [ "$__ea_src_sum" != "$__ea_dest_sum" ]; then
        ea_changed
        if ! ea_is_check; then
            if [ "$__ea_backup" = 1 ] && [ -f "$__ea_dest" ]; then
                ea_backup "$__ea_dest" || return 1
            fi
            ea_atomic_install "$__ea_tmp" "$__ea_dest" || return 1
        fi
    fi
    rm -f "$__ea_tmp"
    if [ ! -e "$__ea_dest" ]; then
        ea_field state file
        return 0
    fi
    ea_file_attrs "$__ea_dest" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    ea_field md5sum "$(ea__digest md5 "$__ea_dest" 2>/dev/null)"
    ea_file_report "$__ea_dest" 1
}

ea__gu_basename() {
    # $1 URL: the last path component, without query or fragment
    __ea_p=${1%%[?#]*}
    __ea_p=${__ea_p%/}
    printf '%s' "${__ea_p##*/}"
}
