# deb822_repository: a sources.list.d/<slug>.sources file whose content the controller rendered
# (Ansible's field order and formatting); install it when its content differs, converge its mode;
# state=absent removes it and the slug's keyring files (.asc/.gpg in /etc/apt/keyrings).
#
# ea_deb822_repository STATE DEST CONTENT MODE SIGNEDBY KEYBASE
#   CONTENT   the rendered file (a payload), "" with state=absent
#   SIGNEDBY  signed_by as given when it is one line: reported as key_filename if a file
#   KEYBASE   /etc/apt/keyrings/<slug> (absent: .asc and .gpg are removed)
# Fields: key_filename.

ea_deb822_repository() {
    __ea_state=$1
    __ea_dest=$2
    __ea_content=$3
    __ea_mode=$4
    __ea_signed=$5
    __ea_keybase=$6
    if [ "$__ea_state" = absent ]; then
        for __ea_f in "$__ea_dest" "$__ea_keybase.asc" "$__ea_keybase.gpg"; do
            [ -e "$__ea_f" ] || continue
            ea_changed
            ea_is_check || rm -f "$__ea_f" || {
                ea_fail "cannot remove $__ea_f"
                return 1
            }
        done
        ea_field key_filename "$__ea_keybase.gpg"
        return 0
    fi
    if [ -n "$__ea_signed" ] && [ -f "$__ea_signed" ]; then
        ea_field key_filename "$__ea_signed"
    fi
    if [ ! -f "$__ea_dest" ] || [ "$(ea_sha1 "$__ea_dest")" != "$(ea_sha1 "$__ea_content")" ]; then
        ea_changed
        if ea_is_check; then
            # the mode a new file would get is converged below: report it as Ansible does
            [ -e "$__ea_dest" ] || return 0
        else
            mkdir -p "$(dirname "$__ea_dest")"
            ea_atomic_install "$__ea_content" "$__ea_dest" || return 1
        fi
    fi
    ea_file_attrs "$__ea_dest" "$__ea_mode" "" "" 0
}
