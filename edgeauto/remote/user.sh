# user: ensure a user account (or its absence), like ansible.builtin.user.
#
# ea_user NAME STATE UID NON_UNIQUE GROUP GROUPS APPEND COMMENT HOME SHELL PASSWORD
#         UPDATE_PASSWORD PASSWORD_LOCK REMOVE FORCE SYSTEM CREATE_HOME MOVE_HOME
#         EXPIRES EXPIRE_DATE LOCAL SKELETON UID_MIN UID_MAX UMASK PASS_MIN PASS_MAX
#         PASS_WARN INACTIVE SSH_KEY SSH_BITS SSH_TYPE SSH_FILE SSH_COMMENT SSH_PASSPHRASE
#   GROUPS, COMMENT, PASSWORD  "=" + the value when given ("" = not given: "=" is empty)
#   PASSWORD_LOCK  1 lock, 0 unlock, "" leave alone
#   EXPIRES     days since the epoch (-1 = never), EXPIRE_DATE the same as YYYY-MM-DD
#   PASS_MIN/PASS_MAX/PASS_WARN/INACTIVE  shadow aging fields 4 5 6 7 ("" = leave alone)
#   SSH_KEY     1: generate an ssh key pair (SSH_FILE relative to the home unless absolute)
# Tools: useradd/usermod/userdel (shadow); without them (BusyBox) and with LOCAL=1 the /etc
# files are edited (accounts.sh). The password hash never reaches a command line: /etc/shadow
# is edited under its lock on every platform.
# Reports: op (create/modify/remove/none), the passwd fields after the task, ssh_* keys.

