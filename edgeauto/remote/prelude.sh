# edgeauto prelude: the framing helpers every compiled script starts with.
#
# Globals are prefixed __ea_ and only these helpers read or write them; module functions call
# the helpers (ea_changed, ea_fail, ea_field, ea_is_check ...) and never touch the globals.
#
# Wire format on stdout (all of it is ours: every task's stdout/stderr go to files):
#   \n@@EA:<nonce>:BEGIN <id> <id> ...\n      the planned task ids
#   \n@@EA:<nonce>:START <id>\n
#   F <name> <length>\n<length raw bytes>\n  zero or more fields, or
#   K <name> <value>\n                       a one-line field (value has no newline)
#   @@EA:<nonce>:END <id> <status> <rc>\n    status: ok changed failed skipped
#   \n@@EA:<nonce>:STOP <id>\n                 a failed task stopped the script
#   \n@@EA:<nonce>:DONE\n                      the script reached its end
# Lengths come from `wc -c` of a snapshot file, so field bytes may be anything (binary,
# marker-looking text); the random nonce keeps stray output from forging markers.

ea__begin() {
    # $1 nonce, $2 space-separated planned task ids
    __ea_nonce=$1
    __ea_stop=0
    __ea_seq=0
    __ea_check=0
    __ea_diff=0
    __ea_ignore=0
    __ea_umask=$(umask)
    umask 077
    __ea_root=
    for __ea_d in "${TMPDIR:-/tmp}" /tmp /var/tmp /dev/shm "${HOME:-/}"; do
        __ea_root=$(mktemp -d "$__ea_d/edgeauto.XXXXXXXX" 2>/dev/null) && break
        __ea_root=
    done
    if [ -z "$__ea_root" ]; then
        printf '\n@@EA:%s:FATAL cannot create a private temp directory (TMPDIR, /tmp, /var/tmp, /dev/shm, HOME)\n' "$1"
        exit 70
    fi
    # the exit trap also removes temp files still open beside destinations: a signal that
    # lands between recording one (ea_inflight) and ea_atomic_install's own traps exits here
    trap 'ea__drop_inflight "$__ea_root"; rm -rf "$__ea_root"' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 141' PIPE
    echo "$$" >"$__ea_root/pid"
    ea__sweep "$__ea_d" "$__ea_root"
    __ea_t=$__ea_root/t0
    printf '\n@@EA:%s:BEGIN %s\n' "$1" "$2"
}

ea__sweep() {
    # $1 temp base dir, $2 our own dir. A cut run (killed controller, dropped connection,
    # SIGKILL) cannot run its EXIT trap: remove the private dirs whose script is gone. Only
    # our own dirs have a readable pid file (mode 0700), and a live script keeps its dir.
    for __ea_old in "$1"/edgeauto.*; do
        [ "$__ea_old" = "$2" ] && continue
        [ -r "$__ea_old/pid" ] || continue
        read -r __ea_pid <"$__ea_old/pid" || continue
        kill -0 "$__ea_pid" 2>/dev/null && continue
        ea__drop_inflight "$__ea_old"
        rm -rf "$__ea_old"
    done
}

ea__drop_inflight() {
    # $1 a dead script's private dir: remove the temp files it had open next to destinations
    [ -r "$1/inflight" ] || return 0
    while IFS= read -r __ea_f; do
        case "$__ea_f" in
            */.edgeauto.*) rm -f "$__ea_f" ;;
        esac
    done <"$1/inflight"
}

ea_inflight() {
    # $1 a temp file created next to a destination (atomic install): if this script dies
    # before the rename, the next script's sweep (or the reap after a cut) removes it
    printf '%s\n' "$1" >>"$__ea_root/inflight"
}

ea__payload() {
    # $1 payload file name, $2 exact bytes followed by one sentinel character 'E'
    printf '%s' "${2%E}" >"$__ea_root/$1"
}

ea__payload_path() {
    printf '%s/%s' "$__ea_root" "$1"
}

