# uri: one HTTP request from the target; the response for the controller to shape.
#
# ea_uri URL METHOD BODY DEST CREATES REMOVES TIMEOUT VALIDATE FOLLOW STATUSES KEEP MODE
#        OWNER GROUP HEADERS...
#   BODY       file holding the request body ("" = none)
#   DEST       write the response body there (atomically, only when it differs; a directory
#              gets the URL's file name, else index.html)
#   CREATES    skip when this path exists; REMOVES skip when it does not
#   FOLLOW     all / safe / none: which redirects to follow
#   STATUSES   the accepted status codes, space separated; anything else fails the task
#   KEEP       1 = report the response body (return_content, JSON, or a failure)
#   HEADERS    request headers, one "Name: value" each
# Needs fileattrs.sh and http.sh. Check mode: skipped (Ansible's uri does not support it).
# Fields: http_head (every response's status line and headers), http_url, http_body,
# elapsed, path, skip_stdout + file report of DEST.

ea_uri() {
    __ea_url=$1
    __ea_method=$2
    __ea_body=$3
    __ea_dest=$4
    __ea_creates=$5
    __ea_removes=$6
    __ea_timeout=$7
    __ea_validate=$8
    __ea_follow=$9
    __ea_statuses=${10}
    __ea_keep=${11}
    __ea_mode=${12}
    __ea_owner=${13}
    __ea_group=${14}
    shift 14
    if [ -n "$__ea_creates" ] && [ -e "$__ea_creates" ]; then
        ea_field skip_stdout "skipped, since '$__ea_creates' exists"
        return 0
    fi
    if [ -n "$__ea_removes" ] && [ ! -e "$__ea_removes" ]; then
        ea_field skip_stdout "skipped, since '$__ea_removes' does not exist"
        return 0
    fi
    if ea_is_check; then
        ea_skip "remote module (uri) does not support check mode"
        return 0
    fi
    __ea_t0=$(date +%s)
    __ea_out=$(ea_tmp body) || return 1
    ea__http_fetch "$__ea_method" "$__ea_url" "$__ea_body" "$__ea_out" "$__ea_out.h" \
        "$__ea_timeout" "$__ea_validate" "$__ea_follow" "$@"
    __ea_r=$?
    ea_field elapsed $(($(date +%s) - __ea_t0))
    if [ "$__ea_r" != 0 ]; then
        ea_field status -1
        ea_fail "$(ea__http_why "$__ea_r" "$__ea_out.h")"
        return 1
    fi
    ea_field_file http_head "$__ea_out.h"
    [ -s "$__ea_out.h.url" ] && ea_field http_url "$(cat "$__ea_out.h.url")"
    __ea_status=$(ea__http_status "$__ea_out.h")
    __ea_ok=0
    for __ea_s in $__ea_statuses; do
        [ "$__ea_s" = "$__ea_status" ] && __ea_ok=1
    done
    if [ "$__ea_ok" = 0 ]; then
        ea_field_file http_body "$__ea_out"
        ea_fail "status $__ea_status"
        return 1
    fi
    if [ -n "$__ea_dest" ]; then
        if [ -d "$__ea_dest" ]; then
            __ea_n=${__ea_url%%[?#]*}
            __ea_n=${__ea_n##*/}
            __ea_dest=${__ea_dest%/}/${__ea_n:-index.html}
        fi
        ea_field path "$__ea_dest"
        if [ "$__ea_status" != 304 ]; then
            if [ ! -f "$__ea_dest" ] || [ "$(ea_sha1 "$__ea_out")" != "$(ea_sha1 "$__ea_dest")" ]; then
                ea_changed
                ea_atomic_install "$__ea_out" "$__ea_dest" || return 1
            fi
            ea_file_attrs "$__ea_dest" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
        fi
        return 0
    fi
    [ "$__ea_keep" = 1 ] && ea_field_file http_body "$__ea_out"
    return 0
}
