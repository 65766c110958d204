# async_status: report (or remove) a background job's status file (see jobs.sh for how the
# job writes it: "started" while it runs, then the task's framed record).
#
# ea_async_status JID MODE DIR
#   JID      the job id (`ansible_job_id` of the task started with async + poll: 0)
#   MODE     status: running (finished 0) or finished with the record as field `job`;
#            cleanup: remove the status file
#   DIR      the async dir (a leading ~/ means $HOME)

ea_async_status() {
    __ea_sjid=$1
    __ea_smode=$2
    __ea_sdir=$3
    __ea_jdir=$(ea__async_dir "$__ea_sdir")
    __ea_f=$__ea_jdir/$__ea_sjid
    ea_field ansible_job_id "$__ea_sjid"
    if [ ! -f "$__ea_f" ]; then
        ea_field started 1
        ea_field finished 1
        ea_fail "could not find job"
        return 1
    fi
    if [ "$__ea_smode" = cleanup ]; then
        rm -f "$__ea_f"
        rm -rf "$__ea_jdir/.$__ea_sjid.d"
        ea_field erased "$__ea_f"
        return 0
    fi
    ea_field results_file "$__ea_f"
    ea_field started 1
    read -r __ea_l <"$__ea_f" || __ea_l=
    if [ "$__ea_l" = started ]; then
        ea_field finished 0
        return 0
    fi
    ea_field finished 1
    ea_field_file job "$__ea_f"
}
