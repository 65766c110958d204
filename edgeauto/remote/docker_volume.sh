# docker_volume: one docker volume (driver, driver options, labels). community.docker's
# recreate choices decide what a difference does: never (report it only), options-changed,
# always.
#
# ea_docker_volume NAME STATE RECREATE FIELDS WANT TEMPLATE ARGS...
#   RECREATE  never|changed|always
#   FIELDS    space-separated name:mode of compared fields; WANT/TEMPLATE their blocks
#   ARGS      docker volume create arguments (before the name)

ea_docker_volume() {
    __ea_dv_name=$1
    __ea_dv_state=$2
    __ea_dv_recreate=$3
    __ea_dv_fields=$4
    __ea_dv_want=$5
    __ea_dv_template=$6
    shift 6
    __ea_dv_cur=$(ea_tmp volume.cur) || return 1
    ea__docker_object volume "$__ea_dv_name" "$__ea_dv_state" "$__ea_dv_recreate" \
        "$__ea_dv_fields" "$__ea_dv_want" "$__ea_dv_template" "$__ea_dv_cur" "$@" || return 1
    [ "$__ea_dv_state" = absent ] && return 0
    ea__docker_result volume "$__ea_dv_name" volume
}
