# apt_key: add or remove an apt key with apt-key (and gpg), as ansible.builtin.apt_key: the key
# id comes from `id` or from the key file (`gpg --with-colons`); present/absent is decided by
# the long ids `apt-key adv --list-public-keys --keyid-format=long` lists (pub/sub, not
# expired), or the short (8-digit) ids when an 8-digit id was given.
#
# ea_apt_key STATE KEYID KEYFILE KEYRING
#   KEYID    the id as given (hex, optional 0x), or "" to read it from KEYFILE
#   KEYFILE  the key (armored or binary) to add, or ""
#   KEYRING  apt-key --keyring FILE, or ""
# Fields: id, short_id, fp, key_id, before, after (key lists, one a line).

ea__apt_key() {
    if [ -n "$__ea_ring" ]; then
        LC_ALL=C apt-key --keyring "$__ea_ring" "$@"
    else
        LC_ALL=C apt-key "$@"
    fi
}

ea__apt_keys() {
    # the listed key ids (long, or the last 8 digits in short format), one a line
    ea__apt_key adv --list-public-keys --keyid-format=long 2>/dev/null | awk -v short="$__ea_short" '
        (/^pub/ || /^sub/) && !/expired/ {
            split($2, a, "/"); k = a[2]
            if (k == "") { split($0, c, ":"); k = c[5] }
            if (k == "") next
            if (short) k = substr(k, length(k) - 7)
            print k
        }'
}

ea_apt_key() {
    __ea_state=$1
    __ea_id=$2
    __ea_file=$3
    __ea_ring=$4
    if ! command -v apt-key >/dev/null 2>&1; then
        ea_fail "Failed to find required executable \"apt-key\". Apt-key has been deprecated. See the deb822_repository as an alternative."
        return 1
    fi
    if ! command -v gpg >/dev/null 2>&1; then
        ea_fail "Failed to find required executable \"gpg\" in paths (install gnupg)"
        return 1
    fi
    if [ -z "$__ea_id" ] && [ -n "$__ea_file" ]; then
        __ea_id=$(LC_ALL=C gpg --with-colons "$__ea_file" 2>/dev/null | awk -F: '(/^pub/ || /^sub/) && $5 != "" { print $5; exit }')
        if [ -z "$__ea_id" ]; then
            ea_fail "Unable to extract key from '$__ea_file'"
            return 1
        fi
    fi
    ea_field id "$__ea_id"
    __ea_k=$(printf '%s' "$__ea_id" | tr '[:lower:]' '[:upper:]')
    __ea_k=${__ea_k#0X}
    case $__ea_k in *[!0-9A-F]* | "")
        ea_fail "Invalid key_id"
        return 1
        ;;
    esac
    __ea_len=${#__ea_k}
    if [ "$__ea_len" -ne 8 ] && [ "$__ea_len" -lt 16 ]; then
        ea_fail "Invalid key_id"
        return 1
    fi
    __ea_sid=$(printf '%s' "$__ea_k" | awk '{ print substr($0, length($0) - 7) }')
    __ea_fp=$(printf '%s' "$__ea_k" | awk '{ print substr($0, length($0) - 15) }')
    [ "$__ea_len" -le 16 ] && __ea_fp=$__ea_k
    ea_field short_id "$__ea_sid"
    ea_field fp "$__ea_fp"
    ea_field key_id "$__ea_k"
    __ea_short=
    __ea_want=$__ea_fp
    if [ "$__ea_len" -eq 8 ]; then
        __ea_short=1
        __ea_want=$__ea_sid
    fi
    __ea_before=$(ea__apt_keys)
    ea_field before "$__ea_before"
    __ea_has=0
    printf '%s\n' "$__ea_before" | grep -qx "$__ea_want" && __ea_has=1
    __ea_err=$(ea_tmp key.err)
    if [ "$__ea_state" = present ]; then
        [ "$__ea_has" = 1 ] && return 0
        ea_changed
        ea_is_check && return 0
        if [ -z "$__ea_file" ]; then
            ea_fail "No key to add: give data or file (keyserver and url are not fetched natively)"
            return 1
        fi
        if ! ea__apt_key add "$__ea_file" >/dev/null 2>"$__ea_err"; then
            ea_field stderr_text "$(cat "$__ea_err")"
            ea_fail "Unable to add a key from file $__ea_file"
            return 1
        fi
        __ea_after=$(ea__apt_keys)
        ea_field after "$__ea_after"
        if ! printf '%s\n' "$__ea_after" | grep -qx "$__ea_want"; then
            ea_fail "apt-key did not return an error, but failed to add the key (check that the id is correct and *not* a subkey)"
            return 1
        fi
        return 0
    fi
    # absent: the id as given (8 digits against the short list, else the 16-digit form)
    printf '%s\n' "$__ea_before" | grep -qx "$__ea_fp" || return 0
    ea_changed
    ea_is_check && return 0
    if ! ea__apt_key del "$__ea_sid" >/dev/null 2>"$__ea_err"; then
        ea_fail "Unable to remove a key with id $__ea_sid"
        return 1
    fi
    __ea_after=$(ea__apt_keys)
    ea_field after "$__ea_after"
    if printf '%s\n' "$__ea_after" | grep -qx "$__ea_fp"; then
        ea_fail "apt-key did not return an error, but the key was not removed (check that the id is correct and *not* a subkey)"
        return 1
    fi
}
