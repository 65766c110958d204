# docker: helpers the docker_* functions share. They drive the docker CLI on the target (no
# Python, no jq): state is read with `docker inspect --format` Go templates that print one
# "@@name" headed block per compared field, which ea_docker_blocks cuts into files.

ea_docker_ready() {
    # fail naming what is missing when there is no docker CLI or the daemon does not answer
    command -v docker >/dev/null 2>&1 || {
        ea_fail "no docker CLI on the target (PATH=$PATH): install docker.io (Debian/Ubuntu) or docker-ce first, e.g. with the docker_engine role"
        return 1
    }
    __ea_dv=$(docker version --format '{{.Server.Version}}' 2>&1) || {
        ea_fail "the docker daemon does not answer (is dockerd running? do you need become?): $__ea_dv"
        return 1
    }
    return 0
}

ea_docker() {
    # $1 what (for the message), then docker's arguments: run it, its output in the task's
    # file "docker.out"; on failure ea_fail with what docker said
    __ea_what=$1
    shift
    __ea_dout=$(ea_tmp docker.out) || return 1
    docker "$@" >"$__ea_dout" 2>&1 && return 0
    ea_fail "$__ea_what: $(cat "$__ea_dout")"
}

ea_docker_blocks() {
    # $1 file of "@@name" headed blocks, $2 path prefix: each block goes to PREFIX.name
    awk -v p="$2" '/^@@/ { f = p "." substr($0, 3); printf "" > f; next } f != "" { print > f }' "$1"
}

ea_docker_inspect() {
    # $1 docker object kind (container, network, volume, image), $2 name, $3 template file,
    # $4 output file: the template's output (and exit status 0) when the object exists; the
    # "@@end" block takes the newline docker adds, so the last real block is exact
    docker inspect --type "$1" --format "$(cat "$3")@@end" "$2" >"$4" 2>/dev/null
}

ea_docker_result() {
    # $1 kind, $2 name, $3 result key: the object's inspect data as JSON ('' when absent)
    __ea_dj=$(ea_tmp "json.$3") || return 1
    docker inspect --type "$1" --format '{{json .}}' "$2" >"$__ea_dj" 2>/dev/null || : >"$__ea_dj"
    ea_field_file "$3" "$__ea_dj"
}
