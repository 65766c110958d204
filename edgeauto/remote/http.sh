# HTTP client helpers for get_url and uri: curl, GNU wget or BusyBox wget, whichever exists.
#
# ea__http_fetch METHOD URL BODY OUT HEAD TIMEOUT VALIDATE FOLLOW HEADERS...
#   BODY      file with the request body ("" = none)
#   OUT       where the response body goes; HEAD gets every response's status line and
#             headers (one block per redirect hop), HEAD.url the final URL when known
#   VALIDATE  1 = verify TLS certificates; FOLLOW all / safe / none (redirects)
#   HEADERS   request headers, one "Name: value" per argument
# Returns 0 when a response came back (any status), 1 when none did (the error text is in
# HEAD.err), 2 when no client exists. Busybox wget sends only GET and POST (3 otherwise) and
# keeps no body or headers of an error response.

ea__http_tool() {
    if command -v curl >/dev/null 2>&1; then
        echo curl
    elif command -v wget >/dev/null 2>&1; then
        if wget --help 2>&1 | grep -q BusyBox; then echo bbwget; else echo wget; fi
    else
        echo none
    fi
}

ea__http_fetch() {
    __ea_hm=$1
    __ea_hu=$2
    __ea_hb=$3
    __ea_ho=$4
    __ea_hh=$5
    __ea_ht=$6
    __ea_hv=$7
    __ea_hf=$8
    shift 8
    : >"$__ea_ho"
    : >"$__ea_hh"
    : >"$__ea_hh.err"
    __ea_tool=$(ea__http_tool)
    __ea_follow=0
    case $__ea_hf in
        all | urllib2 | yes) __ea_follow=1 ;;
        safe) case $__ea_hm in GET | HEAD) __ea_follow=1 ;; esac ;;
    esac
    case $__ea_tool in
        curl)
            __ea_n=$#
            set -- "$@" curl -sS -o "$__ea_ho" -D "$__ea_hh" --max-time "$__ea_ht" -w '%{url_effective}'
            if [ "$__ea_hm" = HEAD ]; then set -- "$@" -I; else set -- "$@" -X "$__ea_hm"; fi
            [ "$__ea_hv" = 1 ] || set -- "$@" -k
            [ "$__ea_follow" = 1 ] && set -- "$@" -L
            [ -n "$__ea_hb" ] && set -- "$@" --data-binary "@$__ea_hb"
            while [ "$__ea_n" -gt 0 ]; do
                set -- "$@" -H "$1"
                shift
                __ea_n=$((__ea_n - 1))
            done
            "$@" "$__ea_hu" >"$__ea_hh.url" 2>"$__ea_hh.err"
            __ea_hrc=$?
            [ -s "$__ea_hh" ] && return 0
            [ "$__ea_hrc" = 0 ] && return 0
            return 1
            ;;
        wget | bbwget)
            __ea_n=$#
            set -- "$@" wget -q -S -O "$__ea_ho"
            [ "$__ea_hv" = 1 ] || set -- "$@" --no-check-certificate
            if [ "$__ea_tool" = wget ]; then
                set -- "$@" --content-on-error -T "$__ea_ht" -t 1 "--method=$__ea_hm"
                [ "$__ea_follow" = 1 ] || set -- "$@" --max-redirect=0
                [ -n "$__ea_hb" ] && set -- "$@" "--body-file=$__ea_hb"
            else
                case $__ea_hm in
                    GET) ;;
                    POST) set -- "$@" --post-file "${__ea_hb:-/dev/null}" ;;
                    *) return 3 ;;
                esac
            fi
            while [ "$__ea_n" -gt 0 ]; do
                set -- "$@" --header "$1"
                shift
                __ea_n=$((__ea_n - 1))
            done
            if [ "$__ea_tool" = bbwget ]; then
                timeout "$__ea_ht" "$@" "$__ea_hu" 2>"$__ea_hh.err"
            else
                "$@" "$__ea_hu" 2>"$__ea_hh.err"
            fi
            # -S writes the response headers to stderr, indented, among the messages
            sed -n 's/^  //p' "$__ea_hh.err" >"$__ea_hh"
            grep 'HTTP/' "$__ea_hh" >/dev/null 2>&1 && return 0
            return 1
            ;;
    esac
    return 2
}

ea__http_status() {
    # $1 header file: the status code of the last response in it
    awk '/^HTTP\// { s = $2 } END { print s + 0 }' "$1"
}

ea__http_why() {
    # $1 return code of ea__http_fetch, $2 header file: a message for a failed request
    case $1 in
        2) printf 'no HTTP client on the target (curl, wget or BusyBox wget)' ;;
        3) printf 'BusyBox wget can only send GET and POST; install curl for other methods' ;;
        *) printf 'Request failed: %s' "$(tr '\n' ' ' <"$2.err" | sed 's/ *$//')" ;;
    esac
}

ea__digest() {
    # $1 algorithm (md5 sha1 sha224 sha256 sha384 sha512), $2 file: print the hex digest
    if command -v "${1}sum" >/dev/null 2>&1; then
        "${1}sum" <"$2" | { read -r __ea_d __ea_x; printf '%s' "$__ea_d"; }
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst "-$1" <"$2" | sed 's/^.*= *//' | tr -d '\n'
    else
        return 1
    fi
}
