# edge_catalog: the service-discovery catalog written where programs and dnsmasq read it,
# each file replaced atomically and only when its content differs.
#
# ea_edge_catalog DIR JSON HOSTS
#   DIR    the catalog directory (/etc/edgeauto)
#   JSON   file: the new services.json
#   HOSTS  file: the new services.hosts (/etc/hosts format)

ea_edge_catalog() {
    __ea_ec_dir=$1
    __ea_ec_json=$2
    __ea_ec_hosts=$3
    for __ea_ec_p in "services.json:$__ea_ec_json" "services.hosts:$__ea_ec_hosts"; do
        __ea_ec_dest=$__ea_ec_dir/${__ea_ec_p%%:*}
        __ea_ec_src=${__ea_ec_p#*:}
        cmp -s "$__ea_ec_src" "$__ea_ec_dest" && continue
        ea_changed
        ea_is_check && continue
        if [ ! -d "$__ea_ec_dir" ]; then
            if ! { mkdir -p "$__ea_ec_dir" && chmod 0755 "$__ea_ec_dir"; }; then
                ea_fail "cannot create the catalog directory $__ea_ec_dir"
                return 1
            fi
        fi
        # a new file gets the login umask's mode (0644 for root), an old one keeps its own
        ea_atomic_install "$__ea_ec_src" "$__ea_ec_dest" || return 1
    done
    return 0
}
