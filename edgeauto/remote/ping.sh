# ping: prove the target runs our scripts (a shell, a temp dir, the framing) — no Python needed.
#
# ea_ping DATA
#   DATA   reported as field ping; DATA=crash fails like Ansible's ping does

ea_ping() {
    __ea_data=$1
    if [ "$__ea_data" = crash ]; then
        # ansible-core 2.19 words the module's exception (Exception("boom")) this way
        ea_fail "Task failed: Module failed: boom"
        return 1
    fi
    ea_field ping "$__ea_data"
}
