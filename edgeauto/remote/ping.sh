# ping: prove the target runs our scripts (a shell, a temp dir, the framing) — no Python needed.
#
# ea_ping DATA   -> field ping=DATA; DATA=crash fails like Ansible's ping does

ea_ping() {
    if [ "$1" = crash ]; then
        ea_fail "boom"
        return 1
    fi
    ea_field ping "$1"
}