ea__start() {
    # $1 task id, $2 flags: c=check mode, d=diff, i=ignore errors. Returns 1 once stopped.
    [ "$__ea_stop" = 0 ] || return 1
    __ea_id=$1
    __ea_seq=$((__ea_seq + 1))
    __ea_t=$__ea_root/t$__ea_seq
    mkdir "$__ea_t" || return 1
    : >"$__ea_t/rec"
    case $2 in *c*) __ea_check=1 ;; *) __ea_check=0 ;; esac
    case $2 in *d*) __ea_diff=1 ;; *) __ea_diff=0 ;; esac
    case $2 in *i*) __ea_ignore=1 ;; *) __ea_ignore=0 ;; esac
    return 0
}

ea__emit() {
    # $1 field name, $2 file: snapshot it, then length-prefix it into the record
    if [ ! -s "$2" ]; then
        printf 'F %s 0\n\n' "$1"
        return 0
    fi
    cat "$2" >"$__ea_t/.snap" 2>/dev/null || : >"$__ea_t/.snap"
    __ea_n=$(wc -c <"$__ea_t/.snap")
    __ea_n=$((__ea_n + 0))
    printf 'F %s %s\n' "$1" "$__ea_n"
    cat "$__ea_t/.snap"
    printf '\n'
}

ea__finish() {
    # $1 exit status of the task's subshell
    __ea_status=ok
    if [ -f "$__ea_t/status" ]; then read -r __ea_status <"$__ea_t/status"; fi
    __ea_rc=$1
    if [ -f "$__ea_t/rc" ]; then read -r __ea_rc <"$__ea_t/rc"; fi
    if [ "$1" != 0 ] && [ "$__ea_status" != skipped ]; then
        __ea_status=failed
    fi
    printf '\n@@EA:%s:START %s\n' "$__ea_nonce" "$__ea_id"
    ea__emit stdout "$__ea_t/o"
    ea__emit stderr "$__ea_t/e"
    cat "$__ea_t/rec"
    printf '@@EA:%s:END %s %s %s\n' "$__ea_nonce" "$__ea_id" "$__ea_status" "$__ea_rc"
    if [ "$__ea_status" = failed ] && [ "$__ea_ignore" = 0 ]; then
        __ea_stop=1
        printf '\n@@EA:%s:STOP %s\n' "$__ea_nonce" "$__ea_id"
    fi
    return 0
}

ea__end() {
    printf '\n@@EA:%s:DONE\n' "$__ea_nonce"
    [ "$__ea_stop" = 0 ]
}

# ---- helpers for module functions (they run inside the task's subshell) ----

ea_is_check() {
    [ "$__ea_check" = 1 ]
}

ea_want_diff() {
    [ "$__ea_diff" = 1 ]
}

ea_expand_path() {
    # $1 path: $NAME / ${NAME} of variables that are set, and a leading ~ or ~NAME
    # (ea_expand_user), as Ansible's type=path arguments and run_command's expanded args
    case $1 in
        "~"*) ea_expand_user "$(ea__expand_vars "$1")" ;;
        *'$'*) ea__expand_vars "$1" ;;
        *) printf '%s' "$1" ;;
    esac
}

