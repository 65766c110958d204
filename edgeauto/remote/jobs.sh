# jobs.sh: framing helpers (like prelude.sh) for tasks under a time limit (the `timeout` keyword, `async` + `poll` > 0) and tasks
# started in the background (`async` + `poll: 0`) whose result a later `async_status` reads.
#
# The compiled script includes this file only for tasks that use those keywords, so a plain
# play's script does not grow. A background job writes its status file in a private (0700)
# async dir on the target, like Ansible's ~/.ansible_async/<jid>: "started <pid>" while it
# runs, then the task's framed record (the bytes ea__finish prints), renamed into place.
#
# ea__bounded PID SECONDS
#   PID      the task's subshell (started with &)
#   SECONDS  the limit: past it the subshell and everything it started are killed and the
#            task's record says `timedout SECONDS`
# ea__job_dir DIR
#   make the async dir (a foreground async task has no status file, but the dir exists)
# ea__job_begin JID DIR PAYLOAD...
#   JID      the job id; DIR the async dir (a leading ~/ means $HOME); PAYLOAD the private
#            payload files the task reads (copied next to the job: the script's own temp dir
#            is removed when the script ends)
# ea__job_enter JID DIR FUNCTION
#   (inside the background subshell) the task's record and payloads live in the job's dir;
#   the record names the module's FUNCTION (async_status of a job from an earlier run)
# ea__job_done STATUS JID DIR
#   (inside the background subshell) the framed record becomes the job's status file
# ea__job_started JID DIR
#   the foreground record of a background task: ansible_job_id, started, results_file
# (async_status.sh reads the status files.)

ea__children() {
    # $1 pid: print its child pids (/proc where there is one, else POSIX ps)
    if [ -r /proc/self/stat ]; then
        for __ea_p in /proc/[0-9]*; do
            read -r __ea_l <"$__ea_p/stat" 2>/dev/null || continue
            __ea_l=${__ea_l##*) }
            __ea_l=${__ea_l#* }
            [ "${__ea_l%% *}" = "$1" ] && printf '%s\n' "${__ea_p#/proc/}"
        done
        return 0
    fi
    ps -e -o pid= -o ppid= 2>/dev/null | while read -r __ea_p __ea_l; do
        [ "$__ea_l" = "$1" ] && printf '%s\n' "$__ea_p"
    done
    return 0
}

ea__kill_tree() {
    # $1 pid: stop it (it forks no more), kill its descendants depth first, then it
    kill -STOP "$1" 2>/dev/null || return 0
    for __ea_c in $(ea__children "$1"); do
        ea__kill_tree "$__ea_c"
    done
    kill -KILL "$1" 2>/dev/null
    return 0
}

ea__bounded() {
    # $1 pid, $2 seconds; returns the task's exit status (137 and `timedout` when killed)
    (
        sleep "$2"
        : >"$__ea_t/timedout"
        ea__kill_tree "$1"
    ) </dev/null >/dev/null 2>&1 &
    __ea_w=$!
    wait "$1"
    __ea_s=$?
    ea__kill_tree "$__ea_w"
    wait "$__ea_w" 2>/dev/null
    if [ -f "$__ea_t/timedout" ]; then
        printf 'failed\n' >"$__ea_t/status"
        printf 'K timedout %s\n' "$2" >>"$__ea_t/rec"
        return 137
    fi
    return "$__ea_s"
}

ea__async_dir() {
    # $1 the async dir as configured: print it with a leading ~ expanded
    case $1 in
        "~") printf '%s' "${HOME:-/}" ;;
        \~/*) printf '%s/%s' "${HOME:-}" "${1#??}" ;;
        *) printf '%s' "$1" ;;
    esac
}

ea__job_dir() {
    # $1 the async dir: create it private (0700), as Ansible's async wrapper does
    __ea_jdir=$(ea__async_dir "$1")
    [ -d "$__ea_jdir" ] || mkdir -p "$__ea_jdir"  # the script umask (077) makes it private
}

ea__job_begin() {
    __ea_jid=$1
    ea__job_dir "$2"
    shift 2
    mkdir "$__ea_jdir/.$__ea_jid.d" || {
        ea_fail "could not create the async job directory $__ea_jdir"
        return 1
    }
    for __ea_p in "$@"; do
        cp "$__ea_root/$__ea_p" "$__ea_jdir/.$__ea_jid.d/" || return 1
    done
    printf 'started\n' >"$__ea_jdir/$__ea_jid"
}

ea__job_enter() {
    trap '' HUP
    __ea_root=$(ea__async_dir "$2")/.$1.d
    __ea_t=$__ea_root
    printf 'K _ea_function %s\n' "$3" >"$__ea_t/rec"
    rm -f "$__ea_t/status" "$__ea_t/rc"
}

ea__job_done() {
    __ea_jdir=$(ea__async_dir "$3")
    __ea_ignore=1
    ea__finish "$1" >"$__ea_jdir/.$2.tmp"
    mv -f "$__ea_jdir/.$2.tmp" "$__ea_jdir/$2"
    rm -rf "$__ea_jdir/.$2.d"
}

ea__job_started() {
    __ea_jdir=$(ea__async_dir "$2")
    ea_field ansible_job_id "$1"
    ea_field started 1
    ea_field finished 0
    ea_field results_file "$__ea_jdir/$1"
}
