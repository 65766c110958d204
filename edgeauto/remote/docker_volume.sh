# docker_volume: one docker volume (driver, driver options, labels). community.docker's
# recreate choices decide what a difference does: never (report it only), options-changed,
# always.
#
# ea_docker_volume NAME STATE RECREATE FIELDS WANT TEMPLATE ARGS...
#   RECREATE  never|changed|always
#   FIELDS    space-separated name:mode of compared fields; WANT/TEMPLATE their blocks
#   ARGS      docker volume create arguments (before the name)

ea_docker_volume() {
    __ea_vn=$1 __ea_vs=$2
    ea_docker_object volume "$@" || return 1
    [ "$__ea_vs" = absent ] && return 0
    ea_docker_result volume "$__ea_vn" volume
}
