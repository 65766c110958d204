# docker_compose_v2: a compose project brought up, stopped, restarted or taken down with the
# compose v2 CLI plugin (`docker compose`). Hosts without the plugin fail saying so (Debian
# bookworm ships only docker-compose v1, a different program this module does not drive).
#
# ea_docker_compose_v2 DIR STATE ARGS...
#   DIR    project_src ('' = none)
#   STATE  present|stopped|restarted|absent
#   ARGS   the compose arguments: global ones (-p NAME, -f FILE...), then the state's
#          command (up -d ..., stop, restart, down); check mode adds --dry-run

ea_docker_compose_v2() {
    __ea_dcv_dir=$1
    __ea_dcv_cst=$2
    shift 2
    ea__docker_ready || return 1
    __ea_dcv_cv=$(docker compose version 2>&1) || {
        __ea_dcv_v1=
        command -v docker-compose >/dev/null 2>&1 && __ea_dcv_v1=" (docker-compose v1 is installed at $(command -v docker-compose); it is not the compose v2 plugin)"
        ea_fail "docker compose v2 is not available on the target: 'docker compose version' said: $__ea_dcv_cv$__ea_dcv_v1 — install the compose CLI plugin (docker-compose-plugin from Docker's apt repository, or docker-compose-v2 on newer Debian/Ubuntu)"
        return 1
    }
    ea_field compose_version "$__ea_dcv_cv"
    if [ -n "$__ea_dcv_dir" ]; then
        cd "$__ea_dcv_dir" 2>/dev/null || {
            ea_fail "project_src $__ea_dcv_dir is not a directory on the target"
            return 1
        }
    fi
    __ea_dcv_out=$(ea_tmp compose.out) || return 1
    __ea_dcv_dry=
    ea_is_check && __ea_dcv_dry=--dry-run
    # shellcheck disable=SC2086 # --dry-run or nothing
    docker compose $__ea_dcv_dry "$@" >"$__ea_dcv_out" 2>&1 || {
        ea_fail "docker compose $* failed: $(cat "$__ea_dcv_out")"
        return 1
    }
    ea_field_file stderr "$__ea_dcv_out"
    if grep -E -q '(Creat|Recreat|Start|Stopp|Restart|Remov)(ing|ed)' "$__ea_dcv_out"; then
        ea_changed
    fi
    return 0
}