ea_user() {
    __ea_name=$1
    __ea_state=$2
    __ea_uid=$3
    __ea_nonuniq=$4
    __ea_group=$5
    __ea_groups=$6
    __ea_append=$7
    __ea_comment=$8
    __ea_home=$9
    __ea_shell=${10}
    case $__ea_shell in  # ansible's run_command expands a leading ~ in useradd's argv
        "~"/*) __ea_shell=${HOME%/}/${__ea_shell#"~/"} ;;
    esac
    __ea_pw=${11}
    __ea_updpw=${12}
    __ea_lock=${13}
    __ea_remove=${14}
    __ea_force=${15}
    __ea_system=${16}
    __ea_mkhome=${17}
    __ea_movehome=${18}
    __ea_expires=${19}
    __ea_expdate=${20}
    __ea_local=${21}
    __ea_skel=${22}
    __ea_umin=${23}
    __ea_umax=${24}
    __ea_hmask=${25}
    __ea_pmin=${26}
    __ea_pmax=${27}
    __ea_pwarn=${28}
    __ea_inactive=${29}
    __ea_sshkey=${30}
    __ea_bits=${31}
    __ea_ktype=${32}
    __ea_kfile=${33}
    __ea_kcomment=${34}
    __ea_kpass=${35}
    __ea_out=$(ea_tmp out)
    __ea_err=$(ea_tmp err)
    __ea_tool=files
    if [ "$__ea_local" != 1 ] && command -v useradd >/dev/null 2>&1; then
        __ea_tool=shadow
    fi
    ea__user_lookup
    if [ "$__ea_state" = absent ]; then
        if [ -z "$__ea_line" ]; then
            ea_field op none
            return 0
        fi
        ea_changed
        if ea_is_check; then
            ea_field op bare
            return 0
        fi
        ea__user_remove || return 1
        ea_field op remove
        ea__user_outputs
        return 0
    fi
    if [ -z "$__ea_line" ]; then
        ea_changed
        if ea_is_check; then
            ea_field op bare
            return 0
        fi
        ea__user_create || return 1
        ea_field op create
    else
        ea__user_modify || return 1
        ea_field op modify
    fi
    ea__user_outputs
    ea__user_lookup
    [ -n "$__ea_line" ] || {
        ea_fail "failed to look up user name: $__ea_name"
        return 1
    }
    IFS=: read -r __ea_x __ea_x __ea_cuid __ea_cgid __ea_ccomment __ea_chome __ea_cshell <<EOF
$__ea_line
EOF
    ea_field uid "$__ea_cuid"
    ea_field gid "$__ea_cgid"
    ea_field comment "$__ea_ccomment"
    ea_field home "$__ea_chome"
    ea_field shell "$__ea_cshell"
    if [ "$__ea_mkhome" = 1 ] && [ ! -e "$__ea_chome" ]; then
        ea_changed
        ea_is_check || ea__user_make_home "$__ea_chome" "$__ea_cuid" "$__ea_cgid" || return 1
    fi
    ea__user_aging || return 1
    if [ "$__ea_sshkey" = 1 ]; then ea__user_sshkey || return 1; fi
    return 0
}

ea__user_lookup() {
    __ea_line=$(ea__acc_get passwd "$__ea_name" "$__ea_local") || __ea_line=
    case $__ea_line in "$__ea_name":*) ;; *) __ea_line= ;; esac
}

ea__user_outputs() {
    ea_field_file stdout "$__ea_out"
    ea_field_file stderr "$__ea_err"
}

ea__user_run() {
    # "$@": run an account tool, output kept for the result; on failure its stderr is the msg
    "$@" >>"$__ea_out" 2>>"$__ea_err" && return 0
    __ea_rc=$?
    ea__user_outputs
    ea_rc "$__ea_rc"
    ea_fail "$(cat "$__ea_err")"
}

ea__user_group_gid() {
    # $1 group name or gid: print its gid; fail with Ansible's message if there is none
    __ea_g=$(ea__acc_get group "$1" "$__ea_local") || {
        ea_fail "Group $1 does not exist"
        return 1
    }
    ea__acc_field "$__ea_g" 3
}

ea__user_group_names() {
    # $1 comma list of group names or gids: print their names comma separated (sorted,
    # unique); fail naming the first group that does not exist
    __ea_names=
    __ea_rest=$1,
    while [ -n "$__ea_rest" ]; do
        __ea_one=${__ea_rest%%,*}
        __ea_rest=${__ea_rest#*,}
        __ea_one=$(printf '%s' "$__ea_one" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
        [ -n "$__ea_one" ] || continue
        __ea_g=$(ea__acc_get group "$__ea_one" "$__ea_local") || {
            ea_fail "Group $__ea_one does not exist"
            return 1
        }
        __ea_names="$__ea_names$(ea__acc_field "$__ea_g" 1)
"
    done
    printf '%s' "$__ea_names" | sort -u | awk 'NF { printf "%s%s", sep, $0; sep = "," }'
}

ea__user_shadow_pw() {
    # the current password field of /etc/shadow ("" if there is no shadow entry)
    __ea_s=$(ea__acc_get shadow "$__ea_name" 1) || return 0
    ea__acc_field "$__ea_s" 2
}

ea__user_set_pw() {
    # $1 the new password field: edit /etc/shadow (under its lock) so no hash is on argv
    if [ -f /etc/shadow ]; then
        ea__acc_set_field /etc/shadow "$__ea_name" 2 "$1"
    else
        ea__acc_set_field /etc/passwd "$__ea_name" 2 "$1"
    fi
}

ea__user_wanted_pw() {
    # the password field the task asks for, from PASSWORD (=hash) and PASSWORD_LOCK
    if [ "$__ea_lock" = 1 ]; then
        printf '!%s' "${__ea_pw#=}"
    else
        printf '%s' "${__ea_pw#=}"
    fi
}

ea__user_make_home() {
    # $1 home, $2 uid, $3 gid: create it from the skeleton with login.defs' HOME_MODE/UMASK
    __ea_sk=${__ea_skel:-/etc/skel}
    __ea_mode=0755
    if [ -r /etc/login.defs ]; then
        __ea_hm=$(awk '$1 == "HOME_MODE" && $2 ~ /^[0-7]+$/ { print $2; exit }' /etc/login.defs)
        __ea_um=$(awk '$1 == "UMASK" && $2 ~ /^[0-7]+$/ { print $2 }' /etc/login.defs | tail -n 1)
        if [ -n "$__ea_hm" ]; then
            __ea_mode=$__ea_hm
        elif [ -n "$__ea_um" ]; then
            __ea_mode=$(printf '%04o' $((0777 & ~0$__ea_um)))
        fi
    fi
    if [ -n "$__ea_hmask" ]; then __ea_mode=$(printf '%04o' $((0777 & ~0$__ea_hmask))); fi
    { mkdir -p "$(dirname "$1")" && mkdir "$1"; } || {
        ea_fail "cannot create the home directory $1"
        return 1
    }
    if [ -d "$__ea_sk" ] && [ "$__ea_sk" != /dev/null ]; then
        cp -a "$__ea_sk/." "$1/" 2>>"$__ea_err" || cp -pR "$__ea_sk/." "$1/" || {
            ea_fail "cannot copy $__ea_sk to $1"
            return 1
        }
    fi
    chmod "$__ea_mode" "$1" && chown -R -h "$2:$3" "$1"
}

ea__user_create() {
    if [ -n "$__ea_group" ]; then
        __ea_gid=$(ea__user_group_gid "$__ea_group") || return 1
    fi
    __ea_gnames=
    if [ -n "${__ea_groups#=}" ]; then
        __ea_gnames=$(ea__user_group_names "${__ea_groups#=}") || return 1
    fi
    if [ "$__ea_tool" = shadow ]; then
        set -- useradd
        [ -n "$__ea_uid" ] && set -- "$@" -u "$__ea_uid"
        [ -n "$__ea_uid" ] && [ "$__ea_nonuniq" = 1 ] && set -- "$@" -o
        if [ -n "$__ea_group" ]; then
            set -- "$@" -g "$__ea_group"
        elif ea__acc_get group "$__ea_name" 0 >/dev/null; then
            set -- "$@" -N
        fi
        [ -n "$__ea_gnames" ] && set -- "$@" -G "$__ea_gnames"
        [ -n "$__ea_comment" ] && set -- "$@" -c "${__ea_comment#=}"
        if [ -n "$__ea_home" ]; then
            if [ "$__ea_mkhome" = 1 ] && [ ! -d "$(dirname "$__ea_home")" ]; then
                mkdir -p "$(dirname "$__ea_home")"
            fi
            set -- "$@" -d "$__ea_home"
        fi
        [ -n "$__ea_shell" ] && set -- "$@" -s "$__ea_shell"
        if [ "$__ea_expires" = -1 ]; then
            set -- "$@" -e ""
        elif [ -n "$__ea_expires" ]; then
            set -- "$@" -e "$__ea_expdate"
        fi
        if [ "$__ea_mkhome" = 1 ]; then
            set -- "$@" -m
            [ -n "$__ea_skel" ] && set -- "$@" -k "$__ea_skel"
            [ -n "$__ea_hmask" ] && set -- "$@" -K "UMASK=$__ea_hmask"
        else
            set -- "$@" -M
        fi
        [ "$__ea_system" = 1 ] && set -- "$@" -r
        [ -n "$__ea_umin" ] && set -- "$@" -K "UID_MIN=$__ea_umin"
        [ -n "$__ea_umax" ] && set -- "$@" -K "UID_MAX=$__ea_umax"
        ea__user_run "$@" "$__ea_name" || return 1
    else
        ea__user_create_files || return 1
    fi
    if [ -n "$__ea_pw" ]; then
        ea__user_set_pw "$(ea__user_wanted_pw)" || return 1
    elif [ "$__ea_lock" = 1 ]; then
        __ea_cur=$(ea__user_shadow_pw)
        case $__ea_cur in !*) ;; *) ea__user_set_pw "!$__ea_cur" || return 1 ;; esac
    fi
}

ea__user_create_files() {
    # no useradd (BusyBox) or local: the passwd/shadow/group entries written directly
    if [ -n "$__ea_uid" ]; then
        # shellcheck disable=SC2016
        if [ "$__ea_nonuniq" != 1 ] && awk -F: -v u="$__ea_uid" '$3 == u { f = 1 } END { exit !f }' /etc/passwd; then
            ea_fail "useradd: UID $__ea_uid is not unique"
            return 1
        fi
        __ea_newuid=$__ea_uid
    elif [ "$__ea_system" = 1 ]; then
        __ea_newuid=$(ea__acc_free_id /etc/passwd "${__ea_umin:-$(ea__acc_def SYS_UID_MIN 100)}" \
            "${__ea_umax:-$(ea__acc_def SYS_UID_MAX 999)}" 1 "") || __ea_newuid=
    else
        __ea_newuid=$(ea__acc_free_id /etc/passwd "${__ea_umin:-$(ea__acc_def UID_MIN 1000)}" \
            "${__ea_umax:-$(ea__acc_def UID_MAX 60000)}" 0 "") || __ea_newuid=
    fi
    [ -n "$__ea_newuid" ] || {
        ea_fail "useradd: can't get unique UID (no more available UIDs)"
        return 1
    }
    if [ -z "$__ea_group" ]; then
        __ea_gid=
        __ea_g=$(ea__acc_get group "$__ea_name" 1) && __ea_gid=$(ea__acc_field "$__ea_g" 3)
        if [ -z "$__ea_gid" ]; then
            # the user's private group, with the uid as gid when that is free
            __ea_gid=$(ea__acc_free_id /etc/group 0 4294967294 0 "$__ea_newuid") || return 1
            ea__acc_append /etc/group "$__ea_name:x:$__ea_gid:" || return 1
            ea__acc_append /etc/gshadow "$__ea_name:!::" || return 1
        fi
    fi
    __ea_h=${__ea_home:-/home/$__ea_name}
    __ea_today=$(($(date +%s) / 86400))
    __ea_exp=
    [ -n "$__ea_expires" ] && [ "$__ea_expires" != -1 ] && __ea_exp=$__ea_expires
    ea__acc_append /etc/passwd \
        "$__ea_name:x:$__ea_newuid:$__ea_gid:${__ea_comment#=}:$__ea_h:${__ea_shell:-/bin/sh}" || return 1
    if [ -f /etc/shadow ]; then
        ea__acc_append /etc/shadow "$__ea_name:!:$__ea_today:0:99999:7::$__ea_exp:" || return 1
    fi
    if [ -n "$__ea_gnames" ]; then
        ea__acc_members /etc/group "$__ea_name" "$__ea_gnames" add || return 1
        [ ! -f /etc/gshadow ] || ea__acc_members /etc/gshadow "$__ea_name" "$__ea_gnames" add || return 1
    fi
    if [ "$__ea_mkhome" = 1 ] && [ ! -e "$__ea_h" ]; then
        ea__user_make_home "$__ea_h" "$__ea_newuid" "$__ea_gid" || return 1
    fi
}

ea__user_modify() {
    IFS=: read -r __ea_x __ea_x __ea_cuid __ea_cgid __ea_ccomment __ea_chome __ea_cshell <<EOF
$__ea_line
EOF
    __ea_cpw=$(ea__user_shadow_pw)
    set -- usermod
    if [ -n "$__ea_uid" ] && [ "$__ea_uid" != "$__ea_cuid" ]; then
        set -- "$@" -u "$__ea_uid"
        [ "$__ea_nonuniq" = 1 ] && set -- "$@" -o
    fi
    if [ -n "$__ea_group" ]; then
        __ea_gid=$(ea__user_group_gid "$__ea_group") || return 1
        [ "$__ea_gid" != "$__ea_cgid" ] && set -- "$@" -g "$__ea_gid"
    fi
    __ea_gmode=
    if [ -n "$__ea_groups" ]; then
        __ea_have=$(ea__acc_memberships "$__ea_name" "$__ea_local")
        __ea_gnames=
        if [ -n "${__ea_groups#=}" ]; then
            __ea_gnames=$(ea__user_group_names "${__ea_groups#=}") || return 1
        fi
        if [ -z "$__ea_gnames" ]; then
            [ -n "$__ea_have" ] && [ "$__ea_append" != 1 ] && __ea_gmode="set"
        elif [ "$__ea_have" != "$__ea_gnames" ]; then
            if [ "$__ea_append" = 1 ]; then
                # only a wanted group the user is not in yet counts
                for __ea_g in $(printf '%s' "$__ea_gnames" | tr ',' ' '); do
                    case ",$__ea_have," in *",$__ea_g,"*) ;; *) __ea_gmode=add ;; esac
                done
            else
                __ea_gmode="set"
            fi
        fi
        if [ "$__ea_gmode" = add ]; then
            set -- "$@" -a -G "$__ea_gnames"
        elif [ "$__ea_gmode" = set ]; then
            set -- "$@" -G "$__ea_gnames"
        fi
    fi
    if [ -n "$__ea_comment" ] && [ "${__ea_comment#=}" != "$__ea_ccomment" ]; then
        set -- "$@" -c "${__ea_comment#=}"
    fi
    __ea_moved=
    if [ -n "$__ea_home" ] && [ "$__ea_home" != "$__ea_chome" ]; then
        set -- "$@" -d "$__ea_home"
        [ "$__ea_movehome" = 1 ] && set -- "$@" -m && __ea_moved=1
    fi
    if [ -n "$__ea_shell" ] && [ "$__ea_shell" != "$__ea_cshell" ]; then
        set -- "$@" -s "$__ea_shell"
    fi
    __ea_sline=$(ea__acc_get shadow "$__ea_name" 1)
    __ea_cexp=$(printf '%s\n' "$__ea_sline" | cut -d: -f8)
    __ea_cexp=${__ea_cexp:--1}
    # a user in /etc/passwd without a shadow entry reads as expiry 0 (Ansible's reading), so
    # expires: -1 writes the entry (usermod -e '' creates it) and the next run is unchanged
    [ -z "$__ea_sline" ] && [ -f /etc/shadow ] && __ea_cexp=0
    __ea_expchg=
    if [ "$__ea_expires" = -1 ]; then
        [ "$__ea_cexp" -ge 0 ] && __ea_expchg=1 && set -- "$@" -e ""
    elif [ -n "$__ea_expires" ] && [ "$__ea_cexp" != "$__ea_expires" ]; then
        __ea_expchg=1
        set -- "$@" -e "$__ea_expdate"
    fi
    # the password field: lock/unlock, or a new hash (update_password=always)
    __ea_newpw=
    case $__ea_cpw in !*) __ea_locked=1 ;; *) __ea_locked=0 ;; esac
    if [ "$__ea_lock" = 1 ] && [ "$__ea_locked" = 0 ]; then
        __ea_newpw="!$__ea_cpw"
    elif [ "$__ea_lock" = 0 ] && [ "$__ea_locked" = 1 ]; then
        __ea_newpw=${__ea_cpw#!}
    fi
    if [ "$__ea_updpw" = always ] && [ -n "$__ea_pw" ]; then
        __ea_w=${__ea_pw#=}
        if [ "${__ea_cpw#!}" != "${__ea_w#!}" ]; then
            __ea_newpw=$(ea__user_wanted_pw)
        fi
    fi
    if [ "$#" -eq 1 ] && [ -z "$__ea_newpw" ]; then
        return 0
    fi
    ea_changed
    ea_is_check && return 0
    if [ "$#" -gt 1 ]; then
        if [ "$__ea_tool" = shadow ]; then
            ea__user_run "$@" "$__ea_name" || return 1
        else
            ea__user_modify_files "$@" || return 1
        fi
    fi
    if [ -n "$__ea_newpw" ]; then
        ea__user_set_pw "$__ea_newpw" || return 1
    fi
    return 0
}

ea__user_modify_files() {
    # "$@": the usermod arguments computed above, applied to the files directly
    shift
    __ea_nuid=$__ea_cuid
    __ea_ngid=$__ea_cgid
    __ea_ncomment=$__ea_ccomment
    __ea_nhome=$__ea_chome
    __ea_nshell=$__ea_cshell
    __ea_gop=
    while [ "$#" -gt 0 ]; do
        case $1 in
            -u) __ea_nuid=$2 ;;
            -g) __ea_ngid=$2 ;;
            -c) __ea_ncomment=$2 ;;
            -d) __ea_nhome=$2 ;;
            -s) __ea_nshell=$2 ;;
            -e) ;;
            -a) __ea_gop=add ;;
            -G) [ -n "$__ea_gop" ] || __ea_gop="set" ;;
            *) shift && continue ;;
        esac
        case $1 in -a) shift ;; *) shift 2 ;; esac
    done
    if [ "$__ea_nuid" != "$__ea_cuid" ] && [ "$__ea_nonuniq" != 1 ]; then
        # shellcheck disable=SC2016
        if awk -F: -v u="$__ea_nuid" '$3 == u { f = 1 } END { exit !f }' /etc/passwd; then
            ea_fail "usermod: UID '$__ea_nuid' already exists"
            return 1
        fi
    fi
    if [ -n "$__ea_moved" ] && [ -d "$__ea_chome" ] && [ ! -e "$__ea_nhome" ]; then
        { mkdir -p "$(dirname "$__ea_nhome")" && mv "$__ea_chome" "$__ea_nhome"; } || {
            ea_fail "usermod: cannot move $__ea_chome to $__ea_nhome"
            return 1
        }
    fi
    # shellcheck disable=SC2016
    ea__acc_edit /etc/passwd '$1 == name { $3 = u; $4 = g; $5 = c; $6 = h; $7 = s } { print }' \
        -v name="$__ea_name" -v u="$__ea_nuid" -v g="$__ea_ngid" -v c="$__ea_ncomment" \
        -v h="$__ea_nhome" -v s="$__ea_nshell" || return 1
    if [ -n "$__ea_expchg" ] && [ -f /etc/shadow ]; then
        __ea_e=$__ea_expires
        [ "$__ea_e" = -1 ] && __ea_e=
        if [ -z "$__ea_sline" ]; then  # as usermod -e does: a new entry, aging defaults
            __ea_today=$(($(date +%s) / 86400))
            __ea_ppw=$(printf '%s\n' "$__ea_line" | cut -d: -f2)
            ea__acc_append /etc/shadow "$__ea_name:$__ea_ppw:$__ea_today:0:99999:7::$__ea_e:" || return 1
        else
            ea__acc_set_field /etc/shadow "$__ea_name" 8 "$__ea_e" || return 1
        fi
    fi
    if [ -n "$__ea_gop" ]; then
        ea__acc_members /etc/group "$__ea_name" "$__ea_gnames" "$__ea_gop" || return 1
        [ ! -f /etc/gshadow ] || ea__acc_members /etc/gshadow "$__ea_name" "$__ea_gnames" "$__ea_gop"
    fi
}

ea__user_aging() {
    # password_expire_min/max/warn and password_expire_account_disable: shadow fields 4-7
    [ -n "$__ea_pmin$__ea_pmax$__ea_pwarn$__ea_inactive" ] || return 0
    __ea_s=$(ea__acc_get shadow "$__ea_name" 1) || return 0
    IFS=: read -r __ea_x __ea_x __ea_x __ea_cmin __ea_cmax __ea_cwarn __ea_cinact __ea_x <<EOF
$__ea_s
EOF
    __ea_chg=
    for __ea_pair in "4:$__ea_pmin:$__ea_cmin" "5:$__ea_pmax:$__ea_cmax" \
        "6:$__ea_pwarn:$__ea_cwarn" "7:$__ea_inactive:$__ea_cinact"; do
        __ea_f=${__ea_pair%%:*}
        __ea_v=${__ea_pair#*:}
        __ea_c=${__ea_v#*:}
        __ea_v=${__ea_v%%:*}
        [ -n "$__ea_v" ] || continue
        [ "$__ea_v" = -1 ] && __ea_v=
        [ "$__ea_v" = "$__ea_c" ] && continue
        __ea_chg=1
        ea_is_check && continue
        ea__acc_set_field /etc/shadow "$__ea_name" "$__ea_f" "$__ea_v" || return 1
    done
    [ -z "$__ea_chg" ] || ea_changed
}

ea__user_remove() {
    IFS=: read -r __ea_x __ea_x __ea_cuid __ea_cgid __ea_x __ea_chome __ea_x <<EOF
$__ea_line
EOF
    if [ "$__ea_tool" = shadow ]; then
        set -- userdel
        [ "$__ea_force" = 1 ] && set -- "$@" -f
        [ "$__ea_remove" = 1 ] && set -- "$@" -r
        ea__user_run "$@" "$__ea_name"
        return
    fi
    ea__acc_delete /etc/passwd "$__ea_name" || return 1
    ea__acc_delete /etc/shadow "$__ea_name" || return 1
    ea__acc_members /etc/group "$__ea_name" "" set || return 1
    [ ! -f /etc/gshadow ] || ea__acc_members /etc/gshadow "$__ea_name" "" set || return 1
    # the user's private group goes too, unless another user has it as primary group
    __ea_g=$(ea__acc_get group "$__ea_name" 1) || __ea_g=
    # shellcheck disable=SC2016
    if [ -n "$__ea_g" ] && [ "$(ea__acc_field "$__ea_g" 3)" = "$__ea_cgid" ] &&
        ! awk -F: -v g="$__ea_cgid" '$4 == g { f = 1 } END { exit !f }' /etc/passwd; then
        ea__acc_delete /etc/group "$__ea_name" || return 1
        ea__acc_delete /etc/gshadow "$__ea_name" || return 1
    fi
    if [ "$__ea_remove" = 1 ]; then
        case $__ea_chome in /|"") ;; *) rm -rf "$__ea_chome" ;; esac
        rm -f "/var/mail/$__ea_name" "/var/spool/mail/$__ea_name"
    fi
    return 0
}

ea__user_sshkey() {
    # generate_ssh_key: Ansible's rules (existing key kept unless force; check mode predicts)
    case $__ea_kfile in
        /*) __ea_key=$__ea_kfile ;;
        *)
            if [ ! -e "$__ea_chome" ] && ! ea_is_check; then
                ea_fail "User $__ea_name home directory does not exist"
                return 1
            fi
            __ea_key=$__ea_chome/$__ea_kfile
            ;;
    esac
    command -v ssh-keygen >/dev/null 2>&1 || {
        ea_fail "generate_ssh_key needs ssh-keygen on the target (not found in PATH)"
        return 1
    }
    ea_field ssh_key_file "$__ea_key"
    __ea_kdir=$(dirname "$__ea_key")
    __ea_gen=1
    if [ ! -d "$__ea_kdir" ]; then
        ea_changed
        if ea_is_check; then
            __ea_gen=0
        else
            { mkdir -m 0700 "$__ea_kdir" && chown "$__ea_cuid:$__ea_cgid" "$__ea_kdir"; } || {
                ea_fail "Failed to create $__ea_kdir"
                return 1
            }
        fi
    fi
    if [ "$__ea_gen" = 1 ] && [ -e "$__ea_key" ]; then
        if [ "$__ea_force" = 1 ]; then
            ea_field warning "Overwriting existing ssh key private file \"$__ea_key\""
        else
            ea_field warning "Found existing ssh key private file \"$__ea_key\", no force, so skipping ssh-keygen generation"
            __ea_gen=0
        fi
    fi
    if [ "$__ea_gen" = 1 ] && [ -e "$__ea_key.pub" ]; then
        if [ "$__ea_force" = 1 ]; then
            ea_is_check || rm -f "$__ea_key.pub"
        else
            ea_field warning "Found existing ssh key public file \"$__ea_key.pub\", no force, so skipping ssh-keygen generation"
            __ea_gen=0
        fi
    fi
    if [ "$__ea_gen" = 1 ]; then
        ea_changed
        if ! ea_is_check; then
            # shellcheck disable=SC2016 # the literal $HOSTNAME of Ansible's default comment
            case $__ea_kcomment in
                *'$HOSTNAME'*)
                    __ea_hn=$(hostname 2>/dev/null || uname -n)
                    __ea_kcomment=$(printf '%s' "$__ea_kcomment" | sed "s/\\\$HOSTNAME/$__ea_hn/")
                    ;;
            esac
            set -- ssh-keygen -q -t "$__ea_ktype"
            [ -n "$__ea_bits" ] && [ "$__ea_bits" != 0 ] && set -- "$@" -b "$__ea_bits"
            set -- "$@" -C "$__ea_kcomment" -f "$__ea_key" -N "${__ea_kpass#=}"
            if [ -e "$__ea_key" ]; then
                echo y | "$@" >>"$__ea_out" 2>>"$__ea_err"
            else
                "$@" </dev/null >>"$__ea_out" 2>>"$__ea_err"
            fi || {
                ea_rc 1
                ea_fail "$(cat "$__ea_err")"
                return 1
            }
            chown "$__ea_cuid:$__ea_cgid" "$__ea_key" "$__ea_key.pub"
        fi
    fi
    if [ -e "$__ea_key" ]; then
        __ea_fp=$(ssh-keygen -l -f "$__ea_key" 2>&1) || __ea_fp=
        ea_field ssh_fingerprint "$__ea_fp"
    else
        ea_field ssh_fingerprint ""
    fi
    if [ -r "$__ea_key.pub" ]; then
        ea_field ssh_public_key "$(cat "$__ea_key.pub")"
    fi
    return 0
}
