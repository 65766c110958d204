# known_hosts: add or remove a host key in a known_hosts file, like ansible.builtin.known_hosts.
#
# ea_known_hosts NAME KEY PATH HASH_HOST STATE
#   NAME       the host, lower-cased by the controller
#   KEY        "=" + the key line when given ("" = none: state=absent removes every entry)
#   PATH       the file; a leading ~/ is the login user's home
#   HASH_HOST  1: store the host name hashed (needs ssh-keygen)
# Lookups use `ssh-keygen -F` (plain and hashed entries); without ssh-keygen (BusyBox) only
# plain entries are compared and hashing is refused. The decision (found / replace / line) and
# the rewrite follow Ansible's code; the file is replaced atomically.
# Reports: path (expanded), the file's attributes (state, mode ...) and the diff (always).

# shellcheck disable=SC2016 # awk program
ea__kh_decide='
# input: "# Host ... found: line N" and entry lines (ssh-keygen -F); -> found replace line
function norm(s,   n, F, o) {
    n = split(s, F, /[ \t]+/); o = 0
    if (F[1] == "") { for (o = 1; o < n; o++) F[o] = F[o + 1]; n-- }
    N_opt = ""; if (substr(F[1], 1, 1) == "@") { N_opt = F[1]; o = 1 } else o = 0
    N_host = F[1 + o]; N_type = F[2 + o]; N_key = F[3 + o]
}
BEGIN {
    norm(newkey); W_opt = N_opt; W_host = N_host; W_type = N_type; W_key = N_key
    line = ""; found = 0
}
/^#/ { if (match($0, /found: line [0-9]+/)) line = substr($0, RSTART + 12, RLENGTH - 12) + 0; next }
$0 == "" { next }
{
    found = 1
    if (newkey == "") next
    norm($0)
    host = W_host
    if (N_opt == "" && substr(W_host, 1, 3) == "|1|" && substr(N_host, 1, 3) == "|1|") host = N_host
    same = (N_opt == W_opt && N_host == host && N_type == W_type && N_key == W_key)
    if (substr(N_opt, 1, 15) == "@cert-authority" || substr(N_opt, 1, 7) == "@revoke") {
        if (same) { print 1, 0, line; done = 1; exit }
        next
    }
    if (same) { print 1, 0, line; done = 1; exit }
    if (W_type == N_type) { print 1, 1, line; done = 1; exit }
}
END { if (!done) { if (found && newkey != "") print 1, 1, ""; else print found, 0, "" } }'

ea_known_hosts() {
    __ea_name=$1
    __ea_key=$2
    __ea_path=$3
    __ea_hash=$4
    __ea_state=$5
    ea__kh_main || return 1
    # Ansible adds the file's attributes to a result that names a path (state: file ...)
    ea_file_report "$__ea_path" 0
}

