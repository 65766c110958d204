# ping: prove the target runs our scripts (a shell, a temp dir, the framing) — no Python needed.
#
# ea_ping DATA
#   DATA   reported as field ping; DATA=crash fails like Ansible's ping does

ea_ping() {
    __ea_data=$1
    if [ "$__ea_data" = crash ]; then
        ea_fail "boom"
        return 1
    fi
    ea_field ping "$__ea_data"
}
