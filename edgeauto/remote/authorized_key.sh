# authorized_key: add or remove ssh keys of a user, like ansible.posix.authorized_key.
#
# ea_authorized_key USER KEYS PATH MANAGE_DIR STATE KEY_OPTIONS EXCLUSIVE COMMENT FOLLOW
#   KEYS         file holding the key argument (one key a line, or an http(s)/file URL)
#   PATH         the authorized_keys file ("" = ~USER/.ssh/authorized_keys)
#   KEY_OPTIONS, COMMENT  "=" + the value when given ("" = not given)
# The merge is Ansible's: keys are matched by their base64 blob; a key whose type, options or
# comment differ is rewritten at the end; lines that are no key are kept; exclusive drops
# every key not given; the file is written whole (temp file + mv), mode 0600, owned by USER,
# and with MANAGE_DIR its directory gets mode 0700 and USER as owner.
# Reports: keyfile, and the file before/after as the diff.

# shellcheck disable=SC2016 # awk program: $ is awk's
ea__ak_awk='
function tokens(s, T,   n, i, m, P) {
    n = split(s, P, /[ \t\r\n]+/); m = 0
    for (i = 1; i <= n; i++) if (P[i] != "") T[++m] = P[i]
    return m
}
function opt_parts(s, O,   n, i, c, part, q, j) {
    # split options at commas outside "..." or '"'"'...'"'"' (Ansible: parseoptions)
    n = 0; part = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\"" || c == "'"'"'") {
            j = index(substr(s, i + 1), c)
            if (j > 0) { part = part substr(s, i, j + 1); i += j; continue }
        }
        if (c == ",") { if (part != "") O[++n] = part; part = ""; continue }
        part = part c
    }
    if (part != "") O[++n] = part
    return n
}
function canon(s,   O, n, i, j, t, K) {
    # options as a comparable string: by name (stable), values in their order
    n = opt_parts(s, O)
    for (i = 1; i <= n; i++) { K[i] = O[i]; sub(/=.*/, "", K[i]) }
    for (i = 2; i <= n; i++) for (j = i; j > 1 && K[j - 1] > K[j]; j--) {
        t = K[j]; K[j] = K[j - 1]; K[j - 1] = t; t = O[j]; O[j] = O[j - 1]; O[j - 1] = t
    }
    t = ""
    for (i = 1; i <= n; i++) t = t "\001" O[i]
    return t
}
function joinopts(s,   O, n, i, t) {
    n = opt_parts(s, O); t = ""
    for (i = 1; i <= n; i++) t = t (i > 1 ? "," : "") O[i]
    return t
}
function parse(line,   T, n, i, ti) {
    # -> 1 and P_blob P_type P_opts P_comment; 2: a "#" line (P_raw: it with \# as #);
    # 0: not a key line
    gsub(/\\#/, "#", line)
    P_raw = line
    n = tokens(line, T)
    if (n > 0 && T[1] == "#") return 2
    ti = 0
    for (i = 1; i <= n; i++) if (T[i] in VALID) { ti = i; break }
    if (!ti || ti == n) return 0
    P_type = T[ti]; P_blob = T[ti + 1]; P_opts = ""; P_comment = ""
    for (i = 1; i < ti; i++) P_opts = P_opts (i > 1 ? " " : "") T[i]
    for (i = ti + 2; i <= n; i++) P_comment = P_comment (i > ti + 2 ? " " : "") T[i]
    P_opts = joinopts(P_opts)
    return 1
}
function put(id, type, opts, comment, rank, raw) {
    # a Python dict assignment: an existing id keeps its place, a new one goes last
    if (!(id in POS) || DEAD[POS[id]]) { POS[id] = ++m; ID[m] = id; DEAD[m] = 0 }
    TYPE[id] = type; OPTS[id] = opts; COMM[id] = comment; RANK[id] = rank; RAW[id] = raw
}
function drop(id) { DEAD[POS[id]] = 1; live-- }
BEGIN {
    nv = split("sk-ecdsa-sha2-nistp256@openssh.com sk-ecdsa-sha2-nistp256-cert-v01@openssh.com webauthn-sk-ecdsa-sha2-nistp256@openssh.com ecdsa-sha2-nistp256 ecdsa-sha2-nistp256-cert-v01@openssh.com ecdsa-sha2-nistp384 ecdsa-sha2-nistp384-cert-v01@openssh.com ecdsa-sha2-nistp521 ecdsa-sha2-nistp521-cert-v01@openssh.com sk-ssh-ed25519@openssh.com sk-ssh-ed25519-cert-v01@openssh.com ssh-ed25519 ssh-ed25519-cert-v01@openssh.com ssh-dss ssh-rsa ssh-xmss@openssh.com ssh-xmss-cert-v01@openssh.com rsa-sha2-256 rsa-sha2-512 ssh-rsa-cert-v01@openssh.com rsa-sha2-256-cert-v01@openssh.com rsa-sha2-512-cert-v01@openssh.com ssh-dss-cert-v01@openssh.com", V, " ")
    for (i = 1; i <= nv; i++) VALID[V[i]] = 1
    m = 0; live = 0; r = 0
    while ((getline line < existing) > 0) {
        raw = line "\n"
        p = parse(line)
        if (p == 2) raw = P_raw "\n"
        if (p == 1) { id = "k" P_blob; new = !(id in POS); put(id, P_type, P_opts, P_comment, r, "") }
        else { id = "s" raw; new = !(id in POS); put(id, "", "", "", r, raw) }
        if (new) live++
        r++
    }
    base = live; write = 0; k = 0
    while ((getline line < keys) > 0) {
        if (line == "" || substr(line, 1, 1) == "#") continue
        p = parse(line)
        if (!p) { printf "invalid key specified: %s", line > err; exit 3 }
        matched = 0; rank = k++
        if (p == 2) {
            # Ansible keeps such a line as it is (no newline: it joins the next line)
            id = "s" P_raw
            if ((id in POS) && !DEAD[POS[id]]) matched = 1
            else if (state == "present") { put(id, "", "", "", base + rank, P_raw); write = 1 }
            if (state == "present") WANT[id] = 1
            else if (matched) { drop(id); write = 1 }
            continue
        }
        if (hasopts) P_opts = joinopts(newopts)
        if (hascomment) P_comment = newcomment
        id = "k" P_blob
        if ((id in POS) && !DEAD[POS[id]]) {
            same = TYPE[id] == P_type && canon(OPTS[id]) == canon(P_opts) && COMM[id] == P_comment
            if (same || state == "absent") matched = 1
            else { drop(id); write = 1 }
        }
        if (state == "present") {
            WANT[id] = 1
            if (!matched) { put(id, P_type, P_opts, P_comment, base + rank, ""); live++; write = 1 }
        } else if (matched) { drop(id); write = 1 }
    }
    if (state == "present" && exclusive)
        for (i = 1; i <= m; i++) if (!DEAD[i] && !(ID[i] in WANT)) { DEAD[i] = 1; write = 1 }
    # stable sort of the live entries by rank (Python sorted() on the dict values)
    n = 0
    for (i = 1; i <= m; i++) if (!DEAD[i]) S[++n] = ID[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && RANK[S[j - 1]] > RANK[S[j]]; j--) {
        t = S[j]; S[j] = S[j - 1]; S[j - 1] = t
    }
    for (i = 1; i <= n; i++) {
        id = S[i]
        if (TYPE[id] == "") printf "%s", RAW[id] > out
        else printf "%s%s %s %s\n", (OPTS[id] != "" ? OPTS[id] " " : ""), TYPE[id], substr(id, 2), COMM[id] > out
    }
    exit write ? 0 : 10
}'

ea_authorized_key() {
    __ea_user=$1
    __ea_keys=$2
    __ea_path=$3
    __ea_managedir=$4
    __ea_state=$5
    __ea_kopts=$6
    __ea_exclusive=$7
    __ea_comment=$8
    __ea_follow=$9
    ea__ak_main || return 1
    # Ansible adds the file's attributes to a result that names a path (state: file ...)
    [ -z "$__ea_path" ] || ea_file_report "$__ea_path" 0
}

ea__ak_main() {
    __ea_pw=
    if command -v getent >/dev/null 2>&1; then
        __ea_pw=$(getent passwd "$__ea_user" | head -n 1)
    elif [ -r /etc/passwd ]; then
        # shellcheck disable=SC2016
        __ea_pw=$(awk -F: -v u="$__ea_user" '$1 == u { print; exit }' /etc/passwd)
    fi
    if [ -z "$__ea_pw" ]; then
        if ea_is_check && [ -z "$__ea_path" ]; then
            ea_fail "Either user must exist or you must provide full path to key file in check mode"
            return 1
        fi
        if ! ea_is_check; then
            ea_fail "Failed to lookup user $__ea_user: getpwnam(): name not found: '$__ea_user'"
            return 1
        fi
    fi
    IFS=: read -r __ea_x __ea_x __ea_uid __ea_gid __ea_x __ea_home __ea_x <<EOF
$__ea_pw
EOF
    if [ -n "$__ea_path" ]; then
        __ea_file=$__ea_path
    else
        __ea_file=$__ea_home/.ssh/authorized_keys
    fi
    if [ "$__ea_follow" = 1 ] && [ -e "$__ea_file" ]; then
        __ea_file=$(readlink -f "$__ea_file")
    fi
    __ea_dir=$(dirname "$__ea_file")
    ea_field keyfile "$__ea_file"
    ea__ak_fetch || return 1
    __ea_old=$(ea_tmp old)
    __ea_new=$(ea_tmp new)
    __ea_err=$(ea_tmp err)
    if [ -e "$__ea_file" ]; then
        cat "$__ea_file" >"$__ea_old" 2>/dev/null || {
            ea_fail "Permission denied on file or path for authorized keys file: $__ea_file"
            return 1
        }
    fi
    __ea_hasopts=0
    [ -n "$__ea_kopts" ] && __ea_hasopts=1
    __ea_hascomment=0
    [ -n "$__ea_comment" ] && __ea_hascomment=1
    __ea_excl=0
    [ "$__ea_exclusive" = 1 ] && __ea_excl=1
    awk -v existing="$__ea_old" -v keys="$__ea_keys" -v out="$__ea_new" -v err="$__ea_err" \
        -v state="$__ea_state" -v exclusive="$__ea_excl" \
        -v hasopts="$__ea_hasopts" -v newopts="${__ea_kopts#=}" \
        -v hascomment="$__ea_hascomment" -v newcomment="${__ea_comment#=}" \
        "$ea__ak_awk" </dev/null
    case $? in
        0) ;;
        10) return 0 ;;
        3)
            ea_fail "$(cat "$__ea_err")"
            return 1
            ;;
        *)
            ea_fail "cannot merge the keys of $__ea_file"
            return 1
            ;;
    esac
    ea_changed
    if ea_want_diff; then
        ea_field_file diff_before "$__ea_old"
        ea_field_file diff_after "$__ea_new"
        ea_field diff_before_header "$__ea_file"
        ea_field diff_after_header "$__ea_file"
    fi
    ea_is_check && return 0
    if [ -z "$__ea_pw" ]; then
        ea_fail "Failed to lookup user $__ea_user: getpwnam(): name not found: '$__ea_user'"
        return 1
    fi
    if [ "$__ea_managedir" = 1 ]; then
        if [ ! -d "$__ea_dir" ]; then
            mkdir -m 0700 "$__ea_dir" || {
                ea_fail "Failed to create directory $__ea_dir"
                return 1
            }
        fi
        chown "$__ea_uid:$__ea_gid" "$__ea_dir" || return 1
        chmod 0700 "$__ea_dir" || return 1
    elif [ ! -d "$__ea_dir" ]; then
        mkdir -p "$__ea_dir" || {
            ea_fail "cannot create $__ea_dir"
            return 1
        }
    fi
    # a new file is created private first: the atomic replace keeps the old file's mode
    if [ ! -e "$__ea_file" ]; then
        (umask 077 && : >"$__ea_file") || {
            ea_fail "cannot create $__ea_file"
            return 1
        }
    fi
    ea_atomic_install "$__ea_new" "$__ea_file" || return 1
    chown "$__ea_uid:$__ea_gid" "$__ea_file" && chmod 0600 "$__ea_file"
}

ea__ak_fetch() {
    # a key given as http(s):// or file:// URL is read on the target, as Ansible does
    read -r __ea_first <"$__ea_keys" || __ea_first=
    case $__ea_first in
        http*)
            __ea_url=$__ea_first
            __ea_got=$(ea_tmp got)
            if command -v curl >/dev/null 2>&1; then
                curl -fsSL "$__ea_url" >"$__ea_got" 2>/dev/null
            elif command -v wget >/dev/null 2>&1; then
                wget -q -O - "$__ea_url" >"$__ea_got" 2>/dev/null
            else
                false
            fi || {
                ea_fail "Error getting key from: $__ea_url"
                return 1
            }
            __ea_keys=$__ea_got
            ;;
        file*)
            __ea_src=${__ea_first#file:}
            __ea_src=/${__ea_src#"${__ea_src%%[!/]*}"}
            if [ ! -e "$__ea_src" ]; then
                ea_fail "Path to a key file not found: $__ea_src"
                return 1
            elif [ ! -f "$__ea_src" ]; then
                ea_fail "Path to a key is a directory and must be a file: $__ea_src"
                return 1
            fi
            __ea_keys=$__ea_src
            ;;
    esac
    return 0
}