ea__kh_main() {
    case $__ea_path in
        \~/*) __ea_path=${HOME:-/root}/${__ea_path#??} ;;
        \~) __ea_path=${HOME:-/root} ;;
    esac
    ea_field path "$__ea_path"
    __ea_kg=
    command -v ssh-keygen >/dev/null 2>&1 && __ea_kg=1
    if [ -z "$__ea_key" ] && [ "$__ea_state" != absent ]; then
        ea_fail "No key specified when adding a host"
        return 1
    fi
    __ea_k=${__ea_key#=}
    if [ -n "$__ea_k" ] && [ "$__ea_hash" = 1 ]; then
        [ -n "$__ea_kg" ] || {
            ea_fail "hash_host needs ssh-keygen on the target (not found in PATH); store the name unhashed or install OpenSSH's ssh-keygen"
            return 1
        }
        ea__kh_hash || return 1
    fi
    __ea_keyfile=$(ea_tmp key)
    [ -z "$__ea_k" ] || printf '%s\n' "$__ea_k" >"$__ea_keyfile"
    if [ -n "$__ea_k" ]; then
        case $__ea_name in
            *,*)
                ea_fail "Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file."
                return 1
                ;;
        esac
        case $__ea_k in
            "|1|"* | @*" |1|"*)
                if [ -z "$__ea_kg" ]; then
                    ea_fail "the key's host field is hashed: checking it against the name needs ssh-keygen on the target (not found in PATH)"
                    return 1
                fi
                ;;
        esac
        if [ -z "$(ea__kh_find "$__ea_keyfile")" ]; then
            ea_fail "Host parameter does not match hashed host field in supplied key"
            return 1
        fi
    fi
    __ea_found=0
    __ea_repl=0
    __ea_line=
    if [ -e "$__ea_path" ]; then
        __ea_hits=$(ea_tmp hits)
        ea__kh_find "$__ea_path" >"$__ea_hits" || return 1
        read -r __ea_found __ea_repl __ea_line <<EOF
$(awk -v newkey="$__ea_k" "$ea__kh_decide" "$__ea_hits")
EOF
    fi
    # the diff Ansible returns with every result
    __ea_before=$(ea_tmp before)
    __ea_after=$(ea_tmp after)
    if [ -e "$__ea_path" ]; then
        cat "$__ea_path" >"$__ea_before" 2>/dev/null
        ea_field diff_before_header "$__ea_path"
    else
        ea_field diff_before_header /dev/null
    fi
    __ea_skip=
    if [ "$__ea_repl" = 1 ] || [ "$__ea_state" = absent ]; then __ea_skip=$__ea_line; fi
    # lines are kept byte for byte (sed keeps a last line without newline, as Ansible does)
    if [ -n "$__ea_skip" ]; then
        sed "${__ea_skip}d" "$__ea_before" >"$__ea_after"
    else
        cat "$__ea_before" >"$__ea_after"
    fi
    if [ "$__ea_state" = present ] && { [ "$__ea_repl" = 1 ] || [ -z "$__ea_line" ]; }; then
        printf '%s\n' "$__ea_k" >>"$__ea_after"
    fi
    # Ansible returns the diff with every result (registered results carry it)
    ea_field_file diff_before "$__ea_before"
    ea_field_file diff_after "$__ea_after"
    ea_field diff_after_header "$__ea_path"
    if [ "$__ea_state" = absent ] && [ -z "$__ea_line" ] && [ -n "$__ea_k" ]; then
        return 0
    fi
    __ea_want=0
    [ "$__ea_state" = present ] && __ea_want=1
    if [ "$__ea_repl" = 0 ] && [ "$__ea_found" = "$__ea_want" ]; then
        return 0
    fi
    ea_changed
    ea_is_check && return 0
    __ea_new=$(ea_tmp new)
    if [ "$__ea_found" = 1 ] && [ -z "$__ea_k" ]; then
        # absent without a key: every entry of the host goes
        if [ -n "$__ea_kg" ]; then
            ssh-keygen -R "$__ea_name" -f "$__ea_path" >/dev/null 2>&1 || {
                ea_fail "ssh-keygen -R $__ea_name failed"
                return 1
            }
        else
            __ea_hits=$(ea_tmp hits)
            # like ssh-keygen -R: @cert-authority/@revoke lines stay
            ea__kh_plain "$__ea_path" | awk -F '\t' '$2 !~ /^[ \t]*@/ { print $1 }' >"$__ea_hits"
            # shellcheck disable=SC2016
            awk 'FILENAME == ARGV[1] { drop[$1] = 1; next } !(FNR in drop) { print }' \
                "$__ea_hits" "$__ea_path" >"$__ea_new" || return 1
            ea_atomic_install "$__ea_new" "$__ea_path" || return 1
        fi
        return 0
    fi
    [ -d "$(dirname "$__ea_path")" ] || {
        ea_fail "Failed to write to file '$__ea_path'."
        return 1
    }
    cat "$__ea_after" >"$__ea_new"
    ea_atomic_install "$__ea_new" "$__ea_path"
}

ea__kh_hash() {
    # Ansible's hash_host_key: the key's host field becomes the hashed NAME (ssh-keygen -H)
    __ea_hf=$(ea_tmp hash)
    # shellcheck disable=SC2016
    printf '%s\n' "$__ea_k" | awk -v h="$__ea_name" '{ i = (substr($1, 1, 1) == "@") ? 2 : 1; $i = h; print }' >"$__ea_hf"
    ssh-keygen -H -f "$__ea_hf" >/dev/null 2>&1 || {
        ea_fail "ssh-keygen -H could not hash the host name"
        return 1
    }
    rm -f "$__ea_hf.old"
    __ea_k=$(cat "$__ea_hf")
}

ea__kh_find() {
    # $1 file: the entries of NAME, as `ssh-keygen -F NAME -f FILE` prints them
    if [ -n "$__ea_kg" ]; then
        __ea_kgerr=$(ea_tmp kgerr)
        ssh-keygen -F "$__ea_name" -f "$1" 2>"$__ea_kgerr"
        __ea_rc=$?
        if [ "$__ea_rc" -gt 1 ] || { [ "$__ea_rc" = 1 ] && [ -s "$__ea_kgerr" ]; }; then
            ea_fail "ssh-keygen failed (rc=$__ea_rc, stderr='$(cat "$__ea_kgerr")')"
            return 1
        fi
        return 0
    fi
    ea__kh_plain "$1" | awk -F '\t' '{ printf "# Host %s found: line %s\n%s\n", name, $1, $2 }' name="$__ea_name"
    if grep -q '^[[:space:]]*\(@[^[:space:]]*[[:space:]]*\)\{0,1\}|1|' "$1" 2>/dev/null; then
        ea_field warning "ssh-keygen not found: hashed entries of $1 were not compared"
    fi
}

ea__kh_plain() {
    # $1 file: "LINE<tab>entry" of the plain (unhashed) entries naming NAME
    # shellcheck disable=SC2016
    # (ssh's host patterns: * and ? wildcards, !negation)
    awk -v name="$__ea_name" '
        function glob(p,   r, i, c) {
            r = "^"
            for (i = 1; i <= length(p); i++) {
                c = substr(p, i, 1)
                if (c == "*") r = r ".*"
                else if (c == "?") r = r "."
                else if (c ~ /[][\\.^$+(){}|]/) r = r "\\" c
                else r = r c
            }
            return r "$"
        }
        /^[ \t]*(#|$)/ { next }
        {
            i = (substr($1, 1, 1) == "@") ? 2 : 1
            n = split(tolower($i), H, ","); hit = 0
            for (j = 1; j <= n; j++) {
                neg = substr(H[j], 1, 1) == "!"
                p = neg ? substr(H[j], 2) : H[j]
                if (name ~ glob(p)) { if (neg) { hit = 0; break } hit = 1 }
            }
            if (hit) printf "%d\t%s\n", NR, $0
        }' "$1"
}
