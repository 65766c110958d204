# docker_image: an image present (loaded from an archive, pulled, or already local), tagged
# into another repository, or removed.
#
# ea_docker_image REF STATE SOURCE FLAGS ARCHIVE REPOSITORY MARKER MARK
#   REF         repository:tag (or @digest) of the image
#   SOURCE      load|pull|local
#   FLAGS       letters: s=force_source (load/pull even when present), a=force_absent
#               (rm -f), t=force_tag
#   ARCHIVE     the archive to load: a path on the target (load_path), the file the
#               controller sent (load_src), or '' when the controller left it out because the
#               marker said the image was loaded from it before
#   REPOSITORY  tag the image into this repository[:tag] too ('' = no)
#   MARKER      file remembering which archive the image was loaded from ('' = none);
#               MARK is its content (the archive's sha1)

ea__di_id() {
    docker image inspect --format '{{.Id}}' "$1" 2>/dev/null
}

ea__di_get() {
    # $1 ref, $2 source, $3 archive: make the image be there
    case $2 in
        load)
            if [ -z "$3" ]; then
                ea_field resend 1
                ea_fail "image $1 is not on the target although it was loaded from this archive before (it was removed since); the archive was not sent — re-run the task"
                return 1
            fi
            [ -r "$3" ] || {
                ea_fail "cannot read the image archive $3 on the target (load_path)"
                return 1
            }
            __ea_di_lo=$(ea_tmp load.out) || return 1
            docker load -i "$3" >"$__ea_di_lo" 2>&1 || {
                ea_fail "loading image archive $3 failed: $(cat "$__ea_di_lo")"
                return 1
            }
            ea_field_file load_output "$__ea_di_lo"
            [ -n "$(ea__di_id "$1")" ] || {
                ea_fail "the archive was loaded but it holds no image $1 (docker load said: $(cat "$__ea_di_lo"))"
                return 1
            }
            ;;
        pull)
            ea__docker "pulling image $1 failed (no registry reachable? on an air-gapped site use source: load)" pull "$1" || return 1
            ;;
        *)
            ea_fail "image $1 is not on the target and source is local: load or pull it first"
            return 1
            ;;
    esac
}

ea_docker_image() {
    __ea_di_ref=$1
    __ea_di_st=$2
    __ea_di_src=$3
    __ea_di_fl=$4
    __ea_di_ar=$5
    __ea_di_repo=$6
    __ea_di_mk=$7
    __ea_di_mark=$8
    ea__docker_cli || return 1
    __ea_di_id=$(ea__di_id "$__ea_di_ref") || __ea_di_id=
    [ -n "$__ea_di_id" ] || ea__docker_ready || return 1
    __ea_di_acts=
    if [ "$__ea_di_st" = absent ]; then
        if [ -n "$__ea_di_id" ]; then
            ea_changed
            __ea_di_acts="Removed image $__ea_di_ref"
            if ! ea_is_check; then
                case $__ea_di_fl in
                    *a*) ea__docker "removing image $__ea_di_ref failed" rmi -f "$__ea_di_ref" || return 1 ;;
                    *) ea__docker "removing image $__ea_di_ref failed" rmi "$__ea_di_ref" || return 1 ;;
                esac
                [ -n "$__ea_di_mk" ] && rm -f "$__ea_di_mk"
            fi
        fi
        ea_field actions "$__ea_di_acts"
        ea_field image ""
        return 0
    fi
    __ea_di_get=0
    [ -z "$__ea_di_id" ] && __ea_di_get=1
    case $__ea_di_fl in *s*) [ "$__ea_di_src" != local ] && __ea_di_get=1 ;; esac
    if [ "$__ea_di_get" = 1 ]; then
        if ea_is_check; then
            [ -z "$__ea_di_id" ] && ea_changed
            [ -z "$__ea_di_id" ] && [ "$__ea_di_src" = local ] && {
                ea_fail "image $__ea_di_ref is not on the target and source is local: load or pull it first"
                return 1
            }
        else
            ea__di_get "$__ea_di_ref" "$__ea_di_src" "$__ea_di_ar" || return 1
            __ea_di_new=$(ea__di_id "$__ea_di_ref") || __ea_di_new=
            [ "$__ea_di_new" != "$__ea_di_id" ] && ea_changed
            __ea_di_id=$__ea_di_new
        fi
        __ea_di_acts="$__ea_di_src image $__ea_di_ref"
    fi
    if [ -n "$__ea_di_mk" ] && [ -n "$__ea_di_id" ] && ! ea_is_check; then
        __ea_di_have=
        [ -f "$__ea_di_mk" ] && __ea_di_have=$(cat "$__ea_di_mk")
        if [ "$__ea_di_have" != "$__ea_di_mark" ]; then
            mkdir -p "$(dirname "$__ea_di_mk")" || return 1
            __ea_di_mt=$(ea_tmp marker) || return 1
            printf '%s\n' "$__ea_di_mark" >"$__ea_di_mt"
            ea_atomic_install "$__ea_di_mt" "$__ea_di_mk" || return 1
        fi
    fi
    if [ -n "$__ea_di_repo" ]; then
        __ea_di_rid=$(ea__di_id "$__ea_di_repo") || __ea_di_rid=
        if [ -z "$__ea_di_id" ] || [ "$__ea_di_rid" != "$__ea_di_id" ]; then
            if [ -n "$__ea_di_rid" ]; then
                case $__ea_di_fl in
                    *t*) ;;
                    *)
                        ea_fail "$__ea_di_repo already names another image ($__ea_di_rid); set force_tag: true to move it"
                        return 1
                        ;;
                esac
            fi
            ea_changed
            __ea_di_acts="${__ea_di_acts:+$__ea_di_acts; }Tagged image $__ea_di_ref as $__ea_di_repo"
            if ! ea_is_check; then
                ea__docker "tagging $__ea_di_ref as $__ea_di_repo failed" tag "$__ea_di_ref" "$__ea_di_repo" || return 1
            fi
        fi
    fi
    ea_field actions "$__ea_di_acts"
    ea__docker_result image "$__ea_di_ref" image
}