ea__expand_vars() {
    # $1 text: $NAME / ${NAME} replaced for variables that are set (never runs code)
    printf '%s' "$1" | awk '
        BEGIN { RS = "\001" }
        {
            s = $0; out = ""
            while ((i = index(s, "$")) > 0) {
                out = out substr(s, 1, i - 1); s = substr(s, i + 1)
                if (substr(s, 1, 1) == "{" && match(s, /^\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
                    name = substr(s, 2, RLENGTH - 2); len = RLENGTH
                } else if (match(s, /^[A-Za-z_][A-Za-z0-9_]*/)) {
                    name = substr(s, 1, RLENGTH); len = RLENGTH
                } else { out = out "$"; continue }
                if (name in ENVIRON) { out = out ENVIRON[name] } else { out = out "$" substr(s, 1, len) }
                s = substr(s, len + 1)
            }
            printf "%s", out s
        }'
}

ea_expand_user() {
    # $1 path: a leading ~ (this user's $HOME) or ~NAME (NAME's home in /etc/passwd) expanded,
    # as Ansible's type=path arguments are; an unknown NAME stays as written
    # shellcheck disable=SC2088 # the literal tilde is what is matched
    case $1 in
        "~" | "~/"*) printf '%s' "${HOME:-/}${1#"~"}" ;;
        "~"*)
            __ea_xu=${1%%/*}
            __ea_xh=$(awk -F: -v u="${__ea_xu#"~"}" '$1 == u { print $6; exit }' /etc/passwd)
            if [ -n "$__ea_xh" ]; then printf '%s' "$__ea_xh${1#"$__ea_xu"}"; else printf '%s' "$1"; fi
            ;;
        *) printf '%s' "$1" ;;
    esac
}

ea_field() {
    # $1 name, $2 value (any bytes but NUL). One-line values go as `K name value` (no fork);
    # values with a newline are length-prefixed like files.
    case $2 in
        *"
"*)
            printf '%s' "$2" >"$__ea_t/.f"
            ea__emit "$1" "$__ea_t/.f" >>"$__ea_t/rec"
            ;;
        *) printf 'K %s %s\n' "$1" "$2" >>"$__ea_t/rec" ;;
    esac
}

ea_field_file() {
    # $1 name, $2 file whose content is the value (missing file = empty)
    ea__emit "$1" "$2" >>"$__ea_t/rec"
}

ea_changed() {
    if [ ! -f "$__ea_t/status" ]; then
        printf 'changed\n' >"$__ea_t/status"
    fi
}

ea_skip() {
    # $1 message
    printf 'skipped\n' >"$__ea_t/status"
    ea_field msg "$1"
}

ea_fail() {
    # $1 message; returns 1 so callers can `ea_fail "..."; return 1` or `|| return`
    printf 'failed\n' >"$__ea_t/status"
    ea_field msg "$1"
    return 1
}

ea_rc() {
    printf '%s\n' "$1" >"$__ea_t/rc"
    ea_field rc "$1"
}

ea_login_umask() {
    # run "$@" with the login umask (the script itself runs under umask 077): user commands
    # and created parent directories get the permissions Ansible would give them
    (
        umask "$__ea_umask"
        "$@"
    )
}

ea_tmp() {
    # $1 optional name: a fresh empty file in the task's private dir (mode 0600, umask 077);
    # named files cost no process (the directory is private, so no race is possible)
    if [ "$#" -gt 0 ]; then
        : >"$__ea_t/w.$1" && printf '%s' "$__ea_t/w.$1"
    else
        mktemp "$__ea_t/w.XXXXXXXX"
    fi
}

ea_default_mode() {
    # $1 file|directory: the mode a new object gets under the login umask (Ansible's behaviour)
    __ea_m=$((0$__ea_umask))
    if [ "$1" = directory ]; then
        printf '%04o' $((0777 & ~__ea_m))
    else
        printf '%04o' $((0666 & ~__ea_m))
    fi
}

ea_sha1() {
    # $1 file: print its sha1 in hex (sha1sum, busybox, openssl or shasum — whichever exists)
    if command -v sha1sum >/dev/null 2>&1; then
        sha1sum <"$1" | { read -r __ea_h __ea_x; printf '%s' "$__ea_h"; }
    elif command -v busybox >/dev/null 2>&1; then
        busybox sha1sum <"$1" | { read -r __ea_h __ea_x; printf '%s' "$__ea_h"; }
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha1 <"$1" | { read -r __ea_x __ea_h; printf '%s' "${__ea_h:-$__ea_x}"; }
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 1 <"$1" | { read -r __ea_h __ea_x; printf '%s' "$__ea_h"; }
    else
        return 1
    fi
}
